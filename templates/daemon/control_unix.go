//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// start starts the daemon unless one is running, and returns once a
// daemon, its own or one already there, is ready, or has failed, within
// --timeout.
func (p *Program) start(o *options) int {
	if o.user != "" && os.Geteuid() != 0 {
		return p.fail("start", fmt.Errorf("--user %s needs root (run as root or drop --user)", o.user))
	}
	if err := p.makePrivateDir(o); err != nil {
		return p.fail("start", err)
	}
	deadline := time.Now().Add(o.timeout)
	for {
		pid, err := awaitReady(o.pidfile, deadline)
		if err != nil {
			return p.fail("start", err)
		}
		if pid > 0 {
			fmt.Printf("%s already running (pid %d)\n", p.Name, pid)
			return exitOK
		}
		// Nobody holds the pidfile: start a daemon. If another start
		// wins the race for the lock, wait for its daemon instead.
		res := p.spawn(o, deadline)
		switch {
		case res.ready:
			fmt.Printf("%s started (pid %d)\n", p.Name, res.pid)
			return exitOK
		case !res.running:
			return p.fail("start", res.err)
		}
	}
}

// awaitReady waits, until deadline, for a starting daemon that holds the
// pidfile to be ready, and returns its pid, or for a stopping one to be
// gone. It returns 0 if no daemon holds the pidfile (any more), or if a
// process that did not announce itself does (see acquirePidfile). It
// polls, briefly: this is the path of two starts at once, never of one.
func awaitReady(path string, deadline time.Time) (int, error) {
	for {
		i, err := inspect(path)
		if errors.Is(err, errUnannounced) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		i.close()
		switch {
		case i.state != running:
			return 0, nil
		case i.ready:
			return i.pid, nil
		case time.Now().After(deadline) && i.stopping:
			return 0, fmt.Errorf("pid %d, which holds %s, is still stopping; start again once it is gone", i.pid, path)
		case time.Now().After(deadline):
			return 0, errors.New("a daemon started by someone else is still not ready")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// makePrivateDir creates the private directory of the default paths, if
// they are in use, with mode 0700, and checks that it is ours alone; and
// the runtime directory of the default pidfile with mode 0755.
func (p *Program) makePrivateDir(o *options) error {
	d := defaultPaths(p.Name, os.Geteuid(), os.Getenv, ownDir)
	if d.run != "" && filepath.Dir(o.pidfile) == d.run {
		if err := makeRunDir(d.run); err != nil {
			return err
		}
	}
	if d.private == "" || (filepath.Dir(o.pidfile) != d.private && filepath.Dir(o.log) != d.private) {
		return nil
	}
	if err := os.MkdirAll(d.private, 0o700); err != nil {
		return fmt.Errorf("create directory %s: %w", d.private, err)
	}
	if !ownDir(d.private) {
		return fmt.Errorf("directory %s must be a directory of your own that only you can write (fix it, or pass --pidfile and --log)", d.private)
	}
	return nil
}

// makeRunDir creates dir with mode 0755 if it is missing, as systemd's
// RuntimeDirectory= does, and checks that it is a directory that only its
// owner can write: the daemon's DynamicUser= under systemd, or us.
func makeRunDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create directory %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("check directory %s: %w", dir, err)
	}
	if !fi.IsDir() || fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("directory %s must be a directory only its owner can write (fix it, or pass --pidfile)", dir)
	}
	return nil
}

// ownDir reports whether dir is a directory (not a symbolic link) that
// belongs to this user and that neither its group nor others can write.
func ownDir(dir string) bool {
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm()&0o022 != 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}

// stop stops the daemon and waits until it is gone, and says how it ended
// (see ending): see the package doc, # Stop. A daemon that is still
// starting is signalled once it is ready, or killed at --timeout.
func (p *Program) stop(o *options) int {
	i, err := inspect(o.pidfile)
	if err != nil {
		return p.fail("stop", err)
	}
	defer func() { i.close() }()
	seen := i.state == running
	pid := i.pid // the daemon's, as the last inspection that found it running saw it
	deadline := time.Now().Add(o.timeout)
	for i.state == running && !i.ready && !i.stopping && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		i.close() // first: closing a descriptor drops every POSIX lock on the file
		if i, err = inspect(o.pidfile); err != nil {
			return p.fail("stop", err)
		}
		if i.state == running {
			pid = i.pid
		}
	}
	if i.state != running {
		if seen && i.state == dead && !i.noDaemon {
			// Gone meanwhile, leaving its file: it says how.
			i.pid = pid
			return p.stopped(i, false, o)
		}
		if err := i.removeStale(); err != nil {
			return p.fail("stop", err)
		}
		switch {
		case seen: // gone while it started, and its file with it
			fmt.Printf("%s not running (pid %d exited before it was ready; see its log)\n", p.Name, pid)
		case i.noDaemon:
			fmt.Printf("%s not running (pidfile %s is locked by a process that is no daemon; start replaces it)\n", p.Name, o.pidfile)
		case i.state == dead:
			fmt.Printf("%s not running (removed stale pidfile %s)\n", p.Name, o.pidfile)
		default:
			fmt.Printf("%s not running\n", p.Name)
		}
		return exitOK
	}
	gone := lockShared(i.f)
	released := false
	switch {
	case i.ready:
		err := i.signal(syscall.SIGTERM)
		if err != nil && !errors.Is(err, errGone) {
			return p.fail("stop", err)
		}
		released = waitReleased(gone, o.timeout)
		if !released && err == nil {
			fmt.Fprintf(os.Stderr, "%s: pid %d still running after %v; sending SIGKILL\n", p.Name, i.pid, o.timeout)
		}
	case i.stopping:
		// Already stopping: a second SIGTERM would change nothing, and
		// the one who stops it waits too.
		released = waitReleased(gone, o.timeout)
		if !released {
			fmt.Fprintf(os.Stderr, "%s: pid %d still stopping after %v; sending SIGKILL\n", p.Name, i.pid, o.timeout)
		}
	default:
		fmt.Fprintf(os.Stderr, "%s: pid %d still not ready after %v; sending SIGKILL\n", p.Name, i.pid, o.timeout)
	}
	if !released {
		i.markKilled()
		if err := i.kill(); err != nil {
			return p.fail("stop", err)
		}
		if !waitReleased(gone, o.timeout) {
			return p.fail("stop", fmt.Errorf("pid %d still holds %s after SIGKILL", i.pid, o.pidfile))
		}
		// The lock is ours now (shared): the daemon is gone and no new
		// one can take this file until we close it.
	}
	i.state = dead
	return p.stopped(i, !released, o)
}

