//go:build linux

package daemon

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/daemongen/daemongen/internal/await"
)

// An upgradeFixture runs the test program from a copy of its own in
// bin/testsvc, which each upgrade replaces, as an operator would, with mv.
type upgradeFixture struct {
	*fixture
	bin, envFile string
}

func newUpgradeFixture(t *testing.T, env ...string) *upgradeFixture {
	f := newFixture(t, env...)
	u := &upgradeFixture{fixture: f, bin: filepath.Join(f.dir, "bin", "testsvc"), envFile: filepath.Join(f.dir, "env")}
	f.env = append(f.env, "TESTSVC_ENV_FILE="+u.envFile)
	if err := os.Mkdir(filepath.Dir(u.bin), 0o755); err != nil {
		t.Fatal(err)
	}
	u.replace()
	return u
}

// replace puts a fresh copy of the test binary at bin, with mv.
func (u *upgradeFixture) replace() {
	u.t.Helper()
	exe, err := os.Executable()
	if err != nil {
		u.t.Fatal(err)
	}
	tmp := u.bin + ".new"
	if out, err := exec.Command("cp", exe, tmp).CombinedOutput(); err != nil {
		u.t.Fatalf("cp: %v %s", err, out)
	}
	if out, err := exec.Command("mv", tmp, u.bin).CombinedOutput(); err != nil {
		u.t.Fatalf("mv: %v %s", err, out)
	}
}

// setEnv writes the variables the next Init reads (TESTSVC_ENV_FILE).
func (u *upgradeFixture) setEnv(kv ...string) {
	u.t.Helper()
	if err := os.WriteFile(u.envFile, []byte(strings.Join(kv, "\n")), 0o644); err != nil {
		u.t.Fatal(err)
	}
}

// upgrading returns what waits for the daemon to start one more new daemon
// than now.
func (u *upgradeFixture) upgrading() func() {
	n := strings.Count(u.readLog(), "upgrade requested")
	return func() {
		await.For(u.t, "an upgrade's new daemon", func() bool { return strings.Count(u.readLog(), "upgrade requested") > n })
	}
}

// runBin runs bin with args and the fixture's pidfile and log.
func (u *upgradeFixture) runBin(args ...string) result {
	u.t.Helper()
	cmd := exec.Command(u.bin, append(args, "--pidfile", u.pidfile, "--log", u.log)...)
	cmd.Env, cmd.Dir = u.env, u.dir
	return u.exec(cmd)
}

var upgradedRE = regexp.MustCompile(`testsvc upgraded \(pid (\d+) -> (\d+)\)`)

// upgrade upgrades the daemon pid, which must succeed, and returns the new
// pid, checked against the pidfile, the lock and /proc.
func (u *upgradeFixture) upgrade(pid int, args ...string) int {
	u.t.Helper()
	u.replace()
	r := u.runBin(append([]string{"upgrade"}, args...)...)
	m := upgradedRE.FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil || m[1] != strconv.Itoa(pid) {
		u.t.Fatalf("upgrade: exit %d, stdout %q, stderr %q; want exit 0 and \"upgraded (pid %d -> N)\"\nlog:\n%s", r.code, r.stdout, r.stderr, pid, u.readLog())
	}
	next, _ := strconv.Atoi(m[2])
	if got := u.pid(); got != next || next == pid {
		u.t.Fatalf("pidfile names %d after an upgrade from %d to %d\n%s", got, pid, next, u.readLog())
	}
	if holder := u.lockHolderPid(); holder != next {
		u.t.Fatalf("pidfile lock held by %d after an upgrade to %d", holder, next)
	}
	// It closed the connection upgrade waits on as it exited; it is a
	// zombie a moment later.
	await.For(u.t, "the old daemon gone", func() bool { return !alive(pid) })
	exe, err1 := os.Stat(fmt.Sprintf("/proc/%d/exe", next))
	bin, err2 := os.Stat(u.bin)
	if err1 != nil || err2 != nil || !os.SameFile(exe, bin) {
		u.t.Fatalf("pid %d runs another binary than %s (%v %v)", next, u.bin, err1, err2)
	}
	return next
}

