package main

import (
	"bytes"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/daemongen/daemongen/generator"
)

// copyGolden runs the golden case generate-<name> in a new temporary
// directory and returns that directory: the case's module with the daemon
// package generate wrote into it.
func copyGolden(t *testing.T, name string) string {
	t.Helper()
	dir, _, _ := caseByName(t, "generate-"+name).run(t)
	return dir
}

// mtimes sets every file below root to an hour ago and returns their
// modification times by path.
func ageFiles(t *testing.T, root string) map[string]time.Time {
	t.Helper()
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	times := make(map[string]time.Time)
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		times[p] = old
		return os.Chtimes(p, old, old)
	})
	if err != nil {
		t.Fatal(err)
	}
	return times
}

func fileTimes(t *testing.T, root string) map[string]time.Time {
	t.Helper()
	times := make(map[string]time.Time)
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		times[p] = info.ModTime()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return times
}

// TestGenerateGoldenIsCurrent runs generate --check and then generate in a
// copy of each golden generate case: the golden tree is what generate
// writes, and a run over a current tree changes nothing, mtimes included.
func TestGenerateGoldenIsCurrent(t *testing.T) {
	for _, name := range []string{"app", "svcd"} {
		t.Run(name, func(t *testing.T) {
			gc := caseByName(t, "generate-"+name)
			dir, _, _ := gc.run(t)
			genArgs := gc.args[1:]
			stdout, stderr, code := daemongen(t, dir, append([]string{"generate", "--check"}, genArgs...)...)
			if code != 0 || stdout != "" || stderr != "" {
				t.Fatalf("daemongen generate --check after case generate-%s = exit %d, stdout %q, stderr %q; want 0 and nothing", name, code, stdout, stderr)
			}
			before := ageFiles(t, dir)
			snap := dirSnapshot(t, dir)
			stdout, stderr, code = daemongen(t, dir, append([]string{"generate"}, genArgs...)...)
			if code != 0 || stdout != "" || stderr != "" {
				t.Fatalf("daemongen generate on a current tree = exit %d, stdout %q, stderr %q; want 0 and nothing", code, stdout, stderr)
			}
			if after := fileTimes(t, dir); !maps.Equal(after, before) {
				t.Errorf("daemongen generate on a current tree changed mtimes")
			}
			if after := dirSnapshot(t, dir); !maps.Equal(after, snap) {
				t.Errorf("daemongen generate on a current tree changed files")
			}
		})
	}
}

// TestGenerateCheckAndUpdate makes one file missing, one stale and one
// extra, and wants --check to report all three with diffs and write
// nothing, and generate to fix exactly those, leaving the rest untouched.
// Issue 19: generate --check judges what git records, content and the
// executable bit: the daemon package checked out under umask 002 (0664) or
// 077 (0600) is current, and generate writes nothing there.
func TestGenerateCheckUmask(t *testing.T) {
	for _, mode := range []os.FileMode{0o664, 0o600} {
		dir := copyGolden(t, "app")
		pkg := filepath.Join(dir, "internal", "daemon")
		entries, err := os.ReadDir(pkg)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if err := os.Chmod(filepath.Join(pkg, e.Name()), mode); err != nil {
				t.Fatal(err)
			}
		}
		if stdout, stderr, code := daemongen(t, dir, "generate", "--check"); code != 0 {
			t.Errorf("generate --check with files of mode %v = exit %d, %q %q; want 0", mode, code, stdout, stderr)
		}
		if stdout, _, code := daemongen(t, dir, "generate"); code != 0 || stdout != "" {
			t.Errorf("generate with files of mode %v = exit %d, %q; want nothing written", mode, code, stdout)
		}
	}
}

