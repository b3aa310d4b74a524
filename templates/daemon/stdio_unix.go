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

// openLog opens the log for appending (O_APPEND keeps lines whole when
// processes share the file), creating it with mode 0640 less the umask,
// and reports whether it created it. It refuses what the package doc's
// # Files says, opening a FIFO without blocking so that it cannot stall
// start: the daemon may run as root in a directory others can write, and
// they must not point the log at a file of their choosing.
func openLog(path string) (f *os.File, created bool, err error) {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() && fi.Mode()&os.ModeSymlink == 0 && path != os.DevNull {
		return nil, false, fmt.Errorf("open log %s: it is not a regular file but %s (remove it or choose another --log)", path, kindOf(fi.Mode()))
	}
	const flags = os.O_WRONLY | os.O_APPEND | syscall.O_CLOEXEC | syscall.O_NOFOLLOW | syscall.O_NONBLOCK
	f, err = os.OpenFile(path, flags|os.O_CREATE|os.O_EXCL, 0o640)
	created = err == nil
	if errors.Is(err, os.ErrExist) {
		f, err = os.OpenFile(path, flags, 0)
	}
	if errors.Is(err, syscall.ELOOP) {
		return nil, false, fmt.Errorf("open log %s: it is a symbolic link, which the log must not be (remove it or choose another --log)", path)
	}
	if err != nil {
		return nil, false, fmt.Errorf("open log %s: %w (choose a writable --log)", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("stat log %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() && path != os.DevNull {
		f.Close()
		return nil, false, fmt.Errorf("open log %s: it is not a regular file but %s (remove it or choose another --log)", path, kindOf(fi.Mode()))
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && fi.Mode().IsRegular() && st.Nlink > 1 {
		f.Close()
		return nil, false, fmt.Errorf("open log %s: it has %d hard links; refusing to write to it (remove it or choose another --log)", path, st.Nlink)
	}
	return f, created, nil
}

// openServiceLog opens the daemon's log as openLog does and returns the
// file to hand over to --user NAME: the log if this process created it,
// nil otherwise (a file it did not create is never chowned). As root it
// refuses a log that belongs to someone other than root or NAME in a
// directory that others can write: whoever can write there can put their
// own file in the log's place, to read what root writes to it.
func openServiceLog(path, user string) (log, handOver *os.File, err error) {
	log, created, err := openLog(path)
	if err != nil || created {
		return log, log, err
	}
	if os.Geteuid() != 0 {
		return log, nil, nil
	}
	fi, err1 := log.Stat()
	di, err2 := os.Stat(filepath.Dir(path))
	st, ok1 := fi.Sys().(*syscall.Stat_t)
	dt, ok2 := di.Sys().(*syscall.Stat_t)
	if err1 != nil || err2 != nil || !ok1 || !ok2 || !fi.Mode().IsRegular() || st.Uid == 0 {
		return log, nil, nil
	}
	if user != "" {
		if a, err := lookupUser(user); err == nil && int(st.Uid) == a.uid {
			return log, nil, nil
		}
	}
	if dt.Uid != 0 || di.Mode().Perm()&0o022 != 0 {
		log.Close()
		return nil, nil, fmt.Errorf("open log %s: it belongs to uid %d and its directory can be written by others than root; refusing to write to it as root (remove it, or choose a --log in a directory only root can write)", path, st.Uid)
	}
	return log, nil, nil
}

// kindOf names the type of file m describes, for messages.
func kindOf(m os.FileMode) string {
	switch t := m.Type(); {
	case t == 0:
		return "a regular file"
	case t&os.ModeDir != 0:
		return "a directory"
	case t&os.ModeSymlink != 0:
		return "a symbolic link"
	case t&os.ModeNamedPipe != 0:
		return "a FIFO"
	case t&os.ModeSocket != 0:
		return "a socket"
	case t&os.ModeCharDevice != 0:
		return "a character device"
	case t&os.ModeDevice != 0:
		return "a block device"
	default:
		return "an irregular file"
	}
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

// reopenLog opens path afresh, with the checks of openServiceLog (as root,
// a file of another user in a directory others can write is refused), and
// moves fds 1 and 2 onto it. On an error the old log stays. Each dup2 is
// atomic: a write lands wholly in the old file or wholly in the new one, and
// nothing reaches the old file once reopenLog has returned.
func reopenLog(path string) error {
	// A daemon that dropped privileges is no longer root; one that is
	// root has no --user to hand a log over to.
	f, _, err := openServiceLog(path, "")
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
