package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/daemongen/daemongen/internal/diff"
)

// UserFiles are the files of a new project that belong to the user once
// they exist: go.mod and the example service with its test (httpservice.go
// and its test with Config.Socket). Every other file of a new project is
// daemongen's and is rewritten by "new --force"; in the daemon package,
// daemongen's files are those that start with Marker.
var UserFiles = []string{"go.mod", "service.go", "service_test.go", "httpservice.go", "httpservice_test.go"}

// A Policy says, for PlanFiles, whose each file is and what an earlier
// daemongen wrote. new, generate and update plan with it, each its own way:
// new --force with Yours, generate with Owned, update with Owned for the
// daemon package and Bases for the rest.
type Policy struct {
	// Owned reports whether daemongen owns the file at a path outright, as
	// it owns the daemon package: such a file is replaced only while it
	// starts with Marker, and a file with Marker beside it that is no
	// longer rendered is removed. Nil owns none.
	Owned func(p string) bool

	// Bases are the files as the daemongen that made the project wrote
	// them, from its stamp. With Bases, a file the owner edited is merged
	// 3-way, one the owner deleted stays deleted, and one no longer
	// rendered is removed if unedited, else kept. Without, a file that
	// differs is replaced.
	Bases  map[string][]byte
	Labels diff.Labels // the merge's labels, with Bases

	// Moved maps the path of a file an earlier daemongen wrote (in Bases)
	// to the path this one writes it at: the owner's file there moves, its
	// edits merged in, unless one is at the new path already.
	Moved map[string]string

	// Yours are files that are the owner's once they exist, such as
	// UserFiles: kept unless Replace names them, and while an example X.go
	// is kept its test X_test.go is skipped, since it tests the example.
	Yours, Replace []string
}

// PlanFiles compares files, rendered with paths relative to root, with
// what is below root, and returns what writing them does to each file, by
// path: Missing, Stale, Merged, Conflicted and Extra are changes for Sync;
// Kept, Skipped, Deleted and Current are files it leaves alone. PlanFiles
// touches nothing; root need not exist.
//
// A file is Current when it is a regular file holding the rendered text,
// allowing the CRLF line endings and byte order mark a checkout may add,
// with the same executable bit and no setuid, setgid or sticky bit: what
// git records, whatever the umask of the checkout.
//
// PlanFiles fails, naming the file, if a path would be reached through a
// symlink or something that is not a directory, or is not a regular file;
// if an owned rendered file does not start with Marker (it could never be
// replaced again); or if an owned file on disk does not (an error wrapping
// ErrNotGenerated that names every such file).
func PlanFiles(root string, files []File, p Policy) ([]Change, error) {
	if err := checkFiles(files); err != nil {
		return nil, fmt.Errorf("plan %s: %w", root, err)
	}
	owned := func(f string) bool { return p.Owned != nil && p.Owned(f) }
	mine := func(f string) bool { return slices.Contains(p.Yours, f) && !slices.Contains(p.Replace, f) }
	var changes []Change
	var users []string
	moves := map[string]bool{} // the old paths of files PlanFiles moves
	rendered := make(map[string]bool, len(files))
	for _, f := range files {
		rendered[f.Path] = true
	}
	ownedDirs := make(map[string]bool)
	for _, f := range files {
		name := filepath.Join(root, filepath.FromSlash(f.Path))
		if owned(f.Path) {
			ownedDirs[path.Dir(f.Path)] = true
			if !IsGenerated(f.Data) {
				return nil, fmt.Errorf("plan %s: the rendered file does not start with the line %q; make it the first line of its template", name, Marker)
			}
		}
		example, isTest := strings.CutSuffix(f.Path, "_test.go")
		switch {
		case mine(f.Path) && exists(root, f.Path):
			changes = append(changes, Change{Kind: Kept, Path: f.Path})
			continue
		case isTest && slices.Contains(p.Yours, f.Path) && mine(example+".go") && exists(root, example+".go"):
			changes = append(changes, Change{Kind: Skipped, Path: f.Path})
			continue
		}
		old, info, err := readPlanned(root, f.Path)
		if err != nil {
			return nil, err
		}
		ch := Change{Path: f.Path, File: f, Old: old}
		if info != nil {
			ch.OldMode = info.Mode().Perm()
		}
		_, hadBase := p.Bases[f.Path]
		if from := movedFrom(p, f.Path); info == nil && from != "" && !rendered[from] {
			ours, oinfo, err := readPlanned(root, from)
			if err != nil {
				return nil, err
			}
			if oinfo != nil {
				ch.Kind, ch.File.Data, ch.Conflicts = merge(p.Bases[from], asLF(ours), f.Data, p.Labels)
				if ch.Kind == Current {
					ch.Kind, ch.File.Data = Merged, asLF(ours) // the edits, at the new path
				}
				ch.Move = from
				changes = append(changes, ch, Change{Kind: Extra, Path: from, Old: ours, OldMode: oinfo.Mode().Perm(), Move: f.Path})
				moves[from] = true
				continue
			}
		}
		switch {
		case info == nil && hadBase:
			ch.Kind = Deleted
		case info == nil:
			ch.Kind = Missing
		case current(info, old, f):
			ch.Kind = Current
		case owned(f.Path) && !IsGenerated(old):
			users = append(users, name)
			continue
		case owned(f.Path) || p.Bases == nil || hadBase && bytes.Equal(asLF(old), p.Bases[f.Path]):
			ch.Kind = Stale
		default:
			ch.Kind, ch.File.Data, ch.Conflicts = merge(p.Bases[f.Path], asLF(old), f.Data, p.Labels)
		}
		changes = append(changes, ch)
	}
	if len(users) > 0 {
		return nil, fmt.Errorf("overwrite %s: %w; the first line is not %q", strings.Join(users, ", "), ErrNotGenerated, Marker)
	}
	for _, dir := range slices.Sorted(maps.Keys(ownedDirs)) {
		extra, err := extraFiles(root, dir, rendered)
		if err != nil {
			return nil, err
		}
		changes = append(changes, extra...)
	}
	for _, f := range slices.Sorted(maps.Keys(p.Bases)) {
		if rendered[f] || moves[f] || owned(f) || slices.Contains(p.Yours, f) {
			continue // never an owned file, or the owner's, whatever a stamp says
		}
		old, info, err := readPlanned(root, f)
		switch {
		case err != nil:
			return nil, err
		case info == nil:
			continue
		case bytes.Equal(asLF(old), p.Bases[f]):
			changes = append(changes, Change{Kind: Extra, Path: f, Old: old, OldMode: info.Mode().Perm()})
		default:
			changes = append(changes, Change{Kind: Kept, Path: f, Old: old, OldMode: info.Mode().Perm()})
		}
	}
	slices.SortFunc(changes, func(a, b Change) int { return strings.Compare(a.Path, b.Path) })
	return changes, nil
}

