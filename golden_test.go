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
	"github.com/daemongen/daemongen/internal/diff"
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

// A generateCase is an existing module, given by its own files, and the
// daemon package "daemongen generate" adds to it: golden/generate-<dir>/
// holds both, so that it builds.
type generateCase struct {
	dir     string // below goldenDir, after "generate-"
	pkgDir  string // the daemon package's directory in the module
	cfg     generator.Config
	user    map[string]string // the module's own files
	genArgs []string          // daemongen generate's flags for this case
}

var generateCases = []generateCase{
	{
		dir: "app", pkgDir: "internal/daemon",
		cfg: generator.Config{Name: "app", Module: "example.com/app"},
		user: map[string]string{
			"go.mod":  "module example.com/app\n\ngo 1.22\n",
			"main.go": userMain("example.com/app/internal/daemon", "daemon", "app"),
		},
	},
	{
		dir: "svcd", pkgDir: "pkg/svcd",
		cfg: generator.Config{Name: "tool", Module: "example.com/tool/v2", Package: "svcd"},
		user: map[string]string{
			"go.mod":  "module example.com/tool/v2\n\ngo 1.22\n",
			"main.go": userMain("example.com/tool/v2/pkg/svcd", "svcd", "tool"),
		},
		genArgs: []string{"--dir", "pkg/svcd", "--pkg", "svcd"},
	},
}

// userMain returns a user's main.go that runs a service through the daemon
// package pkg at importPath, with the //go:generate line that keeps it
// current.
func userMain(importPath, pkg, name string) string {
	return `// Command ` + name + ` is a user's service built on a generated daemon package.
package main

//go:generate daemongen generate

import (
	"context"
	"log"
	"os"

	"` + importPath + `"
)

type service struct{}

func (service) Run(ctx context.Context) error {
	log.Print("` + name + ` running")
	<-ctx.Done()
	return nil
}

func main() {
	os.Exit(` + pkg + `.Main(` + pkg + `.Program{Name: "` + name + `", Service: service{}}, os.Args[1:]))
}
`
}

// files returns the whole golden tree of gc: its user files and the
// rendered daemon package.
func (gc generateCase) files(t *testing.T) []generator.File {
	t.Helper()
	files, err := generator.RenderDaemon(gc.cfg, templates.FS, gc.pkgDir)
	if err != nil {
		t.Fatalf("RenderDaemon(%+v, %q) = %v", gc.cfg, gc.pkgDir, err)
	}
	for p, data := range gc.user {
		files = append(files, generator.File{Path: p, Mode: 0o644, Data: []byte(data)})
	}
	slices.SortFunc(files, func(a, b generator.File) int { return strings.Compare(a.Path, b.Path) })
	return files
}

// goldenDirs returns the directories below goldenDir of every case.
func goldenDirs() []string {
	var dirs []string
	for _, gc := range goldenCases {
		dirs = append(dirs, gc.dir)
	}
	for _, gc := range generateCases {
		dirs = append(dirs, "generate-"+gc.dir)
	}
	return dirs
}

// TestGoldenGenerate compares each generate case with its golden tree, or
// rewrites the tree with -update.
func TestGoldenGenerate(t *testing.T) {
	for _, gc := range generateCases {
		t.Run(gc.dir, func(t *testing.T) {
			files := gc.files(t)
			dir := filepath.Join(goldenDir, "generate-"+gc.dir)
			checkGolden(t, dir, files)
		})
	}
}

// checkGolden compares the golden tree at dir with files, or rewrites it
// from them when updating.
func checkGolden(t *testing.T, dir string, files []generator.File) {
	t.Helper()
	if !updating() {
		compareTree(t, dir, files)
		return
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := generator.Write(dir, files, false); err != nil {
		t.Fatal(err)
	}
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
			checkGolden(t, dir, files)
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
		if d := diff.Unified(filepath.Join(dir, f.Path), "rendered "+f.Path, string(got.Data), string(f.Data)); d != "" {
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
		if slices.Contains(goldenDirs(), e.Name()) {
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
	for _, name := range goldenDirs() {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), name)
			if err := os.CopyFS(dir, os.DirFS(filepath.Join(goldenDir, name))); err != nil {
				t.Fatal(err)
			}
			tests := "./..."
			for _, gc := range goldenCases {
				if gc.dir == name && gc.sameDaemon != "" {
					tests = "."
				}
			}
			for _, args := range [][]string{
				{"build", "./..."},
				{"vet", "./..."},
				{"test", tests},
			} {
				goCommand(t, dir, args...)
			}
			// The daemon package builds everywhere: fully on other Unix
			// systems, with run alone elsewhere.
			for _, goos := range []string{"darwin", "freebsd", "windows"} {
				t.Setenv("GOOS", goos)
				goCommand(t, dir, "vet", "./...")
			}
		})
	}
}

// goCommand runs the go command with args in dir, offline, and fails the
// test with its output if it fails.
func goCommand(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	return goCommandEnv(t, dir, nil, args...)
}

// goCommandEnv is goCommand with env added last to the environment, so
// that it overrides the offline defaults.
func goCommandEnv(t *testing.T, dir string, env []string, args ...string) []byte {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go command: %v", err)
	}
	cmd := exec.Command(gobin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOWORK=off")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, bytes.TrimSpace(out))
	}
	return out
}

// TestGeneratedMarker checks that exactly the files daemongen may rewrite,
// those of the daemon package, start with the generated-file line, and
// that the files the user owns carry no such line anywhere.
func TestGeneratedMarker(t *testing.T) {
	const marker = "// Code generated by daemongen. DO NOT EDIT.\n"
	for _, gc := range goldenCases {
		files, err := generator.Render(gc.cfg, templates.FS)
		if err != nil {
			t.Fatalf("Render(%+v) = %v", gc.cfg, err)
		}
		for _, f := range files {
			daemon := strings.HasPrefix(f.Path, generator.DaemonDir+"/")
			switch {
			case daemon && !bytes.HasPrefix(f.Data, []byte(marker)):
				t.Errorf("%s/%s: first line %q; want %q", gc.dir, f.Path, bytes.SplitN(f.Data, []byte("\n"), 2)[0], marker)
			case !daemon && bytes.Contains(f.Data, []byte("Code generated")):
				t.Errorf("%s/%s is the user's but says it is generated", gc.dir, f.Path)
			}
		}
	}
}
