package main

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/templates"
)

var update = flag.Bool("update", false, "rewrite the golden trees in golden/ (also DAEMONGEN_UPDATE=1)")

// goldenDir holds one directory per case: the whole project daemongen
// renders for that case, with its own go.mod.
const goldenDir = "golden"

// A goldenCase is one set of options and the golden tree it renders to.
type goldenCase struct {
	dir string // below goldenDir
	cfg generator.Config
	// sameDaemon names an earlier case whose daemon package is the same:
	// TestGoldenBuild runs only this case's own tests, not the daemon's again.
	sameDaemon string
}

var goldenCases = []goldenCase{
	{"mysvc", generator.Config{Name: "mysvc", Module: "example.com/mysvc"}, ""},
	{"my-svc", generator.Config{Name: "my-svc", Module: "my-svc"}, ""},
	{"mysvc-docker", generator.Config{Name: "mysvc", Module: "example.com/mysvc", Docker: true}, "mysvc"},
}

// updating reports whether the golden trees are to be rewritten.
func updating() bool {
	return *update || os.Getenv("DAEMONGEN_UPDATE") == "1"
}

// TestGolden renders each case in memory and compares it with its golden
// tree, reporting missing, extra and differing files separately. With
// -update or DAEMONGEN_UPDATE=1 it rewrites the trees instead.
func TestGolden(t *testing.T) {
	for _, gc := range goldenCases {
		t.Run(gc.dir, func(t *testing.T) {
			files, err := generator.Render(gc.cfg, templates.FS)
			if err != nil {
				t.Fatalf("Render(%+v) = %v", gc.cfg, err)
			}
			dir := filepath.Join(goldenDir, gc.dir)
			if updating() {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				if err := generator.Write(dir, files, false); err != nil {
					t.Fatal(err)
				}
				return
			}
			compareTree(t, dir, files)
		})
	}
}

// compareTree compares the tree at dir with files.
func compareTree(t *testing.T, dir string, files []generator.File) {
	t.Helper()
	onDisk := readTree(t, dir)
	var missing, extra []string
	for _, f := range files {
		got, ok := onDisk[f.Path]
		if !ok {
			missing = append(missing, f.Path)
			continue
		}
		delete(onDisk, f.Path)
		if d := unifiedDiff(filepath.Join(dir, f.Path), "rendered "+f.Path, string(got.Data), string(f.Data)); d != "" {
			t.Errorf("%s differs from the rendered file:\n%s", filepath.Join(dir, f.Path), d)
		}
		if exec := got.Mode&0o111 != 0; exec != (f.Mode&0o111 != 0) {
			t.Errorf("%s executable = %v; rendered mode is %v", filepath.Join(dir, f.Path), exec, f.Mode)
		}
	}
	for p := range onDisk {
		extra = append(extra, p)
	}
	slices.Sort(extra)
	if len(missing) > 0 {
		t.Errorf("missing from %s (rendered, not in the golden tree):\n\t%s", dir, strings.Join(missing, "\n\t"))
	}
	if len(extra) > 0 {
		t.Errorf("extra in %s (in the golden tree, not rendered):\n\t%s", dir, strings.Join(extra, "\n\t"))
	}
	if t.Failed() {
		t.Logf("if the change is intended, run: go test -run TestGolden . -update")
	}
}

// readTree returns every regular file below dir by slash-separated path.
func readTree(t *testing.T, dir string) map[string]generator.File {
	t.Helper()
	tree := make(map[string]generator.File)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		tree[filepath.ToSlash(rel)] = generator.File{Path: filepath.ToSlash(rel), Mode: info.Mode(), Data: data}
		return nil
	})
	if err != nil {
		t.Fatalf("read golden tree: %v", err)
	}
	return tree
}

// TestGoldenCases wants a golden tree for every case and no other, and
// removes stale ones when updating.
func TestGoldenCases(t *testing.T) {
	entries, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if slices.ContainsFunc(goldenCases, func(gc goldenCase) bool { return gc.dir == e.Name() }) {
			continue
		}
		stale := filepath.Join(goldenDir, e.Name())
		if updating() {
			if err := os.RemoveAll(stale); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s is no golden case; remove it, or run: go test -run TestGolden . -update", stale)
	}
}

// TestGoldenBuild builds, vets and tests a copy of each golden tree with
// the module proxy off: a generated project needs nothing to download.
func TestGoldenBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds each golden project; skipped with -short")
	}
	for _, gc := range goldenCases {
		t.Run(gc.dir, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), gc.dir)
			if err := os.CopyFS(dir, os.DirFS(filepath.Join(goldenDir, gc.dir))); err != nil {
				t.Fatal(err)
			}
			tests := "./..."
			if gc.sameDaemon != "" {
				tests = "."
			}
			for _, args := range [][]string{
				{"build", "./..."},
				{"vet", "./..."},
				{"test", tests},
			} {
				goCommand(t, dir, args...)
			}
		})
	}
}

// goCommand runs the go command with args in dir, offline, and fails the
// test with its output if it fails.
func goCommand(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go command: %v", err)
	}
	cmd := exec.Command(gobin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, bytes.TrimSpace(out))
	}
	return out
}
