//go:build unix

package generator

import (
	"fmt"
	"syscall"
)

// checkWritable reports, without writing, whether files can be created in
// the directory dir: for a dry run to refuse what the real run would, such as
// a directory on a read-only file system.
func checkWritable(dir string) error {
	const wOK = 2 // W_OK of access(2)
	if err := syscall.Access(dir, wOK); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	return nil
}

// checkReplaceable reports, without writing, whether the existing file name
// can be renamed over: not if it is immutable or append-only (chattr +i or
// +a), which access(2) reports as EPERM for writing.
func checkReplaceable(name string) error {
	const wOK = 2 // W_OK of access(2)
	if err := syscall.Access(name, wOK); err == syscall.EPERM {
		return fmt.Errorf("replace %s: %w (the file is immutable or append-only; lsattr shows which, and chattr -i or -a clears it)", name, err)
	}
	return nil
}