// TestUpgrade upgrades a daemon without listeners three times: each new
// daemon holds the pidfile, answers its control socket and stops cleanly.
func TestUpgrade(t *testing.T) {
	t.Parallel()
	u := newUpgradeFixture(t)
	r := u.runBin("start", "--greeting", "hello")
	u.want(r, 0, "started", "start")
	pid := u.pid()
	for range 3 {
		pid = u.upgrade(pid)
		u.want(u.runBin("status"), 0, fmt.Sprintf("running (pid %d)", pid), "status after upgrade")
		u.want(u.runBin("reload"), 0, fmt.Sprintf("reloaded (pid %d)", pid), "reload after upgrade")
	}
	if n := strings.Count(u.readLog(), "greeting: hello"); n != 4 {
		t.Errorf("the service's flag reached %d of 4 daemons; want every one:\n%s", n, u.readLog())
	}
	// Two at once, to a daemon that came from an upgrade: the second is refused.
	u.setEnv("TESTSVC_INIT_SLEEP=1s")
	first, started := make(chan result), u.upgrading()
	go func() { first <- u.runBin("upgrade") }()
	started()
	u.want(u.runBin("upgrade"), exitBusy, "another upgrade is under way", "a second upgrade at once, after upgrades")
	r = <-first
	m := upgradedRE.FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil {
		t.Fatalf("the first of two upgrades: exit %d %q %q; want upgraded", r.code, r.stdout, r.stderr)
	}
	pid, _ = strconv.Atoi(m[2])
	await.For(t, "one daemon left", func() bool { return len(livePids(u.dir)) == 1 })
	if live := livePids(u.dir); len(live) != 1 || live[0] != pid {
		t.Errorf("live processes %v after three upgrades; want only %d", live, pid)
	}
	u.want(u.runBin("stop"), 0, fmt.Sprintf("stopped (pid %d)", pid), "stop after upgrades")
	u.wantGone(pid)
}

// TestUpgradeDrainLimit: an old daemon still stopping after --drain exits,
// and upgrade says that it cut its work short.
func TestUpgradeDrainLimit(t *testing.T) {
	t.Parallel()
	u := newUpgradeFixture(t, "TESTSVC_STOP_DELAY=1h")
	u.want(u.runBin("start"), 0, "started", "start")
	pid := u.pid()
	u.replace()
	u.want(u.runBin("upgrade", "--drain", "200ms"), 0, "--drain 200ms cut the old daemon's requests short", "upgrade with a short --drain")
	await.For(t, "the old daemon gone", func() bool { return !alive(pid) })
	// A new daemon killed while the old one still drains leaves a stale
	// pidfile: the old one holds none of its locks.
	pid = u.pid()
	u.replace()
	up, handovers := make(chan result), strings.Count(u.readLog(), "took over")
	go func() { up <- u.runBin("upgrade", "--drain", "2s") }()
	await.For(t, "the handover", func() bool { return strings.Count(u.readLog(), "took over") > handovers })
	syscall.Kill(u.lockHolderPid(), syscall.SIGKILL)
	await.For(t, "the killed new daemon gone", func() bool { return u.lockHolderPid() == 0 })
	u.want(u.run("status"), 1, "not running (stale pidfile "+u.pidfile+")", "status while the old daemon drains, the new one killed")
	u.want(<-up, 0, "cut the old daemon's requests short", "the upgrade")
	u.want(u.runBin("stop"), 0, "removed stale pidfile", "stop once both are gone")
}

// TestUpgradePassesStopOn: a TERM the old daemon gets after the handover,
// while it still drains, stops the new daemon, which serves in its place.
func TestUpgradePassesStopOn(t *testing.T) {
	t.Parallel()
	u := newUpgradeFixture(t, "TESTSVC_STOP_DELAY=1h") // the old daemon drains for good
	u.want(u.runBin("start"), 0, "started", "start")
	old := u.pid()
	u.setEnv("TESTSVC_STOP_DELAY=1ms") // the new one stops at once
	u.replace()
	handovers := strings.Count(u.readLog(), "took over")
	up := make(chan result, 1)
	go func() { up <- u.runBin("upgrade", "--drain", "1h") }()
	await.For(t, "the handover", func() bool { return strings.Count(u.readLog(), "took over") > handovers })
	next := u.lockHolderPid()
	syscall.Kill(old, syscall.SIGTERM)
	await.For(t, "the new daemon stopped by the TERM the old one passed on", func() bool { return next > 0 && !alive(next) })
	if !alive(old) {
		t.Fatal("the old daemon is gone already; the test proves nothing")
	}
	syscall.Kill(old, syscall.SIGKILL) // it would drain for an hour
	<-up
}

