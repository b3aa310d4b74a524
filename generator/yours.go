package generator

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// UserFiles are the files of a new project that belong to the user once
// they exist: go.mod and the example service with its test (httpservice.go
// and its test with Config.Socket). Every other file of a new project is
// daemongen's and is rewritten by "new --force"; in the daemon package,
// daemongen's files are those that start with Marker.
var UserFiles = []string{"go.mod", "service.go", "service_test.go", "httpservice.go", "httpservice_test.go"}

// A Split is a new project's files divided against the directory they are
// for (see SplitFiles).
type Split struct {
	Write   []File   // the files to write
	Kept    []string // user files that exist and stay as they are
	Skipped []string // tests of a kept example service, left out with it
	Current int      // files already exactly as rendered, left alone
}

// SplitFiles divides files, rendered for the directory dir, into those to
// write and those to leave alone. A user file (UserFiles) that exists in
// dir is kept unless replace names it, and while an example X.go is kept
// its test X_test.go is skipped, even if missing, since it tests the
// example. A file already as rendered (see isCurrent) is counted as current
// and not written again, so it keeps its modification time. If dir does not
// exist, every file is written.
func SplitFiles(dir string, files []File, replace []string) Split {
	var s Split
	exists := func(p string) bool {
		_, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(p)))
		return err == nil
	}
	keep := func(p string) bool { return !slices.Contains(replace, p) && exists(p) }
	for _, f := range files {
		mine := slices.Contains(UserFiles, f.Path)
		example, isTest := strings.CutSuffix(f.Path, "_test.go")
		switch {
		case mine && keep(f.Path):
			s.Kept = append(s.Kept, f.Path)
		case mine && isTest && keep(example+".go"):
			s.Skipped = append(s.Skipped, f.Path)
		case isCurrent(dir, f):
			s.Current++
		default:
			s.Write = append(s.Write, f)
		}
	}
	return s
}

// isCurrent reports whether f's path below dir is a regular file that holds
// exactly f's data with exactly f's mode (no setuid, setgid or sticky bit),
// reached through directories only: a file behind a symbolic link is not
// current, so that Write refuses the link.
func isCurrent(dir string, f File) bool {
	p := dir
	for elem := range strings.SplitSeq(path.Dir(f.Path), "/") {
		if elem == "." {
			break
		}
		p = filepath.Join(p, elem)
		if info, err := os.Lstat(p); err != nil || !info.IsDir() {
			return false
		}
	}
	name := filepath.Join(dir, filepath.FromSlash(f.Path))
	info, err := os.Lstat(name)
	special := fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky
	if err != nil || !info.Mode().IsRegular() || info.Mode()&special != 0 || executable(info.Mode()) != executable(f.Mode) {
		return false
	}
	data, err := os.ReadFile(name)
	return err == nil && SameText(data, f.Data) // as Plan judges: what git records
}
