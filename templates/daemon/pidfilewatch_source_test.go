//go:build linux

package daemon

// Tests of checklist line 28: never two daemons for one pidfile path.

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daemongen/daemongen/internal/await"
)

// Checklist 28: a daemon whose pidfile's directory is removed (as logout
// removes $XDG_RUNTIME_DIR) notices and stops gracefully, so that a start
// meanwhile does not leave two daemons; the same for a removed pidfile.
func TestPidfileRemoved(t *testing.T) {
	t.Parallel()
	for _, what := range []string{"directory", "file"} {
		t.Run(what, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			run := filepath.Join(f.dir, "run")
			if err := os.Mkdir(run, 0o700); err != nil {
				t.Fatal(err)
			}
			f.pidfile = filepath.Join(run, "testsvc.pid")
			old := f.start()
			if what == "directory" {
				if err := os.RemoveAll(run); err != nil {
					t.Fatal(err)
				}
				if err := os.Mkdir(run, 0o700); err != nil {
					t.Fatal(err)
				}
			} else if err := os.Remove(f.pidfile); err != nil {
				t.Fatal(err)
			}
			pid := f.start()
			await.For(t, "the first daemon to stop", func() bool { return !alive(old) })
			if log := f.readLog(); !strings.Contains(log, "was removed or replaced, so no command can find this daemon any more; stopping") {
				t.Fatalf("log %q; want the first daemon to say why it stopped", log)
			}
			if pids := livePids(f.dir); len(pids) != 1 || pids[0] != pid || f.lockHolderPid() != pid {
				t.Fatalf("live daemons %v, lock holder %d; want only the new one, %d", pids, f.lockHolderPid(), pid)
			}
			f.want(f.run("stop"), 0, "stopped", "stop")
			f.wantGone(pid)
		})
	}
}

// Issue 21, item 3: another user can neither let a second daemon start nor
// keep the first from starting. nobody binds the abstract socket name that
// once guarded the path (round 2's guard then failed open), and holds a
// flock and a POSIX write lock, as a daemon does, on a file it made at the
// pidfile's path and removed. Root's
// daemon still starts, and a start after its pidfile was removed still
// finds it while it stops.
func TestPreviousDaemonOtherUser(t *testing.T) {
	t.Parallel()
	nobody := needNobody(t)
	python := "/usr/bin/python3" // not a shim in root's home, which nobody cannot reach
	if _, err := os.Stat(python); err != nil {
		t.Skip("no /usr/bin/python3 to act as nobody")
	}
	f := newFixture(t, "TESTSVC_STOP_DELAY=4s")
	f.openToOthers()
	f.pidfile = sharedPidfile(t, f)
	h := fnv.New128a()
	h.Write([]byte(f.pidfile))
	squat := exec.Command(python, "-c", `import fcntl, os, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind("\0" + sys.argv[1]); s.listen()
f = open(sys.argv[2], "w"); fcntl.flock(f, fcntl.LOCK_EX); fcntl.lockf(f, fcntl.LOCK_EX); os.unlink(sys.argv[2])
print("ready", flush=True); time.sleep(60)`, "daemongen/"+hex.EncodeToString(h.Sum(nil)), f.pidfile)
	squat.SysProcAttr = nobodyCred(t, nobody.Uid, nobody.Gid)
	out, _ := squat.StdoutPipe()
	squat.Stderr = os.Stderr
	if err := squat.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { squat.Process.Kill(); squat.Wait() })
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
		t.Fatalf("nobody's squatter said %q; want ready", line)
	}
	old := f.start()
	if err := os.Remove(f.pidfile); err != nil {
		t.Fatal(err)
	}
	f.want(f.run("start"), 1, "another daemon for "+f.pidfile+" is still running (pid "+fmt.Sprint(old), "start while the old daemon stops")
	if !alive(old) {
		t.Fatal("the old daemon is gone already; the test proves nothing")
	}
	await.For(t, "the old daemon to exit", func() bool { return !alive(old) })
	pid := f.start()
	f.want(f.run("stop"), 0, fmt.Sprintf("testsvc stopped (pid %d)", pid), "stop")
}
