package daemon

import (
	"io"
	"os"
	"syscall"
)

// On Linux the daemon announces itself with a POSIX record lock on the
// pidfile, beside the flock that is the real lock (the two kinds are
// independent there). A POSIX lock tells others who holds it: F_GETLK
// reports the holder's pid as seen from the asking process's PID namespace,
// or 0 when the holder is not visible there. The pidfile's content is never
// what decides which process is signalled.

// announce takes the POSIX write lock on f for this process. Like the flock,
// it lasts until the process exits (the daemon never opens its pidfile a
// second time, which would drop it).
func announce(f *os.File) error {
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	return syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk)
}

// lockHolder returns the pid of the process that announced itself on f's
// file, or 0 if none is visible. known is false only if the kernel would not
// say.
func lockHolder(f *os.File) (pid int, known bool) {
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		return 0, false
	}
	if lk.Type == syscall.F_UNLCK {
		return 0, true
	}
	return int(lk.Pid), true
}
