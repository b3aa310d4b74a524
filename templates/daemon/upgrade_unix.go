//go:build unix && !aix && !solaris

package daemon

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// How upgrade replaces the daemon with the binary now at its path (put
// there with mv), refusing no connection. The daemon starts that binary as
// its child with descriptors 3 a socket pair between the two, 4 the pidfile
// (with its flock), 5 the control socket, 6 on [Listen]'s listeners, named
// in $_DAEMON_HANDOVER with the handover's version. The new daemon runs
// Init, its Listen returning those sockets by name (another name is an
// error), and says "ready". The pidfile's POSIX write lock changes hands
// with no moment unheld: the old daemon unlocks from byte lockSplit on, the
// new one locks there, the old one unlocks the rest (after MAINPID= to
// systemd), the new one locks the whole file, writes its pid and answers
// the control socket. The old daemon's Run context is cancelled; it
// finishes its requests within --drain and exits, both serving meanwhile.
//
// A new binary that fails Init, crashes, hangs past --timeout or asks for a
// listener the old daemon lacks is killed with its process group; the old
// daemon serves on. The binary belongs to root or the daemon's user and,
// with its directory, is writable by no one else. The new daemon keeps the
// old one's user, environment, flags, log and watchdog. One upgrade runs at
// a time, until the old daemon is gone (another exits 151). A TERM before
// the handover abandons it; after it, the old daemon passes it on. Only a
// detached daemon (start) or one under systemd upgrades: a supervisor, or
// process 1, would not watch the new pid. After the handover the old
// daemon holds neither the pidfile nor a listener.

// lockSplit divides the pidfile's lock in the handover: no pidfile is as long.
const lockSplit = 1 << 40

// handoverEnv holds handoverVersion, the old daemon's mode and the listeners' names.
const handoverEnv, linkFD, listenersFD = "_DAEMON_HANDOVER", 3, 6

var handoverVersion = "1"

// A successor is the new daemon of an upgrade, as the old one sees it.
type successor struct {
	proc    *os.Process
	link    *os.File      // our end of the socket pair
	r       *bufio.Reader // on link
	conn    *os.File      // the client's connection
	drain   time.Duration
	verdict chan error // Init's result: nil once the new daemon is ready
}

// startUpgrade starts the binary at this daemon's path as its successor.
func (srv *server) startUpgrade(req request) {
	var err error
	verb, busy := "error", srv.next != nil
	select {
	case <-srv.predecessor: // closed once the daemon this one upgraded is gone; nil never
	default:
		busy = busy || srv.predecessor != nil
	}
	if busy {
		verb, err = "busy", errors.New("another upgrade is under way, or its old daemon still finishing its requests")
	}
	switch {
	case err != nil:
	case srv.ctx.Err() != nil || srv.starting:
		err = errors.New("the daemon is starting or stopping; upgrade once it runs")
	case srv.mode == "service":
		err = errors.New("the service process of process 1 (a container) does not upgrade; replace the container")
	case srv.mode != "daemon" && os.Getenv("NOTIFY_SOCKET") == "":
		err = errors.New("a daemon in the foreground upgrades only under systemd, which follows its new pid; restart it through its supervisor")
	default:
		srv.next, err = srv.spawnSuccessor(req)
	}
	if err != nil {
		srv.errorf("upgrade: %v", err)
		fmt.Fprintf(req.conn, "%s %s\n", verb, oneLine(err))
		req.conn.Close()
		return
	}
	srv.logger.Printf("upgrade requested; pid %d runs Init", srv.next.proc.Pid)
}

