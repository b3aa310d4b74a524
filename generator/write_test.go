package generator_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/templates"
)

// testFiles is a small output with a nested file and a script.
func testFiles() []generator.File {
	return []generator.File{
		{Path: "go.mod", Mode: 0o644, Data: []byte("module example.com/mysvc\n")},
		{Path: "internal/daemon/daemon.go", Mode: 0o644, Data: []byte("package daemon\n")},
		{Path: "main.go", Mode: 0o644, Data: []byte("package main\n")},
		{Path: "scripts/install.sh", Mode: 0o755, Data: []byte("#!/bin/sh\n")},
	}
}

// snapshot describes every entry below root: its type, mode and content or
// link target.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	snap := make(map[string]string)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			snap[rel] = "symlink " + target
		case info.IsDir():
			snap[rel] = info.Mode().String()
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			snap[rel] = fmt.Sprintf("%v %q", info.Mode(), data)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot %s: %v", root, err)
	}
	return snap
}

// wantWritten checks that every file in files is in dir with its data and mode.
func wantWritten(t *testing.T, dir string, files []generator.File) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		info, err := os.Lstat(p)
		if err != nil {
			t.Errorf("after Write: %v", err)
			continue
		}
		if info.Mode() != f.Mode {
			t.Errorf("after Write: %s mode = %v; want %v", p, info.Mode(), f.Mode)
		}
		if data, _ := os.ReadFile(p); string(data) != string(f.Data) {
			t.Errorf("after Write: %s = %q; want %q", p, data, f.Data)
		}
	}
}

// wantNoTemp checks that no temporary file or directory is left in or beside dir.
func wantNoTemp(t *testing.T, dir string) {
	t.Helper()
	for _, root := range []string{filepath.Dir(dir), dir} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && strings.Contains(d.Name(), ".tmp-") {
				t.Errorf("temporary %s left behind", p)
			}
			return nil
		})
	}
}

func TestWriteNew(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "parent", "mysvc")
	if _, err := generator.Write(context.Background(), dir, testFiles(), generator.WriteOptions{}); err != nil {
		t.Fatalf("Write(%s) = %v", dir, err)
	}
	wantWritten(t, dir, testFiles())
	wantNoTemp(t, dir)
	if got := len(snapshot(t, dir)); got != 8 { // root, 3 dirs, 4 files
		t.Errorf("Write(%s) made %d entries; want 8: %v", dir, got, snapshot(t, dir))
	}
}

func TestWriteEmptyDir(t *testing.T) {
	dir := t.TempDir()
	if _, err := generator.Write(context.Background(), dir, testFiles(), generator.WriteOptions{}); err != nil {
		t.Fatalf("Write(%s) = %v", dir, err)
	}
	wantWritten(t, dir, testFiles())
	wantNoTemp(t, dir)
}

func TestWriteNotEmpty(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mysvc")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	_, err := generator.Write(context.Background(), dir, testFiles(), generator.WriteOptions{})
	if !errors.Is(err, generator.ErrNotEmpty) {
		t.Fatalf("Write(%s) = %v; want ErrNotEmpty", dir, err)
	}
	if want := "target directory " + dir + " exists and is not empty"; err.Error() != want {
		t.Errorf("Write(%s) = %q; want %q", dir, err, want)
	}
	if after := snapshot(t, dir); !maps.Equal(after, before) {
		t.Errorf("Write(%s) changed the target: %v; want %v", dir, after, before)
	}
}

func TestWriteForce(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte("old\n"), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine\n"), 0o600))
	must(t, os.Mkdir(filepath.Join(dir, "internal"), 0o700))
	must(t, os.WriteFile(filepath.Join(dir, "internal", "extra.go"), []byte("package daemon\n"), 0o640))
	must(t, os.Chmod(filepath.Join(dir, "internal", "extra.go"), 0o640)) // whatever the umask

	if _, err := generator.Write(context.Background(), dir, testFiles(), generator.WriteOptions{Force: true}); err != nil {
		t.Fatalf("Write(%s, force) = %v", dir, err)
	}
	wantWritten(t, dir, testFiles())
	wantNoTemp(t, dir)
	snap := snapshot(t, dir)
	for name, want := range map[string]string{
		"notes.txt":         `-rw------- "mine\n"`,
		"internal":          "drwx------",
		"internal/extra.go": `-rw-r----- "package daemon\n"`,
	} {
		if snap[name] != want {
			t.Errorf("after Write(force): %s = %s; want %s (untouched)", name, snap[name], want)
		}
	}
}

