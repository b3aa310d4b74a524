package main

// These tests run a generated project under the real programs operators
// put around a daemon: systemd-analyze (Debian package systemd), logrotate,
// start-stop-daemon (dpkg), make and staticcheck. They are of the
// integration tier (see integration), all but TestRunNotify, which needs
// nothing but Go. A missing program skips its test, unless
// DAEMONGEN_REQUIRE_TOOLS=1 (set by .ci/run, which installs them): then the
// test fails, so CI cannot pass by skipping.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daemongen/daemongen/internal/await"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/templates"
)

// staticcheckVersion is the staticcheck release the golden projects must
// pass: 2026.2.2, which knows Go 1.26.
const staticcheckVersion = "v0.8.2"

// needTool returns the path of the program name, from the Debian package
// pkg, or skips the test (fails it under DAEMONGEN_REQUIRE_TOOLS=1) if it
// is not installed.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	if testing.Short() {
		t.Skipf("runs %s on a generated project; skipped with -short", name)
	}
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if requireTools() {
		t.Fatalf("%s is not installed and DAEMONGEN_REQUIRE_TOOLS=1: install it (apt-get install %s)", name, pkg)
	}
	t.Skipf("%s is not installed (Debian package %s); skipping. CI installs it and sets DAEMONGEN_REQUIRE_TOOLS=1", name, pkg)
	return ""
}

