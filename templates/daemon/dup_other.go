//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import "syscall"

// dup makes newfd a copy of oldfd, retrying when a signal interrupts it.
func dup(oldfd, newfd int) error {
	for {
		if err := syscall.Dup2(oldfd, newfd); err != syscall.EINTR {
			return err
		}
	}
}
