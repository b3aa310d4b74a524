// Package gomod finds the Go module and the go.work workspace a directory
// belongs to, and adds a module to a workspace, the way the go command does,
// with golang.org/x/mod/modfile. It runs no go command.
package gomod

import (
	"cmp"
	"errors"
	"fmt"
	"go/version"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"golang.org/x/mod/modfile"
)

// ErrNoModule is returned, wrapped, by FindModule when no go.mod is found.
var ErrNoModule = errors.New("no go.mod found")

// A Module is a module found on disk.
type Module struct {
	Root string // absolute directory holding go.mod
	Path string // module path
	Go   string // the go line's version, such as "1.23"; "" if there is none
}

// FindModule returns the module that holds dir: the nearest directory, dir
// itself or one above it, with a go.mod file. dir need not exist.
func FindModule(dir string) (Module, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return Module{}, fmt.Errorf("find module of %s: %w", dir, err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		name := filepath.Join(d, "go.mod")
		data, err := os.ReadFile(name)
		switch {
		case err == nil:
			f, err := modfile.ParseLax(name, data, nil)
			if err != nil {
				return Module{}, fmt.Errorf("find module of %s: %w", dir, err)
			}
			if f.Module == nil || f.Module.Mod.Path == "" {
				return Module{}, fmt.Errorf("find module of %s: %s has no module line; add one (go mod edit -module PATH)", dir, name)
			}
			m := Module{Root: d, Path: f.Module.Mod.Path}
			if f.Go != nil {
				m.Go = f.Go.Version
			}
			return m, nil
		case !errors.Is(err, fs.ErrNotExist):
			return Module{}, fmt.Errorf("find module of %s: %w", dir, err)
		}
		if filepath.Dir(d) == d {
			return Module{}, fmt.Errorf("find module of %s: %w in it or any directory above it", dir, ErrNoModule)
		}
	}
}

// Older reports whether the Go version v of a go line, such as "1.22" or
// "1.22.3" ("" for none, which the go command reads as 1.16), is older than
// want.
func Older(v, want string) bool {
	return version.Compare("go"+cmp.Or(v, "1.16"), "go"+want) < 0
}

// FindWork returns the go.work file the go command would use in dir, or ""
// if it would use none: the file named by $GOWORK ("" if GOWORK=off), else
// the nearest go.work in dir or a directory above it. dir need not exist.
func FindWork(dir string) (string, error) {
	switch env := os.Getenv("GOWORK"); env {
	case "off":
		return "", nil
	case "":
	default:
		return filepath.Abs(env)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find go.work of %s: %w", dir, err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		name := filepath.Join(d, "go.work")
		info, err := os.Stat(name)
		switch {
		case err == nil && !info.IsDir():
			return name, nil
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("find go.work of %s: %w", dir, err)
		}
		if filepath.Dir(d) == d {
			return "", nil
		}
	}
}

// A WorkEdit is a go.work file with a use directive added for a module.
type WorkEdit struct {
	Data  []byte      // the edited go.work
	Mode  fs.FileMode // its permission bits, as they are
	OldGo string      // its go line's version before the edit ("" if none)
	NewGo string      // the version the edit raises the go line to; "" if it keeps it
}

// A DuplicateError is AddUse's error when the workspace already uses
// another module with the same path, which the go command refuses ("module
// appears multiple times in workspace").
type DuplicateError struct {
	Work   string // the go.work file
	Module string // the module path
	Dir    string // the directory of the module the workspace uses
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%s already uses a module %s, in %s, and the go command refuses a workspace with two", e.Work, e.Module, e.Dir)
}

// AddUse returns the go.work file work with a use directive added for the
// module modPath in dir, as "go work use" adds it; nil means the workspace
// already uses dir. The path written is relative to work's directory, such
// as "./services/mysvc". Like "go work use", it raises the workspace's go
// directive to goVersion, the module's, if it is lower: the go command
// refuses a workspace older than one of its modules. If the workspace uses
// another directory whose go.mod says modPath, AddUse returns a
// *DuplicateError. AddUse writes nothing.
func AddUse(work, dir, modPath, goVersion string) (*WorkEdit, error) {
	data, err := os.ReadFile(work)
	if err != nil {
		return nil, fmt.Errorf("update %s: %w", work, err)
	}
	info, err := os.Stat(work)
	if err != nil {
		return nil, fmt.Errorf("update %s: %w", work, err)
	}
	wf, err := modfile.ParseWork(work, data, nil)
	if err != nil {
		return nil, fmt.Errorf("update %s: %w", work, err)
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("update %s: %w", work, err)
	}
	base := filepath.Dir(work)
	for _, u := range wf.Use {
		p := filepath.FromSlash(u.Path)
		if !filepath.IsAbs(p) {
			p = filepath.Join(base, p)
		}
		if p = filepath.Clean(p); p == absDir {
			return nil, nil
		}
		if m, err := FindModule(p); err == nil && m.Root == p && m.Path == modPath {
			return nil, &DuplicateError{Work: work, Module: modPath, Dir: p}
		}
	}
	rel, err := filepath.Rel(base, absDir)
	if err != nil {
		return nil, fmt.Errorf("update %s: %w", work, err)
	}
	use := filepath.ToSlash(rel)
	if !filepath.IsLocal(rel) {
		use = filepath.ToSlash(absDir)
	} else if use != "." {
		use = "./" + path.Clean(use)
	}
	if err := wf.AddUse(use, ""); err != nil {
		return nil, fmt.Errorf("update %s: %w", work, err)
	}
	edit := &WorkEdit{Mode: info.Mode().Perm()}
	if wf.Go != nil {
		edit.OldGo = wf.Go.Version
	}
	if wf.Go == nil || Older(wf.Go.Version, goVersion) {
		if err := wf.AddGoStmt(goVersion); err != nil {
			return nil, fmt.Errorf("update %s: %w", work, err)
		}
		edit.NewGo = goVersion
	}
	wf.Cleanup()
	edit.Data = modfile.Format(wf.Syntax)
	return edit, nil
}
