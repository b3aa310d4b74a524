package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/daemongen/daemongen/generator"
)

// TestMain runs the test binary as daemongen when DAEMONGEN_TEST_MAIN is 1,
// so that the CLI tests exercise main, exit statuses included, and as an
// HTTP load client with $DAEMONGEN_TEST_HTTPLOAD.
func TestMain(m *testing.M) {
	if addr := os.Getenv("DAEMONGEN_TEST_HTTPLOAD"); addr != "" {
		os.Exit(httpLoadMain(addr)) // httpload_test.go
	}
	if os.Getenv("DAEMONGEN_TEST_MAIN") == "1" {
		if v := os.Getenv("DAEMONGEN_TEST_VERSION"); v != "" { // as go run daemongen@v would build it
			buildInfo = func() (*debug.BuildInfo, bool) {
				return &debug.BuildInfo{Main: debug.Module{Path: "github.com/daemongen/daemongen", Version: v}}, true
			}
		}
		if n, err := strconv.Atoi(os.Getenv("DAEMONGEN_TEST_INTERRUPT_AT")); err == nil {
			testContext = func(ctx context.Context) context.Context { return &interruptAt{Context: ctx, n: n} }
		}
		main()
		return
	}
	os.Exit(m.Run())
}

// interruptAt is a context that, at the nth time its Err method is called,
// sends daemongen (this process) SIGINT and waits for the signal to cancel
// it: the writer asks Err before every directory, file and rename, so a run
// with n = 1, 2, ... is interrupted at each of those steps in turn, through
// the real signal handling.
type interruptAt struct {
	context.Context
	n     int
	calls atomic.Int64
}

func (c *interruptAt) Err() error {
	if c.calls.Add(1) == int64(c.n) {
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			p.Signal(os.Interrupt)
		}
		<-c.Context.Done()
	}
	return c.Context.Err()
}

// daemongen runs the test binary as daemongen with args in dir and returns
// its standard output, standard error and exit status.
func daemongen(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return daemongenEnv(t, dir, nil, args...)
}

// daemongenEnv is daemongen with env added to the environment. The
// developer's $GOWORK is not passed on (GOWORK= makes the go command and
// daemongen look for a go.work above dir), so no test edits it; a test of
// workspaces sets its own.
func daemongenEnv(t *testing.T, dir string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "DAEMONGEN_TEST_MAIN=1", "GOWORK="), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("daemongen %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

// wantNoLeftovers fails the test if any entry below dir has ".tmp-" in its
// name: a temporary file or directory of an unfinished write.
func wantNoLeftovers(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("temporary %s left behind", p)
		}
		return nil
	})
}

