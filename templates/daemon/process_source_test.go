//go:build linux

package daemon

// The real-process suite: at least one test for each line of daemongen's
// daemon checklist, using the fixture of daemon_test.go and the test
// service of testservice_source_test.go. Files whose names end in
// _source_test.go test this source package in daemongen's own repository
// and are not written into generated projects.

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/daemongen/daemongen/internal/await"
)

// openToOthers lets other users reach the fixture's directory, as a daemon
// running as nobody must.
func (f *fixture) openToOthers() {
	f.t.Helper()
	for _, dir := range []string{f.dir, filepath.Dir(f.dir)} {
		if err := os.Chmod(dir, 0o755); err != nil {
			f.t.Fatal(err)
		}
	}
}

// needNobody skips the test unless it runs as root on a system with the
// user nobody, and returns that user.
func needNobody(t *testing.T) *user.User {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to act as another user")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody")
	}
	return nobody
}

// copyExecutable copies exe into the fixture's directory, where another
// user can run it (the test binary's own directory may be private). cp(1)
// writes the copy: a descriptor open for writing in this process would
// reach children that other tests fork meanwhile, and exec would fail with
// ETXTBSY while they hold it.
func copyExecutable(t *testing.T, f *fixture, exe string) string {
	t.Helper()
	copied := filepath.Join(f.dir, "as-another-user")
	if out, err := exec.Command("cp", exe, copied).CombinedOutput(); err != nil {
		t.Fatalf("cp %s: %v %s", exe, err, out)
	}
	if err := os.Chmod(copied, 0o755); err != nil {
		t.Fatal(err)
	}
	return copied
}

// nobodyCred makes a command run with the given uid and gid.
func nobodyCred(t *testing.T, uid, gid string) *syscall.SysProcAttr {
	t.Helper()
	u, err1 := strconv.Atoi(uid)
	g, err2 := strconv.Atoi(gid)
	if err1 != nil || err2 != nil {
		t.Fatalf("uid %q, gid %q: not numbers", uid, gid)
	}
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(u), Gid: uint32(g), NoSetGroups: true}}
}

// procState is the state letter of pid in /proc ("R", "S", "Z", ...), or ""
// if there is no such process.
func procState(pid int) string {
	f := procStat(pid)
	if len(f) < 3 {
		return ""
	}
	return f[2]
}

// procStat returns the fields of /proc/PID/stat (the name is field 1).
func procStat(pid int) []string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	s := string(data)
	end := strings.LastIndexByte(s, ')')
	return append([]string{s[:strings.IndexByte(s, ' ')], s[strings.IndexByte(s, '(') : end+1]}, strings.Fields(s[end+1:])...)
}

func alive(pid int) bool {
	s := procState(pid)
	return s != "" && s != "Z" && s != "X"
}

// livePids lists the live processes whose command line mentions path.
func livePids(path string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && strings.Contains(string(cmdline), path) && alive(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// wantGone checks that the daemon pid has exited and left nothing behind.
func (f *fixture) wantGone(pid int) {
	f.t.Helper()
	if f.locked() {
		f.t.Fatal("pidfile is still locked")
	}
	if _, err := os.Lstat(f.pidfile); !errors.Is(err, os.ErrNotExist) {
		f.t.Fatalf("pidfile still exists (%v)", err)
	}
	// The kernel releases the lock as the process exits; it becomes a
	// zombie (or disappears) a moment later.
	await.For(f.t, "no live process for "+f.dir, func() bool { return len(livePids(f.dir)) == 0 && (pid == 0 || !alive(pid)) })
}

// Checklist 1: start returns once the daemon is ready.
func TestStartReportsReady(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pid := f.start()
	if !f.locked() || f.lockHolderPid() != pid {
		t.Fatalf("pidfile lock held by %d; want the daemon %d", f.lockHolderPid(), pid)
	}
	if want := fmt.Sprintf("testsvc started with pid %d", pid); !strings.Contains(f.readLog(), want) {
		t.Fatalf("log when start returned = %q; want %q", f.readLog(), want)
	}
	if !alive(pid) {
		t.Fatalf("daemon %d is not alive", pid)
	}
}

// Checklist 2: a startup failure is reported and leaves nothing behind.
func TestStartFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"log in missing directory", nil, []string{"--log", "missing/dir/x.log"}, "open log "},
		{"log is a directory", nil, []string{"--log", "."}, "open log "},
		{"pidfile in missing directory", nil, []string{"--pidfile", "missing/x.pid"}, "open pidfile "},
		{"init error", []string{"TESTSVC_INIT_ERROR=cannot bind :80"}, nil, "init: cannot bind :80"},
		{"dies before ready", []string{"TESTSVC_EXIT_EARLY=1"}, nil, "daemon exited before it was ready"},
		{"not ready in time", []string{"TESTSVC_INIT_SLEEP=1h"}, []string{"--timeout", "300ms"}, "daemon not ready after 300ms; killed it"},
		{"not ready before it could say its pid", nil, []string{"--timeout", "1ms"}, "daemon not ready after 1ms; killed it"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, c.env...)
			args := append([]string{"start", "--pidfile", f.pidfile, "--log", f.log}, c.args...)
			r := f.exec(f.command(args...))
			f.want(r, 1, c.want, "start")
			if !strings.HasPrefix(r.stderr, "testsvc: start: ") {
				t.Errorf("stderr %q; want it to start with the program and action", r.stderr)
			}
			f.wantGone(0)
		})
	}
}

// Checklist 3: start while running changes nothing.
func TestStartWhileRunning(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pid := f.start()
	f.want(f.run("start"), 0, fmt.Sprintf("already running (pid %d)", pid), "second start")
	if pids := livePids(f.dir); len(pids) != 1 || pids[0] != pid {
		t.Fatalf("live daemons %v; want only %d", pids, pid)
	}
}

// Checklists 1 and 3: a start that finds a daemon still starting waits for
// it, and reports it only once it is ready.
func TestStartWaitsForStartingDaemon(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "TESTSVC_INIT_SLEEP=1s")
	first := f.command("start", "--pidfile", f.pidfile, "--log", f.log)
	var out strings.Builder
	first.Stdout = &out
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	await.For(t, "the first daemon to lock its pidfile", f.locked)
	f.want(f.run("status"), 0, "testsvc starting (pid ", "status while starting")
	r := f.run("start")
	pid := f.pid()
	f.want(r, 0, fmt.Sprintf("already running (pid %d)", pid), "second start")
	if !strings.Contains(f.readLog(), fmt.Sprintf("testsvc started with pid %d", pid)) {
		t.Fatalf("second start returned before the daemon was ready; log %q", f.readLog())
	}
	if err := first.Wait(); err != nil || !strings.Contains(out.String(), "started") {
		t.Fatalf("first start: %v, %q", err, out.String())
	}
}

// Checklist 1: a start that waits for someone else's daemon gives up at its
// own --timeout if that daemon never gets ready.
func TestStartGivesUpOnNeverReadyDaemon(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "TESTSVC_INIT_SLEEP=1h")
	first := f.command("start", "--pidfile", f.pidfile, "--log", f.log, "--timeout", "3s")
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	await.For(t, "the first daemon to lock its pidfile", f.locked)
	f.want(f.run("start", "--timeout", "300ms"), 1, "still not ready", "second start")
	if err := first.Wait(); err == nil {
		t.Fatal("the first start succeeded; want it to fail at its timeout")
	}
	f.wantGone(0)
}

// Checklist 4: processes that only inspect the pidfile (shared locks) do
// not make a start believe a daemon runs.
func TestStartWaitsOutInspectors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	writePidfile(t, f.pidfile, "")
	lock, err := os.Open(f.pidfile)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_SH); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(300*time.Millisecond, func() { lock.Close() })
	f.start()
}

