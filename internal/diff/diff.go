// Package diff computes line-based unified diffs, as diff -u prints them, for
// daemongen's --check output and golden tests.
package diff

import (
	"fmt"
	"strings"
)

// diffContext is the number of unchanged lines shown around a change.
const diffContext = 3

// diffMaxCells bounds the work of lineDiff; larger inputs are shown as one
// hunk replacing every line.
const diffMaxCells = 25_000_000

// An edit is one line of a line diff: ' ' kept, '-' deleted, '+' inserted.
type edit struct {
	kind byte
	line string // with its "\n", if it has one
	a, b int    // index of the line in old and new before this edit
}

// Unified returns a unified diff from old, named oldName, to new, named
// newName, with three lines of context, or "" if they are equal. Inputs
// whose line counts multiply to more than 25 million are shown as one hunk
// that replaces every line.
func Unified(oldName, newName, old, new string) string {
	if old == new {
		return ""
	}
	edits := lineDiff(splitLines(old), splitLines(new))
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
	for i := 0; i < len(edits); {
		if edits[i].kind == ' ' {
			i++
			continue
		}
		// A hunk runs from diffContext lines before this change to
		// diffContext lines after the last change less than
		// 2*diffContext+1 kept lines away from the one before it.
		start, last := max(i-diffContext, 0), i
		for j := i; j < len(edits) && j-last <= 2*diffContext+1; j++ {
			if edits[j].kind != ' ' {
				last = j
			}
		}
		end := min(last+diffContext+1, len(edits))
		var na, nb int
		for _, e := range edits[start:end] {
			if e.kind != '+' {
				na++
			}
			if e.kind != '-' {
				nb++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(edits[start].a, na), hunkRange(edits[start].b, nb))
		for _, e := range edits[start:end] {
			out.WriteByte(e.kind)
			out.WriteString(e.line)
			if !strings.HasSuffix(e.line, "\n") {
				out.WriteString("\n\\ No newline at end of file\n")
			}
		}
		i = end
	}
	return out.String()
}

// hunkRange formats the start (0-based) and length of a hunk's side the way
// diff -u does.
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprint(start + 1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// splitLines splits s after each "\n".
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// lineDiff returns a shortest edit script from a to b, found through the
// longest common subsequence of their lines.
func lineDiff(a, b []string) []edit {
	var edits []edit
	if len(a)*len(b) > diffMaxCells {
		for i, l := range a {
			edits = append(edits, edit{'-', l, i, 0})
		}
		for j, l := range b {
			edits = append(edits, edit{'+', l, len(a), j})
		}
		return edits
	}
	// lcs[i][j] is the length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			edits = append(edits, edit{' ', a[i], i, j})
			i++
			j++
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			edits = append(edits, edit{'-', a[i], i, j})
			i++
		default:
			edits = append(edits, edit{'+', b[j], i, j})
			j++
		}
	}
	return edits
}