func TestGenerateCheckAndUpdate(t *testing.T) {
	dir := copyGolden(t, "app")
	pkg := filepath.Join(dir, "internal", "daemon")
	if err := os.Remove(filepath.Join(pkg, "serve.go")); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(pkg, "doc.go")
	data, err := os.ReadFile(stale)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, stale, strings.Replace(string(data), "Package daemon turns", "Package daemon once turned", 1))
	extra := generator.Marker + "\n\npackage daemon\n\nconst gone = 1\n"
	writeFile(t, filepath.Join(pkg, "gone.go"), extra)
	mine := "package daemon\n\n// Mine is the user's.\nconst Mine = 1\n"
	writeFile(t, filepath.Join(pkg, "mine.go"), mine)
	before := ageFiles(t, dir)
	snap := dirSnapshot(t, dir)

	stdout, stderr, code := daemongen(t, dir, "generate", "--check")
	if code != 1 {
		t.Errorf("daemongen generate --check = exit %d; want 1", code)
	}
	for _, want := range []string{
		"missing internal/daemon/serve.go\n--- /dev/null\n+++ internal/daemon/serve.go (generated)\n@@ -0,0 +1,",
		"stale internal/daemon/doc.go\n--- internal/daemon/doc.go\n+++ internal/daemon/doc.go (generated)\n",
		"-// Package daemon once turned a [Service]",
		"+// Package daemon turns a [Service]",
		"extra internal/daemon/gone.go\n--- internal/daemon/gone.go\n+++ /dev/null\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("daemongen generate --check stdout lacks %q; got:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "mine.go") {
		t.Errorf("daemongen generate --check reports the user's mine.go:\n%s", stdout)
	}
	if want := "daemongen: generate --check: 3 files out of date in internal/daemon (run: daemongen generate)\n"; stderr != want {
		t.Errorf("daemongen generate --check stderr = %q; want %q", stderr, want)
	}
	if after := dirSnapshot(t, dir); !maps.Equal(after, snap) {
		t.Errorf("daemongen generate --check changed the tree")
	}

	stdout, _, code = daemongen(t, dir, "generate", "--dry-run")
	if want := "would write internal/daemon/doc.go (stale)\nwould remove internal/daemon/gone.go (extra)\nwould write internal/daemon/serve.go (missing)\n"; code != 0 || stdout != want {
		t.Errorf("daemongen generate --dry-run = exit %d, stdout %q; want 0, %q", code, stdout, want)
	}
	if after := dirSnapshot(t, dir); !maps.Equal(after, snap) {
		t.Errorf("daemongen generate --dry-run changed the tree")
	}

	stdout, stderr, code = daemongen(t, dir, "generate")
	if want := "wrote internal/daemon/doc.go\nremoved internal/daemon/gone.go\nwrote internal/daemon/serve.go\n"; code != 0 || stdout != want {
		t.Fatalf("daemongen generate = exit %d, stdout %q, stderr %q; want 0, %q", code, stdout, stderr, want)
	}
	if _, err := os.Stat(filepath.Join(pkg, "gone.go")); !os.IsNotExist(err) {
		t.Errorf("after generate, gone.go: %v; want it removed", err)
	}
	after := fileTimes(t, dir)
	for p, old := range before {
		switch filepath.Base(p) {
		case "doc.go", "gone.go":
			continue
		}
		if !after[p].Equal(old) {
			t.Errorf("generate touched %s (mtime %v; was %v)", p, after[p], old)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(pkg, "mine.go")); string(data) != mine {
		t.Errorf("after generate, mine.go = %q; want it untouched", data)
	}
	if _, _, code := daemongen(t, dir, "generate", "--check"); code != 0 {
		t.Errorf("daemongen generate --check after generate = exit %d; want 0", code)
	}
}

