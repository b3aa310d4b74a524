package daemon

import "syscall"

// dup makes newfd a copy of oldfd, retrying when a signal interrupts it.
// Linux has dup3 on every architecture, dup2 only on some.
func dup(oldfd, newfd int) error {
	for {
		if err := syscall.Dup3(oldfd, newfd, 0); err != syscall.EINTR {
			return err
		}
	}
}