// stopped says how the inspected daemon, now gone, ended (killed: this
// stop sent SIGKILL), and removes its file if it is still there.
func (p *Program) stopped(i *inspection, killed bool, o *options) int {
	end := i.ending()
	if killed {
		end = killExit
	}
	if err := i.removeStale(); err != nil {
		return p.fail("stop", err)
	}
	switch end {
	case killExit:
		if killed {
			fmt.Printf("%s killed (pid %d): SIGKILL after --timeout %v, no clean shutdown\n", p.Name, i.pid, o.timeout)
		} else {
			fmt.Printf("%s killed (pid %d): another stop sent SIGKILL, no clean shutdown\n", p.Name, i.pid)
		}
		return exitKilled
	case quitExit:
		fmt.Printf("%s crashed (pid %d): SIGQUIT forced it out without a clean shutdown (see its log)\n", p.Name, i.pid)
	case crashExit:
		fmt.Printf("%s crashed (pid %d): it exited without a clean shutdown (see its log)\n", p.Name, i.pid)
	default:
		fmt.Printf("%s stopped (pid %d)\n", p.Name, i.pid)
	}
	return exitOK
}

// errGone is signal's error when the daemon exited before it was signalled.
var errGone = errors.New("the daemon is gone")

// signal sends sig to the daemon holding the inspected pidfile. It takes a
// handle on the process first (a pidfd on Linux), then checks, on the
// inspection's open file, that the process still holds the lock, so the
// signal cannot reach a process that has taken over a reused pid.
func (i *inspection) signal(sig syscall.Signal) error {
	if i.pid <= 1 {
		return fmt.Errorf("the daemon holding %s has not written its pid yet; try again", i.path)
	}
	proc, err := os.FindProcess(i.pid)
	if err != nil {
		return fmt.Errorf("find pid %d: %w", i.pid, err)
	}
	defer proc.Release()
	switch pid, held := lockHolder(i.f); {
	case !held:
		return errGone
	case pid != i.pid:
		return fmt.Errorf("pid %d no longer holds %s", i.pid, i.path)
	}
	if err := proc.Signal(sig); err != nil {
		return fmt.Errorf("signal pid %d: %w", i.pid, err)
	}
	return nil
}

// kill sends SIGKILL to the daemon; that it is already gone is no error.
func (i *inspection) kill() error {
	err := i.signal(syscall.SIGKILL)
	if errors.Is(err, errGone) {
		return nil
	}
	return err
}

// status reports the daemon's state with the LSB exit codes.
func (p *Program) status(o *options) int {
	i, err := inspect(o.pidfile)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: status: %v\n", p.Name, err)
		return exitUnknown
	}
	defer i.close()
	switch {
	case i.state == running && i.stopping:
		fmt.Printf("%s stopping (pid %d)\n", p.Name, i.pid)
		return exitOK
	case i.state == running && !i.ready:
		fmt.Printf("%s starting (pid %d)\n", p.Name, i.pid)
		return exitOK
	case i.state == running:
		fmt.Printf("%s running (pid %d)\n", p.Name, i.pid)
		return exitOK
	case i.noDaemon:
		fmt.Printf("%s not running (stale pidfile %s, locked by a process that is no daemon)\n", p.Name, o.pidfile)
		return exitDead
	case i.state == dead:
		fmt.Printf("%s not running (stale pidfile %s)\n", p.Name, o.pidfile)
		return exitDead
	default:
		fmt.Printf("%s not running\n", p.Name)
		return exitNotRunning
	}
}

// control asks the running daemon, over its control socket, to reload or
// to reopen its log (o.action), and waits, until --timeout, for the
// answer: exit 0 when it did, 1 with the daemon's error when it did not
// (Reload's, or why it kept its old log; it keeps running either way), 7
// when no daemon runs.
func (p *Program) control(o *options) int {
	i, err := inspect(o.pidfile)
	if err != nil {
		return p.fail(o.action, err)
	}
	i.close()
	if i.state != running {
		fmt.Fprintf(os.Stderr, "%s not running\n", p.Name)
		return exitNoDaemon
	}
	if err := requestControl(o.pidfile, o.action, !i.ready, time.Now().Add(o.timeout)); err != nil {
		return p.fail(o.action, err)
	}
	done := "reloaded"
	if o.action == "reopen" {
		done = "reopened its log"
	}
	fmt.Printf("%s %s (pid %d)\n", p.Name, done, i.pid)
	return exitOK
}
