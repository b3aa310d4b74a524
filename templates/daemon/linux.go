//go:build linux

package daemon

import (
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"
	"unsafe"
)

// The Linux parts of the daemon: descriptors, the monotonic clock, peer
// credentials and the guard.

// dup makes newfd a copy of oldfd, retrying when a signal interrupts it.
// Linux has dup3 on every architecture, dup2 only on some.
func dup(oldfd, newfd int) error {
	for {
		if err := syscall.Dup3(oldfd, newfd, 0); err != syscall.EINTR {
			return err
		}
	}
}

// monotonicUsec reads CLOCK_MONOTONIC, the clock systemd uses for
// MONOTONIC_USEC=, in microseconds.
func monotonicUsec() (int64, bool) {
	const clockMonotonic = 1
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockMonotonic, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return 0, false
	}
	return ts.Nano() / 1000, true
}

// peerAllowed admits a control socket client only if it is root or runs as
// the daemon's own user, by the credentials the kernel recorded when it
// connected (SO_PEERCRED).
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

// peerCred returns the credentials of the process at the other end of the
// Unix socket conn, as the kernel recorded them when it connected.
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

// The guard, an abstract Unix socket a daemon holds for its whole life,
// keeps a second daemon from starting for a pidfile path whose file was
// removed while the first still runs: see pidfile_unix.go, "Liveness and
// whom to signal".

// guardWait bounds how long a daemon waits for the name to come free: a
// daemon that exits releases its lock and its name a moment apart.
const guardWait = time.Second

// guardName is the abstract socket name for the pidfile at path.
func guardName(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	h := fnv.New128a()
	h.Write([]byte(path))
	return "@daemongen/" + hex.EncodeToString(h.Sum(nil))
}

// holdGuard binds the guard socket for path, which must be held locked,
// and keeps it for the process's life, accepting and closing whatever
// connects (a daemon that checks who holds it). It fails if another daemon
// for path, of this user or root, holds it for guardWait. A name bound by
// another user's process is no daemon's: it is ignored, so no local user
// can keep a daemon from starting.
func holdGuard(path string) (io.Closer, error) {
	name := guardName(path)
	deadline := time.Now().Add(guardWait)
	for {
		l, err := listenSocket(syscall.AF_UNIX, &syscall.SockaddrUnix{Name: name}, name)
		if err == nil {
			go func() {
				for {
					c, err := accept(l)
					if err != nil {
						return
					}
					c.Close()
				}
			}()
			return l, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("bind %s for pidfile %s: %w", name, path, err)
		}
		pid, ours, dialed := guardHolder(name)
		switch {
		case dialed && !ours:
			return nil, nil // another user's: no daemon's
		case !dialed && time.Now().After(deadline):
			return nil, nil // bound without listening: no daemon's
		case ours && time.Now().After(deadline):
			return nil, fmt.Errorf("another daemon for %s is still running (pid %d; its pidfile was removed or replaced); it is stopping, start again once it is gone", path, pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// guardHolder connects to the guard socket name and reports the pid of
// the process that listens on it, and whether that is a daemon's: one of
// this user or root. dialed is false if it could not connect: the name
// was released meanwhile, or is bound by a socket that does not listen.
func guardHolder(name string) (pid int, ours, dialed bool) {
	c, err := dialUnix(name, time.Now().Add(guardWait))
	if err != nil {
		return 0, false, false
	}
	defer c.Close()
	cred, err := peerCred(c)
	if err != nil {
		return 0, false, true
	}
	return int(cred.Pid), cred.Uid == 0 || int(cred.Uid) == os.Geteuid(), true
}