// buildProject renders the project mysvc (module example.com/mysvc) into a
// temporary directory and builds it. It returns the project directory and
// the binary.
func buildProject(t *testing.T) (project, bin string) {
	t.Helper()
	cfg := generator.Config{Name: "mysvc", Module: "example.com/mysvc"}
	files, err := generator.Render(cfg, templates.FS)
	if err != nil {
		t.Fatalf("Render(%+v) = %v", cfg, err)
	}
	project = filepath.Join(t.TempDir(), "mysvc")
	if _, err := generator.Write(context.Background(), project, files, generator.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	goCommand(t, project, "build")
	return project, filepath.Join(project, "mysvc")
}

// rewrite returns the file at path with each old string replaced by its
// new one, and fails the test if one is not there.
func rewrite(t *testing.T, path string, oldnew ...string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for i := 0; i < len(oldnew); i += 2 {
		if !strings.Contains(s, oldnew[i]) {
			t.Fatalf("%s lacks %q:\n%s", path, oldnew[i], s)
		}
		s = strings.ReplaceAll(s, oldnew[i], oldnew[i+1])
	}
	return s
}

// runCode runs cmd and returns its combined output and exit status.
func runCode(t *testing.T, cmd *exec.Cmd) (string, int) {
	t.Helper()
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s: %v", strings.Join(cmd.Args, " "), err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// svcCommand returns a command that runs the generated binary with args
// and the environment variables env added.
func svcCommand(bin string, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// TestSystemdAnalyzeVerify wants systemd-analyze verify to print nothing for
// the generated unit, with ExecStart pointing at the built binary (verify
// checks that the program exists and is executable).
func TestSystemdAnalyzeVerify(t *testing.T) {
	integration(t)
	sa := needTool(t, "systemd-analyze", "systemd")
	project, bin := buildProject(t)
	unit := rewrite(t, filepath.Join(project, "init/systemd/mysvc.service"), "ExecStart=/usr/local/bin/mysvc run", "ExecStart="+bin+" run",
		"ExecReload=/usr/local/bin/mysvc reload", "ExecReload="+bin+" reload", "ExecStop=/usr/local/bin/mysvc stop", "ExecStop="+bin+" stop")
	for _, want := range []string{"Type=notify", "ExecReload=" + bin + " reload --timeout 80s", "WatchdogSec=30s", "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "Restart=on-failure"} {
		if !strings.Contains(unit, want+"\n") {
			t.Errorf("mysvc.service lacks %s", want)
		}
	}
	verify := func(unit string) (string, int) {
		t.Helper()
		path := filepath.Join(t.TempDir(), "mysvc.service")
		if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
			t.Fatal(err)
		}
		return runCode(t, exec.Command(sa, "verify", path))
	}
	out, code := verify(unit)
	if code != 0 || out != "" {
		t.Fatalf("systemd-analyze verify mysvc.service = exit %d, output:\n%s\nwant exit 0 and no output", code, out)
	}
	t.Logf("systemd-analyze verify mysvc.service: exit 0, no output")

	// verify exits 0 on a bad key too: the check must be of its output.
	bad := strings.Replace(unit, "[Service]\n", "[Service]\nRestartEvery=1s\n", 1)
	if out, _ := verify(bad); !strings.Contains(out, "RestartEvery") {
		t.Errorf("systemd-analyze verify of a unit with a bad key printed %q; want a warning naming it", out)
	}
}

// heartbeats returns the numbers of the heartbeat lines in the log at path.
func heartbeats(t *testing.T, path string) []int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ns []int
	for _, m := range regexp.MustCompile(`(?m) heartbeat (\d+)$`).FindAllStringSubmatch(string(data), -1) {
		n, _ := strconv.Atoi(m[1])
		ns = append(ns, n)
	}
	return ns
}

// TestLogrotate rotates a running daemon's log with logrotate and the
// generated configuration, its paths moved into a temporary directory, and
// wants every heartbeat in the old or the new file, in order, none lost,
// and the lines after the rotation in the new file.
func TestLogrotate(t *testing.T) {
	integration(t)
	lr := needTool(t, "logrotate", "logrotate")
	project, bin := buildProject(t)
	dir := t.TempDir()
	logfile, pidfile := filepath.Join(dir, "mysvc.log"), filepath.Join(dir, "mysvc.pid")
	conf := rewrite(t, filepath.Join(project, "mysvc.logrotate"),
		"/var/log/mysvc.log", logfile,
		"/usr/local/bin/mysvc reopen", bin+" reopen")
	confPath := filepath.Join(dir, "logrotate.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"MYSVC_PIDFILE=" + pidfile, "MYSVC_LOG=" + logfile, "MYSVC_HEARTBEAT=5ms"}
	if out, code := runCode(t, svcCommand(bin, env, "start")); code != 0 {
		t.Fatalf("mysvc start = exit %d, %q", code, out)
	}
	t.Cleanup(func() { svcCommand(bin, env, "stop").Run() })
	await.For(t, "20 heartbeats before the rotation", func() bool { return len(heartbeats(t, logfile)) >= 20 })

	// postrotate runs "mysvc reopen", which finds the daemon through
	// MYSVC_PIDFILE in logrotate's environment.
	cmd := exec.Command(lr, "-v", "-f", "-s", filepath.Join(dir, "state"), confPath)
	cmd.Env = append(os.Environ(), env...)
	out, code := runCode(t, cmd)
	if code != 0 {
		t.Fatalf("logrotate -f = exit %d:\n%s", code, out)
	}
	t.Logf("logrotate -v -f -s STATE CONFIG: exit 0\n%s", out)
	rotated := logfile + ".1" // delaycompress: the first rotation is not compressed
	await.For(t, "20 heartbeats after the rotation", func() bool {
		_, err := os.Stat(logfile)
		return err == nil && len(heartbeats(t, logfile)) >= 20
	})
	if out, code := runCode(t, svcCommand(bin, env, "stop")); code != 0 {
		t.Fatalf("mysvc stop = exit %d, %q", code, out)
	}

	old, cur := heartbeats(t, rotated), heartbeats(t, logfile)
	all := append(append([]int{}, old...), cur...)
	for i, n := range all {
		if n != i+1 {
			t.Fatalf("heartbeats across the rotation: old file %v, new file %v; want 1, 2, 3, ... with no gap or repeat", old, cur)
		}
	}
	if data, _ := os.ReadFile(logfile); !strings.Contains(string(data), "reopened log "+logfile) {
		t.Errorf("new log lacks the reopen line:\n%s", data)
	}
	t.Logf("heartbeats 1-%d in %s, %d-%d in %s: none lost", len(old), filepath.Base(rotated), len(old)+1, len(all), filepath.Base(logfile))
}

// setSubreaper makes this process the reaper of orphaned descendants until
// the test ends, so that a stopped daemon is reaped even where process 1
// does not reap: start-stop-daemon, unlike the daemon's own commands, takes
// a zombie for a running process.
func setSubreaper(t *testing.T) {
	t.Helper()
	const prSetChildSubreaper = 36
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); e != 0 {
		t.Fatalf("prctl(PR_SET_CHILD_SUBREAPER): %v", e)
	}
	t.Cleanup(func() { syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 0, 0) })
}