// Checklist 4: concurrent starts leave exactly one daemon.
func TestConcurrentStarts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const n = 20
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = f.run("start")
		}()
	}
	wg.Wait()
	started := 0
	for _, r := range results {
		if r.code != 0 {
			t.Fatalf("a concurrent start exited %d: %q %q", r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout, "started") {
			started++
		}
	}
	pid := f.pid()
	if pids := livePids(f.dir); started != 1 || len(pids) != 1 || pids[0] != pid {
		t.Fatalf("%d starts said started, live daemons %v, pidfile %d; want 1, [%d]", started, pids, pid, pid)
	}
}

// Checklists 5, 7 and 19: stop sends SIGTERM, the service returns, the
// daemon removes its pidfile and exits 0, and stop returns only then.
func TestStopWaits(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "TESTSVC_STOP_DELAY=300ms")
	pid := f.start()
	f.want(f.run("stop"), 0, fmt.Sprintf("testsvc stopped (pid %d)", pid), "stop")
	f.wantGone(pid)
	log := f.readLog()
	for _, want := range []string{"received terminated; stopping", "testsvc stopping", "testsvc: stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("log %q lacks %q", log, want)
		}
	}
	if st := procStat(pid); len(st) > 51 && st[2] == "Z" && st[51] != "0" {
		t.Errorf("daemon exit status %s; want 0", st[51])
	}
}

// Checklist 5 and 19: a second stop while the first waits does not signal
// the stopping daemon again (which would force its exit), and both succeed.
func TestOverlappingStops(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "TESTSVC_STOP_DELAY=2s") // the second stop must find it stopping, however loaded the machine
	pid := f.start()
	first := f.command("stop", "--pidfile", f.pidfile)
	var out strings.Builder
	first.Stdout = &out
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	f.waitLog("testsvc stopping")
	f.want(f.run("stop"), 0, "stopped", "second stop")
	if err := first.Wait(); err != nil || !strings.Contains(out.String(), "stopped") {
		t.Fatalf("first stop: %v, %q", err, out.String())
	}
	f.wantGone(pid)
	f.want(f.run("stop"), 0, "not running", "third stop")
	if log := f.readLog(); strings.Contains(log, "again; exiting now") || !strings.Contains(log, "testsvc: stopped") {
		t.Fatalf("log %q; want one clean shutdown", log)
	}
}

// Checklists 11 and 19: SIGTERM during Init is a clean stop. In the
// foreground the daemon exits 0 (systemd's stop of a unit still starting
// leaves it inactive, not failed); in the background it exits too, leaves
// no pidfile, and start fails, saying so. Neither runs the service.
func TestStopDuringInit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "TESTSVC_INIT_SLEEP=2s") // the SIGTERM must come during Init, however loaded the machine
	run := f.command("run", "--log", f.log, "--greeting", "hi")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	f.waitLog("greeting: hi")
	run.Process.Signal(syscall.SIGTERM)
	if err := run.Wait(); err != nil {
		t.Errorf("run given SIGTERM during Init: %v; want exit 0", err)
	}
	if log := f.readLog(); !strings.Contains(log, "stopped before it was ready") || strings.Contains(log, "testsvc stopping") {
		t.Errorf("run's log %q; want it stopped before Init ended and Run never started", log)
	}

	start := f.command("start", "--pidfile", f.pidfile, "--log", f.log, "--greeting", "again")
	var out strings.Builder
	start.Stdout, start.Stderr = &out, &out
	if err := start.Start(); err != nil {
		t.Fatal(err)
	}
	f.waitLog("greeting: again")
	pid := f.lockHolderPid()
	if pid <= 0 {
		t.Fatal("no daemon holds the pidfile during Init")
	}
	syscall.Kill(pid, syscall.SIGTERM)
	if err := start.Wait(); err == nil || !strings.Contains(out.String(), "stopped before it was ready") {
		t.Errorf("start whose daemon got SIGTERM during Init: %v, %q; want exit 1, stopped before it was ready", err, out.String())
	}
	f.wantGone(pid)
	f.want(f.run("status"), 3, "not running", "status after")
}

// Checklist 27: a stop that waits for a starting daemon says so on stderr,
// and when the daemon then dies, names its pid and says that it exited
// before it was ready, whether its start had given up (the empty file
// stays) or removes the file itself, before or after stop looks.
func TestStopWaitingForDyingStart(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		killStart bool
		afterTerm bool // the daemon has marked stop's SIGTERM in its pidfile
	}{
		{"start gave up", true, false},
		{"start cleans up", false, false},
		{"stopping", false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "TESTSVC_INIT_SLEEP=1h")
			start := f.command("start", "--pidfile", f.pidfile, "--log", f.log, "--timeout", "1m")
			if err := start.Start(); err != nil {
				t.Fatal(err)
			}
			await.For(t, "the daemon to lock its pidfile", func() bool { return f.lockHolderPid() > 0 })
			pid := f.lockHolderPid()
			if tt.killStart {
				start.Process.Kill()
			}
			stop := f.command("stop", "--pidfile", f.pidfile, "--timeout", "1m")
			var out strings.Builder
			stop.Stdout = &out
			stderr, err := stop.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := stop.Start(); err != nil {
				t.Fatal(err)
			}
			// stop says so once it has seen the daemon starting.
			line, _ := bufio.NewReader(stderr).ReadString('\n')
			if want := fmt.Sprintf("testsvc: pid %d is starting; it stops once its Init returns\n", pid); line != want {
				t.Fatalf("stop's stderr: %q; want %q", line, want)
			}
			if tt.afterTerm {
				await.For(t, "the daemon to mark stop's SIGTERM", func() bool {
					data, _ := os.ReadFile(f.pidfile)
					return string(data) == stoppingMark
				})
			}
			syscall.Kill(pid, syscall.SIGKILL)
			want := fmt.Sprintf("testsvc not running (pid %d exited before it was ready; see its log)\n", pid)
			if err := stop.Wait(); err != nil || out.String() != want {
				t.Errorf("stop = %v, %q; want exit 0 and %q", err, out.String(), want)
			}
			start.Wait()
			f.wantGone(pid)
		})
	}
}

// Issue 21, item 6: stop sends SIGTERM to a daemon still in Init, which
// cancels Init's context: stop reports a clean stop at once, not a SIGKILL
// at --timeout, and start says the daemon stopped before it was ready.
func TestStopCancelsInit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "TESTSVC_INIT_WAIT=1h")
	start := f.command("start", "--pidfile", f.pidfile, "--log", f.log, "--timeout", "1m")
	var out strings.Builder
	start.Stdout, start.Stderr = &out, &out
	if err := start.Start(); err != nil {
		t.Fatal(err)
	}
	await.For(t, "the daemon to lock its pidfile", func() bool { return f.lockHolderPid() > 0 })
	pid := f.lockHolderPid()
	f.want(f.run("stop", "--timeout", "5s"), 0, fmt.Sprintf("testsvc stopped (pid %d)", pid), "stop during Init")
	if err := start.Wait(); err == nil || !strings.Contains(out.String(), "stopped before it was ready") {
		t.Errorf("start whose daemon was stopped during Init: %v, %q; want exit 1, stopped before it was ready", err, out.String())
	}
	f.wantGone(pid)
}

// Issue 21, item 5: a clean stop whose pidfile cannot be removed (its
// directory became read-only) exits 0 and says why the file stays; so does
// every later stop, and restart starts again. Run in a mount namespace,
// where the directory is bound read-only over itself.
func TestStopReadOnlyPidfileDir(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 || exec.Command("unshare", "--mount", "true").Run() != nil {
		t.Skip("needs root and unshare --mount")
	}
	f := newFixture(t)
	exe, _ := os.Executable()
	script := `
"$BIN" start --pidfile "$P" --log "$L" >/dev/null || exit 9
mount --bind -o ro "$D" "$D" || exit 8
"$BIN" stop --pidfile "$P"; echo "stop=$?"
"$BIN" stop --pidfile "$P"; echo "stop=$?"
`
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", script)
	cmd.Env = append(f.env, "BIN="+exe, "P="+f.pidfile, "L="+f.log, "D="+filepath.Dir(f.pidfile))
	var out strings.Builder
	cmd.Stdout = &out
	r := f.exec(cmd)
	lines := strings.Split(out.String(), "\n")
	if r.code != 0 || len(lines) < 4 || !strings.HasPrefix(lines[0], "testsvc stopped (pid ") || lines[1] != "stop=0" ||
		lines[2] != "testsvc not running (stale pidfile "+f.pidfile+" stays)" || lines[3] != "stop=0" {
		t.Errorf("stop with a read-only pidfile directory: exit %d, stdout %q, stderr %q; want two stops that exit 0", r.code, out.String(), r.stderr)
	}
	if !strings.Contains(r.stderr, "remove stale pidfile "+f.pidfile) {
		t.Errorf("stderr %q; want it to say the pidfile could not be removed", r.stderr)
	}
}

