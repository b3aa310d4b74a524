package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/internal/gomod"
	"github.com/urfave/cli/v2"
)

// yours are the files of a new project that are the user's once written:
// --force keeps them unless --replace names them. (httpservice.go and its
// test are the example service of --socket.)
var yours = []string{"go.mod", "service.go", "service_test.go", "httpservice.go", "httpservice_test.go"}

// runNew turns the new command's arguments into a generator.Config,
// renders the project and writes it, or only checks and lists it with
// --dry-run.
func runNew(c *cli.Context) error {
	switch {
	case c.NArg() == 0:
		return &usageError{cmd: "new", err: errors.New("missing NAME")}
	case c.NArg() > 1:
		return &usageError{cmd: "new", err: fmt.Errorf("unexpected arguments after NAME: %s", strings.Join(c.Args().Tail(), " "))}
	}
	replace := c.StringSlice("replace")
	for _, r := range replace {
		if !slices.Contains(yours, r) {
			return &usageError{cmd: "new", err: fmt.Errorf("--replace %s: name one of %s; --force already replaces the other files daemongen writes", r, strings.Join(yours, ", "))}
		}
	}
	if len(replace) > 0 && !c.Bool("force") {
		return &usageError{cmd: "new", err: errors.New("--replace needs --force")}
	}
	cfg := generator.Config{Name: c.Args().First(), Module: c.String("module"), Docker: c.Bool("docker"), Socket: c.String("socket")}
	dir := cmp.Or(c.String("dir"), cfg.Name)
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("new %s: %w", dir, err)
	}

	// DIR may be the root of an existing module, whose path the project
	// keeps; inside one, the project is a nested module named after where
	// it sits unless --module says otherwise.
	lookup := abs
	if info, err := os.Lstat(abs); err == nil && !info.IsDir() {
		lookup = filepath.Dir(abs) // Write refuses it below
	}
	parent, err := gomod.FindModule(lookup)
	if err != nil && !errors.Is(err, gomod.ErrNoModule) {
		return err
	}
	moduleRoot := err == nil && parent.Root == abs
	var from string // where the module path comes from, if not --module
	switch {
	case moduleRoot && cfg.Module != "" && cfg.Module != parent.Path:
		return &usageError{cmd: "new", err: fmt.Errorf("--module %s: %s is the root of module %s; drop --module to keep that path", cfg.Module, dir, parent.Path)}
	case moduleRoot:
		cfg.Module, from = parent.Path, fmt.Sprintf("the module path of %s", filepath.Join(dir, "go.mod"))
		if gomod.Older(parent.Go, generator.GoVersion) {
			return fmt.Errorf("new: %s says go %s; the project needs go %s or later (raise it with: go get go@%s)", filepath.Join(dir, "go.mod"), cmp.Or(parent.Go, "1.16 (no go line)"), generator.GoVersion, generator.GoVersion)
		}
	case cfg.Module == "" && parent.Path != "":
		rel, err := filepath.Rel(parent.Root, abs)
		if err != nil {
			return fmt.Errorf("new %s: %w", dir, err)
		}
		cfg.Module = path.Join(parent.Path, filepath.ToSlash(rel))
		from = fmt.Sprintf("the module path comes from the enclosing module %s", parent.Path)
	}
	if err := cfg.Validate(); err != nil {
		var ce *generator.ConfigError
		if from != "" && errors.As(err, &ce) && ce.Field == "Module" {
			err = fmt.Errorf("%w (%s; give one with --module)", err, from)
		}
		return &usageError{cmd: "new", err: err}
	}
	tree, err := templateTree(c)
	if err != nil {
		return err
	}
	files, err := generator.Render(cfg, tree)
	if err != nil {
		return err
	}

	// The user's files, go.mod included, stay unless --replace names them;
	// the test of the example service, X_test.go, stays out with a kept X.go.
	var kept, skipped []string
	exists := func(p string) bool {
		_, err := os.Lstat(filepath.Join(abs, p))
		return err == nil
	}
	keep := func(p string) bool { return !slices.Contains(replace, p) && exists(p) }
	files = slices.DeleteFunc(files, func(f generator.File) bool {
		switch {
		case !slices.Contains(yours, f.Path):
			return false
		case keep(f.Path):
			kept = append(kept, f.Path)
			return true
		case strings.HasSuffix(f.Path, "_test.go") && keep(strings.TrimSuffix(f.Path, "_test.go")+".go"):
			skipped = append(skipped, f.Path)
			return true
		}
		return false
	})

	// With --force, a file already as new would write it is left alone:
	// it keeps its modification time, and only real changes are printed.
	var current int
	if c.Bool("force") {
		files = slices.DeleteFunc(files, func(f generator.File) bool {
			if isCurrent(abs, f) {
				current++
				return true
			}
			return false
		})
	}

	// In a workspace the go command builds only the modules it uses.
	work, err := gomod.FindWork(filepath.Dir(abs))
	if err != nil {
		return err
	}
	var workFile []byte
	var workMode os.FileMode
	if work != "" {
		if workFile, workMode, err = gomod.AddUse(work, abs, generator.GoVersion); err != nil {
			return err
		}
	}

	out := c.App.Writer
	opts := generator.WriteOptions{Force: c.Bool("force"), DryRun: c.Bool("dry-run")}
	replaced, err := generator.Write(c.Context, dir, files, opts)
	if errors.Is(err, generator.ErrNotEmpty) {
		return fmt.Errorf("%w (use --force to overwrite files daemongen writes)", err)
	}
	if err != nil {
		return err
	}
	if opts.DryRun {
		for _, f := range files {
			fmt.Fprintf(out, "%v %6d %s\n", f.Mode, len(f.Data), filepath.Join(dir, f.Path))
		}
		if current > 0 {
			fmt.Fprintf(out, "(%d %s already current)\n", current, plural(current, "file", "files"))
		}
		return nil
	}
	if workFile != nil {
		// The project is in place: finish, whatever the context says.
		f := generator.File{Path: filepath.Base(work), Mode: workMode, Data: workFile}
		if _, err := generator.Write(context.WithoutCancel(c.Context), filepath.Dir(work), []generator.File{f}, generator.WriteOptions{Force: true}); err != nil {
			return fmt.Errorf("%w (the project is written; add it with: go work use %s)", err, dir)
		}
	}
	fmt.Fprintf(out, "wrote %d %s into %s", len(files), plural(len(files), "file", "files"), filepath.Clean(dir))
	if current > 0 {
		fmt.Fprintf(out, " (%d already current)", current)
	}
	fmt.Fprintln(out)
	for _, p := range replaced {
		fmt.Fprintf(out, "replaced %s\n", filepath.Join(dir, p))
	}
	for _, p := range kept {
		fmt.Fprintf(out, "kept %s (yours; --force --replace %s overwrites it)\n", filepath.Join(dir, p), p)
	}
	for _, p := range skipped {
		fmt.Fprintf(out, "skipped %s (it tests the example %s; --force --replace %s writes it)\n", filepath.Join(dir, p), strings.TrimSuffix(p, "_test.go")+".go", p)
	}
	if workFile != nil {
		fmt.Fprintf(out, "added %s to the use directives of %s\n", filepath.Clean(dir), work)
	}
	fmt.Fprintf(out, "\nnext:\n")
	if d := filepath.Clean(dir); d != "." {
		if strings.HasPrefix(d, "-") {
			d = "./" + d // not an option of cd
		}
		fmt.Fprintf(out, "  cd %s\n", shellQuote(d))
	}
	fmt.Fprintf(out, "  go build -o %s\n  ./%s start\n", cfg.Name, cfg.Name)
	return nil
}

// isCurrent reports whether f's path below dir is a regular file that holds
// exactly f's data with exactly f's mode (no setuid, setgid or sticky bit),
// reached through directories only: a file behind a symbolic link is not
// current, so that Write refuses the link.
func isCurrent(dir string, f generator.File) bool {
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
	if err != nil || !info.Mode().IsRegular() || info.Mode()&(fs.ModePerm|special) != f.Mode || info.Size() != int64(len(f.Data)) {
		return false
	}
	data, err := os.ReadFile(name)
	return err == nil && bytes.Equal(data, f.Data)
}

// shellQuote returns s as one word for a POSIX shell: as it is if it holds
// only characters no shell treats specially, else in single quotes.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+:@,%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
