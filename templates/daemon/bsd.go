//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import (
	"os"
	"syscall"
)

// The parts of the daemon that differ on macOS and the BSDs from Linux.

// dup makes newfd a copy of oldfd, retrying when a signal interrupts it.
func dup(oldfd, newfd int) error {
	for {
		if err := syscall.Dup2(oldfd, newfd); err != syscall.EINTR {
			return err
		}
	}
}

// peerAllowed admits every client: the control socket's mode, 0600, keeps
// others out (syscall reads no peer credentials here).
func peerAllowed(*os.File) error { return nil }

// monotonicUsec is unknown off Linux, where no systemd runs: the reload
// announcement goes without MONOTONIC_USEC=.
func monotonicUsec() (int64, bool) { return 0, false }

// waitPrevious finds no previous daemon without /proc/locks (pidfile_unix.go).
func waitPrevious(string) error { return nil }
