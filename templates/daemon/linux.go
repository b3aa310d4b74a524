//go:build linux

package daemon

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// dup makes newfd a copy of oldfd, retrying when a signal interrupts it.
// Linux has dup3 on every architecture, dup2 only on some.
func dup(oldfd, newfd int) error {
	for {
		if err := syscall.Dup3(oldfd, newfd, 0); err != syscall.EINTR {
			return err
		}
	}
}

// monotonicUsec reads CLOCK_MONOTONIC, for MONOTONIC_USEC=, in µs.
func monotonicUsec() (int64, bool) {
	const clockMonotonic = 1
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockMonotonic, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return 0, false
	}
	return ts.Nano() / 1000, true
}

// peerAllowed admits a control socket client only if it is root or the
// daemon's own user, as SO_PEERCRED says.
func peerAllowed(conn *os.File) error {
	cred, err := peerCred(conn)
	if err != nil {
		return fmt.Errorf("read peer credentials: %w", err)
	}
	if cred.Uid != 0 && int(cred.Uid) != os.Geteuid() {
		return fmt.Errorf("uid %d may not control this daemon (only root and uid %d may)", cred.Uid, os.Geteuid())
	}
	return nil
}

// peerCred returns the credentials of the peer of the Unix socket conn.
func peerCred(conn *os.File) (cred *syscall.Ucred, err error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return nil, err
	}
	if cerr := raw.Control(func(fd uintptr) {
		cred, err = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); cerr != nil {
		return nil, cerr
	}
	return cred, err
}

// A daemon whose pidfile was removed or replaced runs until it notices
// (see pidfile_unix.go). A new daemon looks for one: a process of this user
// or root with a POSIX write lock (/proc/locks) on another file opened at
// the same path, which no other user can plant.

// previousWait bounds how long a new daemon waits for such a one to stop.
const previousWait = time.Second

// waitPrevious waits up to previousWait while a daemon holds a file that
// was at path (absolute) before, and fails if one still does.
func waitPrevious(path string) error {
	for deadline := time.Now().Add(previousWait); ; time.Sleep(10 * time.Millisecond) {
		if pid := previousDaemon(path); pid == 0 {
			return nil
		} else if time.Now().After(deadline) {
			return fmt.Errorf("another daemon for %s is still running (pid %d; its pidfile was removed or replaced); it is stopping, start again once it is gone", path, pid)
		}
	}
}

// previousDaemon returns the pid of another process of this user or root
// that holds a POSIX write lock on a file opened at path, or 0.
func previousDaemon(path string) int {
	locks, _ := os.ReadFile("/proc/locks")
	for _, line := range strings.Split(string(locks), "\n") {
		v := strings.Fields(line) // "1: POSIX  ADVISORY  WRITE 1234 00:2b:5678 0 EOF", or a waiter's "1: -> POSIX ..."
		if len(v) < 6 || v[1] != "POSIX" || v[3] != "WRITE" {
			continue
		}
		pid, err := strconv.Atoi(v[4])
		if err != nil || pid <= 0 || pid == os.Getpid() || !ownedByUs(pid) {
			continue
		}
		ino := v[5][strings.LastIndexByte(v[5], ':')+1:]
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		for _, fd := range fds {
			link := fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())
			target, _ := os.Readlink(link)
			var st syscall.Stat_t
			if (target == path || target == path+" (deleted)") && syscall.Stat(link, &st) == nil && strconv.FormatUint(st.Ino, 10) == ino {
				return pid
			}
		}
	}
	return 0
}

// ownedByUs reports whether pid runs as root or as us, by its status.
func ownedByUs(pid int) bool {
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	_, uids, _ := strings.Cut(string(status), "\nUid:")
	v := strings.Fields(uids)
	return len(v) > 1 && (v[1] == "0" || v[1] == strconv.Itoa(os.Geteuid()))
}
