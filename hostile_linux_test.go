package main

// Hostile targets for "daemongen new": a regular file, a read-only file
// system and a full one. Each must end in a clear error, exit status 1 and
// nothing half-written: no project files and no temporary files. The file
// system cases mount a small tmpfs, which needs root; they skip otherwise.

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// mountTmpfs mounts a tmpfs of 64 KiB, smaller than any project, on a new
// directory and returns it; flags may add syscall.MS_RDONLY. It skips the
// test when mounting is not permitted.
func mountTmpfs(t *testing.T, flags uintptr) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", flags, "size=64k,mode=0755"); err != nil {
		if errors.Is(err, syscall.EPERM) {
			t.Skipf("mount tmpfs on %s: %v; needs root (CAP_SYS_ADMIN)", dir, err)
		}
		t.Fatalf("mount tmpfs on %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// newFails runs daemongen new with args in dir and wants exit 1 and an error
// on stderr containing want.
func newFails(t *testing.T, dir, want string, args ...string) {
	t.Helper()
	_, stderr, code := daemongen(t, dir, append([]string{"new", "mysvc"}, args...)...)
	if code != 1 || !strings.HasPrefix(stderr, "daemongen: write ") || !strings.Contains(stderr, want) {
		t.Errorf("daemongen new mysvc %s = exit %d, stderr %q; want 1 and a write error containing %q", strings.Join(args, " "), code, stderr, want)
	}
	t.Logf("daemongen new mysvc %s: exit %d, %s", strings.Join(args, " "), code, strings.TrimSpace(stderr))
}

func TestNewTargetIsFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mysvc"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := dirSnapshot(t, dir)
	newFails(t, dir, "write mysvc: target exists and is not a directory", "--force")
	if after := dirSnapshot(t, dir); !maps.Equal(after, before) {
		t.Errorf("daemongen new into a file changed %s: %v; want %v", dir, after, before)
	}
}

func TestNewReadOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts a tmpfs; skipped with -short")
	}
	ro := mountTmpfs(t, syscall.MS_RDONLY)
	newFails(t, ro, "read-only file system")                            // a new directory in it
	newFails(t, t.TempDir(), "read-only file system", "--dir", ro)      // the empty mount itself
	newFails(t, t.TempDir(), "read-only file system", "--dir", ro+"/a") // a directory to create
	// A dry run refuses what the real run would.
	newFails(t, t.TempDir(), "read-only file system", "--dir", ro, "--dry-run")
	newFails(t, t.TempDir(), "read-only file system", "--dir", ro+"/a", "--dry-run")
	if entries, _ := os.ReadDir(ro); len(entries) != 0 {
		t.Errorf("read-only %s has %d entries; want none", ro, len(entries))
	}
}

func TestNewDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts a tmpfs; skipped with -short")
	}
	t.Run("new directory", func(t *testing.T) {
		full := mountTmpfs(t, 0)
		newFails(t, full, "no space left on device")
		if entries, _ := os.ReadDir(full); len(entries) != 0 {
			t.Errorf("after a failed new, %s has %v; want nothing", full, entries)
		}
	})
	t.Run("empty directory", func(t *testing.T) {
		full := mountTmpfs(t, 0)
		newFails(t, t.TempDir(), "no space left on device", "--dir", full)
		wantNoLeftovers(t, full)
		if entries, _ := os.ReadDir(full); len(entries) != 0 {
			t.Errorf("after a failed new, %s has %v; want nothing", full, entries)
		}
	})
	t.Run("force over a project", func(t *testing.T) {
		full := mountTmpfs(t, 0)
		if err := os.WriteFile(filepath.Join(full, "main.go"), []byte("package main // mine\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		before := dirSnapshot(t, full)
		newFails(t, t.TempDir(), "no space left on device", "--dir", full, "--force")
		wantNoLeftovers(t, full)
		if after := dirSnapshot(t, full); !maps.Equal(after, before) {
			t.Errorf("after a failed new --force, %s = %v; want it as it was: %v", full, after, before)
		}
	})
}

// --dir "" is a usage error; --dir below a regular file names that file;
// a --dir that cannot be made names the directory, not a temporary one.
func TestNewDirMistakes(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "f"), "mine\n")
	before := dirSnapshot(t, dir)
	for _, tc := range []struct {
		dir, want string
		code      int
	}{
		{"", "an empty --dir names no directory", 2},
		{"f/x", filepath.Join(dir, "f") + " is a file, so --dir f/x cannot be made below it", 1},
		{"/proc/foo", "write /proc/foo: cannot create a directory in /proc: no such file or directory", 1},
	} {
		_, stderr, code := daemongen(t, dir, "new", "x", "--dir", tc.dir)
		if code != tc.code || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, ".tmp-") {
			t.Errorf("new x --dir %q = exit %d, %q; want %d and %q", tc.dir, code, stderr, tc.code, tc.want)
		}
	}
	if after := dirSnapshot(t, dir); !maps.Equal(after, before) {
		t.Errorf("new with a mistaken --dir changed %s", dir)
	}
}