// TestGenerateRefusesUserFile puts a file without the marker where generate
// would write and wants an error naming it and nothing written, even though
// other files are missing.
func TestGenerateRefusesUserFile(t *testing.T) {
	dir := copyGolden(t, "app")
	pkg := filepath.Join(dir, "internal", "daemon")
	if err := os.Remove(filepath.Join(pkg, "command.go")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(pkg, "serve.go"), "package daemon // mine\n")
	snap := dirSnapshot(t, dir)
	for _, args := range [][]string{{"generate"}, {"generate", "--check"}, {"generate", "--dry-run"}} {
		stdout, stderr, code := daemongen(t, filepath.Join(dir, "internal"), args...)
		want := `daemongen: generate: overwrite ../internal/daemon/serve.go: not written by daemongen; the first line is not "// Code generated by daemongen. DO NOT EDIT." (move the file aside, or generate into another directory with --dir)` + "\n"
		if code != 1 || stderr != want || stdout != "" {
			t.Errorf("daemongen %q over a user's file = exit %d, stdout %q, stderr %q; want 1, nothing, %q", args, code, stdout, stderr, want)
		}
	}
	if after := dirSnapshot(t, dir); !maps.Equal(after, snap) {
		t.Errorf("daemongen generate over a user's file changed the tree")
	}
}

func TestGenerateUsage(t *testing.T) {
	dir := copyGolden(t, "app")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "extra"}, "daemongen: unexpected arguments: extra\n"},
		{[]string{"generate", "--check", "--dry-run"}, "daemongen: --check and --dry-run exclude each other"},
		{[]string{"generate", "--pkg", "main"}, `daemongen: invalid package name "main"`},
		{[]string{"generate", "--name", "Bad_Name"}, `daemongen: invalid name "Bad_Name"`},
		{[]string{"templates"}, "daemongen: missing templates command\nusage: daemongen templates list | export DIR"},
		{[]string{"templates", "export"}, "daemongen: missing DIR\nusage: " + synopsis(t, "templates export")},
		{[]string{"templates", "list", "x"}, "daemongen: templates list takes no arguments"},
	} {
		stdout, stderr, code := daemongen(t, dir, tt.args...)
		if code != 2 || stdout != "" || !strings.HasPrefix(stderr, tt.want) {
			t.Errorf("daemongen %q = exit %d, stdout %q, stderr %q; want 2 and stderr starting %q", tt.args, code, stdout, stderr, tt.want)
		}
	}
	_, stderr, code := daemongen(t, t.TempDir(), "generate")
	if code != 1 || !strings.Contains(stderr, "no go.mod in ") || !strings.Contains(stderr, "run generate inside a Go module") {
		t.Errorf("daemongen generate outside a module = exit %d, stderr %q; want 1 and a no go.mod error", code, stderr)
	}
}

// Issue 22, item 8: templates exported inside a module are a module of
// their own, out of its go test ./... and go vet ./..., and still serve as
// --templates; export --force names each edited template it replaced.
func TestTemplatesExportInModule(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	writeFile(t, filepath.Join(work, "go.mod"), "module example.com/app\n\ngo 1.23\n")
	writeFile(t, filepath.Join(work, "main.go"), "package main\n\nfunc main() {}\n")
	if _, stderr, code := daemongen(t, work, "templates", "export", "tmpl"); code != 0 {
		t.Fatalf("daemongen templates export = exit %d, stderr %q; want 0", code, stderr)
	}
	list := exec.Command("go", "list", "./...")
	list.Dir, list.Env = work, append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOTOOLCHAIN=local")
	if out, err := list.CombinedOutput(); err != nil || string(out) != "example.com/app\n" {
		t.Errorf("go list ./... in the module around the exported templates = %q, %v; want only example.com/app", out, err)
	}
	serve := filepath.Join(work, "tmpl", "daemon", "serve.go")
	data, _ := os.ReadFile(serve)
	writeFile(t, serve, string(data)+"\n// edited\n")
	stdout, stderr, code := daemongen(t, work, "templates", "export", "tmpl", "--force")
	if want := "replaced " + filepath.Join("tmpl", "daemon", "serve.go") + " (it had been edited"; code != 0 || !strings.Contains(stdout, want) || strings.Count(stdout, "replaced ") != 1 {
		t.Errorf("templates export --force over an edited template = exit %d, stdout %q, stderr %q; want 0 and only %q", code, stdout, stderr, want)
	}
	if _, stderr, code := daemongen(t, work, "new", "svc", "--templates", "tmpl", "--dir", "out"); code != 0 {
		t.Errorf("new --templates with the exported tree = exit %d, %q; want 0", code, stderr)
	}
}

