package main

import (
	"bytes"
	"errors"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain runs the test binary as daemongen when DAEMONGEN_TEST_MAIN is 1,
// so that the CLI tests exercise main, exit statuses included.
func TestMain(m *testing.M) {
	if os.Getenv("DAEMONGEN_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// daemongen runs the test binary as daemongen with args in dir and returns
// its standard output, standard error and exit status.
func daemongen(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DAEMONGEN_TEST_MAIN=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("daemongen %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
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
		{nil, []string{"daemongen: missing command\n", "Run 'daemongen help'"}},
		{[]string{"frobnicate"}, []string{`daemongen: unknown command "frobnicate"`, "Run 'daemongen help'"}},
		{[]string{"help", "frobnicate"}, []string{"daemongen: no help topic for 'frobnicate'"}},
		{[]string{"--bogus"}, []string{"daemongen: flag provided but not defined: -bogus"}},
		{[]string{"new"}, []string{"daemongen: missing NAME\n", "usage: daemongen new NAME [--module PATH]", "Run 'daemongen new --help'"}},
		{[]string{"new", "mysvc", "extra"}, []string{"daemongen: unexpected arguments after NAME: extra\n", "usage: daemongen new NAME"}},
		{[]string{"new", "--bogus", "mysvc"}, []string{"daemongen: flag provided but not defined: -bogus", "usage: daemongen new NAME"}},
		{[]string{"new", "mysvc", "--bogus"}, []string{"daemongen: flag provided but not defined: -bogus"}},
		{[]string{"new", "mysvc", "--module"}, []string{"daemongen: flag needs an argument: -module"}},
		{[]string{"new", "My_Svc"}, []string{`daemongen: invalid name "My_Svc": use lowercase letters, digits and '-', starting with a letter (e.g. my-svc)`}},
		{[]string{"new", "1svc"}, []string{`daemongen: invalid name "1svc": use lowercase letters`}},
		{[]string{"new", "--", "-svc"}, []string{`daemongen: invalid name "-svc": use lowercase letters`}},
		{[]string{"new", "my.svc"}, []string{`daemongen: invalid name "my.svc": use lowercase letters`}},
		{[]string{"new", "mysvc-"}, []string{`daemongen: invalid name "mysvc-": put each '-' between letters or digits`}},
		{[]string{"new", "my--svc"}, []string{`daemongen: invalid name "my--svc": put each '-' between letters or digits`}},
		{[]string{"new", strings.Repeat("a", 65)}, []string{"65 characters long; use at most 64"}},
		{[]string{"new", "main"}, []string{`daemongen: invalid name "main": reserved by Go`}},
		{[]string{"new", "go"}, []string{`daemongen: invalid name "go": reserved by Go`}},
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
	for _, want := range []string{"wrote mysvc/go.mod\n", "wrote mysvc/main.go\n", "wrote mysvc/internal/daemon/pidfile_unix.go\n", "\n  cd mysvc\n  go build\n  ./mysvc start\n"} {
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
		{[]string{"help", "new"}, []string{newUsage, "--module", "--dir", "--force", "--dry-run", "Example:"}},
		{[]string{"new", "--help"}, []string{newUsage, "Example:"}},
		{[]string{"version", "--help"}, []string{"daemongen version", "Example:"}},
		{[]string{"help"}, []string{"generate", "templates", "//go:generate go run github.com/daemongen/daemongen@latest generate"}},
		{[]string{"generate", "--help"}, []string{generateUsage, "--dir", "--pkg", "--name", "--templates", "--check", "--dry-run", "Example:"}},
		{[]string{"templates", "--help"}, []string{listUsage, exportUsage, "Example:"}},
		{[]string{"templates", "export", "--help"}, []string{exportUsage, "--force", "Example:"}},
		{[]string{"help", "new"}, []string{"--docker"}},
		{[]string{"completion", "--help"}, []string{completionUsage, "Example:"}},
	}
	for _, tt := range tests {
		stdout, stderr, code := daemongen(t, t.TempDir(), tt.args...)
		if code != 0 || stderr != "" {
			t.Errorf("daemongen %q = exit %d, stderr %q; want 0 and nothing", tt.args, code, stderr)
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
	stdout, stderr, code := daemongen(t, dir, "new", "mysvc", "--docker")
	if code != 0 {
		t.Fatalf("daemongen new --docker = exit %d, stderr %q; want 0", code, stderr)
	}
	if !strings.Contains(stdout, "wrote mysvc/Dockerfile\n") {
		t.Errorf("daemongen new --docker stdout = %q; want it to list mysvc/Dockerfile", stdout)
	}
	data, err := os.ReadFile(filepath.Join(dir, "mysvc", "Dockerfile"))
	if err != nil || !strings.Contains(string(data), `ENTRYPOINT ["/usr/local/bin/mysvc", "run"]`) {
		t.Errorf("mysvc/Dockerfile = %q, %v; want an entrypoint of mysvc run", data, err)
	}
	daemongen(t, dir, "new", "plain")
	if _, err := os.Stat(filepath.Join(dir, "plain", "Dockerfile")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("daemongen new without --docker: Stat(Dockerfile) = %v; want not exist", err)
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
		if code != 2 || !strings.Contains(stderr, "usage: "+completionUsage+"\n") {
			t.Errorf("daemongen %q = exit %d, stderr %q; want 2 and the usage", args, code, stderr)
		}
	}
}

// TestCompletionBash loads the bash script into a real bash and asks it to
// complete, with the test binary standing in for daemongen.
func TestCompletionBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script, _, _ := daemongen(t, t.TempDir(), "completion", "bash")
	for _, tt := range []struct{ words, want string }{
		{`"" ""`, "new generate templates version completion help h"},
		{`"" n`, "new"},
		{`"" new --d`, "--dir --dry-run --docker"},
		{`"" new --`, "--module --dir --templates --force --dry-run --docker --help"},
		{`"" completion f`, "fish"},
	} {
		cmd := exec.Command(bash, "--norc", "-c", script+`
COMP_WORDS=(`+tt.words+`); COMP_WORDS[0]="$EXE"; COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_daemongen; echo "${COMPREPLY[*]}"`)
		cmd.Env = append(os.Environ(), "DAEMONGEN_TEST_MAIN=1", "EXE="+exe)
		out, err := cmd.Output()
		if got := strings.TrimSpace(string(out)); err != nil || got != tt.want {
			t.Errorf("bash completion of %s = %q, %v; want %q", tt.words, got, err, tt.want)
		}
	}
}

func TestReorderArgs(t *testing.T) {
	app := newApp(nil, nil)
	tests := []struct {
		in, want string
	}{
		{"daemongen", "daemongen"},
		{"daemongen version", "daemongen version --"},
		{"daemongen bogus a --x", "daemongen bogus a --x"},
		{"daemongen new mysvc --module m --force", "daemongen new --module m --force -- mysvc"},
		{"daemongen new --dir=d mysvc --dry-run", "daemongen new --dir=d --dry-run -- mysvc"},
		{"daemongen new mysvc -- --force", "daemongen new -- mysvc --force"},
		{"daemongen new mysvc --module", "daemongen new --module"},
		{"daemongen new mysvc --force --dir", "daemongen new --force --dir"},
		{"daemongen new - mysvc", "daemongen new -- - mysvc"},
		{"daemongen templates export d --force", "daemongen templates export --force -- d"},
		{"daemongen generate --check --dir d", "daemongen generate --check --dir d --"},
		{"daemongen new mysvc --d --generate-bash-completion", "daemongen new mysvc --d --generate-bash-completion"},
	}
	for _, tt := range tests {
		got := strings.Join(reorderArgs(app, strings.Fields(tt.in)), " ")
		if got != tt.want {
			t.Errorf("reorderArgs(%q) = %q; want %q", tt.in, got, tt.want)
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