// movedFrom returns the path an earlier daemongen wrote the file at path
// to, if p moves one there, or "".
func movedFrom(p Policy, to string) string {
	for from, t := range p.Moved {
		if _, ok := p.Bases[from]; ok && t == to {
			return from
		}
	}
	return ""
}

// Moves maps the paths of files earlier daemongens wrote for the binary
// name to where this one writes them: update moves them (PlanFiles, with
// Moved), and update --adopt moves them in a project from before stamps.
func Moves(name string) map[string]string {
	return map[string]string{
		name + ".service": "init/systemd/" + name + ".service",
		name + ".socket":  "init/systemd/" + name + ".socket",
	}
}

// merge merges the owner's edits from base to ours with the rendering's
// from base to theirs: Current if theirs adds nothing to ours, else Merged
// or, with conflicts marked in the text, Conflicted.
func merge(base, ours, theirs []byte, l diff.Labels) (ChangeKind, []byte, int) {
	merged, n := diff.Merge(string(base), string(ours), string(theirs), l)
	switch {
	case n > 0:
		return Conflicted, []byte(merged), n
	case merged == string(ours):
		return Current, theirs, 0
	}
	return Merged, []byte(merged), 0
}

// current reports whether the file on disk, with info and data old, is
// what f renders, as git records it (see PlanFiles).
func current(info fs.FileInfo, old []byte, f File) bool {
	special := fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky
	return info.Mode()&special == 0 && executable(info.Mode()) == executable(f.Mode) && SameText(old, f.Data)
}

// readPlanned reads the file at the slash-separated path p below root for
// PlanFiles: nil info if nothing is there (or a directory on the way is
// missing), an error naming it if the way passes a symlink or something
// that is not a directory, or the file is not a regular file.
func readPlanned(root, p string) ([]byte, fs.FileInfo, error) {
	exists, err := checkPath(root, filepath.FromSlash(p))
	if err != nil || !exists {
		return nil, nil, err
	}
	name := filepath.Join(root, filepath.FromSlash(p))
	info, err := os.Lstat(name)
	if err != nil {
		return nil, nil, fmt.Errorf("plan %s: %w", name, err)
	}
	old, err := os.ReadFile(name)
	if err != nil {
		return nil, nil, fmt.Errorf("plan %s: %w", name, err)
	}
	return old, info, nil
}

// exists reports whether anything is at the slash-separated path p below
// root.
func exists(root, p string) bool {
	_, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p)))
	return !errors.Is(err, fs.ErrNotExist)
}
