//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// listenFDsStart is the first descriptor of socket activation (SD_LISTEN_FDS_START).
const listenFDsStart = 3

// takeSockets takes, once, the sockets the service manager passed
// ($LISTEN_FDS of them from descriptor 3 on, named by $LISTEN_FDNAMES) if
// $LISTEN_PID is this process. It marks them close-on-exec, so that no
// program the service starts inherits them, and removes the three variables
// from the environment, so that none believes they are its own. The
// daemon calls it as the service starts, before anything else can open a
// descriptor or start a program; Listen calls it in case the daemon has not.
func takeSockets() {
	sockets.once.Do(func() {
		pid, n, names := os.Getenv("LISTEN_PID"), os.Getenv("LISTEN_FDS"), os.Getenv("LISTEN_FDNAMES")
		os.Unsetenv("LISTEN_PID")
		os.Unsetenv("LISTEN_FDS")
		os.Unsetenv("LISTEN_FDNAMES")
		count, err := strconv.Atoi(n)
		if pid != strconv.Itoa(os.Getpid()) || err != nil || count <= 0 {
			return
		}
		split := strings.Split(names, ":")
		for i := 0; i < count; i++ {
			fd := listenFDsStart + i
			syscall.CloseOnExec(fd)
			s := &inherited{fd: fd}
			if i < len(split) {
				s.name = split[i]
			}
			sockets.fds = append(sockets.fds, s)
		}
	})
}
