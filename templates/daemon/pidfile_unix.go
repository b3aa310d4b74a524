//go:build unix && !aix && !solaris

package daemon

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Liveness and whom to signal. A daemon runs exactly while a process holds
// the lock on its pidfile (see flockLocks); the file is empty while it
// starts, then "PID\n", then "stopping\n". The pid to signal is the POSIX
// write lock's holder as the kernel reports it (F_GETLK), through a pidfd;
// stop waits for the lock's release, never kill(pid, 0). Start replaces a
// pidfile that others (any reader can) keep locked for two seconds.
//
// Every second the daemon checks that its pidfile is in place; if it was
// removed or replaced, it stops. On Linux a new daemon waits for it
// (waitPrevious); elsewhere both can run for up to a second.

// A pidfile is the daemon's pidfile, locked by this process until it exits.
type pidfile struct {
	f    *os.File
	path string
}

// errRunning is returned by acquirePidfile when another process holds the lock.
type errRunning struct{ pid int }

func (e *errRunning) Error() string { return fmt.Sprintf("already running (pid %d)", e.pid) }

// lockContention bounds how long acquirePidfile waits while others lock it.
var lockContention = 2 * time.Second

// openFlags follow no symlink and never block on a FIFO at the path.
const openFlags = syscall.O_NOFOLLOW | syscall.O_CLOEXEC | syscall.O_NONBLOCK

// acquirePidfile opens or creates path, locks it, checks that the path
// still names it and that it is a plain file of ours, announces this
// process, and empties it: an *errRunning if a daemon holds it; replaced if
// others hold it for lockContention. Then it runs waitPrevious.
func acquirePidfile(path string) (*pidfile, error) {
	pf, err := lockPidfile(path)
	if err == nil {
		if err = waitPrevious(path); err != nil {
			pf.release()
			pf.f.Close()
			pf = nil
		}
	}
	return pf, err
}

// lockPidfile is acquirePidfile without waitPrevious.
func lockPidfile(path string) (*pidfile, error) {
	deadline := time.Now().Add(lockContention)
	for {
		if err := checkType(path); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|openFlags, 0o644)
		if err != nil {
			return nil, openPidfileError(path, err)
		}
		pf := &pidfile{f: f, path: path}
		if err = lockExclusive(f); err == nil && !namesFile(path, f) {
			f.Close()
			continue
		} else if err == nil {
			if err = pf.claim(); err == nil {
				return pf, nil
			}
		}
		pid, held := lockHolder(f.Fd()) // by a daemon, or by inspectors or no daemon at all?
		f.Close()                       // a refused file is not ours to remove
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EAGAIN) && !errors.Is(err, syscall.EACCES) {
			return nil, err
		} else if held {
			return nil, &errRunning{pid: pid}
		}
		if time.Now().After(deadline) {
			return replacePidfile(path)
		}
		time.Sleep(time.Millisecond)
	}
}

// replacePidfile puts a new locked pidfile in the place of one that others
// than a daemon keep locked, so that no other user can keep a daemon from
// starting. The rename is atomic: the path names the old file or the new.
func replacePidfile(path string) (*pidfile, error) {
	fail := func(err error) (*pidfile, error) {
		return nil, fmt.Errorf("replace pidfile %s, which a process that is no daemon keeps locked: %w (remove it, or choose another --pidfile)", path, err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".new*")
	if err != nil {
		return fail(err)
	}
	err = lockExclusive(f)
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		f.Close()
		return fail(err)
	}
	pf := &pidfile{f: f, path: path}
	if err := pf.claim(); err != nil {
		f.Close()
		return nil, err
	}
	return pf, nil
}

// claim checks the locked file, announces this process, and empties it
// with mode 0644 (the daemon is starting).
func (pf *pidfile) claim() error {
	if err := checkPidfile(pf.path, pf.f, true); err != nil {
		return err
	}
	if err := announce(pf.f); err != nil {
		return fmt.Errorf("lock pidfile %s: %w", pf.path, err)
	}
	if err := pf.f.Truncate(0); err != nil {
		return fmt.Errorf("write pidfile %s: %w", pf.path, err)
	}
	if err := pf.f.Chmod(0o644); err != nil {
		return fmt.Errorf("chmod pidfile %s: %w", pf.path, err)
	}
	return nil
}

