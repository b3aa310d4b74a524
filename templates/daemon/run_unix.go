//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// run runs the service in the foreground. As process 1 (in a container) it
// runs the service in a child instead and becomes a minimal init.
func (p *Program) run(o *options) int {
	if os.Getpid() == 1 {
		return p.initProcess(o)
	}
	return p.foreground(o)
}

// foreground runs the service in this process: no fork, stderr as the log
// unless --log names one, a pidfile only when one is named.
func (p *Program) foreground(o *options) int {
	s := &session{signals: watchSignals(), ready: func() {}, fail: func(error) {}}
	fail := func(err error) int {
		s.control.close(true)
		s.pidfile.release()
		return p.fail("run", err)
	}
	os.Unsetenv(stageEnv)
	syscall.Umask(p.umask())
	if o.user != "" && os.Geteuid() != 0 {
		return fail(fmt.Errorf("--user %s needs root (run as root or drop --user)", o.user))
	}
	var log, handOver *os.File
	if o.log != "" {
		var err error
		if log, handOver, err = openServiceLog(o.log, o.user); err != nil {
			return fail(err)
		}
		defer log.Close()
		s.log = o.log
	}
	if o.pidfile != "" {
		pf, err := acquirePidfile(o.pidfile)
		if err != nil {
			return fail(err)
		}
		s.pidfile = pf
		if s.control, err = listenControl(o.pidfile); err != nil {
			return fail(err)
		}
	}
	if o.user != "" {
		if err := dropPrivileges(o.user, handOver); err != nil {
			return fail(err)
		}
	}
	if log != nil {
		// A failure to start is reported on the original stderr too,
		// where whoever ran this looks, not only in the log.
		if stderr := dupStderr(); stderr != nil {
			defer stderr.Close()
			s.fail = func(err error) { fmt.Fprintf(stderr, "%s: run: %v\n", p.Name, err) }
		}
		if err := dupLog(log); err != nil {
			return fail(err)
		}
		log.Close()
	}
	return p.serve(s)
}

// dupStderr returns a copy of stderr, close-on-exec, or nil.
func dupStderr() *os.File {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	fd, err := syscall.Dup(2)
	if err != nil {
		return nil
	}
	syscall.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), "stderr")
}

// initProcess is process 1: it runs the service in a child, forwards the
// signals the service handles to it, reaps every process the kernel
// reparents to it, and exits with the service's status. The child has a
// process group of its own, so that a signal from a terminal reaches it
// once, through here.
func (p *Program) initProcess(o *options) int {
	cmd, err := reexec("run", "run", o)
	if err != nil {
		return p.fail("run", fmt.Errorf("find own executable: %w", err))
	}
	// One channel per signal, with room for one: a signal is dropped only
	// while one of its kind waits to be forwarded, and the service treats
	// two of a kind as one (see watchSignals).
	children := make(chan os.Signal, 1)
	signal.Notify(children, syscall.SIGCHLD)
	forward := make(map[os.Signal]chan os.Signal)
	for _, sig := range []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGQUIT} {
		forward[sig] = make(chan os.Signal, 1)
		signal.Notify(forward[sig], sig)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return p.fail("run", fmt.Errorf("start service process: %w", err))
	}
	for _, ch := range forward {
		go func(ch <-chan os.Signal) {
			for sig := range ch {
				cmd.Process.Signal(sig)
			}
		}(ch)
	}
	for range children {
		if code, exited := reap(cmd.Process.Pid); exited {
			return code
		}
	}
	return exitFailure
}

// reap collects every exited child. It reports the exit code of the
// service process if that was among them.
func reap(service int) (code int, exited bool) {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if pid <= 0 {
			return 0, false
		}
		if pid == service {
			if ws.Signaled() {
				return 128 + int(ws.Signal()), true
			}
			return ws.ExitStatus(), true
		}
	}
}
