//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import (
	"io"
	"os"
	"syscall"
)

// lockHolder returns whether another process holds a POSIX write lock on
// f's file (F_GETLK) and, if so, its pid as seen from here (0 if it is not
// visible, from another PID namespace): the pid to signal, on every
// platform (see the package doc, # Liveness and whom to signal). A read
// lock, which anyone who can read the file can take, does not count. It
// reports false if the kernel would not say.
func lockHolder(f *os.File) (pid int, held bool) {
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil || lk.Type != syscall.F_WRLCK {
		return 0, false
	}
	return int(lk.Pid), true
}