// dirSnapshot describes every entry below root by type, mode and content.
func dirSnapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	snap := make(map[string]string)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		snap[rel] = info.Mode().String()
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			snap[rel] += " " + string(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args       []string
		wantStderr []string
	}{
		{nil, []string{"daemongen: missing command\n", "COMMANDS:\n   new ", "   generate ", "   templates ", "GLOBAL OPTIONS:"}},
		{[]string{"frobnicate"}, []string{`daemongen: unknown command "frobnicate"`, "Run 'daemongen help'"}},
		{[]string{"help", "frobnicate"}, []string{"daemongen: no help topic for 'frobnicate'"}},
		{[]string{"--bogus"}, []string{"daemongen: flag provided but not defined: --bogus"}},
		{[]string{"help", "--bogus"}, []string{"daemongen: flag provided but not defined: --bogus"}},
		{[]string{"-bogus"}, []string{"daemongen: flag provided but not defined: -bogus"}},
		{[]string{"new"}, []string{"daemongen: missing NAME\n", "usage: daemongen new NAME [--module PATH]", "Run 'daemongen new --help'"}},
		{[]string{"new", "mysvc", "extra"}, []string{"daemongen: unexpected arguments after NAME: extra\n", "usage: daemongen new NAME"}},
		{[]string{"new", "--bogus", "mysvc"}, []string{"daemongen: flag provided but not defined: --bogus", "usage: daemongen new NAME"}},
		{[]string{"new", "mysvc", "--bogus"}, []string{"daemongen: flag provided but not defined: --bogus"}},
		{[]string{"new", "mysvc", "--module"}, []string{"daemongen: flag needs an argument: --module"}},
		{[]string{"new", "mysvc", "--dir", "--dry-run"}, []string{"daemongen: flag needs an argument: --dir"}},
		{[]string{"new", "mysvc", "--module", "-x", "--dir", "d"}, []string{"daemongen: flag needs an argument: --module"}},
		{[]string{"generate", "--dir", "--check"}, []string{"daemongen: flag needs an argument: --dir"}},
		{[]string{"new", "mysvc", "--replace", "main.go", "--force"}, []string{"daemongen: --replace main.go: name one of go.mod, service.go, service_test.go"}},
		{[]string{"new", "mysvc", "--replace", "go.mod"}, []string{"daemongen: --replace needs --force"}},
		{[]string{"new", "log"}, []string{`daemongen: invalid module "log": the standard library has packages under "log"`, "example.com/log"}},
		{[]string{"new", "toolchain"}, []string{`daemongen: invalid module "toolchain": the go command reserves "toolchain"`, "example.com/toolchain"}},
		{[]string{"new", "builtin"}, []string{`daemongen: invalid module "builtin": the standard library has packages under "builtin"`}},
		{[]string{"new", "con"}, []string{`daemongen: invalid name "con": reserved`}},
		{[]string{"new", "tool"}, []string{`daemongen: invalid name "tool": reserved`}},
		{[]string{"new", "My_Svc"}, []string{`daemongen: invalid name "My_Svc": use lowercase letters, digits and '-', starting with a letter (e.g. my-svc)`}},
		{[]string{"new", "1svc"}, []string{`daemongen: invalid name "1svc": use lowercase letters`}},
		{[]string{"new", "--", "-svc"}, []string{`daemongen: invalid name "-svc": use lowercase letters`}},
		{[]string{"new", "my.svc"}, []string{`daemongen: invalid name "my.svc": use lowercase letters`}},
		{[]string{"new", "mysvc-"}, []string{`daemongen: invalid name "mysvc-": put each '-' between letters or digits`}},
		{[]string{"new", "my--svc"}, []string{`daemongen: invalid name "my--svc": put each '-' between letters or digits`}},
		{[]string{"new", strings.Repeat("a", 33)}, []string{"33 characters long; use at most 32"}},
		{[]string{"new", "main"}, []string{`daemongen: invalid name "main": reserved`}},
		{[]string{"new", "go"}, []string{`daemongen: invalid name "go": reserved`}},
		{[]string{"new", "mysvc", "--module", "Example.com/mysvc"}, []string{`daemongen: invalid module "Example.com/mysvc": use a module path such as example.com/mysvc or mysvc: malformed module path`}},
		{[]string{"new", "mysvc", "--module", "example.com/my svc"}, []string{`daemongen: invalid module "example.com/my svc"`}},
		{[]string{"new", "mysvc", "--module=/mysvc"}, []string{`daemongen: invalid module "/mysvc"`}},
		{[]string{"version", "extra"}, []string{"daemongen: version takes no arguments"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			stdout, stderr, code := daemongen(t, dir, tt.args...)
			if code != 2 {
				t.Errorf("daemongen %q exit = %d; want 2", tt.args, code)
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("daemongen %q stderr = %q; want it to contain %q", tt.args, stderr, want)
				}
			}
			if !strings.HasPrefix(stderr, "daemongen: ") {
				t.Errorf("daemongen %q stderr = %q; want prefix %q", tt.args, stderr, "daemongen: ")
			}
			if stdout != "" {
				t.Errorf("daemongen %q stdout = %q; want nothing", tt.args, stdout)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("daemongen %q wrote %d entries; want none", tt.args, len(entries))
			}
		})
	}
}

func TestNew(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := daemongen(t, dir, "new", "mysvc", "--module", "example.com/mysvc")
	if code != 0 || stderr != "" {
		t.Fatalf("daemongen new = exit %d, stderr %q; want 0 and nothing", code, stderr)
	}
	var n int // the files new wrote, which its first line counts
	filepath.WalkDir(filepath.Join(dir, "mysvc"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	// The README's tour quotes that line.
	if data, _ := os.ReadFile("README.md"); !bytes.Contains(data, fmt.Appendf(nil, "wrote %d files into mysvc", n)) {
		t.Errorf("README.md does not quote new's first line, wrote %d files into mysvc", n)
	}
	for _, want := range []string{fmt.Sprintf("wrote %d files into mysvc\n", n), "\n  cd mysvc\n  go build -o mysvc\n  ./mysvc start\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("daemongen new stdout = %q; want it to contain %q", stdout, want)
		}
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "mysvc", "go.mod"))
	if err != nil || !strings.HasPrefix(string(gomod), "module example.com/mysvc\n") {
		t.Errorf("mysvc/go.mod = %q, %v; want module example.com/mysvc", gomod, err)
	}
}

func TestNewDir(t *testing.T) {
	dir := t.TempDir()
	_, stderr, code := daemongen(t, dir, "new", "--dir", "out/svc", "my-svc")
	if code != 0 {
		t.Fatalf("daemongen new --dir = exit %d, stderr %q; want 0", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "svc", "init", "systemd", "my-svc.service")); err != nil {
		t.Errorf("daemongen new --dir out/svc: %v", err)
	}
}

