//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import "os"

// On these systems flock and POSIX record locks may interact, so the daemon
// does not announce itself with a second lock, and the pidfile's content,
// read only while the file is locked, names the holder.

func announce(*os.File) error { return nil }

func lockHolder(*os.File) (pid int, known bool) { return 0, false }
