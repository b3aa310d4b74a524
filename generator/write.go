package generator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// ErrNotEmpty is returned, wrapped, by Write when the target directory
// exists, is not empty, and force is false. Its message reads
// "target directory DIR exists and is not empty".
var ErrNotEmpty = errors.New("exists and is not empty")

// dirMode is the mode of every directory Write creates.
const dirMode fs.FileMode = 0o755

// WriteOptions are the choices Write leaves to its caller. The zero value
// writes a new or empty directory only.
type WriteOptions struct {
	// Force writes into a non-empty directory, replacing files at the
	// paths of files and leaving every other file alone.
	Force bool
	// DryRun makes every check Write makes and writes nothing.
	DryRun bool
}

// Write writes files into the directory dir, all or nothing, and returns
// the paths of files (as given in files) that replaced an existing file.
//
// If dir does not exist, Write creates its missing parent directories,
// writes every file into a new temporary directory beside dir (named
// ".BASE.tmp-*") and renames it to dir. If dir exists and is empty, or
// opts.Force is set, Write writes each file to a temporary file in the
// directory it belongs in and, once every file is in place, renames each
// over its target: files in dir that are not in files are left alone. If
// dir exists, is not empty and opts.Force is not set, Write returns an
// error wrapping ErrNotEmpty and touches nothing.
//
// Write never writes through a symlink: if dir, a directory inside dir on
// the way to a file, or a file's own path is a symlink, Write returns an
// error naming it and touches nothing. Files get exactly their Mode and
// directories exactly 0755, whatever the umask.
//
// Write checks ctx before every directory it creates, every file it writes
// and before its renames. Once ctx is done it removes what it created and
// returns an error wrapping context.Cause(ctx); once the renames have
// begun, it finishes them whatever ctx says. So an interrupted Write leaves
// dir (and its parents) exactly as they were, or, with its renames done,
// exactly as a completed Write leaves them, and no temporary file.
//
// On any other error Write removes what it created, parent directories
// included, and leaves dir as it was. The one exception is a failure of the
// final renames, which follow every check and every write: files renamed
// before the failure stay replaced.
func Write(ctx context.Context, dir string, files []File, opts WriteOptions) (replaced []string, err error) {
	dir = filepath.Clean(dir)
	if err := checkFiles(files); err != nil {
		return nil, fmt.Errorf("write %s: %w", dir, err)
	}
	info, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if opts.DryRun {
			return nil, checkParents(dir)
		}
		return nil, writeNew(ctx, dir, files)
	case err != nil:
		return nil, fmt.Errorf("write %s: %w", dir, err)
	case info.Mode()&fs.ModeSymlink != 0:
		return nil, fmt.Errorf("write %s: target directory is a symlink; give the directory's real path", dir)
	case !info.IsDir():
		return nil, fmt.Errorf("write %s: target exists and is not a directory", dir)
	}
	empty, err := isEmpty(dir)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", dir, err)
	}
	if !empty && !opts.Force {
		return nil, fmt.Errorf("target directory %s %w", dir, ErrNotEmpty)
	}
	for _, f := range files {
		exists, err := checkPath(dir, filepath.FromSlash(f.Path))
		if err != nil {
			return nil, err
		}
		if exists {
			if err := checkReplaceable(filepath.Join(dir, filepath.FromSlash(f.Path))); err != nil {
				return nil, err
			}
			replaced = append(replaced, f.Path)
		}
	}
	if opts.DryRun {
		return replaced, checkWritable(dir)
	}
	return replaced, writeInto(ctx, dir, files)
}

// interrupted returns the error of a write to name stopped by ctx.
func interrupted(ctx context.Context, name string) error {
	return fmt.Errorf("write %s: %w; nothing was written", name, context.Cause(ctx))
}

// checkParents checks that the missing directory dir could be created: its
// nearest existing ancestor is a directory (or a symlink to one, as Write
// would follow it too) that this process may write into.
func checkParents(dir string) error {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		info, err := os.Stat(d)
		switch {
		case err == nil && info.IsDir():
			return checkWritable(d)
		case err == nil:
			return fmt.Errorf("write %s: %s is not a directory", dir, d)
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("write %s: %w", dir, err)
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}

// checkFiles checks that every path in files is a clean relative path,
// names one file only, and is not also the directory of another.
func checkFiles(files []File) error {
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		if !fs.ValidPath(f.Path) || f.Path == "." {
			return fmt.Errorf("invalid file path %q: use a slash-separated path inside the directory", f.Path)
		}
		if seen[f.Path] {
			return fmt.Errorf("file %s given twice", f.Path)
		}
		seen[f.Path] = true
	}
	for _, f := range files {
		for d := path.Dir(f.Path); d != "."; d = path.Dir(d) {
			if seen[d] {
				return fmt.Errorf("%s is both a file and the directory of %s", d, f.Path)
			}
		}
	}
	return nil
}

