package generator

import (
	"strings"
	"testing"
)

// TestParseStampRefusesAmbiguity: a stamp that says two things about one
// file, or that a merge left conflicted, is refused with the fix, never read
// with one side silently winning.
func TestParseStampRefusesAmbiguity(t *testing.T) {
	cfg := Config{Name: "mysvc"}
	f, err := NewStamp("v1.0.0", cfg, "", []File{
		{Path: "README.md", Data: []byte("# mysvc\n")},
		{Path: "internal/daemon/daemon.go", Data: []byte("package daemon\n")},
	}).File()
	if err != nil {
		t.Fatal(err)
	}
	good := string(f.Data)
	if s, err := ParseStamp([]byte(good)); err != nil || string(s.Bases["README.md"]) != "# mysvc\n" || len(s.Sums) != 1 {
		t.Fatalf("ParseStamp of a stamp File wrote = %+v, %v", s, err)
	}
	sum := good[strings.Index(good, "sum "):]
	sum = sum[:strings.Index(sum, "\n")+1]
	for name, tc := range map[string]struct{ data, want string }{
		"two bases":             {good + "-- README.md --\n# theirs\n", "two bases for README.md"},
		"two sums":              {strings.Replace(good, sum, sum+sum, 1), "two sums for internal/daemon/daemon.go"},
		"conflicted":            {strings.Replace(good, "-- README.md --\n", "<<<<<<< HEAD\n-- README.md --\n", 1) + "=======\n-- README.md --\n# b\n>>>>>>> other\n", "conflict markers"},
		"conflicted first line": {"<<<<<<< HEAD\n" + good, "conflict markers"},
		"short sum":             {strings.Replace(good, sum, sum[:40]+"\n", 1), "no SHA-256 sum"},
		"cut mid-line":          {good[:len(good)-3], "cut short"},
	} {
		if _, err := ParseStamp([]byte(tc.data)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: ParseStamp = %v; want an error saying %q", name, err, tc.want)
		}
	}
}
