//go:build unix && !aix && !solaris

package daemon

// TestLifecycle proves start, status, reload and stop of a real daemon here:
// the test binary re-executes itself as a program built on this package
// (see TestMain). Exit is judged by the pidfile lock, never kill(pid, 0),
// which finds an unreaped zombie. daemongen runs its full suite on release.

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
	"time"
)

// serviceEnv switches the test binary into the test program.
const serviceEnv = "DAEMON_TEST_SERVICE"

// testProgram is the test program. daemongen's own suite swaps in, from an
// init function, a service it steers by environment.
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

// A fixture is one test's directory, pidfile, log and environment.
type fixture struct {
	t                 *testing.T
	dir, pidfile, log string
	env               []string
}

// newFixture makes a fixture whose commands also get env. Its cleanup kills
// the daemon a failed test left running: the pidfile lock's holder.
func newFixture(t *testing.T, env ...string) *fixture {
	dir := t.TempDir()
	// Under -race, a process sleeps a second at exit unless told not to.
	env = append(os.Environ(), append([]string{serviceEnv + "=1", "GORACE=atexit_sleep_ms=0"}, env...)...)
	f := &fixture{t, dir, filepath.Join(dir, "testsvc.pid"), filepath.Join(dir, "testsvc.log"), env}
	t.Cleanup(func() {
		if pid, _ := lockHolderOf(f.pidfile); pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return f
}

// result is what one command did.
type result struct {
	stdout, stderr string
	code           int
}

// run runs the test program with args and the fixture's pidfile and log.
func (f *fixture) run(args ...string) result {
	f.t.Helper()
	exe, err := os.Executable()
	if err != nil {
		f.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, append(args, "--pidfile", f.pidfile, "--log", f.log)...)
	cmd.Env, cmd.Dir = f.env, f.dir
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil && cmd.ProcessState == nil {
		f.t.Fatalf("run %v: %v", cmd.Args, err)
	}
	return result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

// want checks a command's exit code and that its output contains text.
func (f *fixture) want(r result, code int, text string, what string) {
	f.t.Helper()
	if r.code != code || !strings.Contains(r.stdout+r.stderr, text) {
		f.t.Fatalf("%s: exit %d, stdout %q, stderr %q; want exit %d and %q", what, r.code, r.stdout, r.stderr, code, text)
	}
}

// pid reads the pidfile, which must hold the pid and a newline.
func (f *fixture) pid() int {
	f.t.Helper()
	data, err := os.ReadFile(f.pidfile)
	pid, _ := strconv.Atoi(strings.TrimSuffix(string(data), "\n"))
	if err != nil || string(data) != strconv.Itoa(pid)+"\n" {
		f.t.Fatalf("pidfile holds %q (%v); want PID\\n", data, err)
	}
	return pid
}

// readLog returns the log's content.
func (f *fixture) readLog() string {
	data, _ := os.ReadFile(f.log)
	return string(data)
}

func TestLifecycle(t *testing.T) {
	f := newFixture(t)
	f.want(f.run("start"), 0, "testsvc started (pid ", "start")
	pid := f.pid()
	// Opened now, the pidfile shows its lock even once stop has removed it.
	pidfile, err := os.OpenFile(f.pidfile, os.O_RDONLY|openFlags, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pidfile.Close()
	if lockSharedNow(pidfile) == nil {
		t.Fatal("pidfile is not locked while the daemon runs")
	}
	// Detached the way daemon(7) asks: in / with umask 027.
	if want := fmt.Sprintf("testsvc started with pid %d in / with umask 027", pid); !strings.Contains(f.readLog(), want) {
		t.Fatalf("log when start returned = %q; want %q", f.readLog(), want)
	}
	f.want(f.run("start"), 0, fmt.Sprintf("already running (pid %d)", pid), "second start")
	f.want(f.run("status"), 0, fmt.Sprintf("running (pid %d)", pid), "status")
	f.want(f.run("reload"), 0, fmt.Sprintf("reloaded (pid %d)", pid), "reload")
	if !strings.Contains(f.readLog(), "testsvc reloaded") || f.pid() != pid {
		t.Fatalf("pid %d, log %q after reload; want pid %d and the service's reload line", f.pid(), f.readLog(), pid)
	}
	f.want(f.run("stop"), 0, "stopped", "stop")
	if err := lockSharedNow(pidfile); err != nil {
		t.Fatalf("pidfile lock after stop returned: %v; want it released", err)
	}
	if _, err := os.Lstat(f.pidfile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("pidfile after stop: %v; want it removed", err)
	}
	if !strings.Contains(f.readLog(), "testsvc stopping") {
		t.Fatalf("log %q after stop; want the service's own shutdown line", f.readLog())
	}
	f.want(f.run("status"), 3, "not running", "status after stop")
	f.want(f.run("stop"), 0, "not running", "stop when stopped")
}
