//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import (
	"os"
	"syscall"
)

// notify sends state to the service manager at $NOTIFY_SOCKET, as
// sd_notify(3) does, with what goes with it (see annotate); without the
// variable it does nothing.
func notify(state string) {
	send(annotate(state))
}

// send sends msg to the service manager at $NOTIFY_SOCKET; without the
// variable it does nothing. Errors are ignored: a manager that cannot be
// told is no reason to stop serving.
func send(msg string) {
	addr := os.Getenv("NOTIFY_SOCKET")
	if addr == "" || (addr[0] != '/' && addr[0] != '@') {
		return
	}
	syscall.ForkLock.RLock()
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_DGRAM, 0)
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return
	}
	defer syscall.Close(fd)
	// A leading '@' names an abstract socket; syscall maps it to NUL.
	syscall.Sendto(fd, []byte(msg), 0, &syscall.SockaddrUnix{Name: addr})
}
