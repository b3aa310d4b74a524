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