func TestNewNotEmpty(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "mysvc")
	if err := os.MkdirAll(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "main.go"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "notes.txt"), []byte("keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := dirSnapshot(t, dir)

	_, stderr, code := daemongen(t, dir, "new", "mysvc")
	want := "daemongen: target directory mysvc exists and is not empty (use --force to overwrite files daemongen writes)\n"
	if code != 1 || stderr != want {
		t.Errorf("daemongen new into non-empty dir = exit %d, stderr %q; want 1, %q", code, stderr, want)
	}
	if after := dirSnapshot(t, dir); !maps.Equal(after, before) {
		t.Errorf("daemongen new into non-empty dir changed it: %v; want %v", after, before)
	}

	_, stderr, code = daemongen(t, dir, "new", "mysvc", "--force")
	if code != 0 {
		t.Fatalf("daemongen new --force = exit %d, stderr %q; want 0", code, stderr)
	}
	if data, _ := os.ReadFile(filepath.Join(target, "notes.txt")); string(data) != "keep\n" {
		t.Errorf("after --force, notes.txt = %q; want %q", data, "keep\n")
	}
	if data, _ := os.ReadFile(filepath.Join(target, "main.go")); !strings.Contains(string(data), "package main") {
		t.Errorf("after --force, main.go = %q; want the generated main.go", data)
	}
}

// TestNewForceKeepsYours runs new --force over a project whose go.mod,
// service.go and service_test.go the user has edited: they stay unless
// --replace names them, and each file overwritten is printed as replaced.
func TestNewForceKeepsYours(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := daemongen(t, dir, "new", "mysvc"); code != 0 {
		t.Fatalf("daemongen new mysvc = exit %d, %s", code, stderr)
	}
	mine := map[string]string{
		"go.mod":          "module mysvc\n\ngo 1.23\n\nrequire example.com/dep v1.0.0\n",
		"service.go":      "package main // mine\n",
		"service_test.go": "package main // my test\n",
		"main.go":         "package main // edited\n",
	}
	for p, data := range mine {
		writeFile(t, filepath.Join(dir, "mysvc", p), data)
	}
	serve := filepath.Join(dir, "mysvc", "internal", "daemon", "serve.go")
	before, err := os.Stat(serve)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := daemongen(t, dir, "new", "mysvc", "--force")
	if code != 0 {
		t.Fatalf("daemongen new mysvc --force = exit %d, %s", code, stderr)
	}
	// Only main.go differs from what new writes: the rest is left alone.
	if after, err := os.Stat(serve); err != nil || !os.SameFile(before, after) {
		t.Errorf("daemongen new --force replaced the unchanged %s", serve)
	}
	for _, want := range []string{
		"wrote 1 file into mysvc (", " already current)\n", "replaced mysvc/main.go\n",
		"kept mysvc/go.mod (yours; --force --replace go.mod overwrites it)\n",
		"kept mysvc/service.go (yours", "kept mysvc/service_test.go (yours",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("daemongen new --force stdout = %q; want it to contain %q", stdout, want)
		}
	}
	if strings.Count(stdout, "replaced ") != 1 {
		t.Errorf("daemongen new --force over a whole project printed %q; want only main.go replaced", stdout)
	}
	for p, data := range mine {
		got, _ := os.ReadFile(filepath.Join(dir, "mysvc", p))
		if p != "main.go" && string(got) != data {
			t.Errorf("after new --force, %s = %q; want the user's %q", p, got, data)
		}
	}
	stdout, stderr, code = daemongen(t, dir, "new", "mysvc", "--force", "--replace", "service.go,service_test.go")
	if code != 0 || !strings.Contains(stdout, "replaced mysvc/service.go\n") || !strings.Contains(stdout, "replaced mysvc/service_test.go\n") || !strings.Contains(stdout, "kept mysvc/go.mod") {
		t.Errorf("daemongen new --force --replace service.go,service_test.go = exit %d, stdout %q, stderr %q; want both replaced and go.mod kept", code, stdout, stderr)
	}
}

