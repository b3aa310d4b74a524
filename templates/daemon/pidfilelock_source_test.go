//go:build linux

package daemon

// Tests of checklist lines 24 and 30, the pidfile's half: no other user can
// keep root from starting, and defaults that work without a home.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/daemongen/daemongen/internal/await"
)

// posixLocksEnv, set to 1, makes this test binary, and the daemons it starts
// (which are re-executions of it), use POSIX record locks alone: the macOS
// and BSD code path, tried on Linux. flock(1) then takes a lock that this
// path does not see at all. .ci/run runs the suite both ways.
const posixLocksEnv = "DAEMON_TEST_POSIX_LOCKS"

// shortWaitsEnv, set to 1, shortens fivefold, in this test binary and the
// daemons and commands it starts, the waits for a pidfile's lock holder to
// announce itself and for a contended lock: for the tests that try many
// pidfiles locked by processes that are no daemon, each of which costs a
// command those waits in full.
const shortWaitsEnv = "DAEMON_TEST_SHORT_WAITS"

func init() {
	if os.Getenv(posixLocksEnv) == "1" {
		flockLocks = false
	}
	if os.Getenv(shortWaitsEnv) == "1" {
		announceWait /= 5
		lockContention /= 5
	}
}

// Checklist 30: a stale pidfile that another user keeps locked (flock(1)
// as nobody, on the file it may read) does not block root's start, and
// that user's process is never signalled.
func TestStalePidfileLockedByOtherUser(t *testing.T) {
	t.Parallel()
	nobody := needNobody(t)
	if _, err := exec.LookPath("flock"); err != nil {
		t.Skip("no flock(1)")
	}
	f := newFixture(t)
	f.openToOthers()
	writePidfile(t, f.pidfile, "12345\n")
	for _, mode := range []string{"-x", "-s"} {
		holder := exec.Command("flock", mode, f.pidfile, "sleep", "60")
		holder.SysProcAttr = nobodyCred(t, nobody.Uid, nobody.Gid)
		if err := holder.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { holder.Process.Kill(); holder.Wait() })
		await.For(t, "nobody to lock the pidfile", func() bool {
			file, err := os.Open(f.pidfile)
			if err != nil {
				return false
			}
			defer file.Close()
			return lockExclusive(file) != nil
		})
		pid := f.start()
		f.want(f.run("status"), 0, "running (pid "+strconv.Itoa(pid)+")", "status")
		f.want(f.run("start"), 0, "already running (pid "+strconv.Itoa(pid)+")", "second start")
		f.want(f.run("stop"), 0, "stopped (pid "+strconv.Itoa(pid)+")", "stop")
		await.For(t, "the daemon to be gone", func() bool { return !alive(pid) })
		if !alive(holder.Process.Pid) {
			t.Fatalf("flock %s: nobody's process was signalled", mode)
		}
		writePidfile(t, f.pidfile, "12345\n")
	}
	entries, _ := os.ReadDir(f.dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".new") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// Checklist 31: the pid that stop, status and reopen act on is the lock
// holder's, as the kernel reports it, never the file's content: a daemon
// (compromised, say, after --user) that writes another process's pid into
// its pidfile cannot make root's stop signal that process. Run this with
// DAEMON_TEST_POSIX_LOCKS=1 too: that is the macOS and BSD code path.
func TestPidFromLockHolderNotContent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pid := f.start()
	sleep := exec.Command("sleep", "60")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleep.Process.Kill(); sleep.Wait() })
	other := strconv.Itoa(sleep.Process.Pid)
	writePidfile(t, f.pidfile, other+"\n")
	f.want(f.run("status"), 0, "running (pid "+strconv.Itoa(pid)+")", "status")
	f.want(f.run("reopen"), 0, "reopened its log (pid "+strconv.Itoa(pid)+")", "reopen")
	f.want(f.run("stop"), 0, "(pid "+strconv.Itoa(pid)+")", "stop")
	await.For(t, "the daemon to be gone", func() bool { return !alive(pid) })
	if !alive(sleep.Process.Pid) {
		t.Fatal("stop signalled the process named in the pidfile's content")
	}
}

// Checklist 24: an unprivileged user whose HOME does not exist, with
// XDG_RUNTIME_DIR=/tmp (runuser -u nobody -- svc start, in a careless
// environment), starts, stops and checks the daemon with the default paths,
// and the pidfile is not put directly into /tmp.
func TestDefaultPathsWithoutHome(t *testing.T) {
	t.Parallel()
	nobody := needNobody(t)
	f := newFixture(t)
	f.openToOthers()
	exe, _ := os.Executable()
	copied := copyExecutable(t, f, exe)
	name := "testsvc-nohome-" + strconv.Itoa(os.Getpid())
	uid, _ := strconv.Atoi(nobody.Uid)
	env := func(k string) string {
		return map[string]string{"HOME": "/nonexistent", "XDG_RUNTIME_DIR": "/tmp"}[k]
	}
	d := defaultPaths(name, uid, env, func(string) bool { return false })
	t.Cleanup(func() { os.RemoveAll(d.private) })
	if filepath.Dir(d.pidfile) == "/tmp" || filepath.Dir(d.pidfile) != d.private {
		t.Fatalf("default pidfile %s; want it in the private directory %s", d.pidfile, d.private)
	}
	f.pidfile, f.log = d.pidfile, d.log
	for _, action := range []string{"start", "status", "reload", "stop"} {
		cmd := exec.Command(copied, action)
		cmd.Env = append(f.env, "TESTSVC_NAME="+name, "HOME=/nonexistent", "XDG_RUNTIME_DIR=/tmp", "XDG_STATE_HOME=")
		cmd.Dir = f.dir
		cmd.SysProcAttr = nobodyCred(t, nobody.Uid, nobody.Gid)
		want := map[string]string{"start": "started", "status": "running", "reload": "reloaded", "stop": "stopped"}[action]
		f.want(f.exec(cmd), 0, want, action+" as nobody without a home")
	}
	if fi, err := os.Stat(d.private); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("private directory %s: %v, %v; want mode 0700", d.private, fi, err)
	}
}

