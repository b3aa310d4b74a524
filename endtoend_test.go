//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/daemongen/daemongen/internal/await"

	"github.com/daemongen/daemongen/generator"
)

// TestNewBuilds runs "daemongen new my-svc" as a user would and builds the
// result, a binary my-svc: a NAME with a dash, in string literals and file
// names, and a module path without a dot. (TestStartStop does the same for
// "new mysvc --module example.com/mysvc", golden/mysvc's command, and runs
// the binary.)
func TestNewBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated project; skipped with -short")
	}
	t.Parallel()
	dir := t.TempDir()
	args := []string{"new", "my-svc"}
	name := args[1]
	_, stderr, code := daemongen(t, dir, args...)
	if code != 0 {
		t.Fatalf("daemongen %q = exit %d, stderr %q; want 0", args, code, stderr)
	}
	project := filepath.Join(dir, name)
	goCommand(t, project, "build")
	info, err := os.Stat(filepath.Join(project, name))
	if err != nil {
		t.Fatalf("after go build in %s: %v", project, err)
	}
	if info.Mode()&0o111 == 0 {
		t.Errorf("go build in %s made %s with mode %v; want an executable", project, name, info.Mode())
	}
}

// builtProject skips with -short; otherwise it writes the project mysvc
// into a new directory dir, builds it in project, and names a pidfile and a
// log in dir. The test runs in parallel.
func builtProject(t *testing.T) (dir, project, pidfile, logfile string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a generated project; skipped with -short")
	}
	t.Parallel()
	dir = t.TempDir()
	if _, stderr, code := daemongen(t, dir, "new", "mysvc", "--module", "example.com/mysvc"); code != 0 {
		t.Fatalf("daemongen new = exit %d, stderr %q; want 0", code, stderr)
	}
	project = filepath.Join(dir, "mysvc")
	goCommand(t, project, "build")
	return dir, project, filepath.Join(dir, "mysvc.pid"), filepath.Join(dir, "mysvc.log")
}

// TestStartStop generates a project, builds it, and drives the daemon
// through start, status and stop, as a user would.
func TestStartStop(t *testing.T) {
	_, project, pidfile, logfile := builtProject(t)
	svc := func(action string, want int) string {
		t.Helper()
		cmd := exec.Command(filepath.Join(project, "mysvc"), action, "--pidfile", pidfile, "--log", logfile)
		out, err := cmd.CombinedOutput()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatalf("mysvc %s: %v", action, err)
		}
		if code != want {
			t.Fatalf("mysvc %s = exit %d, output %q; want exit %d", action, code, out, want)
		}
		return string(out)
	}
	t.Cleanup(func() { exec.Command(filepath.Join(project, "mysvc"), "stop", "--pidfile", pidfile).Run() })

	svc("status", 3)
	out := svc("start", 0)
	data, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatalf("pidfile after start: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSuffix(string(data), "\n"))
	if err != nil || out != fmt.Sprintf("mysvc started (pid %d)\n", pid) {
		t.Fatalf("start printed %q, pidfile %q; want \"mysvc started (pid N)\" and N\\n", out, data)
	}
	if !locked(pidfile) {
		t.Fatal("pidfile is not locked while the daemon runs")
	}
	if log, _ := os.ReadFile(logfile); !strings.Contains(string(log), fmt.Sprintf("mysvc started with pid %d", pid)) {
		t.Fatalf("log when start returned = %q; want the service's first line", log)
	}
	if out := svc("status", 0); out != fmt.Sprintf("mysvc running (pid %d)\n", pid) {
		t.Fatalf("status printed %q", out)
	}
	svc("stop", 0)
	if locked(pidfile) {
		t.Fatal("stop returned while the daemon still holds its pidfile")
	}
	if _, err := os.Stat(pidfile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("pidfile after stop: %v; want it removed", err)
	}
	svc("status", 3)
	if log, _ := os.ReadFile(logfile); !strings.Contains(string(log), "mysvc stopping") {
		t.Fatalf("log after stop = %q; want the service's last line", log)
	}
}

