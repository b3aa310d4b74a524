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
)

// TestNewBuilds runs "daemongen new" as a user would and builds the result.
func TestNewBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated project; skipped with -short")
	}
	dir := t.TempDir()
	for _, args := range [][]string{
		{"new", "mysvc", "--module", "example.com/mysvc"},
		{"new", "my-svc"},
	} {
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
}

// TestStartStop generates a project, builds it, and drives the daemon
// through start, status and stop, as a user would.
func TestStartStop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated project; skipped with -short")
	}
	dir := t.TempDir()
	if _, stderr, code := daemongen(t, dir, "new", "mysvc", "--module", "example.com/mysvc"); code != 0 {
		t.Fatalf("daemongen new = exit %d, stderr %q; want 0", code, stderr)
	}
	project := filepath.Join(dir, "mysvc")
	goCommand(t, project, "build")
	pidfile, logfile := filepath.Join(dir, "mysvc.pid"), filepath.Join(dir, "mysvc.log")
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

// locked reports whether a process holds a lock on the file at path.
func locked(path string) bool {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer syscall.Close(fd)
	return syscall.Flock(fd, syscall.LOCK_SH|syscall.LOCK_NB) != nil
}