// Checklist 20: a reload asked for while the daemon starts happens once it
// has started.
func TestReloadDuringInit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "TESTSVC_INIT_SLEEP=1s")
	first := f.command("start", "--pidfile", f.pidfile, "--log", f.log)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	await.For(t, "the daemon to lock its pidfile", func() bool { return f.lockHolderPid() > 0 })
	f.want(f.run("reload"), 0, "reloaded", "reload while starting")
	if err := first.Wait(); err != nil {
		t.Fatalf("start: %v", err)
	}
	if log := f.readLog(); !strings.Contains(log, "while starting; reloading once started") || !strings.Contains(log, "testsvc reloaded") {
		t.Fatalf("log %q; want the reload deferred until Init succeeded, and done", log)
	}
}

// Checklists 5 and 27: a daemon that does not die on SIGTERM is killed
// after --timeout, and stop says so with its own exit status.
func TestStopKillsAfterTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pid := f.start()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	r := f.run("stop", "--timeout", "500ms")
	f.want(r, 150, fmt.Sprintf("testsvc killed (pid %d): SIGKILL after --timeout 500ms", pid), "stop")
	if !strings.Contains(r.stderr, "SIGKILL") {
		t.Errorf("stop stderr %q; want it to say it sent SIGKILL", r.stderr)
	}
	f.wantGone(pid)
}

// Checklist 27: a daemon that crashes as it stops (here, a panic in Run
// after its context was cancelled) is reported as a crash, not a stop.
func TestStopReportsCrash(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "TESTSVC_STOP_CRASH=1")
	pid := f.start()
	f.want(f.run("stop"), 0, fmt.Sprintf("testsvc crashed (pid %d): it exited without a clean shutdown", pid), "stop")
	f.wantGone(pid)
	if !strings.Contains(f.readLog(), "panic: crash while stopping") {
		t.Fatalf("log %q; want the panic", f.readLog())
	}
}

// Checklist 5: stop exits non-zero when it cannot stop the daemon, here
// because it runs as a user who may not signal it.
func TestStopFailsWhenItCannotSignal(t *testing.T) {
	t.Parallel()
	nobody := needNobody(t)
	f := newFixture(t)
	// nobody must be able to reach the pidfile and run a copy of the test
	// binary.
	f.openToOthers()
	exe, _ := os.Executable()
	copied := copyExecutable(t, f, exe)
	pid := f.start()
	cmd := exec.Command(copied, "stop", "--pidfile", f.pidfile, "--timeout", "1s")
	cmd.Env = f.env
	cmd.SysProcAttr = nobodyCred(t, nobody.Uid, nobody.Gid)
	f.want(f.exec(cmd), 1, "operation not permitted", "stop as nobody")
	if !alive(pid) || f.lockHolderPid() != pid {
		t.Fatalf("daemon %d: alive=%v, lock holder %d; want it untouched", pid, alive(pid), f.lockHolderPid())
	}
}

// Checklist 6: stop while not running.
func TestStopNotRunning(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.want(f.run("stop"), 0, "not running", "stop")
}

// Checklist 8: an unrelated live process named in a stale pidfile is never
// signalled, and start replaces the pidfile.
func TestStalePidfileUnrelatedProcess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	sleep := exec.Command("sleep", "60")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleep.Process.Kill(); sleep.Wait() })
	other := sleep.Process.Pid
	writePidfile(t, f.pidfile, strconv.Itoa(other)+"\n")
	f.want(f.run("status"), 1, "stale pidfile", "status")
	f.want(f.run("reload"), 7, "not running", "reload")
	f.want(f.run("stop"), 0, "not running (removed stale pidfile", "stop")
	if !alive(other) {
		t.Fatalf("unrelated process %d was killed", other)
	}
	writePidfile(t, f.pidfile, strconv.Itoa(other)+"\n")
	pid := f.start()
	if pid == other {
		t.Fatal("start kept the stale pid")
	}
	f.want(f.run("restart"), 0, "started", "restart")
	f.want(f.run("stop"), 0, "stopped", "stop")
	if !alive(other) {
		t.Fatalf("unrelated process %d was killed", other)
	}
}

func writePidfile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Checklist 8: hostile pidfile contents are stale and never signalled. Pids
// 0, 1 and -1 are tried inside a new PID namespace, where a stray signal
// could reach only the namespace's own processes; its init (a shell) traps
// the signals and would report one.
func TestStalePidfileHostileContents(t *testing.T) {
	t.Parallel()
	exe, _ := os.Executable()
	script := `
trap 'echo SIGNALLED' TERM HUP USR1 INT
for content in "" "garbage" "0" "1" "-1" "99999999999999999999"; do
	printf '%s\n' "$content" > "$P"
	"$BIN" status --pidfile "$P" >/dev/null; s=$?
	"$BIN" reload --pidfile "$P" 2>/dev/null; r=$?
	"$BIN" stop --pidfile "$P" >/dev/null; o=$?
	printf '%s\n' "$content" > "$P"
	"$BIN" start --pidfile "$P" --log "$L" >/dev/null; a=$?
	"$BIN" stop --pidfile "$P" >/dev/null; b=$?
	echo "[$content] status=$s reload=$r stop=$o start=$a stop=$b"
done
# Locked by a process that did not announce itself (flock(1) takes only the
# flock, and holds it in its own process with -o).
for content in "1" "-1" "0" "$$"; do
	printf '%s\n' "$content" > "$P"
	flock -o "$P" sleep 30 & holder=$!
	while flock -n "$P" true; do sleep 0.01; done
	"$BIN" status --pidfile "$P" >/dev/null 2>&1; s=$?
	"$BIN" reload --pidfile "$P" 2>/dev/null; r=$?
	"$BIN" stop --pidfile "$P" >/dev/null 2>&1; o=$?
	kill $holder; wait $holder
	echo "locked [$content] status=$s reload=$r stop=$o"
done
`
	f := newFixture(t, shortWaitsEnv+"=1")
	want := ""
	for _, c := range []string{"", "garbage", "0", "1", "-1", "99999999999999999999"} {
		want += fmt.Sprintf("[%s] status=1 reload=7 stop=0 start=0 stop=0\n", c)
	}
	for _, c := range []string{"1", "-1", "0", "1"} { // $$ is 1, the shell
		// A flock without the POSIX write lock is no daemon's: stale.
		want += fmt.Sprintf("locked [%s] status=1 reload=7 stop=0\n", c)
	}
	if os.Geteuid() == 0 && exec.Command("unshare", "--pid", "--fork", "--mount-proc", "true").Run() == nil {
		cmd := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", script)
		cmd.Env = append(f.env, "BIN="+exe, "P="+f.pidfile, "L="+f.log)
		var out strings.Builder
		cmd.Stdout = &out
		r := f.exec(cmd)
		if got := out.String(); r.code != 0 || got != want || strings.Contains(got, "SIGNALLED") {
			t.Fatalf("hostile pidfiles in a PID namespace: exit %d, output\n%s\nstderr %s\nwant\n%s", r.code, got, r.stderr, want)
		}
	} else {
		t.Log("no PID namespace (needs root and unshare): trying only contents that cannot signal others")
	}

	// The caller's own pid: each command finds its own pid in the pidfile,
	// and the test's pid; a signal to either would show.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1)
	defer signal.Stop(sigs)
	for action, code := range map[string]int{"status": 1, "reload": 7, "stop": 0, "reopen": 7} {
		cmd := exec.Command("sh", "-c", `echo $$ > "$P"; exec "$BIN" "$ACTION" --pidfile "$P"`)
		cmd.Env = append(f.env, "BIN="+exe, "P="+f.pidfile, "ACTION="+action)
		if r := f.exec(cmd); r.code != code {
			t.Errorf("%s with its own pid in the pidfile: exit %d (%s); want %d", action, r.code, r.stderr, code)
		}
		writePidfile(t, f.pidfile, strconv.Itoa(os.Getpid())+"\n")
		if r := f.run(action); r.code != code {
			t.Errorf("%s with the test's pid in the pidfile: exit %d (%s); want %d", action, r.code, r.stderr, code)
		}
	}

	// Locked by this test, which does not announce itself, naming the
	// test's pid or an unrelated process: nobody is signalled. (With POSIX
	// locks alone, a flock is no lock at all: the file is just stale.)
	if flockLocks {
		lockedByTest(t, f)
	}
	select {
	case s := <-sigs:
		t.Fatalf("the test process received %v", s)
	case <-time.After(50 * time.Millisecond):
	}
}