// spawnSuccessor checks and starts the binary, handing it what the top of
// this file says, and reads its report in a goroutine.
func (srv *server) spawnSuccessor(req request) (*successor, error) {
	limit := req.limit
	o := *srv.opts
	o.user = "" // this process has dropped privileges already
	_, args, env := reexec("upgrade", "run", &o)
	path, err := filepath.EvalSymlinks(args[0]) // the path the daemon was started as, through today's symlinks
	if err == nil {
		err = trusted(path)
	}
	if err != nil {
		return nil, fmt.Errorf("refusing to upgrade: %w", err)
	}
	var names []string
	var listeners []uintptr
	sockets.Lock()
	for _, s := range sockets.fds {
		if s.used && s.name != "" && s.fd >= 0 {
			names, listeners = append(names, s.name), append(listeners, uintptr(s.fd))
		}
	}
	sockets.Unlock()
	env = append(env, handoverEnv+"="+handoverVersion+" "+srv.mode+" "+strings.Join(names, ":"))
	if srv.watchdog != nil {
		env = append(env, "WATCHDOG_USEC="+strconv.FormatInt((2*srv.watchdog.every).Microseconds(), 10))
	}
	ours, theirs, err := socketPair()
	if err != nil {
		return nil, err
	}
	defer syscall.Close(theirs)
	// The descriptors go in as they are: os.StartProcess would set the
	// sockets, which this daemon still serves, to blocking mode.
	files := []uintptr{0, 1, 2, uintptr(theirs), srv.pidfile.f.Fd(), rawFD(srv.control.l)}
	pid, err := syscall.ForkExec(path, args, &syscall.ProcAttr{Env: env, Files: append(files, listeners...),
		Sys: &syscall.SysProcAttr{Setpgid: true}})
	if err != nil {
		ours.Close()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	proc, _ := os.FindProcess(pid)
	next := &successor{proc: proc, link: ours, r: bufio.NewReader(ours), verdict: make(chan error, 1), conn: req.conn, drain: req.drain}
	ours.SetReadDeadline(time.Now().Add(limit))
	go func() {
		res, err := readOutcome(next.r)
		switch {
		case res.ready:
			err = nil
		case res.err != nil:
			err = res.err
		case errors.Is(err, os.ErrDeadlineExceeded):
			err = fmt.Errorf("pid %d was not ready within --timeout %v", pid, limit)
		default:
			err = fmt.Errorf("pid %d exited before it was ready (see the log)", pid)
		}
		next.verdict <- err
	}()
	return next, nil
}

// upgradeVerdict is the running upgrade's verdict channel, or nil.
func (srv *server) upgradeVerdict() <-chan error {
	if srv.next == nil {
		return nil
	}
	return srv.next.verdict
}

// upgradeStops, as the daemon begins to stop, abandons an upgrade not
// handed over yet, or passes the stop on to the new daemon; once drained
// (its service has returned), it tells the upgrade's client instead.
func (srv *server) upgradeStops(drained bool) {
	if srv.next != nil {
		srv.abandon(errStopping)
	}
	if srv.heir != nil && drained {
		fmt.Fprintln(srv.heir.conn, "drained")
	} else if srv.heir != nil {
		srv.logger.Printf("passing the stop on to pid %d, which took over", srv.heir.proc.Pid)
		srv.heir.proc.Signal(syscall.SIGTERM)
	}
}

// handOver hands the pidfile and control socket to a successor that is
// ready, and drains; or abandons one that failed.
func (srv *server) handOver(err error) {
	next := srv.next
	if err == nil && srv.ctx.Err() != nil {
		err = errStopping
	}
	if err == nil {
		err = srv.passLock(next)
	}
	if err != nil {
		srv.abandon(err)
		return
	}
	srv.control.close(false)
	srv.pidfile.f.Close() // its flock is the new daemon's: the descriptors share it
	srv.pidfile, srv.control, srv.next = nil, nil, nil
	fmt.Fprintf(next.conn, "upgraded %d\n", next.proc.Pid)
	srv.shutdown(fmt.Sprintf("upgraded: pid %d took over", next.proc.Pid), srv.logger.Printf)
	srv.heir = next
	time.AfterFunc(next.drain, func() {
		srv.warnf("drain limit of %v reached; exiting while Run still runs", next.drain)
		fmt.Fprintf(next.conn, "cut --drain %v cut the old daemon's requests short: its Run had not returned\n", next.drain)
		os.Exit(exitOK)
	})
}

// passLock moves the pidfile's POSIX write lock to the successor.
func (srv *server) passLock(next *successor) error {
	fd := srv.pidfile.f.Fd()
	next.link.SetDeadline(time.Now().Add(closeWait))
	if err := lockRange(fd, syscall.F_UNLCK, lockSplit); err != nil {
		return fmt.Errorf("hand over the pidfile's lock: %w", err)
	}
	fmt.Fprintln(next.link, "go")
	if line, err := next.r.ReadString('\n'); line != "locked\n" {
		next.proc.Kill()
		next.proc.Wait()
		lockRange(fd, syscall.F_WRLCK, lockSplit)
		return fmt.Errorf("pid %d did not take the pidfile's lock: %q %v", next.proc.Pid, line, err)
	}
	// A ping now, and the new daemon's as it is ready, keep the manager's
	// watchdog fed across the change of main pid.
	notify("WATCHDOG=1\nMAINPID=" + strconv.Itoa(next.proc.Pid))
	lockRange(fd, syscall.F_UNLCK, 0)
	fmt.Fprintln(next.link, "go")
	next.r.ReadString('\n') // "serving": it has written its pid; upgrade returns after that
	return nil
}

// abandon kills the successor's process group, waits for it, and tells
// the client why the upgrade failed.
func (srv *server) abandon(err error) {
	next := srv.next
	srv.next = nil
	syscall.Kill(-next.proc.Pid, syscall.SIGKILL)
	next.proc.Wait()
	next.link.Close()
	srv.errorf("upgrade: %v; pid %d keeps serving", err, os.Getpid())
	fmt.Fprintf(next.conn, "error %s\n", oneLine(err))
	next.conn.Close()
}

// trusted checks the binary an upgrade runs, as the top of this file says.
func trusted(exe string) error {
	for _, path := range []string{exe, filepath.Dir(exe)} {
		if fi, err := os.Stat(path); err != nil {
			return err
		} else if st := fi.Sys().(*syscall.Stat_t); st.Uid != 0 && int(st.Uid) != os.Geteuid() || fi.Mode().Perm()&0o022 != 0 {
			return fmt.Errorf("%s must belong to root or uid %d and be writable by no one else (chown and chmod go-w it)", path, os.Geteuid())
		}
	}
	return nil
}

// successor is the new daemon of an upgrade (see the top of this file).
func (p *Program) successor(o *options) int {
	signals := earlySignals
	spec := strings.SplitN(os.Getenv(handoverEnv), " ", 3)
	os.Unsetenv(handoverEnv)
	os.Unsetenv(stageEnv)
	syscall.SetNonblock(linkFD, true)
	link, gone := os.NewFile(linkFD, "handover"), make(chan struct{}) // gone once the old daemon has exited
	r := bufio.NewReader(link)
	fmt.Fprintf(link, "pid %d\n", os.Getpid())
	if len(spec) != 3 || spec[0] != handoverVersion {
		fmt.Fprintf(link, "error the running daemon hands over as %q, which this binary does not take (version %s); restart instead\n", spec[0], handoverVersion)
		return exitFailure
	}
	closeInherited(2)
	sockets.once.Do(func() {}) // what the old daemon was passed is gone
	sockets.handedOver = true
	for i, name := range strings.FieldsFunc(spec[2], func(r rune) bool { return r == ':' }) {
		sockets.fds = append(sockets.fds, &inherited{name: name, fd: listenersFD + i})
	}
	// takeOver takes the pidfile and control socket once Init has
	// succeeded, and watches for the old daemon's exit.
	takeOver := func(o *options) (*pidfile, *controlServer, error) {
		pf := &pidfile{f: os.NewFile(4, o.pidfile), path: o.pidfile}
		fd := pf.f.Fd()
		fmt.Fprintln(link, "ready")
		link.SetReadDeadline(time.Now().Add(o.timeout))
		if line, err := r.ReadString('\n'); line != "go\n" {
			return nil, nil, fmt.Errorf("the old daemon did not hand over: %q %v", line, err)
		}
		if err := lockRange(fd, syscall.F_WRLCK, lockSplit); err != nil {
			return nil, nil, fmt.Errorf("lock pidfile %s: %w", o.pidfile, err)
		}
		fmt.Fprintln(link, "locked")
		r.ReadString('\n') // "go", or the old daemon's end: the rest is ours soon
		deadline := time.Now().Add(closeWait)
		err := lockRange(fd, syscall.F_WRLCK, 0)
		for ; err != nil && time.Now().Before(deadline); err = lockRange(fd, syscall.F_WRLCK, 0) {
			time.Sleep(time.Millisecond)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("lock pidfile %s: %w", o.pidfile, err)
		}
		link.SetReadDeadline(time.Time{})
		go func() {
			io.Copy(io.Discard, r) // until the old daemon exits
			link.Close()
			close(gone)
		}()
		return pf, serveControl(os.NewFile(5, controlPath(o.pidfile)), controlPath(o.pidfile)), nil
	}
	return p.serve(&session{log: o.log, opts: o, mode: spec[1], signals: signals, predecessor: gone,
		takeOver: takeOver, ready: func() { fmt.Fprintln(link, "serving") }, fail: func(err error) { fmt.Fprintf(link, "error %s\n", oneLine(err)) }})
}

// lockRange sets or clears, without waiting, a POSIX lock from byte from:
// to lockSplit from 0 when clearing, else to the end.
func lockRange(fd uintptr, typ int16, from int64) error {
	lk := syscall.Flock_t{Type: typ, Start: from}
	if from == 0 && typ == syscall.F_UNLCK {
		lk.Len = lockSplit
	}
	return syscall.FcntlFlock(fd, syscall.F_SETLK, &lk)
}