// TestConfigReload builds a generated project and drives its example
// --config FILE: given relative to the operator's directory, it reaches the
// daemon; a bad file makes start fail with the parse error, and reload exit
// 1 with it while the daemon keeps the old configuration.
func TestConfigReload(t *testing.T) {
	dir, project, pidfile, logfile := builtProject(t)
	svc := func(want int, text string, args ...string) {
		t.Helper()
		cmd := exec.Command(filepath.Join(project, "mysvc"), append(args, "--pidfile", pidfile, "--log", logfile)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatalf("mysvc %q: %v", args, err)
		}
		if code != want || !strings.Contains(string(out), text) {
			t.Fatalf("mysvc %q = exit %d, output %q; want exit %d and %q", args, code, out, want, text)
		}
	}
	t.Cleanup(func() { exec.Command(filepath.Join(project, "mysvc"), "stop", "--pidfile", pidfile).Run() })
	conf := filepath.Join(dir, "mysvc.conf")
	writeFile(t, conf, "heartbeat = 1x\n")
	svc(1, "init: parse config "+conf+":1: heartbeat \"1x\"", "start", "--config", "mysvc.conf")
	writeFile(t, conf, "heartbeat = 20ms\n")
	svc(0, "mysvc started", "start", "--config", "mysvc.conf")
	writeFile(t, conf, "heartbeat = 1h\nhartbeat = 1s\n")
	svc(1, `mysvc: reload: parse config `+conf+`:2: unknown key "hartbeat"`, "reload")
	svc(0, "mysvc running", "status")
	count := func() int {
		data, _ := os.ReadFile(logfile)
		return strings.Count(string(data), "heartbeat ")
	}
	// The old 20ms heartbeat goes on.
	n := count()
	await.For(t, "heartbeats after the failed reload, from the old configuration", func() bool { return count() >= n+3 })
	writeFile(t, conf, "heartbeat = 1h\n")
	svc(0, "mysvc reloaded", "reload")
	svc(0, "mysvc stopped", "stop")
	if data, _ := os.ReadFile(logfile); !strings.Contains(string(data), "mysvc reloaded "+conf) {
		t.Fatalf("log %q; want the reload of %s", data, conf)
	}
}

// locked reports whether a process holds a lock on the file at path.
func locked(path string) bool {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer syscall.Close(fd)
	return syscall.Flock(fd, syscall.LOCK_SH|syscall.LOCK_NB) != nil
}

// TestGoGenerate puts daemongen on PATH and runs "go generate ./..." in a
// module whose main.go has "//go:generate daemongen generate" and no daemon
// package yet: it writes exactly what the golden case generate-app writes,
// which TestGoldenCases builds, vets and checks with --check, and a second
// go generate writes nothing.
func TestGoGenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command; skipped with -short")
	}
	t.Parallel()
	dir := t.TempDir()
	gc := caseByName(t, "generate-app")
	for p, data := range gc.in {
		writeFile(t, filepath.Join(dir, p), string(data))
	}
	// daemongen is the test binary, as in the CLI tests (see TestMain).
	env := []string{"DAEMONGEN_TEST_MAIN=1", "GOWORK=", "PATH=" + daemongenDir(t) + string(os.PathListSeparator) + os.Getenv("PATH")}
	goCommandEnv(t, dir, env, "generate", "./...")
	// What go generate wrote is what the golden case's daemongen generate
	// writes.
	_, _, written := gc.run(t)
	var want []generator.File
	for p, data := range written {
		want = append(want, generator.File{Path: p, Mode: 0o644, Data: data})
	}
	for p, data := range gc.in {
		want = append(want, generator.File{Path: p, Mode: 0o644, Data: data})
	}
	compareTree(t, dir, want)
	if out := goCommandEnv(t, dir, env, "generate", "./..."); len(out) != 0 {
		t.Errorf("second go generate printed %q; want nothing", out)
	}
}

