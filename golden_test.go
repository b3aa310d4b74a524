package main

import (
	"bytes"
	"cmp"
	"context"
	"debug/elf"
	"flag"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
	"golang.org/x/tools/txtar"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/internal/diff"
	"github.com/daemongen/daemongen/templates"
)

var update = flag.Bool("update", false, "rewrite golden/mysvc and golden/cases (also DAEMONGEN_UPDATE=1)")

// golden/ holds one full tree, golden/mysvc: the whole project that
// "daemongen new mysvc --module example.com/mysvc" writes (mainConfig),
// with its own go.mod, for a reader to browse and build. Every other case
// is a txtar archive in golden/cases (see goldenCase) holding only what
// differs from that tree.
const (
	goldenDir = "golden"
	mainTree  = "golden/mysvc"
	casesDir  = "golden/cases"
)

var mainConfig = generator.Config{Name: "mysvc", Module: "example.com/mysvc"}

// goldenCases names every archive golden/cases must hold, so that a
// removed archive fails the tests instead of silently testing less.
var goldenCases = []string{"generate-app", "generate-svcd", "new-docker", "new-module-other", "new-module-root", "new-my-svc", "new-socket"}

// updating reports whether the golden files are to be rewritten.
func updating() bool {
	return *update || os.Getenv("DAEMONGEN_UPDATE") == "1"
}

// TestGolden renders mainConfig in memory and compares it with golden/mysvc,
// reporting missing, extra and differing files separately. With -update or
// DAEMONGEN_UPDATE=1 it rewrites the tree instead.
func TestGolden(t *testing.T) {
	files, err := generator.Render(mainConfig, templates.FS)
	if err != nil {
		t.Fatalf("Render(%+v) = %v", mainConfig, err)
	}
	stamp, err := generator.NewStamp(stampVersion(), mainConfig, "", files).File()
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, stamp)
	if !updating() {
		compareTree(t, mainTree, files)
		return
	}
	if err := os.RemoveAll(mainTree); err != nil {
		t.Fatal(err)
	}
	if _, err := generator.Write(context.Background(), mainTree, files, generator.WriteOptions{}); err != nil {
		t.Fatal(err)
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

// A goldenCase is one run of daemongen, kept in golden/cases/NAME.txtar in
// the style of gonew's tests. The archive's comment starts with the command
// line ("daemongen new my-svc --module my-svc"); the rest of the comment
// says what the case is for. Its files are:
//
//	in/PATH   a file in the directory before the command runs (a user's module)
//	stdout    what the command prints
//	out/PATH  a file the command writes that has no counterpart in golden/mysvc
//	diff/PATH a unified diff from the counterpart to a file the command writes
//	          that differs from it
//
// A file the command writes and that has no out/ entry must equal its
// counterpart in golden/mysvc: the daemon package's files after the package
// rewrite (renamed to the case's --pkg), and a new project's other
// files with the case's NAME as mysvc in their paths. So a change of the
// daemon's source shows up in golden/mysvc and nowhere else.
type goldenCase struct {
	name    string   // the archive's name without .txtar
	args    []string // daemongen's arguments
	comment []byte
	in      map[string][]byte
	stdout  []byte
	out     map[string][]byte
}

// loadCases reads the archive of every case in goldenCases.
func loadCases(t *testing.T) []*goldenCase {
	t.Helper()
	var cases []*goldenCase
	for _, name := range goldenCases {
		cases = append(cases, caseByName(t, name))
	}
	return cases
}

// loadCase reads the archive at p.
func loadCase(t *testing.T, p string) *goldenCase {
	t.Helper()
	a, err := txtar.ParseFile(p)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(a.Comment), "\n")
	args := strings.Fields(first)
	if len(args) < 2 || args[0] != "daemongen" {
		t.Fatalf("%s: first line %q; want the command, such as daemongen new NAME", p, first)
	}
	gc := &goldenCase{
		name:    strings.TrimSuffix(filepath.Base(p), ".txtar"),
		args:    args[1:],
		comment: a.Comment,
		in:      make(map[string][]byte),
		out:     make(map[string][]byte),
	}
	for _, f := range a.Files {
		switch {
		case f.Name == "stdout":
			gc.stdout = f.Data
		case strings.HasPrefix(f.Name, "in/"):
			gc.in[strings.TrimPrefix(f.Name, "in/")] = f.Data
		case strings.HasPrefix(f.Name, "out/"), strings.HasPrefix(f.Name, "diff/"):
			gc.out[f.Name] = f.Data
		default:
			t.Fatalf("%s: file %q; want in/PATH, stdout, out/PATH or diff/PATH", p, f.Name)
		}
	}
	return gc
}