// markStopping writes stoppingMark, so that a stop that comes now waits
// instead of signalling twice; quit quitMark, for SIGQUIT's forced exit,
// leaving the pidfile in place as a crash does. A nil pidfile does nothing.
func (pf *pidfile) markStopping() { pf.mark(stoppingMark) }
func (pf *pidfile) quit()         { pf.mark(quitMark) }

// mark replaces the pidfile's content with m. A nil pidfile does nothing.
func (pf *pidfile) mark(m string) {
	if pf != nil {
		overwrite(pf.f, m)
	}
}

// overwrite replaces f's line with m, never leaving f empty (starting).
func overwrite(f *os.File, m string) {
	f.WriteAt([]byte(m), 0)
	f.Truncate(int64(len(m)))
}

// markReady writes "PID\n": the daemon is ready. A nil pidfile does
// nothing. No fsync: readers see the page cache, and after a crash the
// file is stale by its lock whatever it says (the sync cost 1 ms on disk).
func (pf *pidfile) markReady() error {
	if pf == nil {
		return nil
	}
	line := strconv.Itoa(os.Getpid()) + "\n"
	_, err := pf.f.WriteAt([]byte(line), 0) // an upgrade's, over a longer pid: then truncated
	if err = errors.Join(err, pf.f.Truncate(int64(len(line)))); err != nil {
		return fmt.Errorf("write pidfile %s: %w", pf.path, err)
	}
	return nil
}

// The marks that replace the daemon's pid in its pidfile, and tell a stop
// that waits with the file open how the daemon ended (see ending).
const (
	stoppingMark = "stopping\n"
	stoppedMark  = "stopped\n"
	quitMark     = "quit\n"
	killedMark   = "killed\n"
)

// marks are what a pidfile may hold instead of a pid.
var marks = []string{stoppingMark, stoppedMark, quitMark, killedMark}

// release ends the daemon's use of the pidfile after a clean shutdown: it
// writes stoppedMark, for stops that wait with the file open, and unlinks
// it if its path still names the locked file (a --user daemon may not). It
// keeps the lock, which goes as the process exits. A nil pidfile does nothing.
func (pf *pidfile) release() {
	if pf != nil {
		pf.mark(stoppedMark)
		if pf.inPlace() {
			os.Remove(pf.path)
		}
	}
}

// inPlace reports whether the path still names the file; nil is in place.
func (pf *pidfile) inPlace() bool {
	return pf == nil || namesFile(pf.path, pf.f)
}

func openPidfileError(path string, err error) error {
	if errors.Is(err, syscall.ELOOP) {
		return fmt.Errorf("open pidfile %s: it is a symbolic link, which a pidfile must not be (remove it or choose another --pidfile)", path)
	}
	return fmt.Errorf("open pidfile %s: %w (choose a writable --pidfile)", path, err)
}

// checkType refuses anything at path but a regular file before it is
// opened (opening a device can have effects); checkPidfile checks again.
func checkType(path string) error {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode().IsRegular() || fi.Mode()&os.ModeSymlink != 0 {
		return nil // missing, fine, or a symlink that opening refuses
	}
	return fmt.Errorf("pidfile %s is not a regular file but %s (remove it or choose another --pidfile)", path, kindOf(fi.Mode()))
}

// sharedDir reports whether path's directory is group or other writable.
func sharedDir(path string) bool {
	di, err := os.Stat(filepath.Dir(path))
	return err != nil || di.Mode().Perm()&0o022 != 0
}

