package daemon

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// The guard, an abstract Unix socket a daemon holds for its whole life,
// keeps a second daemon from starting for a pidfile path whose file was
// removed while the first still runs: see the package doc, # Liveness and
// whom to signal.

// guardWait bounds how long a daemon waits for the name to come free: a
// daemon that exits releases its lock and its name a moment apart.
const guardWait = time.Second

// guardName is the abstract socket name for the pidfile at path.
func guardName(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	sum := sha256.Sum256([]byte(path))
	return "@daemongen/" + hex.EncodeToString(sum[:16])
}

// holdGuard binds the guard socket for path, which must be held locked,
// and keeps it for the process's life, accepting and closing whatever
// connects (a daemon that checks who holds it). It fails if another daemon
// for path, of this user or root, holds it for guardWait. A name bound by
// another user's process is no daemon's: it is ignored, so no local user
// can keep a daemon from starting.
func holdGuard(path string) (io.Closer, error) {
	addr := &net.UnixAddr{Name: guardName(path), Net: "unix"}
	deadline := time.Now().Add(guardWait)
	for {
		l, err := net.ListenUnix("unix", addr)
		if err == nil {
			go func() {
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					c.Close()
				}
			}()
			return l, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("bind %s for pidfile %s: %w", addr.Name, path, err)
		}
		pid, ours, dialed := guardHolder(addr)
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

// guardHolder connects to the guard socket at addr and reports the pid of
// the process that listens on it, and whether that is a daemon's: one of
// this user or root. dialed is false if it could not connect: the name
// was released meanwhile, or is bound by a socket that does not listen.
func guardHolder(addr *net.UnixAddr) (pid int, ours, dialed bool) {
	c, err := net.DialUnix("unix", nil, addr)
	if err != nil {
		return 0, false, false
	}
	defer c.Close()
	raw, err := c.SyscallConn()
	if err != nil {
		return 0, false, true
	}
	var cred *syscall.Ucred
	raw.Control(func(fd uintptr) {
		cred, err = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if err != nil {
		return 0, false, true
	}
	return int(cred.Pid), cred.Uid == 0 || int(cred.Uid) == os.Geteuid(), true
}