// TestNewDryRunRefuses wants --dry-run to refuse, with the same exit status
// and message, every target the real run refuses, and to write nothing.
func TestNewDryRunRefuses(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup func(dir string)
		args  []string
	}{
		{"not empty", func(dir string) { writeFile(t, filepath.Join(dir, "mysvc", "notes.txt"), "mine\n") }, nil},
		{"symlink", func(dir string) { os.Symlink(t.TempDir(), filepath.Join(dir, "mysvc")) }, []string{"--force"}},
		{"file", func(dir string) { writeFile(t, filepath.Join(dir, "mysvc"), "mine\n") }, []string{"--force"}},
		{"symlink inside", func(dir string) {
			writeFile(t, filepath.Join(dir, "mysvc", "notes.txt"), "mine\n")
			os.Symlink(t.TempDir(), filepath.Join(dir, "mysvc", "internal"))
		}, []string{"--force"}},
		{"parent is a file", func(dir string) { writeFile(t, filepath.Join(dir, "a"), "mine\n") }, []string{"--dir", "a/b/mysvc"}},
	} {
		dir := t.TempDir()
		tt.setup(dir)
		before := dirSnapshot(t, dir)
		args := append([]string{"new", "mysvc"}, tt.args...)
		_, wantErr, wantCode := daemongen(t, dir, args...)
		stdout, stderr, code := daemongen(t, dir, append(args, "--dry-run")...)
		if wantCode == 0 || code != wantCode || stderr != wantErr || stdout != "" {
			t.Errorf("%s: daemongen %q --dry-run = exit %d, stdout %q, stderr %q; want as without --dry-run: exit %d (not 0), stderr %q", tt.name, args, code, stdout, stderr, wantCode, wantErr)
		}
		if after := dirSnapshot(t, dir); !maps.Equal(after, before) {
			t.Errorf("%s: daemongen %q changed %s", tt.name, args, dir)
		}
	}
}

func TestNewDryRun(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := daemongen(t, dir, "new", "mysvc", "--dry-run", "--module", "example.com/mysvc")
	if code != 0 || stderr != "" {
		t.Fatalf("daemongen new --dry-run = exit %d, stderr %q; want 0 and nothing", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) < 4 {
		t.Fatalf("daemongen new --dry-run printed %q; want a line per file", stdout)
	}
	for _, line := range lines {
		fields := strings.Fields(line)
		mode := "-rw-r--r--"
		if len(fields) == 3 && strings.HasPrefix(fields[2], "mysvc/init/") && !strings.Contains(fields[2], "systemd") && !strings.HasSuffix(fields[2], ".plist") {
			mode = "-rwxr-xr-x" // the init scripts
		}
		if len(fields) != 3 || fields[0] != mode || !strings.HasPrefix(fields[2], "mysvc/") {
			t.Errorf("daemongen new --dry-run line %q; want MODE SIZE mysvc/PATH", line)
		}
	}
	if !strings.Contains(stdout, " mysvc/main.go\n") {
		t.Errorf("daemongen new --dry-run = %q; want a line for mysvc/main.go", stdout)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("daemongen new --dry-run wrote %d entries; want none", len(entries))
	}
}

func TestNewSymlinkTarget(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(dir, "mysvc")); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := daemongen(t, dir, "new", "mysvc", "--force")
	if code != 1 || !strings.Contains(stderr, "write mysvc: target directory is a symlink") {
		t.Errorf("daemongen new into a symlink = exit %d, stderr %q; want 1 and a symlink error", code, stderr)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("daemongen new wrote %d entries through a symlink; want none", len(entries))
	}
}

func TestVersionAndHelp(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"version"}, []string{"daemongen version (devel)\n"}},
		{[]string{"--version"}, []string{"daemongen version (devel)\n"}},
		{[]string{"help"}, []string{"daemongen COMMAND [ARGS]", "new", "version", "daemongen new mysvc --module example.com/mysvc"}},
		{[]string{"--help"}, []string{"daemongen COMMAND [ARGS]"}},
		{[]string{"help", "new"}, []string{synopsis(t, "new"), "--module", "--dir", "--force", "--dry-run", "Example:"}},
		{[]string{"new", "--help"}, []string{synopsis(t, "new"), "Example:"}},
		{[]string{"version", "--help"}, []string{"daemongen version", "Example:"}},
		{[]string{"help"}, []string{"generate", "templates", "go run github.com/daemongen/daemongen@v1.2.3 generate"}},
		{[]string{"generate", "--help"}, []string{synopsis(t, "generate"), "--dir", "--pkg", "--name", "--templates", "--check", "--dry-run", "Example:"}},
		{[]string{"templates", "--help"}, []string{synopsis(t, "templates"), "list", "export", "Example:"}},
		{[]string{"templates", "export", "--help"}, []string{synopsis(t, "templates export"), "--force", "Example:"}},
		{[]string{"help", "new"}, []string{"--docker"}},
		{[]string{"completion", "--help"}, []string{synopsis(t, "completion"), "Example:"}},
		{[]string{"new", "mysvc", "--help"}, []string{synopsis(t, "new"), "Example:"}},
		{[]string{"new", "mysvc", "--dir", "d", "-h"}, []string{synopsis(t, "new"), "Example:"}},
		{[]string{"generate", "--dir", "x", "--help"}, []string{synopsis(t, "generate")}},
		{[]string{"help", "templates", "export"}, []string{synopsis(t, "templates export"), "--force"}},
		{[]string{"help", "templates", "list"}, []string{synopsis(t, "templates list"), "daemongen templates list"}},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		stdout, stderr, code := daemongen(t, dir, tt.args...)
		if code != 0 || stderr != "" {
			t.Errorf("daemongen %q = exit %d, stderr %q; want 0 and nothing", tt.args, code, stderr)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("daemongen %q wrote %v; want nothing", tt.args, entries)
		}
		if slices.Equal(tt.args[:min(len(tt.args), 2)], []string{"help", "templates"}) && len(tt.args) == 3 && strings.Contains(stdout, "list or export") {
			t.Errorf("daemongen %q shows the help of templates; want that of templates %s", tt.args, tt.args[2])
		}
		for _, want := range tt.want {
			if !strings.Contains(stdout, want) {
				t.Errorf("daemongen %q stdout = %q; want it to contain %q", tt.args, stdout, want)
			}
		}
	}
}

