//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// openLog opens the log for appending, creating it with mode 0640 (less the
// umask). O_APPEND keeps lines whole when several processes share the file.
// A symbolic link at the path, and a regular file with other hard links,
// are refused: the daemon may run as root and the log's directory may be
// writable by others, who must not point it at a file of their choosing.
// A device such as /dev/null is fine.
func openLog(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND|syscall.O_CLOEXEC|syscall.O_NOFOLLOW, 0o640)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("open log %s: it is a symbolic link, which the log must not be", path)
	}
	if err != nil {
		return nil, fmt.Errorf("open log %s: %w", path, err)
	}
	if fi, err := f.Stat(); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && fi.Mode().IsRegular() && st.Nlink > 1 {
			f.Close()
			return nil, fmt.Errorf("open log %s: it has %d hard links; refusing to write to it", path, st.Nlink)
		}
	}
	return f, nil
}

// redirectStdio points stdin at /dev/null and stdout and stderr at log, at
// the descriptor level, so that everything written to fds 1 and 2 (a panic,
// the runtime's own messages, child processes) lands in the log.
func redirectStdio(log *os.File) error {
	null, err := os.Open(os.DevNull)
	if err != nil {
		return fmt.Errorf("open %s: %w", os.DevNull, err)
	}
	defer null.Close()
	if err := dup(int(null.Fd()), 0); err != nil {
		return fmt.Errorf("redirect stdin to %s: %w", os.DevNull, err)
	}
	return dupLog(log)
}

func dupLog(log *os.File) error {
	for _, fd := range []int{1, 2} {
		if err := dup(int(log.Fd()), fd); err != nil {
			return fmt.Errorf("redirect fd %d to log %s: %w", fd, log.Name(), err)
		}
	}
	return nil
}

// reopenLog opens path afresh and moves fds 1 and 2 onto it. Each dup2 is
// atomic: a write lands wholly in the old file or wholly in the new one, and
// nothing reaches the old file once reopenLog has returned.
func reopenLog(path string) error {
	f, err := openLog(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return dupLog(f)
}

// closeInherited marks every descriptor above keep close-on-exec, so that
// nothing the caller passed down reaches a program started from here. The
// descriptors this process opened itself already are.
func closeInherited(keep int) {
	dir := "/proc/self/fd"
	if _, err := os.Stat(dir); err != nil {
		dir = "/dev/fd"
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if fd, err := strconv.Atoi(filepath.Base(e.Name())); err == nil && fd > keep {
			syscall.CloseOnExec(fd)
		}
	}
}
