//go:build linux

package daemon

// Tests of checklist lines 24 and 30, the pidfile's half: no other user can
// keep root from starting, and defaults that work without a home.

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

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
		waitFor(t, "nobody to lock the pidfile", func() bool {
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
		waitFor(t, "the daemon to be gone", func() bool { return !alive(pid) })
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
