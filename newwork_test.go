package main

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNewWorkDuplicate wants new to refuse, before writing, a project whose
// module path a module of the workspace already has: the go command refuses
// such a workspace ("module mysvc appears multiple times in workspace").
func TestNewWorkDuplicate(t *testing.T) {
	repo := t.TempDir()
	work := filepath.Join(repo, "go.work")
	writeFile(t, work, "go 1.23\n")
	if _, stderr, code := daemongenEnv(t, repo, noGOWORK, "new", "mysvc", "--dir", "services/mysvc"); code != 0 {
		t.Fatalf("daemongen new mysvc --dir services/mysvc in a workspace = exit %d, stderr %q; want 0", code, stderr)
	}
	before := dirSnapshot(t, repo)
	for _, dryRun := range []string{"--dry-run", "--force"} {
		args := []string{"new", "mysvc", "--dir", "other/mysvc", dryRun}
		stdout, stderr, code := daemongenEnv(t, repo, noGOWORK, args...)
		want := "daemongen: new other/mysvc: " + work + " already uses a module mysvc, in " + filepath.Join(repo, "services", "mysvc") + ", and the go command refuses a workspace with two; give this project another module path with --module\n"
		if code != 1 || stdout != "" || stderr != want {
			t.Errorf("daemongen %q = exit %d, stdout %q, stderr %q; want exit 1, no output, stderr %q", args, code, stdout, stderr, want)
		}
		if after := dirSnapshot(t, repo); !maps.Equal(after, before) {
			t.Errorf("daemongen %q changed %s", args, repo)
		}
	}
	if _, stderr, code := daemongenEnv(t, repo, noGOWORK, "new", "mysvc", "--dir", "other/mysvc", "--module", "example.com/other/mysvc"); code != 0 {
		t.Errorf("daemongen new mysvc --dir other/mysvc --module example.com/other/mysvc = exit %d, stderr %q; want 0", code, stderr)
	}
}

// TestNewWorkUnwritable wants new, and its dry run, to refuse a project
// whose go.work it could not edit before writing any file, so that new
// writes all or nothing.
func TestNewWorkUnwritable(t *testing.T) {
	cases := map[string]func(repo string){
		"symlink": func(repo string) {
			writeFile(t, filepath.Join(repo, "dotfiles", "go.work"), "go 1.23\n")
			if err := os.Symlink(filepath.Join("dotfiles", "go.work"), filepath.Join(repo, "go.work")); err != nil {
				t.Fatal(err)
			}
		},
	}
	if os.Getuid() != 0 { // root writes into any directory
		cases["read-only directory"] = func(repo string) {
			writeFile(t, filepath.Join(repo, "go.work"), "go 1.23\n")
			os.Mkdir(filepath.Join(repo, "services"), 0o755) // DIR's parent is writable
			os.Chmod(repo, 0o555)
			t.Cleanup(func() { os.Chmod(repo, 0o755) })
		}
	}
	if _, err := exec.LookPath("chattr"); err == nil && os.Getuid() == 0 { // chattr +i needs CAP_LINUX_IMMUTABLE
		cases["immutable"] = func(repo string) {
			work := filepath.Join(repo, "go.work")
			writeFile(t, work, "go 1.23\n")
			if out, err := exec.Command("chattr", "+i", work).CombinedOutput(); err != nil {
				t.Skipf("chattr +i %s: %v: %s", work, err, out)
			}
			t.Cleanup(func() { exec.Command("chattr", "-i", work).Run() })
		}
	}
	for name, setup := range cases {
		repo := t.TempDir()
		setup(repo)
		before := dirSnapshot(t, repo)
		for _, args := range [][]string{{"new", "mysvc", "--dir", "services/mysvc", "--dry-run"}, {"new", "mysvc", "--dir", "services/mysvc"}} {
			stdout, stderr, code := daemongenEnv(t, repo, noGOWORK, args...)
			if code != 1 || stdout != "" || !strings.Contains(stderr, filepath.Join(repo, "go.work")) || !strings.Contains(stderr, "nothing was written") {
				t.Errorf("%s: daemongen %q = exit %d, stdout %q, stderr %q; want exit 1, no output, an error naming %s and saying nothing was written", name, args, code, stdout, stderr, filepath.Join(repo, "go.work"))
			}
			if after := dirSnapshot(t, repo); !maps.Equal(after, before) {
				t.Errorf("%s: daemongen %q changed %s", name, args, repo)
			}
		}
	}
}

// TestNewWorkDryRun wants the dry run to name the go.work new would edit,
// and the go line it would raise.
func TestNewWorkDryRun(t *testing.T) {
	repo := t.TempDir()
	work := filepath.Join(repo, "go.work")
	writeFile(t, work, "go 1.22\n")
	stdout, stderr, code := daemongenEnv(t, repo, noGOWORK, "new", "mysvc", "--dir", "services/mysvc", "--dry-run")
	if want := "\n(would add services/mysvc to the use directives of " + work + ", raising its go line from 1.22 to 1.23)\n"; code != 0 || !strings.HasSuffix(stdout, want) {
		t.Errorf("daemongen new --dry-run in a workspace = exit %d, stdout %q, stderr %q; want exit 0, stdout ending %q", code, stdout, stderr, want)
	}
	if data, _ := os.ReadFile(work); string(data) != "go 1.22\n" {
		t.Errorf("go.work after a dry run = %q; want it untouched", data)
	}
}

// TestNewNestedHint wants new, run without --dir at the root of a project of
// the same name, to note that it writes NAME/NAME and how to regenerate the
// project in place, on standard error, in the dry run and the real run
// alike.
func TestNewNestedHint(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := daemongenEnv(t, dir, noGOWORK, "new", "mysvc", "--dir", ".", "--module", "example.com/mysvc"); code != 0 {
		t.Fatalf("daemongen new mysvc --dir . = exit %d, stderr %q; want 0", code, stderr)
	}
	const note = "note: you are in project mysvc (go.mod here says module example.com/mysvc), and new writes a new project into mysvc/mysvc; to regenerate this one in place, use --dir . (or daemongen update, which keeps your edits)\n"
	for _, tt := range []struct {
		args     []string
		wantNote bool
	}{
		{[]string{"new", "mysvc", "--force", "--dry-run"}, true},
		{[]string{"new", "mysvc", "--force", "--dir", ".", "--dry-run"}, false},
		{[]string{"new", "other", "--dry-run"}, false},
		{[]string{"new", "mysvc", "--force"}, true},
	} {
		_, stderr, code := daemongenEnv(t, dir, noGOWORK, tt.args...)
		if got := strings.Contains(stderr, note); code != 0 || got != tt.wantNote || strings.Count(stderr, "you are in project") > 1 {
			t.Errorf("daemongen %q = exit %d, stderr %q; want exit 0 and the note once: %v", tt.args, code, stderr, tt.wantNote)
		}
	}
}
