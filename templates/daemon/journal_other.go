//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package daemon

// journalStream is false where no systemd journal runs.
func journalStream() bool { return false }
