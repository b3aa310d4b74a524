//go:build linux

package daemon

// Tests of checklist line 30, the log's half: what the daemon writes to.

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Checklist 30: a log path that is not a regular file is refused at once,
// by start and run; a FIFO does not make start wait for a reader.
func TestLogNotRegular(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if err := syscall.Mkfifo(f.log, 0o644); err != nil {
		t.Fatal(err)
	}
	f.want(f.run("start", "--timeout", "30s"), 1, "not a regular file", "start with a FIFO as log")
	f.want(f.run("run"), 1, "not a regular file", "run with a FIFO as log")
	f.wantGone(0)
	if fi, err := os.Lstat(f.log); err != nil || fi.Mode().Type() != os.ModeNamedPipe {
		t.Fatalf("the FIFO: %v, %v; want it left alone", fi, err)
	}
}

// Checklist 30: root does not append to a log another user owns in a
// directory others can write, and never chowns a log it did not create.
func TestLogOwnership(t *testing.T) {
	t.Parallel()
	nobody := needNobody(t)
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	f := newFixture(t)
	f.openToOthers()
	shared := filepath.Join(f.dir, "shared")
	if err := os.Mkdir(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o1777); err != nil {
		t.Fatal(err)
	}
	f.log = filepath.Join(shared, "testsvc.log")
	writePidfile(t, f.log, "nobody's\n")
	if err := os.Chown(f.log, uid, gid); err != nil {
		t.Fatal(err)
	}
	f.want(f.run("start"), 1, "belongs to uid "+nobody.Uid, "start as root with nobody's log in a shared directory")
	f.want(f.run("run"), 1, "belongs to uid "+nobody.Uid, "run as root with nobody's log in a shared directory")
	if data, _ := os.ReadFile(f.log); string(data) != "nobody's\n" {
		t.Fatalf("nobody's log now holds %q; want it untouched", data)
	}
	// Its own user's log is fine for a daemon that runs as that user.
	pid := f.start("--user", "nobody")
	f.want(f.run("stop"), 0, "stopped", "stop")
	f.wantGone(pid)

	// A log root created before is not handed to --user: it stays root's.
	f = newFixture(t)
	f.openToOthers()
	writePidfile(t, f.log, "")
	pid = f.start("--user", "nobody")
	fi, err := os.Stat(f.log)
	if st, ok := fi.Sys().(*syscall.Stat_t); err != nil || !ok || st.Uid != 0 {
		t.Errorf("existing log after start --user nobody: %v, %+v; want it still root's", err, fi.Sys())
	}
	f.want(f.run("stop"), 0, "stopped", "stop")
	f.wantGone(pid)
}

// Messages name the kind of file in words and give their advice once.
func TestMessagesReadCleanly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if err := syscall.Mkfifo(f.log, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"start", "run"} {
		r := f.run(action)
		want := "open log " + f.log + ": it is not a regular file but a FIFO (remove it or choose another --log)\n"
		if r.code != 1 || !strings.HasSuffix(r.stderr, want) || strings.Count(r.stderr, "(") != 1 {
			t.Errorf("%s with a FIFO as log: exit %d, stderr %q; want 1 and %q", action, r.code, r.stderr, want)
		}
	}
	if os.Geteuid() != 0 {
		return
	}
	dev := filepath.Join(f.dir, "dev")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o600, 1<<8|3); err != nil {
		t.Skipf("mknod: %v", err)
	}
	r := f.exec(f.command("status", "--pidfile", dev))
	if want := "pidfile " + dev + " is not a regular file but a character device (remove it or choose another --pidfile)"; !strings.Contains(r.stderr, want) {
		t.Errorf("status with a device as pidfile: stderr %q; want %q", r.stderr, want)
	}
}