// TestTemplatesListAndExport exports the embedded templates, overlays an
// edited and an added template, and generates with them, from new and
// from generate.
func TestTemplatesListAndExport(t *testing.T) {
	t.Parallel()
	stdout, _, code := daemongen(t, t.TempDir(), "templates", "list")
	for _, want := range []string{"daemon/serve.go\n", "project/main.go.tmpl\n", "project/init/systemd/_name_.service.tmpl\n"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("daemongen templates list = exit %d, %q; want 0 and %q", code, stdout, want)
		}
	}

	work := t.TempDir()
	if _, stderr, code := daemongen(t, work, "templates", "export", "tmpl"); code != 0 {
		t.Fatalf("daemongen templates export = exit %d, stderr %q; want 0", code, stderr)
	}
	lines := strings.Count(stdout, "\n")
	exported := 0
	filepath.WalkDir(filepath.Join(work, "tmpl"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			exported++
		}
		return err
	})
	if exported != lines+1 {
		t.Errorf("templates export wrote %d files; templates list shows %d, and a go.mod", exported, lines)
	}
	if _, stderr, code := daemongen(t, work, "templates", "export", "tmpl"); code != 1 || !strings.Contains(stderr, "target directory tmpl exists and is not empty (use --force") {
		t.Errorf("daemongen templates export into a non-empty dir = exit %d, stderr %q; want 1 and a --force hint", code, stderr)
	}
	if _, stderr, code := daemongen(t, work, "templates", "export", "tmpl", "--force"); code != 0 {
		t.Errorf("daemongen templates export --force = exit %d, stderr %q; want 0", code, stderr)
	}

	// Keep only the edited and the added template: the rest come from
	// the embedded tree.
	if err := os.RemoveAll(filepath.Join(work, "tmpl")); err != nil {
		t.Fatal(err)
	}
	overlay := map[string]string{
		"daemon/version.go.tmpl": generator.Marker + "\n\npackage {{.Package}}\n\n// Version is {{.Name}}'s version.\nconst Version = \"1.0\"\n",
		"project/main.go.tmpl":   "package main\n\nimport (\n\t\"os\"\n\n\t\"{{.DaemonImport}}\"\n)\n\nfunc main() {\n\tprintln(daemon.Version)\n\tos.Exit(daemon.Main(daemon.Program{Name: \"{{.Name}}\", Service: &Service{}}, os.Args[1:]))\n}\n",
	}
	for p, data := range overlay {
		writeFile(t, filepath.Join(work, "tmpl", filepath.FromSlash(p)), data)
	}
	tmpl := filepath.Join(work, "tmpl")
	if _, stderr, code := daemongen(t, work, "new", "mysvc", "--templates", tmpl); code != 0 {
		t.Fatalf("daemongen new --templates = exit %d, stderr %q; want 0", code, stderr)
	}
	project := filepath.Join(work, "mysvc")
	if data, err := os.ReadFile(filepath.Join(project, "internal", "daemon", "version.go")); err != nil || !strings.Contains(string(data), "Version is mysvc's version") {
		t.Errorf("new --templates: internal/daemon/version.go = %q, %v; want the overlay's", data, err)
	}
	// generate needs a name only for a template that uses it.
	if _, stderr, code := daemongen(t, project, "generate", "--check", "--templates", tmpl); code != 1 || !strings.Contains(stderr, "use --name NAME") {
		t.Errorf("daemongen generate --check --templates with .Name used and no --name = exit %d, stderr %q; want 1 and a hint at --name", code, stderr)
	}
	if _, stderr, code := daemongen(t, project, "generate", "--check", "--templates", tmpl, "--name", "mysvc"); code != 0 {
		t.Errorf("daemongen generate --check --templates --name after new --templates = exit %d, stderr %q; want 0", code, stderr)
	}
	stdout, _, code = daemongen(t, project, "generate", "--check")
	if code != 1 || !strings.Contains(stdout, "extra internal/daemon/version.go\n") {
		t.Errorf("daemongen generate --check without the overlay = exit %d, stdout %q; want 1 and version.go extra", code, stdout)
	}
	if !testing.Short() {
		goCommand(t, project, "build", "./...")
	}

	bad := filepath.Join(tmpl, "daemon", "version.go.tmpl")
	writeFile(t, bad, generator.Marker+"\n\npackage {{.Package}}\n\nconst V = {{.Version}}\n")
	_, stderr, code := daemongen(t, project, "generate", "--templates", tmpl, "--name", "mysvc")
	if want := "daemongen: render " + bad + ": template: " + bad + ":5:"; code != 1 || !strings.HasPrefix(stderr, want) {
		t.Errorf("daemongen generate with a bad overlay = exit %d, stderr %q; want 1 and prefix %q", code, stderr, want)
	}
}