// lockedByTest checks that a pidfile the test locks with flock, without
// announcing itself, naming the test's pid or an unrelated process, is
// signalled by no command, and that start replaces it.
func lockedByTest(t *testing.T, f *fixture) {
	sleep := exec.Command("sleep", "60")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { sleep.Process.Kill(); sleep.Wait() }()
	for _, pid := range []int{os.Getpid(), sleep.Process.Pid} {
		writePidfile(t, f.pidfile, strconv.Itoa(pid)+"\n")
		lock, err := os.Open(f.pidfile)
		if err != nil {
			t.Fatal(err)
		}
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
			t.Fatal(err)
		}
		// A holder without the POSIX write lock is no daemon: the file
		// is stale (LSB status 1), stop has nothing to stop.
		for action, want := range map[string]struct {
			code int
			text string
		}{
			"status": {1, "not running (stale pidfile " + f.pidfile + ", locked by a process that is no daemon)"},
			"reload": {7, "not running"},
			"reopen": {7, "not running"},
			"stop":   {0, "not running (pidfile " + f.pidfile + " is locked by a process that is no daemon; start replaces it)"},
		} {
			f.want(f.run(action), want.code, want.text, fmt.Sprintf("%s of a pidfile locked by the test naming %d", action, pid))
		}
		// start and restart replace a file that no daemon holds
		// (checklist 30).
		f.want(f.run("start"), 0, "started", "start over a pidfile locked by the test")
		f.want(f.run("stop"), 0, "stopped", "stop")
		writePidfile(t, f.pidfile, strconv.Itoa(pid)+"\n")
		lock.Close()
		if lock, err = os.Open(f.pidfile); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
			t.Fatal(err)
		}
		f.want(f.run("restart"), 0, "started", "restart over a pidfile locked by the test")
		f.want(f.run("stop"), 0, "stopped", "stop")
		lock.Close()
	}
	if !alive(sleep.Process.Pid) {
		t.Error("the unrelated process named in a locked pidfile was killed")
	}
}

// Checklist 8 and 22: a pidfile path that names a FIFO, a directory or a
// file with other hard links is refused, promptly and without harm.
func TestPidfileOddFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		make func(path string) error
		want string
	}{
		{"fifo", func(path string) error { return syscall.Mkfifo(path, 0o644) }, "not a regular file"},
		{"directory", func(path string) error { return os.Mkdir(path, 0o755) }, "not a regular file"},
		{"hard link", func(path string) error {
			victim := filepath.Join(filepath.Dir(path), "victim")
			if err := os.WriteFile(victim, []byte("keep me\n"), 0o644); err != nil {
				return err
			}
			return os.Link(victim, path)
		}, "hard links"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if err := c.make(f.pidfile); err != nil {
				t.Fatal(err)
			}
			for action, code := range map[string]int{"status": 4, "stop": 1, "start": 1, "reload": 1, "run": 1} {
				if r := f.run(action); r.code != code || !strings.Contains(r.stderr, c.want) {
					t.Errorf("%s: exit %d (%q); want %d and %q", action, r.code, r.stderr, code, c.want)
				}
			}
			if _, err := os.Lstat(f.pidfile); err != nil {
				t.Errorf("the %s was removed: %v", c.name, err)
			}
			if data, err := os.ReadFile(filepath.Join(f.dir, "victim")); err == nil && string(data) != "keep me\n" {
				t.Errorf("the hard link's other name now holds %q", data)
			}
			if pids := livePids(f.dir); len(pids) > 0 {
				t.Errorf("processes %v left behind", pids)
			}
		})
	}
}

// A stale pidfile is removed only if its path still names the file that was
// inspected: a pidfile put there meanwhile, by a new daemon, stays.
func TestRemoveStaleKeepsReplacedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.pid")
	writePidfile(t, path, "123\n")
	i, err := inspect(path)
	if err != nil || i.state != dead {
		t.Fatalf("inspect(stale) = %+v, %v; want dead", i, err)
	}
	defer i.close()
	fresh := filepath.Join(dir, "fresh")
	writePidfile(t, fresh, "456\n")
	if err := os.Rename(fresh, path); err != nil {
		t.Fatal(err)
	}
	if err := i.removeStale(); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(path); err != nil || string(data) != "456\n" {
		t.Fatalf("after removeStale the new pidfile holds %q (%v); want it kept", data, err)
	}
}

// Checklist 9: status follows the LSB exit codes; unknown actions exit 2.
func TestStatusExitCodes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.want(f.run("status"), 3, "not running", "status without pidfile")
	pid := f.start()
	f.want(f.run("status"), 0, fmt.Sprintf("running (pid %d)", pid), "status while running")
	syscall.Kill(pid, syscall.SIGKILL)
	await.For(t, "the killed daemon to release its lock", func() bool { return !f.locked() })
	f.want(f.run("status"), 1, "stale pidfile", "status after kill -9")
	f.start() // kill -9, then start
	f.want(f.run("stop"), 0, "stopped", "stop")

	notDir := filepath.Join(f.dir, "file")
	writePidfile(t, notDir, "")
	f.want(f.exec(f.command("status", "--pidfile", filepath.Join(notDir, "x.pid"))), 4, "not a directory", "status of an unreadable pidfile")
	usageErrors := [][]string{
		{"frobnicate"},
		{},
		{"start", "extra"},
		{"status", "--nosuch"},
	}
	for _, args := range usageErrors {
		r := f.exec(f.command(args...))
		if r.code != 2 || !strings.Contains(r.stderr, "Usage: testsvc COMMAND") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and the usage", args, r.code, r.stderr)
		}
	}
	r := f.exec(f.command("-help"))
	if r.code != 0 || !strings.Contains(r.stdout, "Usage: testsvc COMMAND") {
		t.Errorf("-help: exit %d, stdout %q; want 0 and the usage", r.code, r.stdout)
	}
}

// Checklists 3, 6, 9: the exit code of every command in every state.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	want := map[string][3]int{ // not running, stale pidfile, running
		"status":  {3, 1, 0},
		"stop":    {0, 0, 0},
		"start":   {0, 0, 0},
		"restart": {0, 0, 0},
		"reload":  {7, 7, 0},
		"reopen":  {7, 7, 0},
	}
	states := [3]string{"not running", "with a stale pidfile", "running"}
	for action, codes := range want {
		t.Run(action, func(t *testing.T) {
			t.Parallel()
			for state, code := range codes {
				f := newFixture(t)
				switch state {
				case 1:
					writePidfile(t, f.pidfile, "garbage longer than any pid\n")
				case 2:
					f.start()
				}
				if r := f.run(action); r.code != code {
					t.Errorf("%s %s: exit %d (%q %q); want %d", action, states[state], r.code, r.stdout, r.stderr, code)
				}
				if action == "start" || action == "restart" {
					f.pid() // exactly "PID\n", whatever was there before
				}
			}
		})
	}
}