// reap waits, in the background, for the daemon pid to become this
// process's child and then for it to exit.
func reap(pid int) {
	go func() {
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
			var ws syscall.WaitStatus
			_, err := syscall.Wait4(pid, &ws, 0, nil)
			switch {
			case err == nil:
				return
			case errors.Is(err, syscall.ECHILD): // not reparented to us yet
				time.Sleep(10 * time.Millisecond)
			case !errors.Is(err, syscall.EINTR):
				return
			}
		}
	}()
}

// TestStartStopDaemon wants start-stop-daemon and mysvc status to agree,
// and start-stop-daemon --stop --retry to stop the daemon and leave no
// pidfile.
func TestStartStopDaemon(t *testing.T) {
	integration(t)
	ssd := needTool(t, "start-stop-daemon", "dpkg")
	_, bin := buildProject(t)
	setSubreaper(t)
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "mysvc.pid")
	env := []string{"MYSVC_PIDFILE=" + pidfile, "MYSVC_LOG=" + filepath.Join(dir, "mysvc.log")}
	agree := func(when string, want int) {
		t.Helper()
		ssdOut, ssdCode := runCode(t, exec.Command(ssd, "--status", "--pidfile", pidfile))
		svcOut, svcCode := runCode(t, svcCommand(bin, env, "status"))
		if ssdCode != want || svcCode != want {
			t.Errorf("%s: start-stop-daemon --status = exit %d %q, mysvc status = exit %d %q; want both %d", when, ssdCode, ssdOut, svcCode, svcOut, want)
		}
		t.Logf("%s: start-stop-daemon --status exit %d, mysvc status exit %d %q", when, ssdCode, svcCode, strings.TrimSpace(svcOut))
	}

	agree("before start", 3)
	if out, code := runCode(t, svcCommand(bin, env, "start")); code != 0 {
		t.Fatalf("mysvc start = exit %d, %q", code, out)
	}
	t.Cleanup(func() { svcCommand(bin, env, "stop").Run() })
	data, _ := os.ReadFile(pidfile)
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatalf("pidfile %q: %v", data, err)
	}
	reap(pid)
	agree("running", 0)

	start := time.Now()
	out, code := runCode(t, exec.Command(ssd, "--stop", "--pidfile", pidfile, "--retry", "TERM/5/KILL/2"))
	if code != 0 {
		t.Fatalf("start-stop-daemon --stop --retry TERM/5/KILL/2 = exit %d, %q; want 0", code, out)
	}
	t.Logf("start-stop-daemon --stop --pidfile P --retry TERM/5/KILL/2: exit 0 after %v, %q", time.Since(start).Round(time.Millisecond), out)
	if _, err := os.Stat(pidfile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pidfile after start-stop-daemon --stop: %v; want it removed", err)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
		t.Errorf("daemon %d still exists after start-stop-daemon --stop", pid)
	}
	agree("stopped", 3)

	// A pidfile left by a process that is gone: both say 1.
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pidfile, fmt.Appendf(nil, "%d\n", gone.Process.Pid), 0o644); err != nil {
		t.Fatal(err)
	}
	agree("stale pidfile", 1)
}

