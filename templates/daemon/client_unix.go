//go:build unix && !aix && !solaris

package daemon

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// The client commands. Stop sends SIGTERM (unless the daemon is stopping),
// waits up to --timeout for the pidfile's lock, then sends SIGKILL. What the
// daemon leaves in its pidfile, which a waiting stop keeps open, tells every
// stop how it ended: "stopped", exit 0, a clean shutdown; "crashed", exit
// 0, gone without one (a panic while stopping, or SIGQUIT); "killed", exit
// 150 (of LSB's 150-199 for applications), SIGKILLed. Reload, upgrade and
// the controls ask over the control socket.

// The signals the daemon handles: see serve.go.
var (
	shutdownSignals           = []os.Signal{syscall.SIGTERM, syscall.SIGINT}
	reloadSignal    os.Signal = syscall.SIGHUP
	reopenSignal    os.Signal = syscall.SIGUSR1
	quitSignal      os.Signal = syscall.SIGQUIT
)

// stop stops the daemon, waits until it is gone and says how it ended. A
// daemon still starting gets SIGTERM too, and stops once its Init returns.
func (p *Program) stop(o *options) int {
	i, err := inspect(o.pidfile)
	if err != nil {
		return p.fail("stop", err)
	}
	defer i.close()
	if i.state != running {
		removed := p.removeStale(i)
		switch {
		case i.noDaemon:
			fmt.Printf("%s not running (pidfile %s is locked by a process that is no daemon; start replaces it)\n", p.Name, o.pidfile)
		case i.state == dead && removed:
			fmt.Printf("%s not running (removed stale pidfile %s)\n", p.Name, o.pidfile)
		case i.state == dead:
			fmt.Printf("%s not running (stale pidfile %s stays)\n", p.Name, o.pidfile)
		default:
			fmt.Printf("%s not running\n", p.Name)
		}
		return exitOK
	}
	gone := lockShared(i.f)
	doing := "stopping" // then a second SIGTERM would change nothing
	if !i.stopping {
		if !i.ready {
			fmt.Fprintf(os.Stderr, "%s: pid %d is starting; it stops once its Init returns\n", p.Name, i.pid)
		}
		if err := i.signal(syscall.SIGTERM); err != nil && !errors.Is(err, errGone) {
			return p.fail("stop", err)
		}
		doing = "running"
	}
	released := waitReleased(gone, o.timeout)
	if !released {
		fmt.Fprintf(os.Stderr, "%s: pid %d still %s after %v; sending SIGKILL\n", p.Name, i.pid, doing, o.timeout)
		i.markKilled()
		if err := i.signal(syscall.SIGKILL); err != nil && !errors.Is(err, errGone) {
			return p.fail("stop", err)
		}
		if !waitReleased(gone, o.timeout) {
			return p.fail("stop", fmt.Errorf("pid %d still holds %s after SIGKILL", i.pid, o.pidfile))
		}
	} else if c := content(i.f); !i.ready && !i.stopping && (c == "" || c == stoppingMark) {
		// Gone while it started (our SIGTERM marks it stopping), uncleanly.
		i.state = dead
		p.removeStale(i)
		fmt.Printf("%s not running (pid %d exited before it was ready; see its log)\n", p.Name, i.pid)
		return exitOK
	}
	i.state = dead
	return p.stopped(i, !released, o)
}

// removeStale removes a gone daemon's pidfile, or says why it cannot.
func (p *Program) removeStale(i *inspection) (removed bool) {
	if err := i.removeStale(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", p.Name, err)
		return false
	}
	return true
}