// caseByName loads golden/cases/name.txtar.
func caseByName(t *testing.T, name string) *goldenCase {
	t.Helper()
	return loadCase(t, filepath.Join(casesDir, name+".txtar"))
}

// layout says where the case's command writes: the module directory, the
// daemon package's directory in it and package name, and the project's
// name (for new), all from the command line.
func (gc *goldenCase) layout() (module, daemonDir, pkg, name string) {
	flags := map[string]string{}
	var positional []string
	for i := 1; i < len(gc.args); i++ {
		a := gc.args[i]
		if k, ok := strings.CutPrefix(a, "--"); ok && i+1 < len(gc.args) && slices.Contains([]string{"module", "dir", "pkg", "name", "templates"}, k) {
			flags[k] = gc.args[i+1]
			i++
		} else if !strings.HasPrefix(a, "-") {
			positional = append(positional, a)
		}
	}
	pkg = cmp.Or(flags["pkg"], "daemon")
	if gc.args[0] == "new" {
		name = positional[0]
		module = cmp.Or(flags["dir"], name)
		return module, path.Join(module, generator.DaemonDir), pkg, name
	}
	return ".", cmp.Or(flags["dir"], generator.DaemonDir), pkg, ""
}

// run writes the case's in/ files into a new directory, runs its command
// there and returns the directory, what the command printed and every file
// it wrote or changed, by slash-separated path.
func (gc *goldenCase) run(t *testing.T) (dir string, stdout []byte, written map[string][]byte) {
	t.Helper()
	dir = t.TempDir()
	for p, data := range gc.in {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(p)), string(data))
	}
	out, stderr, code := daemongen(t, dir, gc.args...)
	if code != 0 {
		t.Fatalf("daemongen %s = exit %d, stderr %q; want 0", strings.Join(gc.args, " "), code, stderr)
	}
	written = make(map[string][]byte)
	for p, f := range readTree(t, dir) {
		if old, ok := gc.in[p]; !ok || !bytes.Equal(old, f.Data) {
			written[p] = f.Data
		}
	}
	return dir, []byte(out), written
}

// counterpart returns what the file p that the case wrote must hold when
// the archive has no out/ entry for it: its counterpart in golden/mysvc,
// for a daemon package of another name as the generator renders it with
// that name, and for a project of another NAME or module path (modPath)
// with golden/mysvc's name and module path in it replaced by the case's
// (mysvc, MYSVC and example.com/mysvc). ok is false if it has none.
func (gc *goldenCase) counterpart(t *testing.T, main map[string]generator.File, p, modPath string) (want []byte, ok bool) {
	t.Helper()
	module, daemonDir, pkg, name := gc.layout()
	if rest, in := strings.CutPrefix(p, daemonDir+"/"); in {
		g, ok := main[generator.DaemonDir+"/"+rest]
		if !ok || pkg == "daemon" {
			return g.Data, ok
		}
		// Another package name: golden/mysvc's file as the generator
		// renames it.
		cfg := generator.Config{Module: mainConfig.Module, Package: pkg, DaemonOnly: true}
		files, err := generator.Render(cfg, templates.FS)
		if err != nil {
			t.Fatalf("Render(%+v) = %v", cfg, err)
		}
		for _, f := range files {
			if f.Path == generator.DaemonDir+"/"+rest {
				return f.Data, true
			}
		}
		return nil, false
	}
	if rel, in := strings.CutPrefix(p, module+"/"); (in || module == ".") && name != "" {
		if module == "." {
			rel = p
		}
		dir, file := path.Split(rel)
		if file == name { // a _name_ file, such as init/sysv/my-svc
			file = mainConfig.Name
		} else if ext, ok := strings.CutPrefix(file, name+"."); ok { // or my-svc.service
			file = mainConfig.Name + "." + ext
		}
		g, ok := main[dir+file]
		if !ok || (name == mainConfig.Name && modPath == mainConfig.Module) {
			return g.Data, ok
		}
		env := strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		return []byte(strings.NewReplacer(mainConfig.Module, modPath, "MYSVC", env, mainConfig.Name, name).Replace(string(g.Data))), true
	}
	return nil, false
}

