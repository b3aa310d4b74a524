package templates

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// newOverlay returns the template tree base with the tree top laid over it: a
// file in top replaces the file that writes the same output in base, at the
// same path or at that path with ".tmpl" added or removed (so a user's
// daemon/doc.go.tmpl replaces the embedded daemon/doc.go), and a path only
// top has is added; source-only files of top are not. Directories are
// merged. dir is where top is on disk; the
// tree's Source method names a template by it, so that errors point at the
// user's file.
func newOverlay(base, top fs.FS, dir string) fs.FS {
	return &overlay{base: base, top: shipped{top}, dir: dir}
}

// Load returns FS with the template tree in the directory dir laid over it
// (see newOverlay). dir holds project/ and daemon/, the layout "daemongen
// templates export" writes; either may be missing. Entries whose names start
// with "." are ignored at the top of dir; any other entry is an error.
func Load(dir string) (fs.FS, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load templates %s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || name == "go.mod" { // export's go.mod
			continue
		}
		if (name != "project" && name != "daemon") || !e.IsDir() {
			return nil, fmt.Errorf("load templates %s: unexpected %s; the directory holds project/ and daemon/, as written by daemongen templates export", dir, filepath.Join(dir, name))
		}
	}
	return newOverlay(FS, os.DirFS(dir), dir), nil
}

type overlay struct {
	base, top fs.FS
	dir       string
}

// Open opens name in top if it is there, else in base unless top replaces
// it.
func (o *overlay) Open(name string) (fs.File, error) {
	f, err := o.top.Open(name)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return f, err
	}
	if _, err := fs.Stat(o.top, twin(name)); err == nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return o.base.Open(name)
}

// twin is the other name of a file that writes the same output as name: name
// without its ".tmpl" suffix, or with one.
func twin(name string) string {
	if t, ok := strings.CutSuffix(name, ".tmpl"); ok {
		return t
	}
	return name + ".tmpl"
}

// ReadDir returns the entries of the directory name in both trees, sorted by
// name; where both have an entry, top's wins.
func (o *overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	top, topErr := fs.ReadDir(o.top, name)
	base, baseErr := fs.ReadDir(o.base, name)
	switch {
	case topErr != nil && !errors.Is(topErr, fs.ErrNotExist):
		return nil, topErr
	case baseErr != nil && !errors.Is(baseErr, fs.ErrNotExist):
		return nil, baseErr
	case topErr != nil && baseErr != nil:
		return nil, topErr
	}
	merged := slices.Clone(top)
	for _, b := range base {
		i := slices.IndexFunc(top, func(t fs.DirEntry) bool { return t.Name() == b.Name() })
		if i < 0 && !b.IsDir() && slices.ContainsFunc(top, func(t fs.DirEntry) bool { return !t.IsDir() && t.Name() == twin(b.Name()) }) {
			continue // replaced by top's file of the same output
		}
		if i < 0 {
			merged = append(merged, b)
			continue
		}
		if top[i].IsDir() != b.IsDir() {
			return nil, &fs.PathError{Op: "readdir", Path: filepath.Join(o.dir, name, b.Name()), Err: errors.New("a file in one template tree and a directory in the other")}
		}
	}
	slices.SortFunc(merged, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return merged, nil
}

// Source names the template at name: its path on disk if it comes from top,
// "templates/" followed by name otherwise. A path on disk that reads the
// same, from a directory named templates, starts with "./", so that the
// generator still tells the user's file from daemongen's own.
func (o *overlay) Source(name string) string {
	if _, err := fs.Stat(o.top, name); err == nil {
		p := filepath.Join(o.dir, filepath.FromSlash(name))
		if filepath.ToSlash(p) == "templates/"+name {
			p = "." + string(filepath.Separator) + p
		}
		return p
	}
	return "templates/" + name
}