// stopped says how the daemon, now gone, ended (killed: by this stop).
func (p *Program) stopped(i *inspection, killed bool, o *options) int {
	end := i.ending()
	p.removeStale(i)
	switch {
	case killed:
		fmt.Printf("%s killed (pid %d): SIGKILL after --timeout %v, no clean shutdown\n", p.Name, i.pid, o.timeout)
		return exitKilled
	case end == killExit:
		fmt.Printf("%s killed (pid %d): another stop sent SIGKILL, no clean shutdown\n", p.Name, i.pid)
		return exitKilled
	case end == quitExit:
		fmt.Printf("%s crashed (pid %d): SIGQUIT forced it out without a clean shutdown (see its log)\n", p.Name, i.pid)
	case end == crashExit:
		fmt.Printf("%s crashed (pid %d): it exited without a clean shutdown (see its log)\n", p.Name, i.pid)
	default:
		fmt.Printf("%s stopped (pid %d)\n", p.Name, i.pid)
	}
	return exitOK
}

// errGone is signal's error when the daemon exited before it was signalled.
var errGone = errors.New("the daemon is gone")

// signal sends sig to the daemon holding the inspected pidfile: it takes a
// handle on the process first (a pidfd on Linux), then checks that it holds
// the lock, so no process that took over a reused pid is signalled.
func (i *inspection) signal(sig syscall.Signal) error {
	if i.pid <= 1 {
		return fmt.Errorf("the daemon holding %s has not written its pid yet; try again", i.path)
	}
	proc, err := os.FindProcess(i.pid)
	if err != nil {
		return fmt.Errorf("find pid %d: %w", i.pid, err)
	}
	defer proc.Release()
	switch pid, held := lockHolder(i.f.Fd()); {
	case !held:
		return errGone
	case pid != i.pid: // another daemon took over (an upgrade): signal it
		i.pid = pid
		return i.signal(sig)
	}
	if err := proc.Signal(sig); err != nil {
		return fmt.Errorf("signal pid %d: %w", i.pid, err)
	}
	return nil
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
	case i.state == running:
		doing := map[bool]string{true: "running", false: "starting"}[i.ready]
		if i.stopping {
			doing = "stopping"
		}
		fmt.Printf("%s %s (pid %d)\n", p.Name, doing, i.pid)
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

// control asks the running daemon, over its control socket, to reload, to
// upgrade (upgrade_unix.go) or for a control (o.action), and waits, until
// --timeout, for the answer: exit 0 when it did, 1 with the daemon's error
// when it did not (it keeps running either way), 7 when no daemon runs.
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
	msg, deadline := o.action, time.Now().Add(o.timeout)
	switch o.action {
	case "reload":
		msg = fmt.Sprintf("reload %d", max(o.timeout.Milliseconds(), 1))
	case "upgrade":
		if !i.ready {
			return p.fail(o.action, fmt.Errorf("pid %d is starting or stopping; upgrade once it runs", i.pid))
		}
		msg, deadline = fmt.Sprintf("upgrade %d %d", max(o.timeout.Milliseconds(), 1), max(o.drain.Milliseconds(), 1)), deadline.Add(o.drain+closeWait)
	}
	answer, err := requestControl(o.pidfile, msg, !i.ready, deadline)
	if err != nil && o.action == "upgrade" && strings.HasPrefix(err.Error(), "unknown request") {
		err = fmt.Errorf("pid %d was built without upgrade; restart it instead", i.pid)
	}
	if err != nil {
		return p.fail(o.action, err)
	}
	done := "reloaded"
	if c, ok := findControl(o.action); ok {
		done = c.done
	}
	switch verb, arg, _ := strings.Cut(answer[0], " "); verb {
	case "busy":
		fmt.Fprintf(os.Stderr, "%s: upgrade: %s\n", p.Name, arg)
		return exitBusy
	case "upgraded": // then "drained", or "cut WHY", as the old daemon exits
		done = fmt.Sprintf("upgraded (pid %d -> %s", i.pid, arg)
		if cut, ok := strings.CutPrefix(answer[len(answer)-1], "cut "); ok {
			fmt.Printf("%s %s); %s\n", p.Name, done, cut)
			return exitOK
		}
		fmt.Printf("%s %s)\n", p.Name, done)
		return exitOK
	}
	fmt.Printf("%s %s (pid %d)\n", p.Name, done, i.pid)
	return exitOK
}