// Checklist 10: restart replaces the daemon.
func TestRestart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	old := f.start()
	f.want(f.run("restart"), 0, "started", "restart")
	pid := f.pid()
	if pid == old || !alive(pid) {
		t.Fatalf("after restart: pid %d (old %d) alive=%v; want a new live daemon", pid, old, alive(pid))
	}
	await.For(t, "the old daemon to be gone", func() bool { return !alive(old) })
}

// Checklist 11: run stays in the foreground and talks to the service manager.
func TestRunNotifiesServiceManager(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	sock, messages := notifySocket(t, f.dir)
	// next wants the next message to match want, a regular expression
	// of the whole message.
	next := func(want string) {
		t.Helper()
		select {
		case got := <-messages:
			if !regexp.MustCompile(`^` + want + `$`).MatchString(got) {
				t.Fatalf("notify message %q; want %q", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no notify message; want %q", want)
		}
	}
	cmd := f.command("run")
	cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+sock)
	stderr, err := os.Create(filepath.Join(f.dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logged := func() string {
		data, _ := os.ReadFile(stderr.Name())
		return string(data)
	}
	next("STATUS=starting")
	next("READY=1\nSTATUS=serving")
	if !strings.Contains(logged(), "testsvc started with pid") {
		t.Errorf("run logged %q before READY=1; want the service's first line on stderr", logged())
	}
	cmd.Process.Signal(syscall.SIGHUP)
	next("RELOADING=1\nMONOTONIC_USEC=[1-9][0-9]*\nSTATUS=reloading")
	next("READY=1\nSTATUS=serving")
	cmd.Process.Signal(syscall.SIGTERM)
	next("STOPPING=1\nSTATUS=stopping")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("run after SIGTERM: %v; want exit 0\n%s", err, logged())
	}
	if _, err := os.Stat(f.pidfile); err == nil {
		t.Error("run without --pidfile wrote a pidfile")
	}
}

// Checklist 11: run takes the pidfile only when one is named, holds it while
// it runs, and removes it when it stops.
func TestRunWithPidfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cmd := f.command("run", "--pidfile", f.pidfile)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	want := strconv.Itoa(cmd.Process.Pid) + "\n"
	await.For(t, "run to lock its pidfile and write its pid once ready", func() bool {
		data, _ := os.ReadFile(f.pidfile)
		return f.lockHolderPid() == cmd.Process.Pid && string(data) == want
	})
	f.want(f.exec(f.command("run", "--pidfile", f.pidfile)), 1, "already running", "a second run")
	f.want(f.run("status"), 0, "running", "status of run")
	f.want(f.run("stop"), 0, "stopped", "stop of run")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("run after stop: %v; want exit 0", err)
	}
	f.wantGone(cmd.Process.Pid)
}

// Checklist 11: as process 1, run reaps orphans.
func TestRunAsPID1ReapsOrphans(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 || exec.Command("unshare", "--pid", "--fork", "--mount-proc", "true").Run() != nil {
		t.Skip("needs root and unshare for a PID namespace")
	}
	f := newFixture(t, "TESTSVC_ORPHAN=1")
	exe, _ := os.Executable()
	cmd := exec.Command("unshare", "--pid", "--fork", "--mount-proc", exe, "run")
	cmd.Env = f.env
	f.want(f.exec(cmd), 0, "orphan reaped", "run as pid 1")
}

// Checklist 12: relative paths are the caller's.
func TestRelativePaths(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.want(f.exec(f.command("start", "--pidfile", "rel.pid", "--log", "rel.log")), 0, "started", "start")
	f.pidfile, f.log = filepath.Join(f.dir, "rel.pid"), filepath.Join(f.dir, "rel.log")
	pid := f.pid()
	if !strings.Contains(f.readLog(), "started with pid") {
		t.Fatalf("no log at %s", f.log)
	}
	f.want(f.exec(f.command("stop", "--pidfile", "rel.pid")), 0, "stopped", "stop")
	f.wantGone(pid)
}

// Checklists 13 to 16: detached, in /, umask 027, stdio on /dev/null and the
// log, no inherited descriptors, and $(start) returns at once.
func TestDaemonProcess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := f.command("start", "--pidfile", f.pidfile, "--log", f.log)
	cmd.ExtraFiles = []*os.File{w}
	out, err := cmd.Output() // returns only once stdout's pipe is closed
	w.Close()
	if err != nil || !strings.Contains(string(out), "started") {
		t.Fatalf("start: %v, %q", err, out)
	}
	// Nobody but us may hold the pipe's write end any more.
	r.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := r.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read from the pipe passed to start: %d, %v; want EOF (the daemon kept it open)", n, err)
	}
	pid := f.pid()
	st := procStat(pid)
	sid, _ := strconv.Atoi(st[5])
	ownSid, _ := strconv.Atoi(procStat(os.Getpid())[5])
	if sid == pid || sid == ownSid || st[6] != "0" {
		t.Errorf("daemon %d: session %d (ours %d), tty %s; want a new session it does not lead, no tty", pid, sid, ownSid, st[6])
	}
	if cwd, _ := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); cwd != "/" {
		t.Errorf("daemon cwd %q; want /", cwd)
	}
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if !strings.Contains(string(status), "Umask:\t0027") {
		t.Errorf("daemon umask: want 0027 in\n%s", status)
	}
	for fd, want := range map[int]string{0: os.DevNull, 1: f.log, 2: f.log} {
		if got, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%d", pid, fd)); got != want {
			t.Errorf("daemon fd %d = %q; want %q", fd, got, want)
		}
	}
	fds := func() map[int]string {
		m := map[int]string{}
		entries, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		for _, e := range entries {
			fd, _ := strconv.Atoi(e.Name())
			m[fd], _ = os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name()))
		}
		return m
	}
	// The daemon closes its end of the readiness pipe just after it has
	// reported; then only its own descriptors are left.
	await.For(t, "the daemon to close the readiness pipe", func() bool {
		for _, target := range fds() {
			if strings.HasPrefix(target, "pipe:") {
				return false
			}
		}
		return true
	})
	// The runtime's own: epoll and pidfd (anon_inode:), and, from Go 1.25
	// in modules that say go 1.25 or later, the cgroup CPU limit files it
	// keeps open to follow GOMAXPROCS. One socket: the control socket.
	sockets := 0
	for fd, target := range fds() {
		if strings.HasPrefix(target, "socket:") {
			sockets++
		}
		if fd > 2 && target != f.pidfile && !strings.HasPrefix(target, "anon_inode:") && !strings.HasPrefix(target, "/sys/fs/cgroup/") && !(strings.HasPrefix(target, "socket:") && sockets <= 1) {
			t.Errorf("daemon has fd %d -> %s; want only stdio, the pidfile, the control socket and the runtime's own", fd, target)
		}
	}
	fi, err := os.Stat(f.log)
	if err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("log mode %v (%v); want 0640 under umask 027", fi.Mode(), err)
	}
}

// Checklist 15: a panic lands in the log.
func TestPanicLandsInLog(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "TESTSVC_RELOAD_PANIC=1")
	pid := f.start()
	f.want(f.run("reload"), 1, "without an answer (did it crash?", "reload")
	await.For(t, "the panicking daemon to exit", func() bool { return !f.locked() })
	if log := f.readLog(); !strings.Contains(log, "panic: reload panic") || !strings.Contains(log, "goroutine ") {
		t.Fatalf("log after a panic = %q; want the panic and its traceback", log)
	}
	await.For(t, "the panicked daemon to be gone", func() bool { return !alive(pid) })
}

// Checklist 17: the re-exec marker does not reach programs the daemon runs.
func TestMarkerDoesNotLeak(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "TESTSVC_CHECK_ENV=1")
	f.start()
	if log := f.readLog(); !strings.Contains(log, "child sees marker: false (<nil>)") {
		t.Fatalf("log %q; want the service's child not to see %s", log, stageEnv)
	}
}

