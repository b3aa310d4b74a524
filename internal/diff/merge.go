package diff

import "strings"

// Labels name the three versions in conflict markers.
type Labels struct{ Ours, Base, Theirs string }

// Merge merges, line by line, the changes from base to ours and from base
// to theirs, as diff3 -m does, and returns the merged text and the number
// of conflicts. Lines that both sides kept anchor the merge; between two
// anchors, a change made on one side only is taken, the same change made
// on both is taken once, and different changes conflict, also when they
// touch adjacent lines. A conflict is written in place, diff3 style:
//
//	<<<<<<< OURS
//	ours' lines
//	||||||| BASE
//	base's lines
//	=======
//	theirs' lines
//	>>>>>>> THEIRS
//
// A marker always starts a line: a section whose last line has no newline
// gets one. Inputs too large for lineDiff (see Unified) merge as one
// section, a single conflict unless one side is unchanged.
func Merge(base, ours, theirs string, l Labels) (merged string, conflicts int) {
	switch {
	case ours == base || ours == theirs:
		return theirs, 0
	case theirs == base:
		return ours, 0
	}
	b, o, t := splitLines(base), splitLines(ours), splitLines(theirs)
	toO, toT := matches(b, o), matches(b, t)
	var out strings.Builder
	i, j, k := 0, 0, 0
	for i < len(b) || j < len(o) || k < len(t) {
		if i < len(b) && toO[i] == j && toT[i] == k { // an anchor
			out.WriteString(b[i])
			i, j, k = i+1, j+1, k+1
			continue
		}
		// The section up to the next line both sides kept.
		ni, nj, nk := len(b), len(o), len(t)
		for x := i; x < len(b); x++ {
			if toO[x] >= 0 && toT[x] >= 0 {
				ni, nj, nk = x, toO[x], toT[x]
				break
			}
		}
		bSec, oSec, tSec := strings.Join(b[i:ni], ""), strings.Join(o[j:nj], ""), strings.Join(t[k:nk], "")
		switch {
		case oSec == bSec:
			out.WriteString(tSec)
		case tSec == bSec || oSec == tSec:
			out.WriteString(oSec)
		default:
			conflicts++
			out.WriteString("<<<<<<< " + l.Ours + "\n" + endLine(oSec))
			out.WriteString("||||||| " + l.Base + "\n" + endLine(bSec))
			out.WriteString("=======\n" + endLine(tSec))
			out.WriteString(">>>>>>> " + l.Theirs + "\n")
		}
		i, j, k = ni, nj, nk
	}
	return out.String(), conflicts
}

// matches returns, for each line of a, the index of the line of b that a
// longest common subsequence pairs it with, or -1.
func matches(a, b []string) []int {
	m := make([]int, len(a))
	for i := range m {
		m[i] = -1
	}
	for _, e := range lineDiff(a, b) {
		if e.kind == ' ' {
			m[e.a] = e.b
		}
	}
	return m
}

// endLine returns s ending in a newline, unless it is empty.
func endLine(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		return s + "\n"
	}
	return s
}
