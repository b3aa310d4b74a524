//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// The account databases --user reads. Reading them directly, rather than
// through os/user, keeps the program free of cgo: a static binary that
// starts faster and idles in less memory. Users that only a name service
// (LDAP, sssd) knows are not found; daemons run as local system users.
var (
	passwdFile = "/etc/passwd"
	groupFile  = "/etc/group"
)

// An account is what dropPrivileges needs to know of a user.
type account struct {
	uid, gid int
	groups   []int // supplementary groups, the primary one first
}

// lookupUser finds name in passwdFile, and the groups that list it as a
// member in groupFile.
func lookupUser(name string) (account, error) {
	var a account
	found := false
	err := scanDB(passwdFile, func(f []string) bool {
		// name:password:uid:gid:gecos:home:shell
		if len(f) < 4 || f[0] != name {
			return true
		}
		uid, err1 := strconv.Atoi(f[2])
		gid, err2 := strconv.Atoi(f[3])
		found = err1 == nil && err2 == nil
		a = account{uid: uid, gid: gid, groups: []int{gid}}
		return false
	})
	if err != nil {
		return a, fmt.Errorf("look up user %q: %w", name, err)
	}
	if !found {
		return a, fmt.Errorf("look up user %q: no such user in %s (create it, or choose another --user)", name, passwdFile)
	}
	err = scanDB(groupFile, func(f []string) bool {
		// name:password:gid:member,member
		if len(f) < 4 || !slices.Contains(strings.Split(f[3], ","), name) {
			return true
		}
		if gid, err := strconv.Atoi(f[2]); err == nil && !slices.Contains(a.groups, gid) {
			a.groups = append(a.groups, gid)
		}
		return true
	})
	if err != nil {
		return a, fmt.Errorf("look up groups of user %q: %w", name, err)
	}
	return a, nil
}

// scanDB calls line with the colon-separated fields of each entry of an
// account database until it returns false.
func scanDB(path string, line func(fields []string) bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		text := strings.TrimSpace(s.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if !line(strings.Split(text, ":")) {
			return nil
		}
	}
	return s.Err()
}

// dropPrivileges switches the whole process to the named user: its
// supplementary groups, then its group, then its uid. Files opened before
// keep working. The log, if not nil (one this process created), is handed
// to the user first, so that the daemon can still reopen it by its path.
func dropPrivileges(name string, log *os.File) error {
	a, err := lookupUser(name)
	if err != nil {
		return err
	}
	if log != nil {
		// openLog refused symbolic links and files with other hard links;
		// /dev/null is never handed over.
		if fi, err := log.Stat(); err == nil && fi.Mode().IsRegular() {
			if err := log.Chown(a.uid, a.gid); err != nil {
				return fmt.Errorf("hand log %s to user %q: %w", log.Name(), name, err)
			}
		}
	}
	if err := syscall.Setgroups(a.groups); err != nil {
		return fmt.Errorf("set groups of user %q: %w", name, err)
	}
	if err := syscall.Setgid(a.gid); err != nil {
		return fmt.Errorf("set gid %d of user %q: %w", a.gid, name, err)
	}
	if err := syscall.Setuid(a.uid); err != nil {
		return fmt.Errorf("set uid %d of user %q: %w", a.uid, name, err)
	}
	return nil
}