// TestGenerateDirOutsideModule runs generate from a directory outside any
// module: --dir decides the module, and a bad --pkg is a usage error
// whether or not a module is found.
func TestGenerateDirOutsideModule(t *testing.T) {
	dir := t.TempDir()
	mod := filepath.Join(dir, "gm")
	writeFile(t, filepath.Join(mod, "go.mod"), "module example.com/gm\n\ngo 1.23\n")
	if _, stderr, code := daemongen(t, dir, "generate", "--dir", "gm/internal/daemon"); code != 0 {
		t.Fatalf("generate --dir gm/internal/daemon from outside the module = exit %d, %q; want 0", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(mod, "internal", "daemon", "doc.go")); err != nil {
		t.Fatalf("generate wrote no daemon package into the module: %v", err)
	}
	if _, stderr, code := daemongen(t, dir, "generate", "--pkg", "main"); code != 2 {
		t.Fatalf("generate --pkg main outside a module = exit %d, %q; want 2", code, stderr)
	}
}

// TestGenerateGoLine wants generate to refuse, with exit 1 and the Go
// version needed, a module whose go line is older than the daemon package
// needs, and to write nothing there; the command it suggests, run as it is,
// gives the go line a generated project has, and generate then succeeds.
func TestGenerateGoLine(t *testing.T) {
	for _, gomod := range []string{"module example.com/app\n\ngo 1.21\n", "module example.com/app\n\ngo 1.16\n", "module example.com/app\n"} {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "go.mod"), gomod)
		for _, args := range [][]string{{"generate"}, {"generate", "--check"}, {"generate", "--dry-run"}} {
			stdout, stderr, code := daemongen(t, dir, args...)
			if code != 1 || stdout != "" || !strings.Contains(stderr, "the daemon package needs go "+generator.GoVersion+" or later (raise it with: ") {
				t.Errorf("daemongen %q with go.mod %q = exit %d, stdout %q, stderr %q; want 1 and the Go version needed", args, gomod, code, stdout, stderr)
			}
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("daemongen generate with go.mod %q wrote %v; want nothing", gomod, entries)
		}
		_, stderr, _ := daemongen(t, dir, "generate")
		_, fix, _ := strings.Cut(stderr, "(raise it with: ")
		fix, _, _ = strings.Cut(fix, ")")
		cmd := exec.Command("sh", "-c", fix)
		cmd.Dir, cmd.Env = dir, append(os.Environ(), "GOFLAGS=", "GOPROXY=off", "GOTOOLCHAIN=local")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("the suggested %q: %v %s", fix, err, out)
		}
		if data, _ := os.ReadFile(filepath.Join(dir, "go.mod")); !strings.Contains(string(data), "\ngo "+generator.GoVersion+"\n") {
			t.Errorf("after the suggested %q, go.mod says %q; want the line go %s that new writes", fix, data, generator.GoVersion)
		}
		if _, stderr, code := daemongen(t, dir, "generate"); code != 0 {
			t.Errorf("generate after the suggested %q = exit %d, %q; want 0", fix, code, stderr)
		}
	}
}