// checkPidfile refuses anything but a regular file with one link; with
// mine, another user's file unless this one is root; and root refuses
// another user's in a directory its group or others can write.
func checkPidfile(path string, f *os.File, mine bool) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat pidfile %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("pidfile %s is not a regular file but %s (remove it or choose another --pidfile)", path, kindOf(fi.Mode()))
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if st.Nlink > 1 {
			return fmt.Errorf("pidfile %s has %d hard links; refusing to use it (remove it or choose another --pidfile)", path, st.Nlink)
		}
		if uid, me := int(st.Uid), os.Geteuid(); mine && me != 0 && uid != me && uid != 0 {
			return fmt.Errorf("pidfile %s belongs to uid %d, not to you (remove it or choose another --pidfile)", path, uid)
		} else if me == 0 && uid != 0 && sharedDir(path) {
			return fmt.Errorf("pidfile %s belongs to uid %d in a directory its group or others can write; root does not trust it (remove it, or choose a --pidfile in a directory only its owner can write)", path, uid)
		}
	}
	return nil
}

// namesFile reports whether path currently names the open file f.
func namesFile(path string, f *os.File) bool {
	fi, err1 := f.Stat()
	pi, err2 := os.Lstat(path)
	return err1 == nil && err2 == nil && os.SameFile(fi, pi)
}

// state is what an inspection of the pidfile found.
type state int

const (
	notRunning state = iota // no pidfile
	dead                    // a pidfile nobody holds: stale
	running                 // a daemon holds the pidfile's lock
)

// errUnannounced: a process holds the lock without saying who it is, for a
// moment while a daemon starts or exits, or for good (another PID namespace).
var errUnannounced = errors.New("its holder is not visible from here (another PID namespace?) or did not announce itself")

// announceWait bounds how long inspect waits for a holder to announce itself.
var announceWait = 200 * time.Millisecond

// An inspection is what a look at a pidfile found, disturbing no daemon.
// While state is dead, f holds a shared lock, so no daemon takes the file
// until f is closed; unless noDaemon (others hold it), and it is left alone.
type inspection struct {
	state    state
	pid      int        // the daemon's pid when running (0 if not known yet); what the file says when dead
	ready    bool       // running, and the daemon has said it is ready (and not stopping)
	noDaemon bool       // dead, but locked by processes with no write lock; f holds no lock then
	stopping bool       // running, and the daemon has begun to stop
	extra    []*os.File // more descriptors of the file, closed with f
	f        *os.File   // the open pidfile, nil when notRunning
	path     string
}

// inspect opens path read-only and finds out whether a daemon holds it; an
// error means it cannot tell (LSB status 4). The caller closes i.
func inspect(path string) (*inspection, error) {
	if err := checkType(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if errors.Is(err, os.ErrNotExist) {
		return &inspection{state: notRunning, path: path}, nil
	}
	if err != nil {
		return nil, openPidfileError(path, err)
	}
	if err := checkPidfile(path, f, false); err != nil {
		f.Close()
		return nil, err
	}
	i := &inspection{f: f, path: path}
	for deadline := time.Now().Add(announceWait); ; time.Sleep(time.Millisecond) {
		err = lockSharedNow(f)
		switch {
		case err == nil:
			i.state = dead
			i.pid, _ = readPid(f)
			return i, nil
		case errors.Is(err, syscall.EWOULDBLOCK):
			i.state = running
			i.pid, i.ready, err = holder(f)
			if errors.Is(err, errUnannounced) && time.Now().Before(deadline) {
				continue // a daemon between its two locks, starting or exiting
			}
			if _, held := lockHolder(f.Fd()); errors.Is(err, errUnannounced) && !held {
				// Locked too long with no write lock: no daemon, and start replaces it.
				i.state, i.noDaemon = dead, true
				i.pid, _ = readPid(f)
				return i, nil
			}
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("pidfile %s is locked, but %w", path, err)
			}
			i.stopping = !i.ready && content(f) == stoppingMark
			return i, nil
		default:
			f.Close()
			return nil, fmt.Errorf("lock pidfile %s: %w", path, err)
		}
	}
}

// runningDaemon returns the pid of program name's daemon at its default
// pidfile, if one runs, and whether it runs another file than bin (where
// /proc tells).
func runningDaemon(name, bin string) (pid int, other bool) {
	i, err := inspect(defaultPaths(name, os.Geteuid(), os.Getenv, ownDir).pidfile)
	if i.close(); err != nil || i.state != running {
		return 0, false
	}
	exe, err1 := os.Stat(fmt.Sprintf("/proc/%d/exe", i.pid))
	b, err2 := os.Stat(bin)
	return i.pid, err1 == nil && err2 == nil && !os.SameFile(exe, b)
}

