//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import (
	"fmt"
	"os"
	"syscall"
)

// journalStream reports whether stderr is the stream systemd connected to
// the journal: $JOURNAL_STREAM holds its device and inode, "DEV:INO". A
// stderr redirected since (--log, a shell) no longer matches.
func journalStream() bool {
	v := os.Getenv("JOURNAL_STREAM")
	if v == "" {
		return false
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(2, &st); err != nil {
		return false
	}
	return v == fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}