// TestGenerateNeedsNoName runs generate in modules whose last element is no
// valid NAME: the embedded templates do not use the name, so generate
// must not ask for one.
func TestGenerateNeedsNoName(t *testing.T) {
	for _, mod := range []string{"github.com/acme/go", "example.com/main", "example.com/tool/cmd", "example.com/My_App/v3", "example.com/test"} {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "go.mod"), "module "+mod+"\n\ngo 1.23\n")
		if _, stderr, code := daemongen(t, dir, "generate"); code != 0 {
			t.Errorf("daemongen generate in module %s = exit %d, stderr %q; want 0", mod, code, stderr)
		}
		if _, stderr, code := daemongen(t, dir, "generate", "--check"); code != 0 {
			t.Errorf("daemongen generate --check in module %s = exit %d, stderr %q; want 0", mod, code, stderr)
		}
	}
}

// TestGenerateLineEndings checks the daemon package out as Git on Windows
// may, with CRLF line endings or a byte order mark: generate must still
// know the files for its own, and find them current.
func TestGenerateLineEndings(t *testing.T) {
	for name, convert := range map[string]func([]byte) []byte{
		"CRLF": func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")) },
		"BOM":  func(b []byte) []byte { return append([]byte("\xef\xbb\xbf"), b...) },
	} {
		dir := copyGolden(t, "app")
		pkg := filepath.Join(dir, "internal", "daemon")
		entries, err := os.ReadDir(pkg)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			p := filepath.Join(pkg, e.Name())
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, p, string(convert(data)))
		}
		before := dirSnapshot(t, dir)
		for _, args := range [][]string{{"generate", "--check"}, {"generate"}} {
			stdout, stderr, code := daemongen(t, dir, args...)
			if code != 0 || stdout != "" || stderr != "" {
				t.Errorf("%s: daemongen %q = exit %d, stdout %q, stderr %q; want 0 and nothing", name, args, code, stdout, stderr)
			}
		}
		if after := dirSnapshot(t, dir); !maps.Equal(after, before) {
			t.Errorf("%s: daemongen generate changed the checked-out files", name)
		}
	}
}

// TestGenerateOverlayWithoutMarker lays a daemon template and a daemon Go
// file without the generated-file line over the embedded tree: the
// generator adds the line, so generate works, and works again.
func TestGenerateOverlayWithoutMarker(t *testing.T) {
	dir := copyGolden(t, "app")
	tmpl := t.TempDir()
	writeFile(t, filepath.Join(tmpl, "daemon", "extra.go.tmpl"), "package {{.Package}}\n\nconst extra = 1\n")
	writeFile(t, filepath.Join(tmpl, "daemon", "plain.go"), "package daemon\n\nconst plain = 1\n")
	stdout, stderr, code := daemongen(t, dir, "generate", "--templates", tmpl)
	if code != 0 || stdout != "wrote internal/daemon/extra.go\nwrote internal/daemon/plain.go\n" {
		t.Fatalf("daemongen generate --templates (no marker) = exit %d, stdout %q, stderr %q; want 0 and two files written", code, stdout, stderr)
	}
	for _, f := range []string{"extra.go", "plain.go"} {
		data, _ := os.ReadFile(filepath.Join(dir, "internal", "daemon", f))
		if !bytes.HasPrefix(data, []byte(generator.Marker+"\n")) {
			t.Errorf("internal/daemon/%s = %q; want the generated-file line first", f, data)
		}
	}
	for _, args := range [][]string{{"generate", "--templates", tmpl}, {"generate", "--check", "--templates", tmpl}} {
		if stdout, stderr, code := daemongen(t, dir, args...); code != 0 || stdout != "" || stderr != "" {
			t.Errorf("daemongen %q again = exit %d, stdout %q, stderr %q; want 0 and nothing", args, code, stdout, stderr)
		}
	}
}

