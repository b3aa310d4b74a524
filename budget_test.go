package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 17's budgets, held so that later work cannot quietly undo them: the
// generated daemon package stays a house a newcomer can own, and the user's
// copy carries nothing of daemongen's own tooling.
const (
	daemonFilesBudget = 15   // files in the generated internal/daemon
	daemonLinesBudget = 4641 // fewer than the 4,642 lines of round 2
	docLinesBudget    = 110  // doc.go: the contract, in about 100 lines
)

// TestDaemonPackageBudget holds golden/mysvc/internal/daemon to its file
// and line budgets, and its doc.go to the contract's.
func TestDaemonPackageBudget(t *testing.T) {
	dir := filepath.Join(mainTree, "internal", "daemon")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		n := bytes.Count(data, []byte("\n"))
		lines += n
		if e.Name() == "doc.go" && n > docLinesBudget {
			t.Errorf("%s/doc.go has %d lines; keep the contract within %d and put details beside the code they describe", dir, n, docLinesBudget)
		}
	}
	if len(entries) > daemonFilesBudget {
		t.Errorf("%s has %d files; keep it within %d, one file a concern", dir, len(entries), daemonFilesBudget)
	}
	if lines > daemonLinesBudget {
		t.Errorf("%s has %d lines; keep it within %d", dir, lines, daemonLinesBudget)
	}
}

// TestNoInternalNames wants none of daemongen's own test and build names in
// any generated file: a user's copy has no daemongen_ build tag and no
// _DAEMONGEN_ variable.
func TestNoInternalNames(t *testing.T) {
	err := filepath.WalkDir(goldenDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, name := range []string{"daemongen_", "_DAEMONGEN_"} {
			if i := bytes.Index(data, []byte(name)); i >= 0 {
				line := 1 + bytes.Count(data[:i], []byte("\n"))
				t.Errorf("%s:%d names %s, daemongen's own; a generated project carries nothing of daemongen's tooling", p, line, strings.TrimSpace(name))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