// TestUpgradeAsUser: the new daemon of a daemon started as root with
// --user runs as that user, logs where the old one did and reopens its log.
func TestUpgradeAsUser(t *testing.T) {
	t.Parallel()
	nobody := needNobody(t)
	u := newUpgradeFixture(t)
	u.openToOthers()
	u.want(u.runBin("start", "--user", "nobody"), 0, "started", "start --user nobody")
	pid := u.upgrade(u.pid())
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if want := fmt.Sprintf("Uid:\t%s\t%[1]s\t%[1]s\t%[1]s\n", nobody.Uid); !strings.Contains(string(status), want) {
		t.Errorf("the upgraded daemon's status lacks %q:\n%s", want, status)
	}
	u.waitLog(fmt.Sprintf("testsvc started with pid %d", pid))
	u.rotateLog(nobody)
	u.want(u.run("reopen"), 0, fmt.Sprintf("testsvc reopened its log (pid %d)", pid), "reopen after the upgrade")
	u.waitLog("reopened log")
	u.want(u.run("stop"), 0, "stopped", "stop")
}

// TestUpgradeArgv0Elsewhere: a daemon whose argv[0] names another program
// on PATH (exec -a, a shell's stale hash) upgrades to the binary it runs,
// never to that program.
func TestUpgradeArgv0Elsewhere(t *testing.T) {
	t.Parallel()
	u := newUpgradeFixture(t)
	other, ran := t.TempDir(), filepath.Join(t.TempDir(), "ran")
	if err := os.WriteFile(filepath.Join(other, "testsvc"), []byte("#!/bin/sh\necho \"$@\" > "+ran+"\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := &exec.Cmd{Path: u.bin, Args: []string{"testsvc", "start", "--pidfile", u.pidfile, "--log", u.log}, Dir: u.dir,
		Env: append(slices.Clone(u.env), "PATH="+other+string(os.PathListSeparator)+os.Getenv("PATH"))}
	if r := u.exec(cmd); r.code != 0 {
		t.Fatalf("start as argv[0] testsvc: exit %d, %q", r.code, r.stderr)
	}
	u.upgrade(u.pid())
	u.runBin("stop")

	// run, as a unit's ExecStart=@/path/testsvc testsvc run starts it.
	sock, messages := notifySocket(t, t.TempDir())
	go func() {
		for range messages {
		}
	}()
	cmd = &exec.Cmd{Path: u.bin, Args: []string{"testsvc", "run", "--pidfile", u.pidfile}, Dir: u.dir,
		Env: append(slices.Clone(cmd.Env), "NOTIFY_SOCKET="+sock)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill() // if the test fails before the upgrade
	u.awaitServing(cmd.Process.Pid)
	u.upgrade(cmd.Process.Pid)
	if data, err := os.ReadFile(ran); err == nil {
		t.Errorf("upgrade ran the testsvc on PATH (%q) instead of %s", data, u.bin)
	}
	u.runBin("stop")
}

// TestUpgradeFollowsSymlink: a daemon started through a symlink upgrades to
// the build the symlink names now.
func TestUpgradeFollowsSymlink(t *testing.T) {
	t.Parallel()
	u := newUpgradeFixture(t)
	release := func(name string) string { // a copy of bin under releases/, bin a symlink to it
		t.Helper()
		path := filepath.Join(u.dir, "releases", name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		link := u.bin + ".link"
		if out, err := exec.Command("sh", "-c", `cp "$1" "$2" && ln -s "$2" "$3" && mv -T "$3" "$4"`, "sh", u.bin, path, link, u.bin).CombinedOutput(); err != nil {
			t.Fatalf("%v %s", err, out)
		}
		return path
	}
	v1 := release("v1")
	u.want(u.runBin("start"), 0, "started", "start through a symlink")
	pid := u.pid()
	// Nothing at the path: refused, never the build the symlink named.
	os.Remove(u.bin)
	u.want(u.run("upgrade"), 1, "no such file", "upgrade with nothing at the path")
	if u.pid() != pid {
		t.Fatalf("pidfile names %d after a refused upgrade; want %d", u.pid(), pid)
	}
	os.Symlink(v1, u.bin)
	v2 := release("v2")
	r := u.runBin("upgrade")
	m := upgradedRE.FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil {
		t.Fatalf("upgrade: exit %d %q %q; want upgraded", r.code, r.stdout, r.stderr)
	}
	exe, _ := os.Readlink("/proc/" + m[2] + "/exe")
	if exe != v2 || m[1] != strconv.Itoa(pid) {
		t.Errorf("after the symlink moved to %s, the upgraded daemon %s runs %s", v2, m[2], exe)
	}
	u.want(u.runBin("stop"), 0, "stopped", "stop")
}

// TestUpgradeFailures: a new binary that fails Init, crashes, hangs or is
// not to be trusted changes nothing, and leaves no process behind; one
// upgrade at a time.
func TestUpgradeFailures(t *testing.T) {
	t.Parallel()
	u := newUpgradeFixture(t)
	u.want(u.runBin("start"), 0, "started", "start")
	pid := u.pid()
	unchanged := func(what string) {
		t.Helper()
		if got := u.pid(); got != pid || u.lockHolderPid() != pid {
			t.Fatalf("%s: pidfile %d, lock holder %d; want the old daemon %d", what, got, u.lockHolderPid(), pid)
		}
		await.For(t, "only the old daemon alive", func() bool {
			live := livePids(u.dir)
			return len(live) == 1 && live[0] == pid
		})
		u.want(u.run("reload"), 0, fmt.Sprintf("reloaded (pid %d)", pid), what+": reload")
	}
	u.setEnv("TESTSVC_INIT_ERROR=no-config-here")
	u.want(u.runBin("upgrade"), 1, "init: no-config-here", "upgrade to a binary whose Init fails")
	unchanged("Init failed")
	u.setEnv("TESTSVC_EXIT_EARLY=1")
	u.want(u.runBin("upgrade"), 1, "exited before it was ready", "upgrade to a binary that crashes")
	unchanged("crashed")
	u.setEnv("TESTSVC_INIT_SLEEP=1h")
	u.want(u.runBin("upgrade", "--timeout", "300ms"), 1, "not ready within --timeout 300ms", "upgrade to a binary that hangs")
	unchanged("hung")
	u.want(u.runBin("upgrade", "--timeout", "999us"), 1, "not ready within --timeout 1ms", "upgrade with a sub-millisecond --timeout")
	unchanged("sub-millisecond timeout")
	u.setEnv("TESTSVC_LISTEN=127.0.0.1:0")
	u.want(u.runBin("upgrade"), 1, "has no listener http to hand over", "upgrade to a binary that wants a listener")
	unchanged("new listener")
	u.setEnv()
	os.Chmod(u.bin, 0o775)
	u.want(u.runBin("upgrade"), 1, "writable by no one else", "upgrade to a binary others can write")
	unchanged("group-writable")
	os.Chmod(u.bin, 0o755)
	if os.Geteuid() == 0 {
		os.Chown(u.bin, 65534, 65534)
		u.want(u.runBin("upgrade"), 1, "must belong to root", "a root daemon's upgrade to another user's binary")
		unchanged("another user's")
		os.Chown(u.bin, 0, 0)
	}
	// A binary that is no daemon of this kind, or one that hands over
	// otherwise (a daemon of another daemongen), is refused before anything
	// changes.
	if out, err := exec.Command("sh", "-c", `cp /bin/true "$1.new" && mv "$1.new" "$1"`, "sh", u.bin).CombinedOutput(); err != nil {
		t.Fatalf("install /bin/true: %v %s", err, out)
	}
	u.want(u.run("upgrade"), 1, "exited before it was ready", "upgrade to /bin/true")
	unchanged("not a daemon")
	u.replace()
	u.setEnv("TESTSVC_HANDOVER=0")
	u.want(u.runBin("upgrade"), 1, `hands over as "1"`, "upgrade to a binary of another handover version")
	unchanged("another handover")
	u.setEnv()

	// Malformed requests are refused, and the daemon serves on.
	for _, line := range []string{"", "upgrade", "upgrade 1", "upgrade 0 1", "upgrade 1 -1", "upgrade 1 1 1", "reload", "reload x", "reopen 1"} {
		c, err := net.Dial("unix", controlPath(u.pidfile))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(c, line)
		answer, _ := io.ReadAll(c)
		c.Close()
		if !strings.HasPrefix(string(answer), "error unknown request") {
			t.Errorf("control request %q: answer %q; want it refused", line, answer)
		}
	}
	unchanged("malformed requests")

	// Two at once: the second is refused with its own status.
	u.setEnv("TESTSVC_INIT_SLEEP=1s")
	first, started := make(chan result), u.upgrading()
	go func() { first <- u.runBin("upgrade") }()
	started()
	u.want(u.runBin("upgrade"), exitBusy, "another upgrade is under way", "a second upgrade at once")
	r := <-first
	u.want(r, 0, "upgraded", "the first upgrade")
	u.want(u.runBin("stop"), 0, "stopped", "stop")
	u.wantGone(0)
}

// TestUpgradeStopDuring: a stop while the new daemon runs Init abandons the
// upgrade, and the daemon stops once, leaving nothing behind.
func TestUpgradeStopDuring(t *testing.T) {
	t.Parallel()
	u := newUpgradeFixture(t)
	u.want(u.runBin("start"), 0, "started", "start")
	pid := u.pid()
	u.setEnv("TESTSVC_INIT_SLEEP=1h")
	up, started := make(chan result), u.upgrading()
	go func() { up <- u.runBin("upgrade") }()
	started()
	u.want(u.runBin("stop"), 0, fmt.Sprintf("stopped (pid %d)", pid), "stop during an upgrade")
	u.want(<-up, 1, "stopping", "the upgrade a stop interrupted")
	u.wantGone(pid)
}

// TestUpgradeUnderLoad upgrades a daemon serving HTTP on a socket it took
// through Listen, under load from eight clients (half a connection per
// request, half keep-alive), with a request of a second in flight: no
// request fails, no connection is refused, the slow request completes, the
// new binary answers afterwards, the descriptors stay as many, and after
// stop the port is closed.
func TestUpgradeUnderLoad(t *testing.T) {
	t.Parallel()
	if os.Getenv("DAEMONGEN_INTEGRATION") != "1" {
		t.Skip("a load of eight clients: in the integration tier (DAEMONGEN_INTEGRATION=1, as .ci/run sets)")
	}
	addr := freeLocalAddr(t)
	u := newUpgradeFixture(t, "TESTSVC_LISTEN="+addr)
	u.want(u.runBin("start"), 0, "started", "start")
	pid := u.pid()
	idleFDs := func(pid int) (n int) { // but a pipe: start's, which the daemon closes as start returns
		entries, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		for _, e := range entries {
			if l, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name())); !strings.HasPrefix(l, "pipe:") {
				n++
			}
		}
		return n
	}
	fds := idleFDs(pid)
	load := startLoad(addr, 8)
	// status, all along, finds exactly one daemon running.
	var statusErrs []string
	statusDone, statusStop := make(chan bool), atomic.Bool{}
	go func() {
		defer close(statusDone)
		for !statusStop.Load() {
			if r := u.run("status"); r.code != 0 || !strings.Contains(r.stdout, "testsvc running (pid ") {
				statusErrs = append(statusErrs, fmt.Sprintf("exit %d %q %q", r.code, r.stdout, r.stderr))
			}
		}
	}()
	slow := make(chan string, 1)
	go func() { slow <- get(addr, "/?sleep=1s") }()
	time.Sleep(100 * time.Millisecond)
	for i := range 4 {
		from := load.ok.Load()
		await.For(t, "answers before the upgrade", func() bool { return load.ok.Load() > from+50 })
		pid = u.upgrade(pid)
		if i == 0 {
			if got := <-slow; !strings.HasPrefix(got, "pid ") {
				t.Errorf("a request in flight across the upgrade got %q; want an answer", got)
			}
		}
	}
	var st syscall.Stat_t
	syscall.Stat(u.bin, &st)
	if got, want := get(addr, "/"), fmt.Sprintf("pid %d exe %d\n", pid, st.Ino); got != want {
		t.Errorf("after the upgrades GET / = %q; want %q, the new binary's", got, want)
	}
	load.halt()
	statusStop.Store(true)
	<-statusDone
	if statusErrs != nil {
		t.Errorf("status during the upgrades: %v; want \"running\" every time", statusErrs)
	}
	defer func() {
		if t.Failed() {
			entries, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
			for _, e := range entries {
				l, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name()))
				t.Logf("fd %s -> %s", e.Name(), l)
			}
		}
	}()
	await.For(t, "as many descriptors as the first daemon had, idle", func() bool { return idleFDs(pid) == fds })
	t.Logf("4 upgrades under load: %d answers, %d failed", load.ok.Load(), load.failed.Load())
	if load.failed.Load() != 0 {
		t.Errorf("%d requests failed across the upgrades: %s", load.failed.Load(), load.why())
	}
	u.want(u.runBin("stop"), 0, "stopped", "stop")
	u.wantGone(pid)
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after stop", addr)
	}
}