// modulePath returns the module path of the module the case wrote into,
// from its go.mod as it is after the command.
func (gc *goldenCase) modulePath(t *testing.T, written map[string][]byte) string {
	t.Helper()
	module, _, _, _ := gc.layout()
	gomod, ok := written[path.Join(module, "go.mod")]
	if !ok {
		gomod = gc.in[path.Join(module, "go.mod")]
	}
	return modfile.ModulePath(gomod)
}

// TestGoldenCases runs each case in golden/cases and compares its output
// with the archive and golden/mysvc; with -update it rewrites the archive's
// stdout and out/ files. It then checks that generate --check finds what
// the case wrote current, and, unless -short, builds and vets the module
// the case wrote and tests its main package if the module differs from
// golden/mysvc in Go (see goDiffers); a case that differs only in other
// files proves nothing by building that TestGoldenBuild does not.
func TestGoldenCases(t *testing.T) {
	main := readTree(t, mainTree)
	for _, gc := range loadCases(t) {
		t.Run(gc.name, func(t *testing.T) {
			t.Parallel()
			dir, stdout, written := gc.run(t)
			modPath := gc.modulePath(t, written)
			// What the archive must hold of the files written: out/PATH,
			// the whole file, for one with no counterpart in golden/mysvc;
			// diff/PATH, a unified diff from the counterpart, for one that
			// differs from it; nothing for one equal to it.
			differ := make(map[string][]byte)
			for p, data := range written {
				want, ok := gc.counterpart(t, main, p, modPath)
				if path.Base(p) == generator.StampFile {
					// A stamp's sections and sums record the files the
					// case wrote, shown beside it (TestStampRecordsFiles):
					// its options say the rest.
					data, want = stampOptions(data), stampOptions(want)
				}
				switch {
				case !ok:
					differ["out/"+p] = data
				case !bytes.Equal(want, data):
					differ["diff/"+p] = []byte(diff.Unified("golden/mysvc", p, string(want), string(data)))
				}
			}
			if updating() {
				gc.write(t, stdout, differ)
			} else {
				gc.compare(t, stdout, differ)
			}
			module, daemonDir, pkg, _ := gc.layout()
			moduleDir := filepath.Join(dir, filepath.FromSlash(module))
			rel, _ := filepath.Rel(module, daemonDir)
			check := []string{"generate", "--check", "--dir", rel, "--pkg", pkg}
			if out, stderr, code := daemongen(t, moduleDir, check...); code != 0 || out != "" || stderr != "" {
				t.Errorf("daemongen %s after the case = exit %d, stdout %q, stderr %q; want 0 and nothing", strings.Join(check, " "), code, out, stderr)
			}
			if testing.Short() {
				return
			}
			why := gc.goDiffers(t, main, dir, modPath)
			if why == "" {
				t.Logf("not built: every Go file and go.mod of %s is golden/mysvc's (with the case's name and module path), which TestGoldenBuild builds", module)
				return
			}
			t.Logf("built: %s", why)
			// The daemon package's own tests are golden/mysvc's, which
			// TestGoldenBuild runs; vet compiles them here.
			for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}, {"test", "-count=1", "."}} {
				goCommand(t, moduleDir, args...)
			}
		})
	}
}

// stampOptions is a stamp without its sections and sums.
func stampOptions(data []byte) []byte {
	var b bytes.Buffer
	for _, l := range strings.SplitAfter(string(txtar.Parse(data).Comment), "\n") {
		if !strings.HasPrefix(l, "sum ") {
			b.WriteString(l)
		}
	}
	return b.Bytes()
}