// Found by a hostile review: a pidfile being marked never reads as empty,
// which would make a stopping daemon look like one still starting (stop
// then says so and signals it again). A reader races the marks here.
func TestMarkNeverEmpty(t *testing.T) {
	f, err := os.OpenFile(filepath.Join(t.TempDir(), "p.pid"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pf := &pidfile{f: f, path: f.Name()}
	pf.mark("1234567\n")
	done := make(chan struct{})
	seen := make(chan string, 1)
	go func() {
		defer close(seen)
		for {
			select {
			case <-done:
				return
			default:
			}
			switch c := content(f); c {
			case "1234567\n", stoppingMark, quitMark, stoppedMark:
			default:
				seen <- c
				return
			}
		}
	}()
	for i := range 20000 {
		pf.mark([]string{stoppingMark, quitMark, stoppedMark, "1234567\n"}[i%4])
	}
	close(done)
	if c, ok := <-seen; ok {
		t.Fatalf("a reader saw %q while the pidfile was marked; want a pid or a mark", c)
	}
}

// Issue 21, item 1: a user who can read the pidfile waits in flock(LOCK_EX)
// for the daemon to exit, and gets the lock the moment it does: stop still
// knows the daemon is gone (by the POSIX lock only the daemon held), says
// "stopped" and exits 0, and restart starts the daemon again.
func TestStopWithAReaderWaitingForTheLock(t *testing.T) {
	t.Parallel()
	nobody := needNobody(t)
	if _, err := exec.LookPath("flock"); err != nil || !flockLocks {
		t.Skip("needs flock(1) and the flock code path")
	}
	f := newFixture(t)
	f.openToOthers()
	for _, action := range []string{"stop", "restart"} {
		pid := f.start()
		waiter := exec.Command("flock", "-x", f.pidfile, "sleep", "60")
		waiter.SysProcAttr = nobodyCred(t, nobody.Uid, nobody.Gid)
		if err := waiter.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { waiter.Process.Kill(); waiter.Wait() })
		await.For(t, "nobody to wait for the lock", func() bool {
			stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/wchan", waiter.Process.Pid))
			return strings.Contains(string(stat), "lock")
		})
		f.want(f.run(action, "--timeout", "5s"), 0, fmt.Sprintf("testsvc stopped (pid %d)", pid), action+" while nobody waits for the lock")
		waiter.Process.Kill()
		waiter.Wait()
	}
	f.want(f.run("status"), 0, "running", "status after restart")
	f.want(f.run("stop"), 0, "stopped", "stop")
}

// Issue 21, item 2: root does not trust a pidfile another user owns in a
// directory others can write: start refuses it instead of adopting it (or
// taking its holder for the daemon), status cannot tell, and stop fails
// without signalling anyone.
func TestRootRefusesOthersPidfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pidfile := sharedPidfile(t, f)
	nobodysFile(t, pidfile, strconv.Itoa(os.Getpid())+"\n")
	const why = "root does not trust it"
	for action, code := range map[string]int{"start": 1, "status": 4, "stop": 1} {
		f.want(f.exec(f.command(action, "--pidfile", pidfile, "--log", f.log)), code, why, action)
	}
	if data, _ := os.ReadFile(pidfile); string(data) != strconv.Itoa(os.Getpid())+"\n" {
		t.Errorf("the other user's pidfile now holds %q; want it untouched", data)
	}
}

// Issue 21, item 2, the control socket's part: a file another user plants
// at PIDFILE.ctl in a shared directory no longer keeps root's start from
// starting; root's own file there is still refused, not removed.
func TestControlSocketPlant(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pidfile := sharedPidfile(t, f)
	nobodysFile(t, pidfile+".ctl", "planted\n")
	args := []string{"--pidfile", pidfile, "--log", f.log}
	f.want(f.exec(f.command(append([]string{"start"}, args...)...)), 0, "started", "start over another user's plant")
	f.want(f.exec(f.command(append([]string{"stop"}, args...)...)), 0, "stopped", "stop")
	writePidfile(t, pidfile+".ctl", "mine\n")
	f.want(f.exec(f.command(append([]string{"start"}, args...)...)), 1, "is in the way", "start over root's own file")
	if data, _ := os.ReadFile(pidfile + ".ctl"); string(data) != "mine\n" {
		t.Errorf("root's own file at the control socket's path holds %q; want it untouched", data)
	}
}

// sharedPidfile returns a pidfile path in a directory of f that everyone
// may write, as /tmp.
func sharedPidfile(t *testing.T, f *fixture) string {
	t.Helper()
	dir := filepath.Join(f.dir, "shared")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o1777); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "testsvc.pid")
}

// nobodysFile writes content to path as a file that belongs to nobody.
func nobodysFile(t *testing.T, path, content string) {
	t.Helper()
	nobody := needNobody(t)
	writePidfile(t, path, content)
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	if err := os.Chown(path, uid, gid); err != nil {
		t.Fatal(err)
	}
}