// removeRuntime removes a gone daemon's stale default pidfile with its
// control socket, and its runtime directory if that is then empty.
func removeRuntime(name string) {
	d := defaultPaths(name, os.Geteuid(), os.Getenv, ownDir)
	if i, err := inspect(d.pidfile); err == nil {
		i.removeStale()
		i.close()
	}
	if d.run != "" {
		os.Remove(d.run)
	}
}

// close releases the inspection's files and lock; nil does nothing.
func (i *inspection) close() {
	if i != nil {
		for _, f := range append(i.extra, i.f) {
			f.Close()
		}
		i.extra = nil
	}
}

// removeStale removes a dead pidfile, which its shared lock keeps from any
// daemon, if the path still names it, and the control socket beside it.
func (i *inspection) removeStale() error {
	if i.state != dead || i.noDaemon || !namesFile(i.path, i.f) {
		return nil
	}
	if fi, err := os.Lstat(controlPath(i.path)); err == nil && fi.Mode().Type() == os.ModeSocket {
		os.Remove(controlPath(i.path))
	}
	if err := os.Remove(i.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove stale pidfile %s: %w", i.path, err)
	}
	return nil
}

// An ending is how a daemon that is gone ended, as its pidfile says.
type ending int

const (
	cleanExit ending = iota // stoppedMark, or the file was removed
	crashExit               // its pid or stoppingMark: no clean shutdown
	quitExit                // quitMark: SIGQUIT's forced exit
	killExit                // killedMark: a stop sent SIGKILL
)

// ending reports how the daemon of the inspected file, now gone, ended.
func (i *inspection) ending() ending {
	switch content(i.f) {
	case stoppedMark:
		return cleanExit
	case quitMark:
		return quitExit
	case killedMark:
		return killExit
	case "":
		// Removed and empty: the clean exit of a daemon from before
		// stoppingMark, which emptied its pidfile as it began to stop.
		if fi, err := i.f.Stat(); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Nlink == 0 {
				return cleanExit
			}
		}
	}
	return crashExit
}

// markKilled writes killedMark before a stop sends SIGKILL, for every stop
// waiting to tell. The file stays open until the stop returns (closing it
// would drop the stop's POSIX lock). Who may not write it leaves no mark.
func (i *inspection) markKilled() {
	w, err := os.OpenFile(i.path, os.O_WRONLY|openFlags, 0)
	if err != nil {
		return
	}
	if namesFile(i.path, i.f) && sameFile(w, i.f) {
		overwrite(w, killedMark)
	}
	i.extra = append(i.extra, w)
}

// sameFile reports whether a and b are open on the same file.
func sameFile(a, b *os.File) bool {
	ai, err1 := a.Stat()
	bi, err2 := b.Stat()
	return err1 == nil && err2 == nil && os.SameFile(ai, bi)
}

// holder returns the pid of the daemon holding f's lock (lockHolder), and
// whether it is ready (its pid is written); errUnannounced for a holder not
// seen from here, an error for a pid never to be signalled.
func holder(f *os.File) (pid int, ready bool, err error) {
	_, ready = readPid(f)
	pid, held := lockHolder(f.Fd())
	if !held || pid == 0 {
		return 0, false, errUnannounced
	}
	if pid <= 1 || pid == os.Getpid() {
		return 0, false, fmt.Errorf("names pid %d, which is never signalled", pid)
	}
	return pid, ready, nil
}

// content returns f's first line: a pid, a mark, or "" while the daemon
// starts. A read may see a write half done: it reads again, for up to 10 ms.
func content(f *os.File) string {
	buf := make([]byte, 32)
	for try := 0; ; try++ {
		n, _ := f.ReadAt(buf, 0)
		line, _, whole := strings.Cut(string(buf[:n]), "\n")
		_, err := strconv.ParseUint(line, 10, 31)
		if whole && (err == nil || slices.Contains(marks, line+"\n")) || n == 0 || try == 1010 {
			return string(buf[:min(n, len(line)+1)]) // overwrite may not have cut the old tail yet
		} else if try >= 1000 {
			time.Sleep(time.Millisecond)
		}
	}
}

