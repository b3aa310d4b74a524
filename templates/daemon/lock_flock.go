//go:build linux && !daemongen_posixlocks

package daemon

import (
	"io"
	"os"
	"syscall"
)

// On Linux the pidfile's lock is a flock; a POSIX write lock beside it,
// independent of it here, announces the holder (see lockHolder).

// lockExclusive takes the daemon's lock without waiting: EWOULDBLOCK if
// someone holds the file.
func lockExclusive(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// lockSharedNow takes an inspector's lock without waiting: EWOULDBLOCK if
// a daemon holds the file.
func lockSharedNow(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
}

// lockSharedWait takes an inspector's lock, waiting for the daemon to exit.
func lockSharedWait(fd uintptr) error {
	return syscall.Flock(int(fd), syscall.LOCK_SH)
}

// announce takes the POSIX write lock on f for this process. Like the flock,
// it lasts until the process exits (the daemon never opens its pidfile a
// second time, which would drop it).
func announce(f *os.File) error {
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	return syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk)
}