// goDiffers says how the module the case left in dir differs from
// golden/mysvc as the go command sees it, or returns "" if it does not:
// if each of its .go files and its go.mod equals its counterpart (see
// counterpart: golden/mysvc's file with golden/mysvc's name and module
// path replaced by the case's) and its daemon package keeps golden/mysvc's
// package name. Such a module builds, vets and tests as golden/mysvc does,
// which TestGoldenBuild proves. The replacement of the name reaches string
// literals and import paths only; that a NAME with a dash, and a module
// path without a dot, build is proven by TestNewBuilds (new my-svc) and
// TestFuzzSeedsVet (package generator).
func (gc *goldenCase) goDiffers(t *testing.T, main map[string]generator.File, dir, modPath string) string {
	t.Helper()
	module, _, pkg, _ := gc.layout()
	if pkg != "daemon" {
		return "the daemon package is package " + pkg
	}
	tree := readTree(t, filepath.Join(dir, filepath.FromSlash(module)))
	for _, rel := range slices.Sorted(maps.Keys(tree)) {
		if !strings.HasSuffix(rel, ".go") && path.Base(rel) != "go.mod" {
			continue
		}
		p := path.Join(module, rel)
		switch want, ok := gc.counterpart(t, main, p, modPath); {
		case !ok:
			return p + " has no counterpart in golden/mysvc"
		case !bytes.Equal(want, tree[rel].Data):
			return p + " differs from its counterpart in golden/mysvc"
		}
	}
	return ""
}

// compare checks the case's output against its archive: its stdout, and
// differ, the out/ and diff/ entries the files it wrote call for.
func (gc *goldenCase) compare(t *testing.T, stdout []byte, differ map[string][]byte) {
	t.Helper()
	file := filepath.Join(casesDir, gc.name+".txtar")
	if d := diff.Unified(file+" stdout", "daemongen stdout", string(gc.stdout), string(stdout)); d != "" {
		t.Errorf("stdout differs:\n%s", d)
	}
	for name, data := range differ {
		want, ok := gc.out[name]
		switch {
		case !ok:
			t.Errorf("%s has no %s: the file written %s", file, name, map[bool]string{true: "has no counterpart in golden/mysvc", false: "differs from its counterpart in golden/mysvc"}[strings.HasPrefix(name, "out/")])
		case !bytes.Equal(want, data):
			t.Errorf("%s differs from what was written:\n%s", name, diff.Unified(file+" "+name, "written", string(want), string(data)))
		}
	}
	for name := range gc.out {
		if _, ok := differ[name]; !ok {
			t.Errorf("%s has %s, which the command did not write or which equals golden/mysvc's counterpart; remove it", file, name)
		}
	}
	if t.Failed() {
		t.Logf("if the change is intended, run: go test -run TestGolden . -update")
	}
}

// write rewrites the case's archive with this run's stdout and differing
// files, keeping its comment and in/ files.
func (gc *goldenCase) write(t *testing.T, stdout []byte, differ map[string][]byte) {
	t.Helper()
	a := &txtar.Archive{Comment: gc.comment}
	for _, p := range slices.Sorted(maps.Keys(gc.in)) {
		a.Files = append(a.Files, txtar.File{Name: "in/" + p, Data: gc.in[p]})
	}
	a.Files = append(a.Files, txtar.File{Name: "stdout", Data: stdout})
	for _, name := range slices.Sorted(maps.Keys(differ)) {
		a.Files = append(a.Files, txtar.File{Name: name, Data: differ[name]})
	}
	if err := os.WriteFile(filepath.Join(casesDir, gc.name+".txtar"), txtar.Format(a), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGoldenLayout wants golden/ to hold golden/mysvc and golden/cases and
// nothing else, and golden/cases to hold the archive of each of goldenCases
// and nothing else.
func TestGoldenLayout(t *testing.T) {
	entries, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if p := filepath.Join(goldenDir, e.Name()); p != mainTree && p != casesDir {
			t.Errorf("%s is no golden case; remove it (golden/ holds %s and %s)", p, mainTree, casesDir)
		}
	}
	entries, err = os.ReadDir(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".txtar")
		if !ok || !e.Type().IsRegular() || !slices.Contains(goldenCases, name) {
			t.Errorf("%s is no golden case; remove it, or name it in goldenCases", filepath.Join(casesDir, e.Name()))
		}
		names = append(names, name)
	}
	for _, name := range goldenCases {
		if !slices.Contains(names, name) {
			t.Errorf("%s.txtar is missing from %s; write its command line into it and run: go test -run TestGolden . -update", name, casesDir)
		}
	}
	if n := goldenLines(t); n > goldenBudget {
		t.Errorf("golden/ holds %d lines besides stamps; keep it within %d, so that it stays reviewable: a new case shows only what its option changes, and output that grows should earn it", n, goldenBudget)
	}
}