// noGOWORK is the environment of daemongen in the tests of new in a module
// or workspace: without a GOWORK of the test's own environment, daemongen
// finds the go.work the test writes, or none.
var noGOWORK = []string{"GOWORK="}

// TestNewInModule runs "daemongen new --dir" inside an existing module: the
// project is a nested module named after its place, and builds there.
func TestNewInModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated project; skipped with -short")
	}
	t.Parallel()
	repo := t.TempDir()
	writeFile(t, filepath.Join(repo, "go.mod"), "module example.com/repo\n\ngo 1.22\n")
	stdout, stderr, code := daemongenEnv(t, repo, noGOWORK, "new", "mysvc", "--dir", "services/mysvc")
	if code != 0 {
		t.Fatalf("daemongen new --dir in a module = exit %d, stderr %q; want 0", code, stderr)
	}
	if strings.Contains(stdout, "go.work") {
		t.Errorf("daemongen new outside a workspace mentions go.work: %q", stdout)
	}
	project := filepath.Join(repo, "services", "mysvc")
	if data, _ := os.ReadFile(filepath.Join(project, "go.mod")); !strings.HasPrefix(string(data), "module example.com/repo/services/mysvc\n") {
		t.Errorf("nested go.mod = %q; want module example.com/repo/services/mysvc", data)
	}
	goCommand(t, project, "build", "./...")
	if _, _, code := daemongenEnv(t, project, noGOWORK, "generate", "--check"); code != 0 {
		t.Errorf("daemongen generate --check in the new nested project = exit %d; want 0", code)
	}
}

// TestNewInWorkspace runs "daemongen new --dir" inside a go.work workspace:
// new adds the project to the workspace, which then builds it from the
// project and from the workspace root.
func TestNewInWorkspace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated project; skipped with -short")
	}
	t.Parallel()
	repo := t.TempDir()
	for name, data := range map[string]string{
		"go.mod":  "module example.com/repo\n\ngo 1.22\n",
		"go.work": "go 1.22\n\nuse .\n",
		"lib.go":  "package repo\n",
	} {
		writeFile(t, filepath.Join(repo, name), data)
	}
	work := filepath.Join(repo, "go.work")
	stdout, stderr, code := daemongenEnv(t, repo, noGOWORK, "new", "mysvc", "--dir", "services/mysvc")
	if code != 0 {
		t.Fatalf("daemongen new --dir in a workspace = exit %d, stderr %q; want 0", code, stderr)
	}
	if want := "added services/mysvc to the use directives of " + work + ", raising its go line from 1.22 to 1.23\n"; !strings.Contains(stdout, want) {
		t.Errorf("daemongen new in a workspace stdout = %q; want %q", stdout, want)
	}
	data, _ := os.ReadFile(work)
	if !strings.Contains(string(data), "./services/mysvc") {
		t.Errorf("go.work after new = %q; want a use of ./services/mysvc", data)
	}
	env := []string{"GOWORK=" + work, "GOFLAGS=-trimpath"} // -mod=mod is not allowed in workspace mode
	goCommandEnv(t, filepath.Join(repo, "services", "mysvc"), env, "build", "./...")
	goCommandEnv(t, repo, env, "build", "./...", "example.com/repo/services/mysvc/...")

	// A second project in the same place is refused; the workspace is
	// not touched again.
	if _, _, code := daemongenEnv(t, repo, noGOWORK, "new", "mysvc", "--dir", "services/mysvc"); code != 1 {
		t.Errorf("daemongen new into the existing project = exit %d; want 1", code)
	}
	if again, _ := os.ReadFile(work); string(again) != string(data) {
		t.Errorf("go.work changed by a refused new: %q; was %q", again, data)
	}
}