// Checklist 18: signals ignored by whoever started the daemon are handled.
func TestIgnoredSignalsStillHandled(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	exe, _ := os.Executable()
	cmd := exec.Command("sh", "-c", `trap '' TERM HUP; exec "$0" start --pidfile "$1" --log "$2"`, exe, f.pidfile, f.log)
	cmd.Env = f.env
	f.want(f.exec(cmd), 0, "started", "start with TERM and HUP ignored")
	pid := f.pid()
	f.want(f.run("reload"), 0, "reloaded", "reload")
	f.waitLog("testsvc reloaded")
	r := f.run("stop", "--timeout", "5s")
	f.want(r, 0, "stopped", "stop")
	if strings.Contains(r.stderr, "SIGKILL") || !strings.Contains(f.readLog(), "received terminated") {
		t.Fatalf("stop needed SIGKILL (%q); want SIGTERM handled", r.stderr)
	}
	f.wantGone(pid)
}

// Checklists 19 and 25: a second SIGTERM does not cut the shutdown short;
// SIGQUIT, the documented forced exit, does, and logs every goroutine.
func TestQuitForcesExit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "TESTSVC_STOP_DELAY=1h")
	pid := f.start()
	syscall.Kill(pid, syscall.SIGTERM)
	f.waitLog("testsvc stopping")
	syscall.Kill(pid, syscall.SIGTERM)
	f.waitLog("received terminated; already stopping")
	if !f.locked() || !alive(pid) {
		t.Fatalf("a second SIGTERM ended the daemon; log %q", f.readLog())
	}
	// A stop that comes now waits for the stopping daemon and reports the
	// forced exit, not a clean stop (checklist 27).
	waiting := f.command("stop", "--pidfile", f.pidfile, "--timeout", "1m")
	var out strings.Builder
	waiting.Stdout = &out
	if err := waiting.Start(); err != nil {
		t.Fatal(err)
	}
	await.For(t, "the stop to wait on the pidfile's lock", func() bool { return blockedOnLock(waiting.Process.Pid) })
	syscall.Kill(pid, syscall.SIGQUIT)
	if err := waiting.Wait(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if want := fmt.Sprintf("testsvc crashed (pid %d): SIGQUIT forced it out", pid); !strings.Contains(out.String(), want) {
		t.Fatalf("waiting stop said %q; want %q", out.String(), want)
	}
	f.wantGone(pid)
	if log := f.readLog(); !strings.Contains(log, "received quit; exiting now") || !strings.Contains(log, "goroutine ") {
		t.Fatalf("log %q; want the forced exit and the goroutines logged", log)
	}
}

// Checklist 20: SIGHUP reloads and keeps the pid.
func TestReloadKeepsPid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pid := f.start()
	f.want(f.run("reload"), 0, fmt.Sprintf("reloaded (pid %d)", pid), "reload")
	if !strings.Contains(f.readLog(), "testsvc reloaded") || f.pid() != pid || !alive(pid) {
		t.Fatalf("after reload: pid %d alive=%v, log %q", f.pid(), alive(pid), f.readLog())
	}
}

// Checklist 21: SIGUSR1 reopens the log; no line is lost or written to the
// old file afterwards.
func TestReopenLog(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "TESTSVC_TICK=2ms")
	f.start()
	f.waitLog("tick 5\n")
	rotated := f.log + ".1"
	if err := os.Rename(f.log, rotated); err != nil {
		t.Fatal(err)
	}
	f.want(f.run("reopen"), 0, "testsvc reopened its log (pid ", "reopen")
	f.waitLog("reopened log")
	before, _ := os.ReadFile(rotated)
	await.For(t, "20 ticks in the new log", func() bool { return strings.Count(f.readLog(), " tick ") >= 20 })
	after, _ := os.ReadFile(rotated)
	if len(after) != len(before) {
		t.Fatalf("old log grew from %d to %d bytes after the reopen", len(before), len(after))
	}
	f.run("stop")
	next := 1
	for _, line := range strings.Split(string(after)+f.readLog(), "\n") {
		if _, n, ok := strings.Cut(line, " tick "); ok {
			if n != strconv.Itoa(next) {
				t.Fatalf("tick %s follows tick %d: a line was lost or repeated", n, next-1)
			}
			next++
		}
	}
}

// Checklist 22: the pidfile is PID\n, mode 0644, locked, never a symlink.
func TestPidfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pid := f.start()
	fi, err := os.Lstat(f.pidfile)
	if err != nil || fi.Mode() != 0o644 {
		t.Fatalf("pidfile mode %v (%v); want -rw-r--r--", fi.Mode(), err)
	}
	if f.lockHolderPid() != pid {
		t.Fatalf("pidfile lock held by %d; want %d", f.lockHolderPid(), pid)
	}
	f.run("stop")

	target := filepath.Join(f.dir, "target")
	writePidfile(t, target, "keep me\n")
	if err := os.Symlink(target, f.pidfile); err != nil {
		t.Fatal(err)
	}
	f.want(f.run("start"), 1, "symbolic link", "start with a symlink pidfile")
	if data, _ := os.ReadFile(target); string(data) != "keep me\n" {
		t.Fatalf("symlink target now holds %q", data)
	}
	if pids := livePids(f.dir); len(pids) > 0 {
		t.Fatalf("processes %v left behind", pids)
	}
}

// Checklist 15 and 23: the log is never a symbolic link (a user who may
// write the log's directory must not make a root daemon write, or hand
// over, a file of their choosing), nor the pidfile.
func TestLogSafety(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	target := filepath.Join(f.dir, "secret")
	writePidfile(t, target, "secret\n")
	if err := os.Chmod(target, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, f.log); err != nil {
		t.Fatal(err)
	}
	args := []string{"start"}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("nobody"); err == nil {
			args = append(args, "--user", "nobody")
		}
	}
	f.want(f.run(args...), 1, "symbolic link", "start with a symlinked log")
	fi, err := os.Stat(target)
	st, _ := fi.Sys().(*syscall.Stat_t)
	if data, _ := os.ReadFile(target); err != nil || string(data) != "secret\n" || fi.Mode().Perm() != 0o600 || int(st.Uid) != os.Geteuid() {
		t.Fatalf("symlink target after start: %q, %v, %v; want it untouched", data, fi.Mode(), err)
	}
	f.wantGone(0)
	same := filepath.Join(f.dir, "same")
	f.want(f.exec(f.command("start", "--pidfile", same, "--log", same)), 2, "is the pidfile", "start with the log as pidfile")
	f.want(f.exec(f.command("start", "--pidfile", same, "--log", same+".ctl")), 2, "is the pidfile or its control socket", "start with the log as control socket")
	if _, err := os.Lstat(same + ".ctl"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("start with the log as control socket left %s.ctl (%v); want nothing", same, err)
	}
	// An empty value (an unset shell variable) is no default: it could
	// name the system's daemon.
	for _, args := range [][]string{{"start", "--pidfile=", "--log", f.log}, {"stop", "--pidfile", ""}, {"status", "--log="}} {
		f.want(f.exec(f.command(args...)), 2, "an empty --pidfile or --log names no file", strings.Join(args, " "))
	}
}

// Checklist 23: --user drops privileges after opening the files.
func TestUser(t *testing.T) {
	t.Parallel()
	nobody := needNobody(t)
	f := newFixture(t)
	f.openToOthers() // for the reopen below
	pid := f.start("--user", "nobody")
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, want := range []string{
		fmt.Sprintf("Uid:\t%s\t%[1]s\t%[1]s\t%[1]s\n", nobody.Uid),
		fmt.Sprintf("Gid:\t%s\t%[1]s\t%[1]s\t%[1]s\n", nobody.Gid),
	} {
		if !strings.Contains(string(status), want) {
			t.Errorf("daemon status lacks %q:\n%s", want, status)
		}
	}
	if !strings.Contains(string(status), "\nGroups:\t"+nobody.Gid+" \n") {
		t.Errorf("daemon supplementary groups: want only nobody's in\n%s", status)
	}
	// The log is nobody's, and a new one logrotate creates for nobody
	// (create 0640 nobody GROUP) is reopened.
	fi, err := os.Stat(f.log)
	if st, ok := fi.Sys().(*syscall.Stat_t); err != nil || !ok || strconv.Itoa(int(st.Uid)) != nobody.Uid {
		t.Errorf("log %s: %v, %+v; want it handed to nobody", f.log, err, fi)
	}
	f.rotateLog(nobody)
	f.want(f.run("reopen"), 0, "testsvc reopened its log (pid ", "reopen")
	f.waitLog("reopened log")
	f.want(f.run("stop"), 0, "stopped", "stop")
	f.wantGone(pid)
}