// TestHelpExamples wants an example in the help of every command.
func TestHelpExamples(t *testing.T) {
	for _, cmd := range newApp(nil, nil).Commands {
		if cmd.Name == "help" {
			continue
		}
		stdout, _, code := daemongen(t, t.TempDir(), "help", cmd.Name)
		_, example, _ := strings.Cut(stdout, "Example:")
		if code != 0 || !strings.Contains(example, "daemongen "+cmd.Name) {
			t.Errorf("daemongen help %s = exit %d, %q; want 0 and an example of daemongen %s", cmd.Name, code, stdout, cmd.Name)
		}
	}
}

func TestNewDocker(t *testing.T) {
	dir := t.TempDir()
	_, stderr, code := daemongen(t, dir, "new", "mysvc", "--docker")
	if code != 0 {
		t.Fatalf("daemongen new --docker = exit %d, stderr %q; want 0", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "mysvc", "Dockerfile"))
	if err != nil || !strings.Contains(string(data), `ENTRYPOINT ["/usr/local/bin/mysvc", "run"]`) {
		t.Errorf("mysvc/Dockerfile = %q, %v; want an entrypoint of mysvc run", data, err)
	}
	daemongen(t, dir, "new", "plain")
	if _, err := os.Stat(filepath.Join(dir, "plain", "Dockerfile")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("daemongen new without --docker: Stat(Dockerfile) = %v; want not exist", err)
	}
	if !strings.Contains(string(data), "FROM golang:"+generator.GoVersion+" AS build\n") {
		t.Errorf("mysvc/Dockerfile = %q; want the Go of its go line, %s", data, generator.GoVersion)
	}
	// Issue 22, item 6: at a module's root, whose go.mod new keeps, the
	// image's Go is that go.mod's.
	r2 := filepath.Join(dir, "r2")
	writeFile(t, filepath.Join(r2, "go.mod"), "module example.com/r2\n\ngo 1.25.0\n")
	if _, stderr, code := daemongen(t, r2, "new", "r2", "--dir", ".", "--force", "--docker"); code != 0 {
		t.Fatalf("daemongen new r2 --dir . --force --docker = exit %d, stderr %q; want 0", code, stderr)
	}
	if data, _ := os.ReadFile(filepath.Join(r2, "Dockerfile")); !strings.Contains(string(data), "FROM golang:1.25.0 AS build\n") {
		t.Errorf("r2/Dockerfile = %q; want FROM golang:1.25.0, the kept go.mod's go line", data)
	}
}

func TestCompletion(t *testing.T) {
	for shell, want := range map[string]string{
		"bash": "complete -o default -F _daemongen daemongen\n",
		"zsh":  "compdef _daemongen daemongen\n",
		"fish": "complete -c daemongen -n '__fish_seen_subcommand_from new' -f -l docker",
	} {
		stdout, stderr, code := daemongen(t, t.TempDir(), "completion", shell)
		if code != 0 || stderr != "" || !strings.Contains(stdout, want) {
			t.Errorf("daemongen completion %s = exit %d, stderr %q, stdout %q; want 0 and %q", shell, code, stderr, stdout, want)
		}
	}
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}} {
		_, stderr, code := daemongen(t, t.TempDir(), args...)
		if code != 2 || !strings.Contains(stderr, "usage: "+synopsis(t, "completion")+"\n") {
			t.Errorf("daemongen %q = exit %d, stderr %q; want 2 and the usage", args, code, stderr)
		}
	}
}

// shell returns the path of the shell name, skipping the test if it is not
// installed, or failing it under DAEMONGEN_REQUIRE_TOOLS=1 (as .ci/run
// sets, having installed it from Debian's package of the same name).
func shell(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if requireTools() {
			t.Fatalf("%s not installed (Debian package %s); DAEMONGEN_REQUIRE_TOOLS=1 requires it", name, name)
		}
		t.Skipf("%s not installed (Debian package %s)", name, name)
	}
	return p
}

