// Package gomod finds the Go module and the go.work workspace a directory
// belongs to, and adds a module to a workspace, the way the go command does,
// with golang.org/x/mod/modfile. It runs no go command.
package gomod

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
)

// ErrNoModule is returned, wrapped, by FindModule when no go.mod is found.
var ErrNoModule = errors.New("no go.mod found")

// FindModule returns the root directory and the module path of the module
// that holds dir: the nearest directory, dir itself or one above it, with a
// go.mod file. dir need not exist. The root is absolute.
func FindModule(dir string) (root, modPath string, err error) {
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", "", fmt.Errorf("find module of %s: %w", dir, err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		name := filepath.Join(d, "go.mod")
		data, err := os.ReadFile(name)
		switch {
		case err == nil:
			f, err := modfile.ParseLax(name, data, nil)
			if err != nil {
				return "", "", fmt.Errorf("find module of %s: %w", dir, err)
			}
			if f.Module == nil || f.Module.Mod.Path == "" {
				return "", "", fmt.Errorf("find module of %s: %s has no module line; add one (go mod edit -module PATH)", dir, name)
			}
			return d, f.Module.Mod.Path, nil
		case !errors.Is(err, fs.ErrNotExist):
			return "", "", fmt.Errorf("find module of %s: %w", dir, err)
		}
		if filepath.Dir(d) == d {
			return "", "", fmt.Errorf("find module of %s: %w in it or any directory above it", dir, ErrNoModule)
		}
	}
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

// AddUse adds a use directive for the module in dir to the go.work file
// work, as "go work use" does, and reports whether it added one: false means
// the workspace already uses dir. The path written is relative to work's
// directory, such as "./services/mysvc". Like "go work use", it raises the
// workspace's go directive to goVersion, the module's, if it is lower: the
// go command refuses a workspace older than one of its modules. The file is
// replaced by renaming a new one over it, with its mode kept.
func AddUse(work, dir, goVersion string) (bool, error) {
	data, err := os.ReadFile(work)
	if err != nil {
		return false, fmt.Errorf("update %s: %w", work, err)
	}
	info, err := os.Stat(work)
	if err != nil {
		return false, fmt.Errorf("update %s: %w", work, err)
	}
	wf, err := modfile.ParseWork(work, data, nil)
	if err != nil {
		return false, fmt.Errorf("update %s: %w", work, err)
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return false, fmt.Errorf("update %s: %w", work, err)
	}
	base := filepath.Dir(work)
	for _, u := range wf.Use {
		p := filepath.FromSlash(u.Path)
		if !filepath.IsAbs(p) {
			p = filepath.Join(base, p)
		}
		if filepath.Clean(p) == absDir {
			return false, nil
		}
	}
	rel, err := filepath.Rel(base, absDir)
	if err != nil {
		return false, fmt.Errorf("update %s: %w", work, err)
	}
	use := filepath.ToSlash(rel)
	if !filepath.IsLocal(rel) {
		use = filepath.ToSlash(absDir)
	} else if use != "." {
		use = "./" + path.Clean(use)
	}
	if err := wf.AddUse(use, ""); err != nil {
		return false, fmt.Errorf("update %s: %w", work, err)
	}
	if wf.Go == nil || goOlder(wf.Go.Version, goVersion) {
		if err := wf.AddGoStmt(goVersion); err != nil {
			return false, fmt.Errorf("update %s: %w", work, err)
		}
	}
	wf.Cleanup()
	if err := replaceFile(work, modfile.Format(wf.Syntax), info.Mode().Perm()); err != nil {
		return false, fmt.Errorf("update %s: %w", work, err)
	}
	return true, nil
}

// replaceFile writes data to a temporary file beside name and renames it
// over name.
func replaceFile(name string, data []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// goOlder reports whether Go version a, such as "1.22" or "1.22.3", is
// older than b.
func goOlder(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}