// TestGeneratePackageOfDir wants generate to refuse a directory that holds
// another package (such as main at a module root) and to keep the package
// name the directory's generated files have when --pkg is not given.
func TestGeneratePackageOfDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/q\n\ngo 1.23\n")
	writeFile(t, filepath.Join(dir, "main.go"), "package main\n\nfunc main() {}\n")
	writeFile(t, filepath.Join(dir, "util", "u.go"), "package util\n")
	for _, tt := range []struct{ args []string }{
		{[]string{"generate", "--dir", "."}},
		{[]string{"generate", "--dir", "util"}},
		{[]string{"generate", "--dir", "util", "--pkg", "svcd"}},
	} {
		before := dirSnapshot(t, dir)
		_, stderr, code := daemongen(t, dir, tt.args...)
		if code != 1 || !strings.Contains(stderr, "a directory holds one package") {
			t.Errorf("daemongen %s = exit %d, stderr %q; want 1 naming the other package", strings.Join(tt.args, " "), code, stderr)
		}
		if !maps.Equal(before, dirSnapshot(t, dir)) {
			t.Errorf("daemongen %s changed the module", strings.Join(tt.args, " "))
		}
	}
	if _, stderr, code := daemongen(t, dir, "generate", "--dir", "pkg/svcd", "--pkg", "svcd"); code != 0 {
		t.Fatalf("generate --pkg svcd = exit %d, %s", code, stderr)
	}
	if out, stderr, code := daemongen(t, dir, "generate", "--check", "--dir", "pkg/svcd"); code != 0 || out != "" {
		t.Errorf("generate --check --dir pkg/svcd without --pkg = exit %d, stdout %q, stderr %q; want 0 and nothing (the package is svcd)", code, out, stderr)
	}
	for _, bad := range []string{"vendor/d", "a b", "x@y"} {
		if _, stderr, code := daemongen(t, dir, "generate", "--dir", bad); code != 2 {
			t.Errorf("generate --dir %q = exit %d, stderr %q; want 2", bad, code, stderr)
		}
	}
}