// rotateLog does what logrotate's "create" does: it renames the log to
// LOG.1, which it returns, and puts an empty log owned by u in its place.
func (f *fixture) rotateLog(u *user.User) string {
	f.t.Helper()
	rotated := f.log + ".1"
	if err := os.Rename(f.log, rotated); err != nil {
		f.t.Fatal(err)
	}
	writePidfile(f.t, f.log, "")
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(f.log, uid, gid); err != nil {
		f.t.Fatal(err)
	}
	return rotated
}

// Issue 21, item 9: a daemon started as root with --user has the HOME,
// USER, LOGNAME and SHELL of that user and a plain PATH, not root's, and
// none of root's other variables but those the service declares
// (Program.Env) and NAME_*. The log it made for that user is refused by a
// later root daemon without --user: the user could read what root writes.
func TestUserEnvironment(t *testing.T) {
	t.Parallel()
	nobody := needNobody(t)
	f := newFixture(t, "TESTSVC_LOG_ENV=1", "HOME=/root", "USER=root", "LOGNAME=root", "SHELL=/bin/bash",
		"PATH=/root/bin:"+os.Getenv("PATH"), "ROOT_SECRET=s3cret", "SERVICE_TOKEN=declared")
	f.openToOthers()
	f.start("--user", "nobody")
	a, err := lookupUser("nobody")
	if err != nil {
		t.Fatal(err)
	}
	f.waitLog(fmt.Sprintf("env HOME=%s USER=nobody LOGNAME=nobody SHELL=%s PATH=/usr/local/bin:/usr/bin:/bin ROOT_SECRET=\"\" SERVICE_TOKEN=\"declared\"\n", nobody.HomeDir, a.shell))
	f.want(f.run("stop"), 0, "stopped", "stop")
	f.want(f.run("start"), 1, "belongs to uid "+nobody.Uid+", who could read what this daemon writes as root", "start as root onto nobody's log")
	if n := strings.Count(f.readLog(), "testsvc started with pid"); n != 1 {
		t.Errorf("log %q; want only the line of nobody's daemon, not root's", f.readLog())
	}
}

// lookupUser reads the account databases as getpwnam and getgrouplist
// would for local users.
func TestLookupUser(t *testing.T) {
	dir := t.TempDir()
	passwd, group := filepath.Join(dir, "passwd"), filepath.Join(dir, "group")
	writePidfile(t, passwd, "# comment\nroot:x:0:0:root:/root:/bin/sh\nsvc:x:998:997::/nonexistent:/usr/sbin/nologin\nbroken:x:abc:1::/:/bin/sh\n")
	writePidfile(t, group, "root:x:0:\nsvc:x:997:\nadm:x:4:syslog,svc\nsvcs:x:5:svcx\n")
	defer func(p, g string) { passwdFile, groupFile = p, g }(passwdFile, groupFile)
	passwdFile, groupFile = passwd, group
	a, err := lookupUser("svc")
	if err != nil || a.uid != 998 || a.gid != 997 || fmt.Sprint(a.groups) != "[997 4]" || a.home != "/nonexistent" || a.shell != "/usr/sbin/nologin" {
		t.Errorf("lookupUser(svc) = %+v, %v; want uid 998, gid 997, groups [997 4], home /nonexistent, shell /usr/sbin/nologin", a, err)
	}
	for _, name := range []string{"nobody-here", "broken", "sv"} {
		if _, err := lookupUser(name); err == nil || !strings.Contains(err.Error(), "no such user") {
			t.Errorf("lookupUser(%q) = %v; want no such user", name, err)
		}
	}
}

// Checklist 24: default locations need no configuration and never sit
// directly in a world-writable directory, even when $HOME does not exist or
// $XDG_RUNTIME_DIR is /tmp.
func TestDefaultPaths(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	own := func(dir string) bool { return dir == "/run/user/1000" || dir == "/home/u" }
	tmp := filepath.Join(os.TempDir(), "svc-1000")
	cases := []struct {
		name      string
		euid      int
		env       func(string) string
		pid, logf string
	}{
		// The pidfiles the systemd units give the daemon: %t/svc/svc.pid.
		{"root", 0, env("XDG_RUNTIME_DIR", "/run/user/0"), "/run/svc/svc.pid", "/var/log/svc.log"},
		{"user with runtime dir", 1000, env("XDG_RUNTIME_DIR", "/run/user/1000", "HOME", "/home/u"), "/run/user/1000/svc/svc.pid", "/home/u/.local/state/svc/svc.log"},
		{"user with state home", 1000, env("XDG_STATE_HOME", "/s", "HOME", "/home/u"), "/s/svc/svc.pid", "/s/svc/svc.log"},
		{"user without home", 1000, env(), filepath.Join(tmp, "svc.pid"), filepath.Join(tmp, "svc.log")},
		{"home does not exist", 1000, env("HOME", "/nonexistent"), filepath.Join(tmp, "svc.pid"), filepath.Join(tmp, "svc.log")},
		{"runtime dir is /tmp", 1000, env("XDG_RUNTIME_DIR", "/tmp", "HOME", "/home/u"), "/home/u/.local/state/svc/svc.pid", "/home/u/.local/state/svc/svc.log"},
	}
	for _, c := range cases {
		d := defaultPaths("svc", c.euid, c.env, own)
		if d.pidfile != c.pid || d.log != c.logf {
			t.Errorf("%s: defaultPaths = %s, %s; want %s, %s", c.name, d.pidfile, d.log, c.pid, c.logf)
		}
		for _, p := range []string{d.pidfile, d.log} {
			if dir := filepath.Dir(p); dir == os.TempDir() || dir == "/tmp" || dir == "/var/tmp" {
				t.Errorf("%s: %s sits directly in a world-writable directory", c.name, p)
			}
		}
	}

	// For real, without a flag: as root in /run and /var/log, otherwise in
	// the test's private HOME.
	home, name := t.TempDir(), fmt.Sprintf("testsvc-%d", os.Getpid())
	f := newFixture(t, "TESTSVC_NAME="+name, "HOME="+home, "XDG_STATE_HOME=", "XDG_RUNTIME_DIR=")
	d := defaultPaths(name, os.Geteuid(), env("HOME", home), ownDir)
	if os.Geteuid() == 0 {
		if _, err := os.Stat(d.pidfile); err == nil {
			t.Skipf("%s exists: another testsvc is running here", d.pidfile)
		}
		t.Cleanup(func() { os.Remove(d.log); os.Remove(filepath.Dir(d.pidfile)) })
	}
	f.pidfile, f.log = d.pidfile, d.log
	f.want(f.exec(f.command("start")), 0, "started", "start with default paths")
	f.pid()
	f.want(f.exec(f.command("status")), 0, "running", "status with default paths")
	f.want(f.exec(f.command("stop")), 0, "stopped", "stop with default paths")
	if d.private != "" {
		if fi, err := os.Stat(d.private); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("private directory %s: %v, %v; want mode 0700", d.private, fi.Mode(), err)
		}
	}
	if d.run != "" {
		if fi, err := os.Stat(d.run); err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("runtime directory %s: %v, %v; want mode 0755", d.run, fi, err)
		}
	}
}

