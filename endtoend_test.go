package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestNewBuilds runs "daemongen new" as a user would and builds the result.
func TestNewBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated project; skipped with -short")
	}
	dir := t.TempDir()
	for _, args := range [][]string{
		{"new", "mysvc", "--module", "example.com/mysvc"},
		{"new", "my-svc"},
	} {
		name := args[1]
		_, stderr, code := daemongen(t, dir, args...)
		if code != 0 {
			t.Fatalf("daemongen %q = exit %d, stderr %q; want 0", args, code, stderr)
		}
		project := filepath.Join(dir, name)
		goCommand(t, project, "build")
		info, err := os.Stat(filepath.Join(project, name))
		if err != nil {
			t.Fatalf("after go build in %s: %v", project, err)
		}
		if info.Mode()&0o111 == 0 {
			t.Errorf("go build in %s made %s with mode %v; want an executable", project, name, info.Mode())
		}
	}
}

// TestStartStop will build a generated daemon, start it, check its pidfile,
// status and log, and stop it (see shared/daemon-checklist.md). It waits for
// the real daemon templates.
func TestStartStop(t *testing.T) {
	t.Skip("waiting for the real daemon templates; the placeholder daemon has no start or stop")
}