// Issue 19: generate remembers its flags. After "generate --dir pkg/svcd
// --pkg svcd --templates tmpl", a bare generate and generate --check run
// anywhere in the module work on pkg/svcd, as package svcd, with the
// overlay's files, and make no internal/daemon.
func TestGenerateRemembersFlags(t *testing.T) {
	mod := t.TempDir()
	writeFile(t, filepath.Join(mod, "go.mod"), "module example.com/app\n\ngo 1.23\n")
	writeFile(t, filepath.Join(mod, "cmd", "app", "main.go"), "package main\n\nfunc main() {}\n")
	writeFile(t, filepath.Join(mod, "tmpl", "daemon", "version.go.tmpl"), generator.Marker+"\n\npackage {{.Package}}\n\n// Version is the daemon's version.\nconst Version = \"1.0\"\n")
	if _, stderr, code := daemongen(t, mod, "generate", "--dir", "pkg/svcd", "--pkg", "svcd", "--templates", "tmpl"); code != 0 {
		t.Fatalf("generate --dir pkg/svcd --pkg svcd --templates tmpl = exit %d, %q", code, stderr)
	}
	sub := filepath.Join(mod, "cmd", "app")
	if stdout, stderr, code := daemongen(t, sub, "generate", "--check"); code != 0 {
		t.Errorf("bare generate --check after it = exit %d, %q %q; want 0", code, stdout, stderr)
	}
	doc := filepath.Join(mod, "pkg", "svcd", "doc.go")
	if err := os.Remove(doc); err != nil {
		t.Fatal(err)
	}
	if stdout, _, code := daemongen(t, sub, "generate", "--check"); code != 1 || !strings.Contains(stdout, "missing ../../pkg/svcd/doc.go") {
		t.Errorf("bare generate --check with doc.go removed = exit %d, %q; want 1 naming pkg/svcd/doc.go", code, stdout)
	}
	if stdout, stderr, code := daemongen(t, sub, "generate"); code != 0 || !strings.Contains(stdout, "pkg/svcd/doc.go") {
		t.Errorf("bare generate = exit %d, %q %q; want pkg/svcd/doc.go written", code, stdout, stderr)
	}
	if data, err := os.ReadFile(filepath.Join(mod, "pkg", "svcd", "version.go")); err != nil || !strings.Contains(string(data), "package svcd") {
		t.Errorf("the overlay's version.go after a bare generate: %q, %v; want it kept, package svcd", data, err)
	}
	if _, err := os.Stat(filepath.Join(mod, "internal")); err == nil {
		t.Error("a bare generate made internal/daemon")
	}
	// A stamp it cannot read is an error naming it, never a reason to
	// forget the flags and write internal/daemon beside pkg/svcd.
	stamp := filepath.Join(mod, "pkg", "svcd", generator.StampFile)
	data, err := os.ReadFile(stamp)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, stamp, string(data)+"x\n")
	for _, args := range [][]string{{"generate", "--check"}, {"generate"}} {
		if stdout, stderr, code := daemongen(t, sub, args...); code != 1 || !strings.Contains(stderr, "pkg/svcd/daemongen.txtar: unknown line \"x\"") {
			t.Errorf("bare %v with an edited stamp = exit %d, %q %q; want 1 naming the stamp", args, code, stdout, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(mod, "internal")); err == nil {
		t.Error("a bare generate with an edited stamp made internal/daemon")
	}
}

// Issue 19: an app that uses generate can install. --init-files MAIN
// writes the service files install reads into MAIN/init (the missing ones:
// they are the owner's), and the main package that embeds them as the
// help says builds and installs with --dry-run.
func TestGenerateInitFiles(t *testing.T) {
	mod := t.TempDir()
	writeFile(t, filepath.Join(mod, "go.mod"), "module example.com/app\n\ngo 1.23\n")
	main := filepath.Join(mod, "cmd", "app")
	writeFile(t, filepath.Join(main, "main.go"), `package main

import (
	"context"
	"embed"
	"os"

	"example.com/app/internal/daemon"
)

//go:embed init
var initFiles embed.FS

type svc struct{}

func (svc) Run(ctx context.Context) error { <-ctx.Done(); return nil }

func main() {
	os.Exit(daemon.Main(daemon.Program{Name: "app", Service: svc{}, InitFiles: initFiles}, os.Args[1:]))
}
`)
	if _, stderr, code := daemongen(t, mod, "generate", "--init-files", "cmd/app"); code != 2 || !strings.Contains(stderr, "--init-files needs --name") {
		t.Errorf("generate --init-files without --name = exit %d, %q; want 2", code, stderr)
	}
	writeFile(t, filepath.Join(main, "init", "systemd", "app.service"), "# mine\n")
	stdout, stderr, code := daemongen(t, mod, "generate", "--name", "app", "--init-files", "cmd/app")
	if code != 0 || !strings.Contains(stdout, "wrote cmd/app/init/sysv/app (yours from now on)") || strings.Contains(stdout, "init/systemd/app.service") {
		t.Fatalf("generate --init-files = exit %d, %q %q; want the missing service files written, the existing one kept", code, stdout, stderr)
	}
	if data, _ := os.ReadFile(filepath.Join(main, "init", "systemd", "app.service")); string(data) != "# mine\n" {
		t.Errorf("generate overwrote the owner's app.service: %q", data)
	}
	if err := os.Remove(filepath.Join(main, "init", "sysv", "app")); err != nil {
		t.Fatal(err)
	}
	if stdout, _, code := daemongen(t, main, "generate"); code != 0 || !strings.Contains(stdout, "wrote init/sysv/app") {
		t.Errorf("a bare generate in cmd/app = exit %d, %q; want the remembered --init-files to write init/sysv/app again", code, stdout)
	}
	bin := filepath.Join(t.TempDir(), "app")
	goCommand(t, mod, "build", "-o", bin, "./cmd/app")
	out, err := exec.Command(bin, "install", "--init", "sysv", "--dry-run").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "/etc/init.d/app") {
		t.Errorf("app install --init sysv --dry-run = %v, %s; want it to plan /etc/init.d/app", err, out)
	}
}