// start reads the readiness pipe line by line up to the verdict.
func TestReadOutcome(t *testing.T) {
	for in, want := range map[string]outcome{
		"pid 7\nready 7\n":          {pid: 7, ready: true},
		"pid 7\nrunning 9\n":        {pid: 7, running: true},
		"pid 7\nerror init: boom\n": {pid: 7, err: errors.New("init: boom")},
		"pid 7\nnoise\nready 7\n":   {pid: 7, ready: true},
	} {
		got, err := readOutcome(bufio.NewReader(strings.NewReader(in)))
		if err != nil || got.pid != want.pid || got.ready != want.ready || got.running != want.running || fmt.Sprint(got.err) != fmt.Sprint(want.err) {
			t.Errorf("readOutcome(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	if _, err := readOutcome(bufio.NewReader(strings.NewReader("pid 7\n"))); err == nil {
		t.Error("readOutcome without a verdict: want an error")
	}
}

// Checklist 28: never two daemons for one pidfile path, even when the
// pidfile's directory is removed and made again while the old daemon
// takes its time to stop.
func TestNoSecondDaemonAfterPidfileDirRemoved(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "TESTSVC_STOP_DELAY=4s")
	run := filepath.Join(f.dir, "run")
	if err := os.Mkdir(run, 0o755); err != nil {
		t.Fatal(err)
	}
	f.pidfile = filepath.Join(run, "testsvc.pid")
	old := f.start()
	t.Cleanup(func() { syscall.Kill(old, syscall.SIGKILL) })
	if err := os.RemoveAll(run); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(run, 0o755); err != nil {
		t.Fatal(err)
	}
	r := f.run("start")
	f.want(r, 1, "another daemon for "+f.pidfile+" is still running", "start while the old daemon stops")
	if !alive(old) {
		t.Fatal("the old daemon is gone already; the test proves nothing")
	}
	if pid := f.lockHolderPid(); pid != 0 {
		t.Fatalf("pid %d holds the new pidfile while the old daemon %d runs", pid, old)
	}
	f.waitLog("was removed or replaced")
	await.For(t, "the old daemon to exit", func() bool { return !alive(old) })
	pid := f.start()
	f.want(f.run("stop"), 0, fmt.Sprintf("testsvc stopped (pid %d)", pid), "stop")
}

// Checklist 23: reopen applies start's checks to the log: after rotation,
// a file another user put at the log's path, in a directory others can
// write, is refused by root's daemon, which keeps its old log, logs why at
// ERROR, and the reopen command fails with the reason.
func TestReopenRefusesForeignLog(t *testing.T) {
	t.Parallel()
	nobody := needNobody(t)
	f := newFixture(t)
	pid := f.start()
	if err := os.Chmod(f.dir, 0o777); err != nil {
		t.Fatal(err)
	}
	rotated := f.rotateLog(nobody)
	r := f.run("reopen")
	f.want(r, 1, "belongs to uid "+nobody.Uid, "reopen onto another user's file")
	if !strings.Contains(r.stderr, "keeps writing to its old log") {
		t.Errorf("reopen stderr %q; want it to say the old log stays", r.stderr)
	}
	old, _ := os.ReadFile(rotated)
	if !regexp.MustCompile(`ERROR testsvc: reopen requested; keeping the old log: open log .*belongs to uid`).Match(old) {
		t.Errorf("old log %q; want the refusal at ERROR", old)
	}
	f.want(f.run("stop"), 0, fmt.Sprintf("testsvc stopped (pid %d)", pid), "stop")
	if data := f.readLog(); data != "" {
		t.Fatalf("the other user's file got %q; want nothing", data)
	}
}

// blockedOnLock reports whether process pid waits for a file lock: a
// line of /proc/locks marked "->" names it. Having the pidfile open is not
// enough: a stop opens it before it has looked at the lock.
func blockedOnLock(pid int) bool {
	data, _ := os.ReadFile("/proc/locks")
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 5 && f[1] == "->" && f[5] == strconv.Itoa(pid) {
			return true
		}
	}
	return false
}

// Checklist 27 and 5: a stop that waits for a daemon another stop is
// stopping says how it ended: killed when the other stop sent SIGKILL,
// not "stopped"; a stop or start during a slow stop say it is stopping.
func TestWaitingStopTellsKilled(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "TESTSVC_STOP_DELAY=1h")
	pid := f.start()
	first := f.command("stop", "--pidfile", f.pidfile, "--timeout", "2s")
	var out strings.Builder
	first.Stdout = &out
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	f.waitLog("testsvc stopping")
	f.want(f.run("status"), 0, fmt.Sprintf("testsvc stopping (pid %d)", pid), "status while stopping")
	r := f.run("start", "--timeout", "300ms")
	f.want(r, 1, fmt.Sprintf("pid %d, which holds %s, is still stopping", pid, f.pidfile), "start while stopping")
	r = f.run("stop", "--timeout", "1m")
	f.want(r, 150, fmt.Sprintf("testsvc killed (pid %d): another stop sent SIGKILL", pid), "second stop")
	if strings.Contains(r.stderr, "not ready") || strings.Contains(r.stderr, "SIGKILL") {
		t.Errorf("second stop stderr %q; want it to wait, not kill", r.stderr)
	}
	first.Wait()
	if want := fmt.Sprintf("testsvc killed (pid %d): SIGKILL after --timeout 2s", pid); !strings.Contains(out.String(), want) {
		t.Fatalf("first stop said %q; want %q", out.String(), want)
	}
	f.wantGone(pid)
}

// Checklist 14 and 26: the daemon's own failures are logged at ERROR, so
// a log level of error still shows them; run reports a failure to start
// on stderr even when it logs to a file.
func TestFailuresLoggedAsErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "TESTSVC_INIT_ERROR=boom", "TESTSVC_LOG_LEVEL=error")
	f.want(f.run("start"), 1, "boom", "start with a failing Init")
	if !regexp.MustCompile(`(?m)^\S+ ERROR testsvc: init: boom$`).MatchString(f.readLog()) {
		t.Fatalf("log %q; want the Init failure at ERROR", f.readLog())
	}
	r := f.run("run")
	f.want(r, 1, "testsvc: run: init: boom", "run --log with a failing Init")
}

// No stale control socket is left after a clean stop of a --user daemon
// that may not write its pidfile's directory, after a failed --user start
// or after a start that timed out: whoever can, removes it.
func TestNoStaleControlSocket(t *testing.T) {
	t.Parallel()
	needNobody(t)
	f := newFixture(t)
	f.openToOthers() // the directory stays root's: nobody cannot write it
	ctl := controlPath(f.pidfile)
	noSocket := func(what string) {
		t.Helper()
		if _, err := os.Lstat(ctl); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s: control socket %s left behind (%v)", what, ctl, err)
		}
		if _, err := os.Lstat(f.pidfile); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s: pidfile %s left behind (%v)", what, f.pidfile, err)
		}
	}
	pid := f.start("--user", "nobody")
	f.want(f.run("stop"), 0, fmt.Sprintf("testsvc stopped (pid %d)", pid), "stop")
	noSocket("stop of a --user daemon")

	env := f.env
	f.env = append(env, "TESTSVC_INIT_ERROR=boom")
	f.want(f.run("start", "--user", "nobody"), 1, "boom", "failing --user start")
	noSocket("failed --user start")

	f.env = append(env, "TESTSVC_INIT_SLEEP=1h")
	f.want(f.run("start", "--user", "nobody", "--timeout", "300ms"), 1, "not ready after 300ms", "start that times out")
	noSocket("start that timed out")
}

// notifySocket listens on a datagram socket in dir, as a service manager's
// $NOTIFY_SOCKET, and returns its path and the messages it receives, closed
// when the test ends.
func notifySocket(t *testing.T, dir string) (string, <-chan string) {
	t.Helper()
	sock := filepath.Join(dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	messages := make(chan string, 16)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, _, err := conn.ReadFromUnix(buf)
			if err != nil {
				close(messages)
				return
			}
			messages <- string(buf[:n])
		}
	}()
	return sock, messages
}
