package diff

import (
	"strings"
	"testing"
)

var labels = Labels{Ours: "yours", Base: "base", Theirs: "new"}

// lines joins its arguments as lines, each ending in "\n".
func lines(l ...string) string { return strings.Join(l, "\n") + "\n" }

func TestMerge(t *testing.T) {
	base := lines("a", "b", "c", "d", "e", "f", "g")
	tests := []struct {
		name, ours, theirs, want string
		conflicts                int
	}{
		{"theirs only", base, lines("a", "B", "c", "d", "e", "f", "g"), lines("a", "B", "c", "d", "e", "f", "g"), 0},
		{"ours only", lines("a", "b", "c", "D", "e", "f", "g"), base, lines("a", "b", "c", "D", "e", "f", "g"), 0},
		{"apart", lines("a", "B", "c", "d", "e", "f", "g"), lines("a", "b", "c", "d", "e", "F", "g"), lines("a", "B", "c", "d", "e", "F", "g"), 0},
		{"same change", lines("a", "X", "c", "d", "e", "f", "g", "h"), lines("a", "X", "c", "d", "e", "f", "g"), lines("a", "X", "c", "d", "e", "f", "g", "h"), 0},
		{"insert and delete apart", lines("new", "a", "b", "c", "d", "e", "f", "g"), lines("a", "b", "c", "d", "e", "f"), lines("new", "a", "b", "c", "d", "e", "f"), 0},
		{"append both apart", lines("a", "b", "c", "d", "e", "f", "g", "mine"), lines("top", "a", "b", "c", "d", "e", "f", "g"), lines("top", "a", "b", "c", "d", "e", "f", "g", "mine"), 0},
		{"overlap", lines("a", "b", "C1", "d", "e", "f", "g"), lines("a", "b", "C2", "d", "e", "f", "g"),
			lines("a", "b", "<<<<<<< yours", "C1", "||||||| base", "c", "=======", "C2", ">>>>>>> new", "d", "e", "f", "g"), 1},
		{"adjacent", lines("a", "b", "C", "d", "e", "f", "g"), lines("a", "b", "c", "D", "e", "f", "g"),
			lines("a", "b", "<<<<<<< yours", "C", "d", "||||||| base", "c", "d", "=======", "c", "D", ">>>>>>> new", "e", "f", "g"), 1},
		{"two conflicts", lines("A1", "b", "c", "d", "e", "f", "G1"), lines("A2", "b", "c", "d", "e", "f", "G2"),
			lines("<<<<<<< yours", "A1", "||||||| base", "a", "=======", "A2", ">>>>>>> new", "b", "c", "d", "e", "f", "<<<<<<< yours", "G1", "||||||| base", "g", "=======", "G2", ">>>>>>> new"), 2},
		{"deleted to empty on one side", "", lines("a", "b", "c", "d", "e", "f", "g", "h"),
			lines("<<<<<<< yours", "||||||| base", "a", "b", "c", "d", "e", "f", "g", "=======", "a", "b", "c", "d", "e", "f", "g", "h", ">>>>>>> new"), 1},
		{"no final newline", "a\nb\nc\nd\ne\nf\nX", "a\nb\nc\nd\ne\nf\nY",
			lines("a", "b", "c", "d", "e", "f", "<<<<<<< yours", "X", "||||||| base", "g", "=======", "Y", ">>>>>>> new"), 1},
	}
	for _, tt := range tests {
		got, n := Merge(base, tt.ours, tt.theirs, labels)
		if got != tt.want || n != tt.conflicts {
			t.Errorf("%s: Merge = %q, %d conflicts; want %q, %d", tt.name, got, n, tt.want, tt.conflicts)
		}
	}
	// CRLF lines merge as lines.
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	if got, n := Merge(crlf(base), crlf(lines("a", "B", "c", "d", "e", "f", "g")), crlf(lines("a", "b", "c", "d", "e", "F", "g")), labels); got != crlf(lines("a", "B", "c", "d", "e", "F", "g")) || n != 0 {
		t.Errorf("CRLF: Merge = %q, %d; want both changes", got, n)
	}
}

// FuzzMerge holds Merge's invariants: one side unchanged gives the other,
// the same change on both sides is taken once.
func FuzzMerge(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nB\nc\n", "a\nb\nC\n")
	f.Add("", "x", "y\n")
	f.Fuzz(func(t *testing.T, base, ours, theirs string) {
		if got, n := Merge(base, base, theirs, labels); got != theirs || n != 0 {
			t.Errorf("Merge(b, b, t) = %q, %d; want t", got, n)
		}
		if got, n := Merge(base, ours, base, labels); got != ours || n != 0 {
			t.Errorf("Merge(b, o, b) = %q, %d; want o", got, n)
		}
		if got, n := Merge(base, ours, ours, labels); got != ours || n != 0 {
			t.Errorf("Merge(b, x, x) = %q, %d; want x", got, n)
		}
		if _, n := Merge(base, ours, theirs, labels); n < 0 {
			t.Error("negative conflicts")
		}
	})
}