// writeNew writes files into a temporary sibling of dir, then renames it to dir.
func writeNew(ctx context.Context, dir string, files []File) (err error) {
	// The missing parents, outermost first, are created and, on an
	// error, removed.
	var parents []string
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || !errors.Is(err, fs.ErrNotExist) || filepath.Dir(d) == d {
			break
		}
		parents = append([]string{d}, parents...)
	}
	var created []string
	defer func() {
		if err != nil {
			for _, d := range slices.Backward(created) {
				os.Remove(d)
			}
		}
	}()
	for _, d := range parents {
		if ctx.Err() != nil {
			return interrupted(ctx, dir)
		}
		if err := os.Mkdir(d, dirMode); err != nil {
			return fmt.Errorf("write %s: %w", dir, err)
		}
		created = append(created, d)
		if err := os.Chmod(d, dirMode); err != nil {
			return fmt.Errorf("write %s: %w", dir, err)
		}
	}
	if ctx.Err() != nil {
		return interrupted(ctx, dir)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".tmp-*")
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		err = fmt.Errorf("cannot create a directory in %s: %w", filepath.Dir(dir), pe.Err) // not the temporary name
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp) // after the rename there is nothing left to remove
	if err := os.Chmod(tmp, dirMode); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	for _, f := range files {
		if ctx.Err() != nil {
			return interrupted(ctx, dir)
		}
		if _, err := mkdirs(tmp, filepath.Dir(filepath.FromSlash(f.Path))); err != nil {
			return fmt.Errorf("write %s: %w", filepath.Join(dir, f.Path), err)
		}
		if err := createFile(filepath.Join(tmp, filepath.FromSlash(f.Path)), f); err != nil {
			return fmt.Errorf("write %s: %w", filepath.Join(dir, f.Path), err)
		}
	}
	if ctx.Err() != nil {
		return interrupted(ctx, dir)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	return nil
}

// writeInto writes files into the existing directory dir, whose paths
// checkPath has accepted: it stages every file as a temporary file beside
// its target, then renames each staged file over its target.
func writeInto(ctx context.Context, dir string, files []File) (err error) {
	var created, staged []string
	defer func() {
		if err == nil {
			return
		}
		for _, name := range staged {
			os.Remove(name)
		}
		for _, d := range slices.Backward(created) {
			os.Remove(d)
		}
	}()
	targets := make([]string, len(files))
	for i, f := range files {
		target := filepath.Join(dir, filepath.FromSlash(f.Path))
		targets[i] = target
		if ctx.Err() != nil {
			return interrupted(ctx, dir)
		}
		made, err := mkdirs(dir, filepath.Dir(filepath.FromSlash(f.Path)))
		created = append(created, made...)
		if err != nil {
			return fmt.Errorf("write %s: %w", target, err)
		}
		tmp, err := stageFile(filepath.Dir(target), filepath.Base(target), f)
		if tmp != "" {
			staged = append(staged, tmp)
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", target, err)
		}
	}
	if ctx.Err() != nil {
		return interrupted(ctx, dir)
	}
	for i, tmp := range staged {
		if err := os.Rename(tmp, targets[i]); err != nil {
			return fmt.Errorf("write %s: %w", targets[i], err)
		}
	}
	return nil
}

// checkPath checks that writing the file rel inside dir would write through
// no symlink and find directories where it needs them, and reports whether
// a file is at rel.
func checkPath(dir, rel string) (exists bool, err error) {
	p := dir
	elems := splitPath(rel)
	for i, elem := range elems {
		p = filepath.Join(p, elem)
		info, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil // created by Write, below a real directory
		}
		if err != nil {
			return false, fmt.Errorf("write %s: %w", p, err)
		}
		last := i == len(elems)-1
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			return false, fmt.Errorf("%s is a symlink; daemongen never reads, writes or removes through symlinks (remove it or move it aside)", p)
		case !last && !info.IsDir():
			return false, fmt.Errorf("%s is not a directory", p)
		case last && !info.Mode().IsRegular():
			return false, fmt.Errorf("%s is not a regular file", p)
		}
	}
	return true, nil
}

// splitPath splits the relative path rel into its elements.
// rel is clean, as filepath.FromSlash of a path that fs.ValidPath accepts.
func splitPath(rel string) []string {
	if rel == "." {
		return nil
	}
	return strings.Split(rel, string(filepath.Separator))
}

// mkdirs creates the directory rel inside root and any missing directories
// on the way, each with mode 0755, and returns those it created, outermost
// first. It refuses to pass through a symlink.
func mkdirs(root, rel string) ([]string, error) {
	var created []string
	p := root
	for _, elem := range splitPath(rel) {
		p = filepath.Join(p, elem)
		info, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := os.Mkdir(p, dirMode); err != nil {
				return created, err
			}
			created = append(created, p)
			if err := os.Chmod(p, dirMode); err != nil {
				return created, err
			}
		case err != nil:
			return created, err
		case info.Mode()&fs.ModeSymlink != 0:
			return created, fmt.Errorf("%s is a symlink; daemongen never writes through symlinks", p)
		case !info.IsDir():
			return created, fmt.Errorf("%s is not a directory", p)
		}
	}
	return created, nil
}

// createFile creates the new file name with f's data and exactly f's mode.
func createFile(name string, f File) error {
	out, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, f.Mode)
	if err != nil {
		return err
	}
	return finishFile(out, f)
}

// stageFile writes f to a new temporary file in dir, named after base, and
// returns its name. On an error the name, if not empty, is of a file to
// remove.
func stageFile(dir, base string, f File) (string, error) {
	out, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return "", err
	}
	return out.Name(), finishFile(out, f)
}

// finishFile writes f's data to out, sets f's mode and closes out. An error
// is the bare cause, such as "no space left on device": the caller names
// the target, and out's temporary name would only confuse.
func finishFile(out *os.File, f File) error {
	_, err := out.Write(f.Data)
	if err == nil {
		err = out.Chmod(f.Mode)
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// isEmpty reports whether the directory dir has no entries.
func isEmpty(dir string) (bool, error) {
	d, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	defer d.Close()
	_, err = d.Readdirnames(1)
	if err == io.EOF {
		return true, nil
	}
	return false, err
}
