//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import (
	"io"
	"os"
	"syscall"
)

// A daemon holds a POSIX write lock on its pidfile on every platform: on
// Linux beside the flock (announce), elsewhere as the lock itself. F_GETLK
// reports the process that holds it, as seen from the asking process's PID
// namespace, and that pid, never the file's content, is the one signalled.
// Only the file's owner and root can take a write lock (it needs the file
// open for writing); anyone who can read it can take a read lock, which
// lockHolder does not count.

// lockHolder returns whether another process holds a POSIX write lock on
// f's file and, if so, its pid as seen from here (0 if it is not visible,
// from another PID namespace). It reports false if the kernel would not
// say.
func lockHolder(f *os.File) (pid int, held bool) {
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil || lk.Type != syscall.F_WRLCK {
		return 0, false
	}
	return int(lk.Pid), true
}
