//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package generator

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"
)

// LockProject takes an exclusive lock on the project directory dir for as
// long as a run of update plans, writes and builds, so that two runs at once
// (two terminals, parallel go:generate) take turns instead of interleaving
// their files and stamps. waiting is called once if another run holds it;
// the wait ends with ctx. The lock goes with the process, however it ends.
func LockProject(ctx context.Context, dir string, waiting func()) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	for first := true; ; first = false {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if err != syscall.EWOULDBLOCK {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", dir, err)
		}
		if first {
			waiting()
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, context.Cause(ctx)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
