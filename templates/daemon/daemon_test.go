//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

// These tests start real daemons: the test binary re-executes itself as a
// program built on this package (see TestMain) and the tests drive it with
// its own commands. Each test works in its own temporary directory and
// signals only processes it started. Exit is judged by the pidfile lock,
// never by kill(pid, 0): where nothing reaps orphans, a stopped daemon
// stays a zombie.
//
// TestLifecycle proves start, status, reload and stop on this platform in
// about a second. daemongen's own repository runs the full real-process
// suite, one test or more per line of its daemon checklist, against this
// package's source before every release.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// serviceEnv switches the test binary into the test program.
const serviceEnv = "DAEMON_TEST_SERVICE"

func TestMain(m *testing.M) {
	if os.Getenv(serviceEnv) != "" {
		name := os.Getenv("TESTSVC_NAME")
		if name == "" {
			name = "testsvc"
		}
		svc := &testService{}
		os.Exit(Main(Program{Name: name, Service: svc, Flags: svc.flags}, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// testService behaves as its flags and TESTSVC_* environment variables say.
type testService struct {
	config   string // --config FILE: a one-line file, logged; "bad..." fails
	greeting string // --greeting TEXT, logged by Init
}

func (s *testService) flags(fs *flag.FlagSet) {
	PathVar(fs, &s.config, "config", "", "configuration file, reread by Reload")
	fs.StringVar(&s.greeting, "greeting", "", "a line Init logs")
}

// readConfig reads and logs the configuration file, if there is one.
func (s *testService) readConfig() error {
	if s.config == "" {
		return nil
	}
	data, err := os.ReadFile(s.config)
	if err != nil {
		return err
	}
	if line := strings.TrimSpace(string(data)); strings.HasPrefix(line, "bad") {
		return fmt.Errorf("parse config %s: %s", s.config, line)
	}
	log.Printf("config: %s", strings.TrimSpace(string(data)))
	return nil
}

func (s *testService) Init(ctx context.Context) error {
	if err := s.readConfig(); err != nil {
		return err
	}
	if s.greeting != "" {
		log.Printf("greeting: %s", s.greeting)
	}
	if msg := os.Getenv("TESTSVC_INIT_ERROR"); msg != "" {
		return errors.New(msg)
	}
	if os.Getenv("TESTSVC_EXIT_EARLY") != "" {
		os.Exit(3)
	}
	if d, _ := time.ParseDuration(os.Getenv("TESTSVC_INIT_SLEEP")); d > 0 {
		time.Sleep(d)
	}
	log.Printf("testsvc started with pid %d", os.Getpid())
	wd, _ := os.Getwd()
	mask := syscall.Umask(0)
	syscall.Umask(mask)
	log.Printf("testsvc in %s with umask %03o", wd, mask)
	if os.Getenv("TESTSVC_CHECK_ENV") != "" {
		out, err := exec.Command("env").Output()
		log.Printf("child sees marker: %v (%v)", strings.Contains(string(out), stageEnv), err)
	}
	return nil
}

func (s *testService) Run(ctx context.Context) error {
	if os.Getenv("TESTSVC_ORPHAN") != "" {
		return makeOrphan()
	}
	every, _ := time.ParseDuration(os.Getenv("TESTSVC_TICK"))
	if every <= 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			log.Print("testsvc stopping")
			if d, _ := time.ParseDuration(os.Getenv("TESTSVC_STOP_DELAY")); d > 0 {
				time.Sleep(d)
			}
			if os.Getenv("TESTSVC_STOP_CRASH") != "" {
				panic("crash while stopping")
			}
			return nil
		case <-t.C:
			log.Printf("tick %d", n)
		}
	}
}

func (s *testService) Reload(ctx context.Context) error {
	if os.Getenv("TESTSVC_RELOAD_PANIC") != "" {
		panic("reload panic")
	}
	if d, _ := time.ParseDuration(os.Getenv("TESTSVC_RELOAD_HANG")); d > 0 {
		log.Print("testsvc reloading, deaf to its context")
		time.Sleep(d)
	}
	if d, _ := time.ParseDuration(os.Getenv("TESTSVC_RELOAD_SLEEP")); d > 0 {
		log.Print("testsvc reloading slowly")
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := s.readConfig(); err != nil {
		return err
	}
	log.Print("testsvc reloaded")
	return nil
}

// makeOrphan starts a shell that leaves a short sleep behind, and reports
// whether process 1 reaped that orphan once it exited.
func makeOrphan() error {
	out, err := exec.Command("sh", "-c", "sleep 0.1 & echo $!").Output()
	if err != nil {
		return err
	}
	stat := "/proc/" + strings.TrimSpace(string(out)) + "/stat"
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(stat); err != nil {
			fmt.Println("orphan reaped")
			return nil
		}
	}
	fmt.Println("orphan not reaped")
	return nil
}

// A fixture is one test's directory, pidfile and log.
type fixture struct {
	t       *testing.T
	dir     string
	pidfile string
	log     string
	env     []string
	mu      sync.Mutex
	cmds    []*exec.Cmd // every command made, killed at cleanup if still running; guarded by mu
}

func newFixture(t *testing.T, env ...string) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{
		t:       t,
		dir:     dir,
		pidfile: filepath.Join(dir, "testsvc.pid"),
		log:     filepath.Join(dir, "testsvc.log"),
		// Under -race, a process sleeps a second at exit unless told not to.
		env: append(os.Environ(), append([]string{serviceEnv + "=1", "GORACE=atexit_sleep_ms=0"}, env...)...),
	}
	t.Cleanup(f.cleanup)
	return f
}

// cleanup stops whatever daemon the test left behind, by its lock.
func (f *fixture) cleanup() {
	pid := f.lockHolderPid()
	if pid == 0 && f.locked() { // no F_GETLK holder here: the file names it
		data, _ := os.ReadFile(f.pidfile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(data)))
	}
	if pid > 0 {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	// A foreground run a failed test left behind. Process.Kill signals the
	// very process started (a pidfd, or nothing once it was waited for).
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, cmd := range f.cmds {
		if cmd.Process != nil {
			cmd.Process.Kill()
		}
	}
}

// result is what one command did.
type result struct {
	stdout, stderr string
	code           int
}

// command builds the test program's command line.
func (f *fixture) command(args ...string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		f.t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = f.env
	cmd.Dir = f.dir
	f.mu.Lock()
	f.cmds = append(f.cmds, cmd)
	f.mu.Unlock()
	return cmd
}

// run runs the test program with args and the fixture's paths.
func (f *fixture) run(args ...string) result {
	f.t.Helper()
	return f.exec(f.command(append(args, "--pidfile", f.pidfile, "--log", f.log)...))
}

func (f *fixture) exec(cmd *exec.Cmd) result {
	f.t.Helper()
	var stdout, stderr strings.Builder
	if cmd.Stdout == nil {
		cmd.Stdout = &stdout
	}
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		f.t.Fatalf("start %v: %v", cmd.Args, err)
	}
	timer := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Wait()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		f.t.Fatalf("run %v: %v", cmd.Args, err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// want checks a command's exit code and that its output contains text.
func (f *fixture) want(r result, code int, text string, what string) {
	f.t.Helper()
	if r.code != code || !strings.Contains(r.stdout+r.stderr, text) {
		f.t.Fatalf("%s: exit %d, stdout %q, stderr %q; want exit %d and %q", what, r.code, r.stdout, r.stderr, code, text)
	}
}

// start starts the daemon and returns its pid.
func (f *fixture) start(args ...string) int {
	f.t.Helper()
	r := f.run(append([]string{"start"}, args...)...)
	f.want(r, 0, "testsvc started (pid ", "start")
	pid := f.pid()
	if want := fmt.Sprintf("(pid %d)", pid); !strings.Contains(r.stdout, want) {
		f.t.Fatalf("start printed %q; want the pidfile's pid %s", r.stdout, want)
	}
	return pid
}

// pid reads the pidfile.
func (f *fixture) pid() int {
	f.t.Helper()
	data, err := os.ReadFile(f.pidfile)
	if err != nil {
		f.t.Fatalf("read pidfile: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSuffix(string(data), "\n"))
	if err != nil || string(data) != strconv.Itoa(pid)+"\n" {
		f.t.Fatalf("pidfile holds %q; want PID\\n", data)
	}
	return pid
}

// locked reports whether some process holds the pidfile's lock.
func (f *fixture) locked() bool {
	file, err := os.OpenFile(f.pidfile, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return false
	}
	defer file.Close()
	return lockSharedNow(file) != nil
}

// lockHolderPid is the pid holding the pidfile's lock, or 0.
func (f *fixture) lockHolderPid() int {
	file, err := os.OpenFile(f.pidfile, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return 0
	}
	defer file.Close()
	pid, _ := lockHolder(file)
	return pid
}

// readLog returns the log's content.
func (f *fixture) readLog() string {
	data, _ := os.ReadFile(f.log)
	return string(data)
}

// waitLog waits until the log contains text.
func (f *fixture) waitLog(text string) {
	f.t.Helper()
	waitFor(f.t, "log line "+strconv.Quote(text), func() bool { return strings.Contains(f.readLog(), text) })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestLifecycle starts the daemon, asks its status, reloads it and stops it,
// as an operator would: each command's exit status and message, the pidfile
// and its lock, and the log.
func TestLifecycle(t *testing.T) {
	f := newFixture(t)
	pid := f.start()
	if !f.locked() {
		t.Fatal("pidfile is not locked while the daemon runs")
	}
	for _, want := range []string{
		fmt.Sprintf("testsvc started with pid %d", pid),
		"testsvc in / with umask 027", // detached the way daemon(7) asks
	} {
		if !strings.Contains(f.readLog(), want) {
			t.Fatalf("log when start returned = %q; want %q", f.readLog(), want)
		}
	}
	f.want(f.run("start"), 0, fmt.Sprintf("already running (pid %d)", pid), "second start")
	f.want(f.run("status"), 0, fmt.Sprintf("running (pid %d)", pid), "status")
	f.want(f.run("reload"), 0, fmt.Sprintf("reloaded (pid %d)", pid), "reload")
	if !strings.Contains(f.readLog(), "testsvc reloaded") {
		t.Fatalf("log when reload returned = %q; want the service's reload line", f.readLog())
	}
	if f.pid() != pid {
		t.Fatalf("pid after reload = %d; want %d", f.pid(), pid)
	}
	f.want(f.run("stop"), 0, "stopped", "stop")
	if f.locked() {
		t.Fatal("pidfile is still locked after stop returned")
	}
	if _, err := os.Lstat(f.pidfile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("pidfile after stop: %v; want it removed", err)
	}
	if !strings.Contains(f.readLog(), "testsvc stopping") {
		t.Fatalf("log %q; want the service's own shutdown line", f.readLog())
	}
	f.want(f.run("status"), 3, "not running", "status after stop")
	f.want(f.run("stop"), 0, "not running", "stop when stopped")
}