// completionEnv returns an environment in which "daemongen" on PATH is the
// test binary standing in for daemongen.
func completionEnv(t *testing.T) []string {
	t.Helper()
	return append(os.Environ(), "DAEMONGEN_TEST_MAIN=1", "PATH="+daemongenDir(t)+string(os.PathListSeparator)+os.Getenv("PATH"), "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir())
}

// daemongenDir returns a new directory holding "daemongen", a symbolic link
// to the test binary, which runs as daemongen with DAEMONGEN_TEST_MAIN=1.
func daemongenDir(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.Symlink(exe, filepath.Join(bin, "daemongen")); err != nil {
		t.Fatal(err)
	}
	return bin
}

// completionCases are command lines, the last word the one being
// completed, and the completions every shell must offer for them.
var completionCases = []struct{ words, want string }{
	{`daemongen ""`, "completion generate help new templates update version"},
	{`daemongen n`, "new"},
	{`daemongen new --d`, "--dir --docker --dry-run"},
	{`daemongen generate --ch`, "--check"},
	{`daemongen completion ""`, "bash fish zsh"},
	{`daemongen completion f`, "fish"},
	{`daemongen templates ""`, "export list"},
}

// sortedWords returns the words of s sorted and without duplicates, and
// without cli's "h" alias of help.
func sortedWords(s string) string {
	words := slices.DeleteFunc(strings.Fields(s), func(w string) bool { return w == "h" })
	slices.Sort(words)
	return strings.Join(slices.Compact(words), " ")
}

// TestCompletionBash loads the bash script into a real bash and asks it to
// complete, with the test binary standing in for daemongen.
func TestCompletionBash(t *testing.T) {
	bash := shell(t, "bash")
	env := completionEnv(t)
	script, _, _ := daemongen(t, t.TempDir(), "completion", "bash")
	for _, tt := range append(completionCases, struct{ words, want string }{`daemongen new --`, "--dir --docker --dry-run --force --help --module --replace --socket --templates"}) {
		cmd := exec.Command(bash, "--norc", "-c", script+`
COMP_WORDS=(`+tt.words+`); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_daemongen; echo "${COMPREPLY[*]}"`)
		cmd.Env = env
		out, err := cmd.Output()
		if got := sortedWords(string(out)); err != nil || got != tt.want {
			t.Errorf("bash completion of %s = %q, %v; want %q", tt.words, got, err, tt.want)
		}
	}
}

// TestCompletionZsh loads the zsh script into a real zsh, with compsys's
// _describe and _files replaced by functions that print what they would
// offer (_describe's words that start with the current one), and asks it
// to complete.
func TestCompletionZsh(t *testing.T) {
	zsh := shell(t, "zsh")
	env := completionEnv(t)
	script, _, _ := daemongen(t, t.TempDir(), "completion", "zsh")
	for _, tt := range completionCases {
		cmd := exec.Command(zsh, "-f", "-c", `compdef() { : }
_describe() { local -a a; a=("${(@P)2}"); a=("${(@)a%%:*}"); print -l -- "${(@M)a:#${words[CURRENT]}*}" }
_files() { print -- FILES }
`+script+`
words=(`+tt.words+`); CURRENT=${#words}
_daemongen`)
		cmd.Env = env
		out, err := cmd.Output()
		if got := sortedWords(string(out)); err != nil || got != tt.want {
			t.Errorf("zsh completion of %s = %q, %v; want %q", tt.words, got, err, tt.want)
		}
	}
}

// TestCompletionFish loads the fish script into a real fish and asks it
// for the completions of each command line with complete -C.
func TestCompletionFish(t *testing.T) {
	fish := shell(t, "fish")
	env := completionEnv(t)
	script, _, _ := daemongen(t, t.TempDir(), "completion", "fish")
	f := filepath.Join(t.TempDir(), "daemongen.fish")
	writeFile(t, f, script)
	for _, tt := range completionCases {
		line := strings.ReplaceAll(tt.words, `""`, "")
		cmd := exec.Command(fish, "--no-config", "-c", "source "+f+"; complete -C '"+line+"' | cut -f1")
		cmd.Env = env
		out, err := cmd.Output()
		if got := sortedWords(string(out)); err != nil || got != tt.want {
			t.Errorf("fish completion of %s = %q, %v; want %q", line, got, err, tt.want)
		}
	}
	// A flag whose value is a directory completes file names.
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "somedir"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"daemongen new foo --dir s", "daemongen generate --dir s", "daemongen generate --templates s"} {
		cmd := exec.Command(fish, "--no-config", "-c", "source "+f+"; complete -C '"+line+"' | cut -f1")
		cmd.Env, cmd.Dir = env, dir
		out, err := cmd.Output()
		if got := strings.TrimSpace(string(out)); err != nil || got != "somedir/" {
			t.Errorf("fish completion of %s = %q, %v; want somedir/", line, got, err)
		}
	}
}