// readPid parses the pidfile's pid; ok is false for anything else.
func readPid(f *os.File) (pid int, ok bool) {
	if pid, err := strconv.Atoi(strings.TrimSpace(content(f))); err == nil {
		return pid, true
	}
	return 0, false
}

// lockShared starts a blocking shared lock of f and returns the channel of
// its result, once the holder has exited. Others may hold a flock as long:
// the POSIX write lock, the daemon's alone, is watched too.
func lockShared(f *os.File) <-chan error {
	done := make(chan error, 2)
	fd := f.Fd()
	go func() {
		for {
			err := lockSharedWait(fd)
			if err != syscall.EINTR {
				done <- err
				return
			}
		}
	}()
	if _, held := lockHolder(fd); flockLocks && held {
		go func() { // ends once the daemon is gone, or fd closed (EBADF)
			for held {
				time.Sleep(10 * time.Millisecond)
				_, held = lockHolder(fd)
			}
			done <- nil
		}()
	}
	return done
}

// waitReleased reports whether lockShared's lock came within timeout.
func waitReleased(done <-chan error, timeout time.Duration) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err == nil
	case <-t.C:
		return false
	}
}

// lockHolder returns whether another process holds a POSIX write lock on
// f's file (F_GETLK), and its pid as seen from here (0 from another PID
// namespace): the pid to signal. Read locks, anyone's, do not count.
func lockHolder(fd uintptr) (pid int, held bool) {
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	if err := syscall.FcntlFlock(fd, syscall.F_GETLK, &lk); err != nil || lk.Type != syscall.F_WRLCK {
		return 0, false
	}
	return int(lk.Pid), true
}

// The pidfile's lock: on Linux a flock, with a POSIX write lock beside it
// that announces the holder (see lockHolder); on macOS and the BSDs, where
// the two kinds are one, a POSIX write lock alone. POSIX locks are dropped
// when the process closes any descriptor of the file, so the daemon opens
// its pidfile once. Tests on Linux may set flockLocks to false.
var flockLocks = runtime.GOOS == "linux"

// lockExclusive takes the daemon's lock, lockSharedNow an inspector's, or
// fail with EWOULDBLOCK; lockSharedWait waits for the daemon's exit.
func lockExclusive(f *os.File) error  { return lock(f.Fd(), syscall.LOCK_EX|syscall.LOCK_NB) }
func lockSharedNow(f *os.File) error  { return lock(f.Fd(), syscall.LOCK_SH|syscall.LOCK_NB) }
func lockSharedWait(fd uintptr) error { return lock(fd, syscall.LOCK_SH) }

// lock takes a flock as how says, or the POSIX lock that stands for it.
func lock(fd uintptr, how int) error {
	if flockLocks {
		return syscall.Flock(int(fd), how)
	}
	typ, cmd := int16(syscall.F_RDLCK), syscall.F_SETLKW
	if how&syscall.LOCK_EX != 0 {
		typ = syscall.F_WRLCK
	}
	if how&syscall.LOCK_NB != 0 {
		cmd = syscall.F_SETLK
	}
	return setLock(fd, typ, cmd)
}

// announce takes the POSIX write lock beside the flock, for life.
func announce(f *os.File) error {
	if !flockLocks {
		return nil
	}
	return setLock(f.Fd(), syscall.F_WRLCK, syscall.F_SETLK)
}

// setLock sets a POSIX lock of type typ on the whole file with cmd
// (F_SETLK or F_SETLKW); a conflicting lock is EWOULDBLOCK, as for flock.
func setLock(fd uintptr, typ int16, cmd int) error {
	lk := syscall.Flock_t{Type: typ, Whence: io.SeekStart}
	err := syscall.FcntlFlock(fd, cmd, &lk)
	if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) {
		return syscall.EWOULDBLOCK
	}
	return err
}
