package generator_test

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/daemongen/daemongen/generator"
)

// TestPlanFilesYours plans a project's files, as new --force does, against
// a directory holding the user's edited service.go and go.mod, no
// service_test.go, a current main.go and a stale Makefile; and refuses a
// file behind a symbolic link.
func TestPlanFilesYours(t *testing.T) {
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
	kinds := func(plan []generator.Change) map[generator.ChangeKind][]string {
		m := map[generator.ChangeKind][]string{}
		for _, ch := range plan {
			m[ch.Kind] = append(m[ch.Kind], ch.Path)
		}
		return m
	}
	noLink := slices.DeleteFunc(slices.Clone(files), func(f generator.File) bool { return f.Path == "link/x.go" })
	for _, tt := range []struct {
		dir     string
		replace []string
		want    map[generator.ChangeKind][]string
	}{
		{filepath.Join(dir, "missing"), nil, map[generator.ChangeKind][]string{generator.Missing: {"Makefile", "go.mod", "main.go", "service.go", "service_test.go"}}},
		{dir, nil, map[generator.ChangeKind][]string{generator.Stale: {"Makefile"}, generator.Kept: {"go.mod", "service.go"}, generator.Skipped: {"service_test.go"}, generator.Current: {"main.go"}}},
		{dir, []string{"service.go"}, map[generator.ChangeKind][]string{generator.Stale: {"Makefile", "service.go"}, generator.Missing: {"service_test.go"}, generator.Kept: {"go.mod"}, generator.Current: {"main.go"}}},
	} {
		plan, err := generator.PlanFiles(tt.dir, noLink, generator.Policy{Yours: generator.UserFiles, Replace: tt.replace})
		if got := kinds(plan); err != nil || !maps.EqualFunc(got, tt.want, slices.Equal) {
			t.Errorf("PlanFiles(%s, replace %q) = %v, %v; want %v", tt.dir, tt.replace, got, err, tt.want)
		}
	}
	if _, err := generator.PlanFiles(dir, files, generator.Policy{Yours: generator.UserFiles}); err == nil || !strings.Contains(err.Error(), "link is a symlink") {
		t.Errorf("PlanFiles with a file behind a symlink = %v; want an error naming the link", err)
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

// chdir changes the working directory to dir for the rest of the test, as
// testing.T.Chdir does from Go 1.24; the test must not be parallel.
func chdir(t *testing.T, dir string) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(wd) })
}