// TestUpgradeRefusedInForeground: in the foreground without systemd, a
// supervisor watches the daemon's pid, which an upgrade would change.
func TestUpgradeRefusedInForeground(t *testing.T) {
	t.Parallel()
	u := newUpgradeFixture(t)
	cmd := exec.Command(u.bin, "run", "--pidfile", u.pidfile)
	cmd.Env = u.env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	u.awaitServing(cmd.Process.Pid)
	u.want(u.runBin("upgrade"), 1, "upgrades only under systemd", "upgrade of a foreground run")
	u.want(u.runBin("stop"), 0, "stopped", "stop")
}

// TestUpgradeRefusedAsProcess1: the service process of process 1 (a
// container) refuses, naming the container.
func TestUpgradeRefusedAsProcess1(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 || exec.Command("unshare", "--pid", "--fork", "--mount-proc", "true").Run() != nil {
		t.Skip("needs root and unshare for a PID namespace")
	}
	u := newUpgradeFixture(t)
	init := exec.Command("unshare", "--pid", "--fork", "--kill-child", "--mount-proc", u.bin, "run", "--pidfile", u.pidfile)
	init.Env = u.env
	if err := init.Start(); err != nil {
		t.Fatal(err)
	}
	defer init.Wait()
	defer init.Process.Kill()
	var pid1 string // process 1 of the namespace, as seen from here
	await.For(t, "process 1 and its service", func() bool {
		children, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", init.Process.Pid, init.Process.Pid))
		pid1 = strings.TrimSpace(string(children))
		data, _ := os.ReadFile(u.pidfile)
		return pid1 != "" && len(data) > 0
	})
	enter := func(args ...string) *exec.Cmd {
		cmd := exec.Command("nsenter", append([]string{"--target", pid1, "--pid", "--mount", u.bin}, append(args, "--pidfile", u.pidfile)...)...)
		cmd.Env = u.env
		return cmd
	}
	u.want(u.exec(enter("upgrade")), 1, "process 1 (a container) does not upgrade", "upgrade as process 1's service")
}

