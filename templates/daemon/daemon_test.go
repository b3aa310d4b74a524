//go:build unix && !aix && !solaris

package daemon

// TestLifecycle proves start, status, reload and stop of a real daemon: the
// test binary re-executes itself as a program built on this package (see
// TestMain). Exit is judged by the pidfile lock, never kill(pid, 0).

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// serviceEnv switches the test binary into the test program.
const serviceEnv = "DAEMON_TEST_SERVICE"

// testProgram is the test program; daemongen's own suite swaps in another.
var testProgram = Program{Name: "testsvc", Service: lifecycleService{}}

func TestMain(m *testing.M) {
	if os.Getenv(serviceEnv) != "" {
		os.Exit(Main(testProgram, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// lifecycleService logs each step of its life, for TestLifecycle to read.
type lifecycleService struct{}

func (lifecycleService) Init(context.Context) error {
	wd, _ := os.Getwd()
	mask := syscall.Umask(0)
	syscall.Umask(mask)
	log.Printf("testsvc started with pid %d in %s with umask %03o", os.Getpid(), wd, mask)
	return nil
}

func (lifecycleService) Run(ctx context.Context) error {
	<-ctx.Done()
	log.Print("testsvc stopping")
	return nil
}

func (lifecycleService) Reload(context.Context) error {
	log.Print("testsvc reloaded")
	return nil
}

func TestLifecycle(t *testing.T) {
	dir := t.TempDir()
	pidfile, logfile := filepath.Join(dir, "testsvc.pid"), filepath.Join(dir, "testsvc.log")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// run runs the test program with args and wants exit code and text, and
	// then the service's line logged in the log.
	run := func(code int, text, logged string, args ...string) {
		t.Helper()
		cmd := exec.Command(exe, append(args, "--pidfile", pidfile, "--log", logfile)...)
		// Under -race, a process sleeps a second at exit unless told not to.
		cmd.Env = append(os.Environ(), serviceEnv+"=1", "GORACE=atexit_sleep_ms=0")
		out, _ := cmd.CombinedOutput()
		if cmd.ProcessState.ExitCode() != code || !strings.Contains(string(out), text) {
			t.Fatalf("%v: exit %d, %q; want exit %d and %q", args, cmd.ProcessState.ExitCode(), out, code, text)
		}
		if data, _ := os.ReadFile(logfile); !strings.Contains(string(data), logged) {
			t.Fatalf("log when %v returned = %q; want %q", args, data, logged)
		}
	}
	// Detached the way daemon(7) asks: in / with umask 027.
	run(0, "testsvc started (pid ", " in / with umask 027", "start")
	data, err := os.ReadFile(pidfile)
	pid, _ := strconv.Atoi(strings.TrimSuffix(string(data), "\n"))
	if err != nil || string(data) != strconv.Itoa(pid)+"\n" {
		t.Fatalf("pidfile holds %q (%v); want PID\\n", data, err)
	}
	// Opened now, the pidfile shows its lock even once stop has removed it.
	f, err := os.OpenFile(pidfile, os.O_RDONLY|openFlags, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if lockSharedNow(f) == nil {
		t.Fatal("pidfile is not locked while the daemon runs")
	}
	run(0, fmt.Sprintf("already running (pid %d)", pid), fmt.Sprintf("testsvc started with pid %d in /", pid), "start")
	run(0, fmt.Sprintf("running (pid %d)", pid), "", "status")
	run(0, fmt.Sprintf("reloaded (pid %d)", pid), "testsvc reloaded", "reload")
	run(0, "stopped", "testsvc stopping", "stop")
	if err := lockSharedNow(f); err != nil {
		t.Fatalf("pidfile lock after stop returned: %v; want it released", err)
	}
	if _, err := os.Lstat(pidfile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("pidfile after stop: %v; want it removed", err)
	}
	run(3, "not running", "", "status")
	run(0, "not running", "", "stop")
}