// TestCLIArgs runs the command lines cli v2 cannot take as they are
// through cliArgs: "!" starts a usage error, "-" means nothing is run.
func TestCLIArgs(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"daemongen", "daemongen"},
		{"daemongen version", "daemongen version --"},
		{"daemongen bogus a --x", "daemongen bogus a --x"},
		{"daemongen --version", "daemongen --version"},
		{"daemongen help --help", "daemongen --help"},
		{"daemongen -- new", "daemongen -- new"},
		{"daemongen --bogus", "!flag provided but not defined: --bogus"},
		{"daemongen -bogus", "!flag provided but not defined: -bogus"},
		{"daemongen new mysvc --module m --force", "daemongen new --module m --force -- mysvc"},
		{"daemongen new --dir=d mysvc --dry-run", "daemongen new --dir=d --dry-run -- mysvc"},
		{"daemongen new mysvc -- --force", "daemongen new -- mysvc --force"},
		{"daemongen new - mysvc", "daemongen new -- - mysvc"},
		{"daemongen new -module m mysvc", "daemongen new -module m -- mysvc"},
		{"daemongen new mysvc --bogus=1", "!flag provided but not defined: --bogus"},
		{"daemongen new mysvc --module", "!flag needs an argument: --module"},
		{"daemongen new mysvc --dir --dry-run", "!flag needs an argument: --dir"},
		{"daemongen new mysvc --dir=--dry-run", "daemongen new --dir=--dry-run -- mysvc"},
		{"daemongen templates export d --force", "daemongen templates export --force -- d"},
		{"daemongen generate --check --dir d", "daemongen generate --check --dir d --"},
		{"daemongen new mysvc --help", "daemongen new --help"},
		{"daemongen new --bogus mysvc --dir d -h", "daemongen new --help"},
		{"daemongen new mysvc -- --help", "daemongen new -- mysvc --help"},
		{"daemongen help", "daemongen help --"},
		{"daemongen help templates export", "daemongen templates export --help"},
		{"daemongen h new mysvc", "daemongen new --help"},
		{"daemongen help frobnicate", "!no help topic for 'frobnicate'"},
		{"daemongen help --bogus", "!flag provided but not defined: --bogus"},
		{"daemongen new mysvc --d --generate-bash-completion", "daemongen new mysvc --d --generate-bash-completion"},
		{"daemongen templates export -- d --generate-bash-completion", "-"},
	}
	for _, tt := range tests {
		args, err := cliArgs(newApp(nil, nil), strings.Fields(tt.in))
		got := strings.Join(args, " ")
		switch {
		case err != nil:
			got = "!" + err.Error()
		case args == nil:
			got = "-"
		}
		if got != tt.want {
			t.Errorf("cliArgs(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// Issue 22, item 5: TAB after "daemongen templates export -- " in real
// bash, zsh and fish, each script loaded as the user loads it, writes
// nothing into the working directory (cli would run the command there).
func TestCompletionWritesNothing(t *testing.T) {
	env := completionEnv(t)
	for name, complete := range map[string]string{
		"bash": `eval "$(daemongen completion bash)"; COMP_WORDS=(daemongen templates export -- ""); COMP_CWORD=4; _daemongen; true`,
		"zsh":  `compdef() { : }; _describe() { : }; _files() { : }; eval "$(daemongen completion zsh)"; words=(daemongen templates export -- ""); CURRENT=5; _daemongen; true`,
		"fish": `daemongen completion fish | source; complete -C 'daemongen templates export -- '`,
	} {
		sh := shell(t, name)
		args := map[string][]string{"bash": {"--norc", "-c"}, "zsh": {"-f", "-c"}, "fish": {"--no-config", "-c"}}[name]
		dir := t.TempDir()
		cmd := exec.Command(sh, append(args, complete)...)
		cmd.Env, cmd.Dir = env, dir
		out, err := cmd.CombinedOutput()
		if entries, _ := os.ReadDir(dir); err != nil || len(entries) != 0 {
			t.Errorf("%s: completing daemongen templates export -- wrote %v (%v, %q); want nothing", name, entries, err, out)
		}
	}
}

// TestCompletionRunsNothing asks for completions after "--", where cli
// would run the command instead: nothing may be written.
func TestCompletionRunsNothing(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := daemongen(t, dir, "templates", "export", "--", "--generate-bash-completion")
	if entries, _ := os.ReadDir(dir); code != 0 || stdout != "" || stderr != "" || len(entries) != 0 {
		t.Errorf("daemongen templates export -- --generate-bash-completion = exit %d, stdout %q, stderr %q, wrote %d entries; want 0 and nothing", code, stdout, stderr, len(entries))
	}
}

// synopsis returns the UsageText of the command named by names, such as
// "templates export", in daemongen's help.
func synopsis(t *testing.T, names string) string {
	t.Helper()
	cmd, n := findCommand(newApp(nil, nil), strings.Fields(names))
	if cmd == nil || n != len(strings.Fields(names)) {
		t.Fatalf("no command %q in daemongen's help", names)
	}
	return cmd.UsageText
}

// TestBudgets holds main.go and the README to their sizes: the manual is
// daemongen's help, and the README points to it.
func TestBudgets(t *testing.T) {
	for name, limit := range map[string]int{"main.go": 350, "README.md": 250} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(data, []byte("\n")); n > limit {
			t.Errorf("%s has %d lines; want at most %d", name, n, limit)
		}
	}
}

// writeFile writes data to path with mode 0644, creating its directory, or
// fails the test.
func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestNextStepsQuoteDir wants the printed "cd DIR" to be one shell word
// that a user can paste: cleaned, and quoted when DIR has spaces or $.
func TestNextStepsQuoteDir(t *testing.T) {
	for _, tt := range []struct{ dir, want string }{
		{"we ird/$HOME", `  cd 'we ird/$HOME'` + "\n"},
		{"it's", `  cd 'it'\''s'` + "\n"},
		{"./x/../y", "  cd y\n"},
		{"a/b-c_d.e", "  cd a/b-c_d.e\n"},
		{"./-y", "  cd ./-y\n"},
	} {
		work := t.TempDir()
		stdout, stderr, code := daemongen(t, work, "new", "mysvc", "--dir", tt.dir)
		if code != 0 || !strings.Contains(stdout, "\nnext:\n"+tt.want) {
			t.Errorf("daemongen new mysvc --dir %q = exit %d, stdout %q, stderr %q; want next steps starting %q", tt.dir, code, stdout, stderr, tt.want)
			continue
		}
		// The line works when pasted into a shell.
		sh := exec.Command("sh", "-c", strings.TrimSpace(tt.want)+" && test -f go.mod")
		sh.Dir = work
		if out, err := sh.CombinedOutput(); err != nil {
			t.Errorf("sh -c %q in %s: %v %s", strings.TrimSpace(tt.want), work, err, out)
		}
	}
}

// TestNewForceEdgeCases: with --force, the --socket example's own files are
// the user's too; files behind a symbolic link inside DIR are refused even
// when current; --dry-run lists what it would write and counts the rest.
func TestNewForceEdgeCases(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := daemongen(t, dir, "new", "websvc", "--socket", "127.0.0.1:8080"); code != 0 {
		t.Fatalf("daemongen new websvc --socket = exit %d, %s", code, stderr)
	}
	mine := "package main // mine\n"
	writeFile(t, filepath.Join(dir, "websvc", "httpservice.go"), mine)
	stdout, stderr, code := daemongen(t, dir, "new", "websvc", "--socket", "127.0.0.1:8080", "--force")
	if got, _ := os.ReadFile(filepath.Join(dir, "websvc", "httpservice.go")); code != 0 || string(got) != mine ||
		!strings.Contains(stdout, "kept websvc/httpservice.go (yours") || !strings.Contains(stdout, "kept websvc/httpservice_test.go (yours") {
		t.Errorf("daemongen new --socket --force over an edited httpservice.go = exit %d, stdout %q, stderr %q, httpservice.go %q; want it and its test kept", code, stdout, stderr, got)
	}
	os.Remove(filepath.Join(dir, "websvc", "httpservice_test.go"))
	if stdout, _, _ := daemongen(t, dir, "new", "websvc", "--socket", "127.0.0.1:8080", "--force"); !strings.Contains(stdout, "skipped websvc/httpservice_test.go (it tests the example httpservice.go") {
		t.Errorf("daemongen new --socket --force with httpservice.go kept and its test gone printed %q; want the test skipped", stdout)
	}

	stdout, _, code = daemongen(t, dir, "new", "websvc", "--socket", "127.0.0.1:8080", "--force", "--dry-run")
	if code != 0 || !strings.HasPrefix(stdout, "(") || !strings.Contains(stdout, " files already current)\n") || strings.Contains(stdout, "-rw") {
		t.Errorf("daemongen new --force --dry-run over a current project printed %q; want no file listed and the count of current ones", stdout)
	}

	// internal/ becomes a symbolic link to an identical copy.
	proj := filepath.Join(dir, "websvc")
	if err := os.Rename(filepath.Join(proj, "internal"), filepath.Join(dir, "internal-copy")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "internal-copy"), filepath.Join(proj, "internal")); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = daemongen(t, dir, "new", "websvc", "--socket", "127.0.0.1:8080", "--force")
	if code != 1 || !strings.Contains(stderr, "symlink") {
		t.Errorf("daemongen new --force with internal/ a symlink = exit %d, stderr %q; want exit 1, refusing the symlink", code, stderr)
	}
}