// freeLocalAddr returns a loopback address with a port free right now.
func freeLocalAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// get fetches path from addr on a new connection, returning the body or
// the error.
func get(addr, path string) string {
	c := http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}
	resp, err := c.Get("http://" + addr + path)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// A load sends GET / from its clients until halted; an idle kept-alive
// connection the server closed is retried once, as HTTP clients do.
type load struct {
	stop       atomic.Bool
	wg         sync.WaitGroup
	ok, failed atomic.Int64
	mu         sync.Mutex
	errs       map[string]int
}

func startLoad(addr string, clients int) *load {
	l := &load{errs: map[string]int{}}
	for i := range clients {
		l.wg.Add(1)
		go func(keepAlive bool) {
			defer l.wg.Done()
			var conn net.Conn
			var r *bufio.Reader
			for !l.stop.Load() {
				fresh := conn == nil
				if fresh {
					c, err := net.Dial("tcp", addr)
					if err != nil {
						l.fail(err)
						continue
					}
					conn, r = c, bufio.NewReader(c)
				}
				req := "GET / HTTP/1.1\r\nHost: t\r\n\r\n"
				if !keepAlive {
					req = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
				}
				conn.SetDeadline(time.Now().Add(10 * time.Second))
				_, err := io.WriteString(conn, req)
				var resp *http.Response
				if err == nil {
					resp, err = http.ReadResponse(r, nil)
				}
				if err == nil {
					_, err = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
				switch {
				case err == nil:
					l.ok.Add(1)
				case !fresh: // kept alive, closed by the server: once more
				default:
					l.fail(err)
				}
				if err != nil || !keepAlive || resp.Close {
					conn.Close()
					conn = nil
				}
			}
			if conn != nil {
				conn.Close()
			}
		}(i%2 == 1)
	}
	return l
}

func (l *load) fail(err error) {
	l.failed.Add(1)
	l.mu.Lock()
	l.errs[err.Error()]++
	l.mu.Unlock()
}

func (l *load) why() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprint(l.errs)
}

func (l *load) halt() {
	l.stop.Store(true)
	l.wg.Wait()
}