// goldenBudget is the most lines golden/ may hold (issue 9), besides the
// stamps, which grow it by their size (issue 19): golden/mysvc's, the text
// of the files it records as written, and the stamp diffs of the cases.
const goldenBudget = 6000

// goldenLines counts the lines of every file below golden/ but stamps.
func goldenLines(t *testing.T) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(goldenDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		n += bytes.Count(data, []byte("\n"))
		if filepath.Base(p) == generator.StampFile {
			n -= bytes.Count(data, []byte("\n"))
		} else if strings.HasSuffix(p, ".txtar") {
			for _, f := range txtar.Parse(data).Files {
				if path.Base(f.Name) == generator.StampFile {
					n -= bytes.Count(f.Data, []byte("\n")) + 1
				}
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGoldenBuild builds, vets and tests a copy of golden/mysvc with the
// module proxy off: a generated project needs nothing to download.
// TestGoldenPlatforms checks it for other systems, TestGoldenOldestGo with
// the Go its go.mod names.
func TestGoldenBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the golden project; skipped with -short")
	}
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "mysvc")
	if err := os.CopyFS(dir, os.DirFS(mainTree)); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}, {"test", "-count=1", "./..."}} {
		goCommand(t, dir, args...)
	}
}

// TestPlainExampleStatic holds the daemon package to the standard library
// without net and cgo (issue 18): the plain example's packages include no
// net, os/user, runtime/cgo or os/exec, and a plain go build of it on Linux
// is a static executable (no PT_INTERP: ldd says "not a dynamic
// executable"), which runs on any distribution whatever its libc. Nor does
// it link slog's handlers and encoding/json, which installing a slog.Handler
// would (430 KB of a 4.4 MB binary): logging.go writes through package log.
func TestPlainExampleStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the golden project; skipped with -short")
	}
	t.Parallel()
	deps := strings.Fields(string(goCommand(t, mainTree, "list", "-deps", "-f", "{{.ImportPath}}", ".")))
	for _, d := range deps {
		if d == "net" || d == "os/user" || d == "runtime/cgo" || d == "os/exec" || d == "crypto" || strings.HasPrefix(d, "crypto/") {
			t.Errorf("golden/mysvc imports %s; the daemon package must do without net, cgo, os/exec and crypto (go list -deps)", d)
		}
	}
	if runtime.GOOS != "linux" {
		return
	}
	bin := filepath.Join(t.TempDir(), "mysvc")
	goCommandEnv(t, mainTree, []string{"CGO_ENABLED="}, "build", "-o", bin, ".")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("go build of golden/mysvc is a dynamic executable (it has PT_INTERP); want a static one")
		}
	}
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, sym := range syms {
		if strings.HasPrefix(sym.Name, "encoding/json.(*encodeState)") || strings.HasPrefix(sym.Name, "log/slog.(*commonHandler)") {
			t.Errorf("go build of golden/mysvc links %s: something installs a slog handler or encodes JSON", sym.Name)
			break
		}
	}
}