// TestRunNotify runs "mysvc run" as a supervisor would, with NOTIFY_SOCKET
// at a socket the test reads, and wants exactly STATUS=starting, then
// READY=1 on start, RELOADING=1 with MONOTONIC_USEC= and READY=1 around a
// reload (SIGHUP), and STOPPING=1 on SIGTERM, each with its STATUS=, then
// a clean exit.
func TestRunNotify(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated project; skipped with -short")
	}
	t.Parallel()
	_, bin := buildProject(t)
	sock := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var stderr bytes.Buffer
	cmd := svcCommand(bin, []string{"NOTIFY_SOCKET=" + sock}, "run")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	var got []string
	next := func(timeout time.Duration) (string, error) {
		buf := make([]byte, 4096)
		conn.SetReadDeadline(time.Now().Add(timeout))
		n, err := conn.Read(buf)
		return string(buf[:n]), err
	}
	expect := func(want ...string) {
		t.Helper()
		for _, w := range want {
			msg, err := next(10 * time.Second)
			if err != nil {
				t.Fatalf("after %q: %v; want %s\nstderr:\n%s", got, err, w, stderr.String())
			}
			got = append(got, msg)
			if !regexp.MustCompile("^" + w + "$").MatchString(msg) {
				t.Fatalf("notifications %q; want %s next", got, w)
			}
		}
	}
	expect("STATUS=starting", "READY=1\nSTATUS=serving")
	cmd.Process.Signal(syscall.SIGHUP)
	expect("RELOADING=1\nMONOTONIC_USEC=[1-9][0-9]*\nSTATUS=reloading", "READY=1\nSTATUS=serving")
	cmd.Process.Signal(syscall.SIGTERM)
	expect("STOPPING=1\nSTATUS=stopping")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("mysvc run after SIGTERM: %v; want exit 0\nstderr:\n%s", err, stderr.String())
	}
	if msg, err := next(200 * time.Millisecond); err == nil {
		t.Errorf("notification %q after exit; want none after STOPPING=1", msg)
	}
	t.Logf("notifications: %q; mysvc run exit 0", got)
}

// TestMakefile runs the generated Makefile's build, install, start, status
// and stop targets.
func TestMakefile(t *testing.T) {
	integration(t)
	mk := needTool(t, "make", "make")
	project, bin := buildProject(t)
	if err := os.Remove(bin); err != nil {
		t.Fatal(err)
	}
	dir, dest := t.TempDir(), t.TempDir()
	env := []string{"MYSVC_PIDFILE=" + filepath.Join(dir, "mysvc.pid"), "MYSVC_LOG=" + filepath.Join(dir, "mysvc.log")}
	make := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(mk, append([]string{"-s"}, args...)...)
		cmd.Dir = project
		cmd.Env = append(os.Environ(), env...)
		out, code := runCode(t, cmd)
		if code != 0 {
			t.Fatalf("make %s = exit %d:\n%s", strings.Join(args, " "), code, out)
		}
		return out
	}
	make("install", "DESTDIR="+dest)
	for path, mode := range map[string]os.FileMode{
		"usr/local/bin/mysvc":              0o755,
		"etc/systemd/system/mysvc.service": 0o644,
		"etc/logrotate.d/mysvc":            0o644,
	} {
		info, err := os.Stat(filepath.Join(dest, path))
		if err != nil || info.Mode().Perm() != mode {
			t.Errorf("make install DESTDIR=D: D/%s = %v, %v; want mode %v", path, info, err, mode)
		}
	}
	t.Cleanup(func() { svcCommand(bin, env, "stop").Run() })
	if out := make("start"); !strings.Contains(out, "mysvc started (pid ") {
		t.Errorf("make start printed %q; want mysvc started", out)
	}
	if out := make("status"); !strings.Contains(out, "mysvc running (pid ") {
		t.Errorf("make status printed %q; want mysvc running", out)
	}
	make("stop")
	if out, code := runCode(t, svcCommand(bin, env, "status")); code != 3 {
		t.Errorf("after make stop, mysvc status = exit %d, %q; want 3", code, out)
	}
	// Issue 22, item 7: make test uses the race detector where cgo is on,
	// and passes without a C compiler (CGO_ENABLED=0), saying it runs
	// without the race detector.
	if out := make("-n", "test"); !strings.Contains(out, " test -race ./...") {
		t.Errorf("make -n test with cgo on printed %q; want go test -race", out)
	}
	env = append(env, "CGO_ENABLED=0")
	if out := make("test"); !strings.Contains(out, "make test: without the race detector") {
		t.Errorf("CGO_ENABLED=0 make test printed %q; want it to say it runs without the race detector", out)
	}
}

