//go:build darwin || dragonfly || freebsd || netbsd || openbsd || (linux && daemongen_posixlocks)

package daemon

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// On macOS and the BSDs the pidfile's lock is a POSIX write lock alone,
// which is also the announcement (see lockHolder). POSIX locks belong to
// the process and are all dropped when it closes any descriptor of the
// file, so the daemon opens its pidfile once, and the commands never open
// it a second time while they hold a lock on it. (Built on Linux with the
// tag daemongen_posixlocks, for daemongen's own tests of this path.)

// lockExclusive takes the daemon's lock without waiting: EWOULDBLOCK if
// someone holds the file.
func lockExclusive(f *os.File) error {
	return setLock(f.Fd(), syscall.F_WRLCK, syscall.F_SETLK)
}

// lockSharedNow takes an inspector's lock without waiting: EWOULDBLOCK if
// a daemon holds the file.
func lockSharedNow(f *os.File) error {
	return setLock(f.Fd(), syscall.F_RDLCK, syscall.F_SETLK)
}

// lockSharedWait takes an inspector's lock, waiting for the daemon to exit.
func lockSharedWait(fd uintptr) error {
	return setLock(fd, syscall.F_RDLCK, syscall.F_SETLKW)
}

// announce does nothing: the write lock announces the daemon.
func announce(*os.File) error { return nil }

func setLock(fd uintptr, typ int16, cmd int) error {
	lk := syscall.Flock_t{Type: typ, Whence: io.SeekStart}
	err := syscall.FcntlFlock(fd, cmd, &lk)
	if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) {
		return syscall.EWOULDBLOCK
	}
	return err
}
