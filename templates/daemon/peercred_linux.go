package daemon

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// peerAllowed admits a control socket client only if it is root or runs as
// the daemon's own user, by the credentials the kernel recorded when it
// connected (SO_PEERCRED).
func peerAllowed(conn *net.UnixConn) error {
	raw, err := conn.SyscallConn()
	if err != nil {
		return err
	}
	var cred *syscall.Ucred
	raw.Control(func(fd uintptr) {
		cred, err = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if err != nil {
		return fmt.Errorf("read peer credentials: %w", err)
	}
	if cred.Uid != 0 && int(cred.Uid) != os.Geteuid() {
		return fmt.Errorf("uid %d may not control this daemon (only root and uid %d may)", cred.Uid, os.Geteuid())
	}
	return nil
}
