package generator_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/daemongen/daemongen/generator"
)

// TestSplitFiles divides a project's files against a directory holding the
// user's edited service.go and go.mod, no service_test.go, a current
// main.go, a stale Makefile and, behind a symbolic link, a current file.
func TestSplitFiles(t *testing.T) {
	file := func(p, data string) generator.File {
		return generator.File{Path: p, Mode: 0o644, Data: []byte(data)}
	}
	files := []generator.File{
		file("Makefile", "build:\n"),
		file("go.mod", "module m\n"),
		file("link/x.go", "package x\n"),
		file("main.go", "package main\n"),
		file("service.go", "package main // example\n"),
		file("service_test.go", "package main // test\n"),
	}
	dir := t.TempDir()
	for p, data := range map[string]string{
		"Makefile":   "old:\n",
		"go.mod":     "module m\n\nrequire x v1\n",
		"main.go":    "package main\n",
		"service.go": "package main // mine\n",
		"real/x.go":  "package x\n",
		"notes.txt":  "mine\n",
	} {
		writeTestFile(t, filepath.Join(dir, p), data)
	}
	if err := os.Symlink("real", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	paths := func(fs []generator.File) []string {
		var ps []string
		for _, f := range fs {
			ps = append(ps, f.Path)
		}
		return ps
	}
	for _, tt := range []struct {
		dir                  string
		replace              []string
		write, kept, skipped []string
		current              int
	}{
		{filepath.Join(dir, "missing"), nil, paths(files), nil, nil, 0},
		{dir, nil, []string{"Makefile", "link/x.go"}, []string{"go.mod", "service.go"}, []string{"service_test.go"}, 1},
		{dir, []string{"service.go"}, []string{"Makefile", "link/x.go", "service.go", "service_test.go"}, []string{"go.mod"}, nil, 1},
	} {
		s := generator.SplitFiles(tt.dir, files, tt.replace)
		if !slices.Equal(paths(s.Write), tt.write) || !slices.Equal(s.Kept, tt.kept) || !slices.Equal(s.Skipped, tt.skipped) || s.Current != tt.current {
			t.Errorf("SplitFiles(%s, replace %q) = write %q, kept %q, skipped %q, %d current; want %q, %q, %q, %d",
				tt.dir, tt.replace, paths(s.Write), s.Kept, s.Skipped, s.Current, tt.write, tt.kept, tt.skipped, tt.current)
		}
	}
}

// writeTestFile writes data to path, creating its directory, or fails the
// test.
func writeTestFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
