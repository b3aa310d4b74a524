//go:build unix && !aix && !solaris

package daemon

// The test program of daemongen's own real-process suite, and the fixture
// methods only that suite uses. The shipped daemon_test.go runs a service
// that only logs its steps; this file, never written into projects, swaps
// in testService, which behaves as its flags and TESTSVC_* environment
// variables say.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/daemongen/daemongen/internal/await"
)

// init makes testService the program that TestMain runs as the daemon, in
// place of daemon_test.go's lifecycleService: the suite's tests steer it
// through TESTSVC_* variables, which a generated project has no use for.
// TESTSVC_NAME names the program (default testsvc).
func init() {
	name := os.Getenv("TESTSVC_NAME")
	if name == "" {
		name = "testsvc"
	}
	svc := &testService{}
	testProgram = Program{Name: name, Service: svc, Flags: svc.flags, Env: []string{"SERVICE_TOKEN", serviceEnv}} // serviceEnv: an upgrade as --user re-executes the test binary
	// TESTSVC_HANDOVER=V in TESTSVC_ENV_FILE: an upgrade's new daemon
	// takes only handover version V.
	if data, _ := os.ReadFile(os.Getenv("TESTSVC_ENV_FILE")); os.Getenv(stageEnv) == "upgrade" {
		if _, v, ok := strings.Cut(string(data), "TESTSVC_HANDOVER="); ok {
			handoverVersion = strings.Fields(v)[0]
		}
	}
	// Package variables, earlySignals among them, are initialised before
	// any init function runs: TESTSVC_INITIALISED=FILE marks that moment.
	if mark := os.Getenv("TESTSVC_INITIALISED"); mark != "" {
		if f, err := os.OpenFile(mark, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
			fmt.Fprintf(f, "pid %d\n", os.Getpid())
			f.Close()
		}
	}
}

// testService behaves as its flags and TESTSVC_* environment variables say.
// Its log lines for start, reload and stop are lifecycleService's, so that
// TestLifecycle passes with either.
type testService struct {
	config   string // --config FILE: a one-line file, logged; "bad..." fails
	greeting string // --greeting TEXT, logged by Init
	http     *http.Server
	ln       net.Listener
	open     atomic.Int64 // connections, as the HTTP example counts them
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
	// TESTSVC_ENV_FILE=FILE: the variables in FILE, KEY=VALUE lines, as
	// it is when Init runs; an upgrade's new daemon reads the file afresh.
	if data, err := os.ReadFile(os.Getenv("TESTSVC_ENV_FILE")); err == nil {
		for _, kv := range strings.Fields(string(data)) {
			k, v, _ := strings.Cut(kv, "=")
			os.Setenv(k, v)
		}
	}
	if err := s.listen(); err != nil {
		return err
	}
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
	if d, _ := time.ParseDuration(os.Getenv("TESTSVC_INIT_WAIT")); d > 0 {
		select { // as long as d, unless ctx ends first
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := (lifecycleService{}).Init(ctx); err != nil { // its start line
		return err
	}
	if os.Getenv("TESTSVC_LOG_ENV") != "" {
		log.Printf("env HOME=%s USER=%s LOGNAME=%s SHELL=%s PATH=%s ROOT_SECRET=%q SERVICE_TOKEN=%q", os.Getenv("HOME"), os.Getenv("USER"),
			os.Getenv("LOGNAME"), os.Getenv("SHELL"), os.Getenv("PATH"), os.Getenv("ROOT_SECRET"), os.Getenv("SERVICE_TOKEN"))
	}
	if os.Getenv("TESTSVC_CHECK_ENV") != "" {
		out, err := exec.Command("env").Output()
		log.Printf("child sees marker: %v (%v)", strings.Contains(string(out), stageEnv), err)
	}
	return nil
}

// listen listens through Listen on $TESTSVC_LISTEN, if set, and on
// $TESTSVC_LISTEN_ALSO for "admin", for Run to serve HTTP there: each
// answer names the process and its executable's inode; ?sleep=DUR answers
// after DUR.
func (s *testService) listen() error {
	for name, addr := range map[string]string{"http": os.Getenv("TESTSVC_LISTEN"), "admin": os.Getenv("TESTSVC_LISTEN_ALSO")} {
		if addr == "" {
			continue
		}
		f, err := Listen(name, addr)
		if err != nil {
			return err
		}
		defer f.Close()
		if name == "http" {
			if s.ln, err = net.FileListener(f); err != nil {
				return err
			}
		}
	}
	var st syscall.Stat_t
	syscall.Stat("/proc/self/exe", &st)
	opens := map[http.ConnState]int64{http.StateNew: 1, http.StateHijacked: -1, http.StateClosed: -1}
	s.http = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d, _ := time.ParseDuration(r.URL.Query().Get("sleep")); d > 0 {
			time.Sleep(d)
		}
		fmt.Fprintf(w, "pid %d exe %d\n", os.Getpid(), st.Ino)
	}), ConnState: func(_ net.Conn, state http.ConnState) { s.open.Add(opens[state]) }}
	return nil
}

func (s *testService) Run(ctx context.Context) error {
	if s.ln != nil { // stop as the HTTP example does: every accepted connection answered
		served := make(chan error, 1)
		go func() { served <- s.http.Serve(s.ln) }()
		<-ctx.Done()
		log.Print("testsvc stopping")
		s.http.SetKeepAlivesEnabled(false)
		s.ln.Close()
		<-served
		for s.open.Load() > 0 {
			time.Sleep(5 * time.Millisecond)
		}
		return s.http.Close()
	}
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

// awaitServing waits until pid, a daemon the test runs in the foreground,
// holds the pidfile's lock and has written its pid.
func (f *fixture) awaitServing(pid int) {
	f.t.Helper()
	await.For(f.t, "run to be ready", func() bool {
		data, _ := os.ReadFile(f.pidfile)
		return f.lockHolderPid() == pid && string(data) == fmt.Sprintf("%d\n", pid)
	})
}

// readLog returns the log's content.
func (f *fixture) readLog() string {
	data, _ := os.ReadFile(f.log)
	return string(data)
}

// lockHolderOf is lockHolder for the file at path.
func lockHolderOf(path string) (pid int, held bool) {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	return lockHolder(f.Fd())
}

// start starts the daemon with args and returns its pid, the pidfile's, as
// TestLifecycle does.
func (f *fixture) start(args ...string) int {
	f.t.Helper()
	r := f.run(append([]string{"start"}, args...)...)
	f.want(r, 0, "testsvc started (pid ", "start")
	pid := f.pid()
	f.want(r, 0, fmt.Sprintf("started (pid %d)", pid), "start, with the pidfile's pid")
	return pid
}

// command builds the test program's command line, in the fixture's
// directory and environment. A process it starts that still runs when the
// test ends, such as a foreground run a failed test left behind, is killed
// then: Process.Kill signals the very process started (a pidfd, or nothing
// once it was waited for).
func (f *fixture) command(args ...string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		f.t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = f.env
	cmd.Dir = f.dir
	f.t.Cleanup(func() {
		if cmd.Process != nil {
			cmd.Process.Kill()
		}
	})
	return cmd
}

// exec runs cmd, killing it after a minute, and returns what it did.
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
	pid, _ := lockHolderOf(f.pidfile)
	return pid
}

// waitLog waits until the log contains text.
func (f *fixture) waitLog(text string) {
	f.t.Helper()
	await.For(f.t, "log line "+strconv.Quote(text), func() bool { return strings.Contains(f.readLog(), text) })
}
