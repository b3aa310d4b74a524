//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The daemon reports to start over the readiness pipe, one line each:
// "pid N" first, then exactly one of "ready N", "running N" (another daemon
// holds the pidfile) or "error MESSAGE".
const readyFD = 3

// outcome is what start learned from the readiness pipe.
type outcome struct {
	pid     int   // the daemon's pid, 0 if it never said
	ready   bool  // it is up
	running bool  // another daemon holds the pidfile
	other   int   // that daemon's pid, 0 if unknown
	err     error // why it is not up
}

// afterFailure bounds how long spawn waits, once the daemon has failed or
// been killed, for it to be gone.
const afterFailure = 5 * time.Second

// spawn starts the daemon through two re-executions and waits, until
// deadline, for its report. Unless the daemon reported ready, every process
// spawn started has exited when it returns, and a pidfile a failed daemon
// left is removed.
func (p *Program) spawn(o *options, deadline time.Time) outcome {
	cmd, err := reexec("detach", "start", o)
	if err != nil {
		return outcome{err: fmt.Errorf("find own executable: %w", err)}
	}
	r, w, err := os.Pipe()
	if err != nil {
		return outcome{err: fmt.Errorf("create readiness pipe: %w", err)}
	}
	defer r.Close()
	closeInherited(2)
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return outcome{err: fmt.Errorf("start %s: %w", cmd.Path, err)}
	}
	// The first child leads a new session and process group, which the
	// daemon joins. Until it is reaped, its pid, and so the group's id,
	// cannot be reused.
	defer cmd.Wait()

	br := bufio.NewReader(r)
	r.SetReadDeadline(deadline)
	res, err := readOutcome(br)
	if res.ready {
		return res
	}
	// Not started: whatever is left of the process group, a daemon that
	// is too slow or closed the pipe, or helpers its Init started, goes.
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		res.err = fmt.Errorf("daemon not ready after %v; killed it", o.timeout)
	case err != nil:
		res.err = fmt.Errorf("daemon exited before it was ready (see %s)", o.log)
	}
	// Wait until the pipe's last writer has exited: the pipe is closed at
	// exit only.
	r.SetReadDeadline(time.Now().Add(afterFailure))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			break
		}
		if pid, ok := strings.CutPrefix(strings.TrimSpace(line), "pid "); ok && res.pid == 0 {
			res.pid, _ = strconv.Atoi(pid)
		}
	}
	if res.running {
		return res
	}
	// A daemon that locked the pidfile releases it as it exits, just after
	// closing the pipe; then its pidfile, if it left one, is stale.
	i, err := inspect(o.pidfile)
	if err != nil {
		return res
	}
	defer i.close()
	if i.state == running && i.pid == res.pid {
		if !waitReleased(lockShared(i.f), afterFailure) {
			return res
		}
		i.state = dead
	}
	i.removeStale()
	return res
}

// readOutcome reads the daemon's messages up to its verdict. The error is
// the reader's when no verdict came.
func readOutcome(r *bufio.Reader) (outcome, error) {
	var res outcome
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return res, err
		}
		kind, arg, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		switch kind {
		case "pid":
			res.pid, _ = strconv.Atoi(arg)
		case "ready":
			res.ready = true
			return res, nil
		case "running":
			res.running = true
			res.other, _ = strconv.Atoi(arg)
			return res, nil
		case "error":
			res.err = errors.New(arg)
			return res, nil
		}
	}
}

// reexec returns the command that runs this program again as stage, with
// action, o's flags (the paths already absolute) and the service's: the two
// re-executions of start, and the service process under process 1. Its
// error is os.Executable's.
func reexec(stage, action string, o *options) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{os.Args[0], action}
	if o.pidfile != "" {
		args = append(args, "--pidfile", o.pidfile)
	}
	if o.log != "" {
		args = append(args, "--log", o.log)
	}
	args = append(args, "--timeout", o.timeout.String())
	if o.user != "" {
		args = append(args, "--user", o.user)
	}
	// Of duplicate keys in Env, exec.Cmd passes only the last.
	env := append(os.Environ(), stageEnv+"="+stage)
	return &exec.Cmd{Path: exe, Args: append(args, o.service...), Env: env}, nil
}

// child runs a re-executed stage.
func (p *Program) child(stage string, o *options) int {
	switch stage {
	case "run":
		return p.foreground(o)
	case "detach":
		return p.detach(os.NewFile(readyFD, "readiness pipe"), o)
	case "daemon":
		return p.daemon(os.NewFile(readyFD, "readiness pipe"), o)
	default:
		fmt.Fprintf(os.Stderr, "%s: unknown %s=%q (unset it)\n", p.Name, stageEnv, stage)
		return exitUsage
	}
}

// detach is the first child, a session leader: it starts the daemon and
// exits (see the package doc, # How it daemonizes).
func (p *Program) detach(pipe *os.File, o *options) int {
	cmd, err := reexec("daemon", "start", o)
	if err == nil {
		cmd.ExtraFiles = []*os.File{pipe}
		err = cmd.Start()
	}
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(pipe, "error start daemon: %s\n", oneLine(err))
	return exitFailure
}

// daemon is the second child: the daemon itself. It reports a failure
// without closing the pipe, which closes as it exits.
func (p *Program) daemon(pipe *os.File, o *options) int {
	signals := watchSignals()
	os.Unsetenv(stageEnv)
	syscall.CloseOnExec(readyFD)
	closeInherited(readyFD)
	tell := func(format string, args ...any) {
		fmt.Fprintf(pipe, format+"\n", args...)
	}
	report := func(err error) {
		tell("error %s", oneLine(err))
	}
	var pf *pidfile
	var ctl *controlServer
	fail := func(err error) int {
		ctl.close(true)
		pf.release()
		report(err)
		return exitFailure
	}
	tell("pid %d", os.Getpid())
	syscall.Umask(p.umask())
	if err := os.Chdir("/"); err != nil {
		return fail(fmt.Errorf("change directory to /: %w", err))
	}
	log, handOver, err := openServiceLog(o.log, o.user)
	if err != nil {
		return fail(err)
	}
	defer log.Close()
	pf, err = acquirePidfile(o.pidfile)
	var already *errRunning
	if errors.As(err, &already) {
		tell("running %d", already.pid)
		return exitOK
	}
	if err != nil {
		return fail(err)
	}
	if ctl, err = listenControl(o.pidfile); err != nil {
		return fail(err)
	}
	if o.user != "" {
		if err := dropPrivileges(o.user, handOver); err != nil {
			return fail(err)
		}
	}
	if err := redirectStdio(log); err != nil {
		return fail(err)
	}
	log.Close()
	return p.serve(&session{
		log:     o.log,
		pidfile: pf,
		control: ctl,
		signals: signals,
		ready: func() {
			tell("ready %d", os.Getpid())
			pipe.Close()
		},
		fail: report,
	})
}

// oneLine keeps a message on one line of the readiness pipe.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