// TestStaticcheck runs staticcheck, at a pinned version, on golden/mysvc
// and on daemongen's own module, which holds the daemon package's source. It installs staticcheck from the Go module proxy into a
// temporary directory: daemongen's go.mod does not require it.
func TestStaticcheck(t *testing.T) {
	integration(t)
	if testing.Short() {
		t.Skip("installs staticcheck and checks each golden project and daemongen; skipped with -short")
	}
	gobin := t.TempDir()
	install := exec.Command("go", "install", "honnef.co/go/tools/cmd/staticcheck@"+staticcheckVersion)
	install.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := install.CombinedOutput(); err != nil {
		msg := fmt.Sprintf("go install staticcheck@%s (needs the Go module proxy): %v\n%s", staticcheckVersion, err, out)
		if requireTools() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Run("golden", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "mysvc")
		if err := os.CopyFS(dir, os.DirFS(mainTree)); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(filepath.Join(gobin, "staticcheck"), "./...")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS="+goFlags, "GOWORK=off", "GOTOOLCHAIN=local")
		out, code := runCode(t, cmd)
		if code != 0 || out != "" {
			t.Fatalf("staticcheck ./... in %s = exit %d:\n%s", mainTree, code, out)
		}
		t.Logf("staticcheck %s ./... in %s: exit 0, no output", staticcheckVersion, mainTree)
	})
	// daemongen itself, the daemon package's source (templates/daemon)
	// included, meets the bar it sets for what it generates.
	t.Run("daemongen", func(t *testing.T) {
		cmd := exec.Command(filepath.Join(gobin, "staticcheck"), "./...")
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local")
		if out, code := runCode(t, cmd); code != 0 || out != "" {
			t.Fatalf("staticcheck ./... in daemongen = exit %d:\n%s", code, out)
		}
	})
}

// TestSocketUnitVerify wants systemd-analyze verify to accept the socket unit
// for each form of --socket that Validate accepts, ":PORT" included.
func TestSocketUnitVerify(t *testing.T) {
	integration(t)
	sa := needTool(t, "systemd-analyze", "systemd")
	for _, socket := range []string{":8080", "[::]:8080", "0.0.0.0:8080", "127.0.0.1:8080", "[::1]:8080"} {
		cfg := generator.Config{Name: "mysvc", Socket: socket}
		files, err := generator.Render(cfg, templates.FS)
		if err != nil {
			t.Fatalf("Render(%+v) = %v", cfg, err)
		}
		dir := t.TempDir()
		for _, f := range files {
			if f.Path == "init/systemd/mysvc.socket" {
				writeFile(t, filepath.Join(dir, "mysvc.socket"), string(f.Data))
			}
		}
		writeFile(t, filepath.Join(dir, "mysvc.service"), "[Service]\nExecStart=/bin/true\n")
		if out, code := runCode(t, exec.Command(sa, "verify", filepath.Join(dir, "mysvc.socket"))); code != 0 || out != "" {
			t.Errorf("systemd-analyze verify mysvc.socket (--socket %s) = exit %d, output:\n%s\nwant exit 0 and no output", socket, code, out)
		}
	}
}