// goCommand runs the go command with args in dir, offline, and fails the
// test with its output if it fails.
//
// It builds with -trimpath (GOFLAGS), as every go command the tests run on
// a generated project does: without it, the build cache keys a package on
// its directory, so each copy of the same project in another temporary
// directory would be compiled and vetted anew; with it, a package already
// built with the same import path and sources is taken from the cache. No
// test depends on the source paths compiled into a binary. A go test of a
// generated project passes -count=1, so that its tests run each time and
// are never a cached result.
func goCommand(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	return goCommandEnv(t, dir, nil, args...)
}

// goFlags is the GOFLAGS of the go commands the tests run on generated
// projects (see goCommand).
const goFlags = "-mod=mod -trimpath"

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
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS="+goFlags, "GOTOOLCHAIN=local", "GOWORK=off")
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
	const marker = generator.Marker + "\n"
	for _, cfg := range []generator.Config{mainConfig, {Name: "my-svc", Docker: true, Package: "svcd"}} {
		files, err := generator.Render(cfg, templates.FS)
		if err != nil {
			t.Fatalf("Render(%+v) = %v", cfg, err)
		}
		for _, f := range files {
			daemon := strings.HasPrefix(f.Path, generator.DaemonDir+"/")
			switch {
			case daemon && !bytes.HasPrefix(f.Data, []byte(marker)):
				t.Errorf("Render(%+v): %s: first line %q; want %q", cfg, f.Path, bytes.SplitN(f.Data, []byte("\n"), 2)[0], marker)
			case !daemon && bytes.Contains(f.Data, []byte("Code generated")):
				t.Errorf("Render(%+v): %s is the user's but says it is generated", cfg, f.Path)
			}
		}
	}
}

// TestOneLineChange changes one line of the daemon package's source and
// wants one line of golden/mysvc to change and nothing else in golden/: the
// rendered project differs in that line alone, the package rewrite keeps it
// one line for any --pkg, and no case archive holds a daemon file of its
// own, since cases derive those from golden/mysvc.
func TestOneLineChange(t *testing.T) {
	const file = "daemon/serve.go"
	src, err := fs.ReadFile(templates.FS, file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(src), "\n")
	i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "// ") })
	lines[i] = "// A changed line.\n"
	changed := []byte(strings.Join(lines, ""))
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, filepath.FromSlash(file)), string(changed))
	tree, err := templates.Load(dir)
	if err != nil {
		t.Fatal(err)
	}

	before, err := generator.Render(mainConfig, templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	after, err := generator.Render(mainConfig, tree)
	if err != nil {
		t.Fatal(err)
	}
	if got := changedLines(t, before, after); got != 1 {
		t.Errorf("one changed line in %s changes %d lines of the rendered project; want 1", file, got)
	}
	// The package rewrite of --pkg keeps it one line.
	cfg := generator.Config{Module: "example.com/tool/v2", Package: "svcd", DaemonOnly: true, DaemonDir: "pkg/svcd"}
	before, errA := generator.Render(cfg, templates.FS)
	after, errB := generator.Render(cfg, tree)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if got := changedLines(t, before, after); got != 1 {
		t.Errorf("with --pkg svcd, one changed line changes %d; want 1", got)
	}
	for _, gc := range loadCases(t) {
		_, daemonDir, _, _ := gc.layout()
		for name := range gc.out {
			_, p, _ := strings.Cut(name, "/")
			if strings.HasPrefix(p, daemonDir+"/") && path.Base(p) != generator.StampFile {
				t.Errorf("%s holds %s, a file of the daemon package: cases take those from golden/mysvc, so a change of the daemon's source would show up here too", gc.name, name)
			}
		}
	}
}

// changedLines counts the lines that differ between two renderings of the
// same paths, each file's lines compared in order.
func changedLines(t *testing.T, a, b []generator.File) int {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d files before, %d after", len(a), len(b))
	}
	n := 0
	for i := range a {
		la, lb := strings.Split(string(a[i].Data), "\n"), strings.Split(string(b[i].Data), "\n")
		if a[i].Path != b[i].Path || len(la) != len(lb) {
			t.Fatalf("%s: %d lines before, %s: %d after", a[i].Path, len(la), b[i].Path, len(lb))
		}
		for j := range la {
			if la[j] != lb[j] {
				n++
			}
		}
	}
	return n
}