func TestWriteSymlinks(t *testing.T) {
	outside := t.TempDir()
	must(t, os.WriteFile(filepath.Join(outside, "main.go"), []byte("outside\n"), 0o644))

	tests := []struct {
		name    string
		setup   func(dir string) string // returns the directory to write
		wantErr string                  // suffix of the path the error names
	}{
		{"target is a symlink", func(dir string) string {
			link := filepath.Join(dir, "link")
			must(t, os.Symlink(outside, link))
			return link
		}, "link: target directory is a symlink"},
		{"target is a dangling symlink", func(dir string) string {
			link := filepath.Join(dir, "link")
			must(t, os.Symlink(filepath.Join(outside, "nothing"), link))
			return link
		}, "link: target directory is a symlink"},
		{"file is a symlink", func(dir string) string {
			target := filepath.Join(dir, "mysvc")
			must(t, os.Mkdir(target, 0o755))
			must(t, os.Symlink(filepath.Join(outside, "main.go"), filepath.Join(target, "main.go")))
			return target
		}, "mysvc/main.go is a symlink"},
		{"directory inside is a symlink", func(dir string) string {
			target := filepath.Join(dir, "mysvc")
			must(t, os.Mkdir(target, 0o755))
			must(t, os.Symlink(outside, filepath.Join(target, "internal")))
			return target
		}, "mysvc/internal is a symlink"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := tt.setup(parent)
			before, outsideBefore := snapshot(t, parent), snapshot(t, outside)
			_, err := generator.Write(context.Background(), dir, testFiles(), generator.WriteOptions{Force: true})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Write(%s, force) = %v; want error containing %q", dir, err, tt.wantErr)
			}
			if after := snapshot(t, parent); !maps.Equal(after, before) {
				t.Errorf("Write(%s) changed the target: %v; want %v", dir, after, before)
			}
			if after := snapshot(t, outside); !maps.Equal(after, outsideBefore) {
				t.Errorf("Write(%s) wrote through a symlink: %v; want %v", dir, after, outsideBefore)
			}
		})
	}
}

func TestWriteNotDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "mysvc")
	must(t, os.WriteFile(file, []byte("x"), 0o644))
	if _, err := generator.Write(context.Background(), file, testFiles(), generator.WriteOptions{Force: true}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Write(%s) = %v; want not a directory error", file, err)
	}
}

// TestWriteFailureCleansUp makes Write fail after it has created
// directories and staged files, and wants the target as it was.
func TestWriteFailureCleansUp(t *testing.T) {
	long := strings.Repeat("x", 300) // longer than any file name may be
	files := append(testFiles(), generator.File{Path: "zz/" + long, Mode: 0o644, Data: []byte("x")})

	t.Run("new", func(t *testing.T) {
		root := t.TempDir()
		dir := filepath.Join(root, "a", "b", "c", "mysvc")
		if _, err := generator.Write(context.Background(), dir, files, generator.WriteOptions{}); err == nil {
			t.Fatalf("Write(%s) with a too-long name = nil; want error", dir)
		}
		if entries, err := os.ReadDir(root); err != nil || len(entries) != 0 {
			t.Errorf("after a failed Write into a/b/c/mysvc, %s holds %v (%v); want nothing, a/b/c included", root, entries, err)
		}
	})
	t.Run("force", func(t *testing.T) {
		dir := t.TempDir()
		must(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte("old\n"), 0o600))
		before := snapshot(t, dir)
		if _, err := generator.Write(context.Background(), dir, files, generator.WriteOptions{Force: true}); err == nil {
			t.Fatalf("Write(%s, force) with a too-long name = nil; want error", dir)
		}
		if after := snapshot(t, dir); !maps.Equal(after, before) {
			t.Errorf("after a failed Write(%s): %v; want %v", dir, after, before)
		}
	})
}

func TestWriteBadPaths(t *testing.T) {
	for _, files := range [][]generator.File{
		{{Path: "../escape", Mode: 0o644}},
		{{Path: "/abs", Mode: 0o644}},
		{{Path: "a/./b", Mode: 0o644}},
		{{Path: ".", Mode: 0o644}},
		{{Path: "a", Mode: 0o644}, {Path: "a", Mode: 0o644}},
		{{Path: "a", Mode: 0o644}, {Path: "a/b", Mode: 0o644}},
	} {
		parent := t.TempDir()
		dir := filepath.Join(parent, "mysvc")
		if _, err := generator.Write(context.Background(), dir, files, generator.WriteOptions{}); err == nil {
			t.Errorf("Write(%s, %v) = nil; want error", dir, paths(files))
		}
		if entries, _ := os.ReadDir(parent); len(entries) != 0 {
			t.Errorf("Write(%s, %v) left %d entries in %s", dir, paths(files), len(entries), parent)
		}
	}
}

func TestSnapshotHelper(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "a"), []byte("x"), 0o644))
	if got := slices.Sorted(maps.Keys(snapshot(t, dir))); !slices.Equal(got, []string{".", "a"}) {
		t.Errorf("snapshot = %v; want [. a]", got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkWrite writes a rendered project into a new directory each time,
// as "daemongen new" does.
func BenchmarkWrite(b *testing.B) {
	files, err := generator.Render(generator.Config{Name: "mysvc", Module: "example.com/mysvc"}, templates.FS)
	if err != nil {
		b.Fatal(err)
	}
	parent := b.TempDir()
	n := 0
	b.ResetTimer()
	for range b.N {
		n++
		dir := filepath.Join(parent, strconv.Itoa(n), "mysvc")
		if _, err := generator.Write(context.Background(), dir, files, generator.WriteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
