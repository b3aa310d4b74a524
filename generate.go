package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/internal/diff"
	"github.com/daemongen/daemongen/internal/gomod"
	"github.com/urfave/cli/v2"
	"golang.org/x/mod/module"
)

// runGenerate renders the daemon package for the module around the working
// directory and brings its directory up to date, or with --check and
// --dry-run only reports what is out of date.
func runGenerate(c *cli.Context) error {
	if c.Args().Present() {
		return &usageError{cmd: "generate", err: fmt.Errorf("unexpected arguments: %s", strings.Join(c.Args().Slice(), " "))}
	}
	if c.Bool("check") && c.Bool("dry-run") {
		return &usageError{cmd: "generate", err: errors.New("--check and --dry-run exclude each other: --check already writes nothing")}
	}
	wd, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	if pkg := c.String("pkg"); pkg != "" {
		// A usage error, whether or not a module is found.
		if err := (generator.Config{Name: "x", Package: pkg}).Validate(); err != nil {
			return &usageError{cmd: "generate", err: err}
		}
	}
	// The module is the one holding DIR: --dir may name a directory of
	// another module, such as one in the same workspace.
	dir := filepath.Join(wd, "internal", "daemon")
	if d := c.String("dir"); d != "" {
		if dir, err = filepath.Abs(d); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
	}
	start := wd
	if c.String("dir") != "" {
		start = dir
	}
	root, modPath, err := gomod.FindModule(start)
	if errors.Is(err, gomod.ErrNoModule) {
		return fmt.Errorf("generate: no go.mod in %s or any directory above it (run generate inside a Go module, or start a project with: daemongen new NAME)", start)
	}
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	if c.String("dir") == "" {
		dir = filepath.Join(root, "internal", "daemon")
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}

	pkg := c.String("pkg")
	if gopkg := os.Getenv("GOPACKAGE"); pkg == "" && gopkg != "" && dir == wd {
		pkg = gopkg
	}
	name := c.String("name")
	if name == "" {
		name = nameFromModule(modPath)
	}
	cfg := generator.Config{Name: name, Module: modPath, Package: pkg}
	if err := cfg.Validate(); err != nil {
		if c.String("name") == "" && strings.Contains(err.Error(), "name") && !strings.Contains(err.Error(), "package name") {
			err = fmt.Errorf("%w (taken from module %s; give one with --name)", err, modPath)
		}
		return &usageError{cmd: "generate", err: err}
	}
	tree, err := templateTree(c)
	if err != nil {
		return err
	}
	files, err := generator.RenderDaemon(cfg, tree, filepath.ToSlash(rel))
	if err != nil {
		return err
	}

	// Name files relative to the working directory, where go generate runs.
	shown, err := filepath.Rel(wd, root)
	if err != nil {
		shown = root
	}
	changes, err := generator.Plan(shown, files)
	if errors.Is(err, generator.ErrNotGenerated) {
		return fmt.Errorf("generate: %w (move the file aside, or generate into another directory with --dir)", err)
	}
	if err != nil {
		return err
	}
	out := c.App.Writer
	switch {
	case c.Bool("check"):
		for _, ch := range changes {
			printChange(out, shown, ch)
		}
		if len(changes) > 0 {
			return fmt.Errorf("generate --check: %d %s out of date in %s (run: daemongen generate)", len(changes), plural(len(changes), "file", "files"), filepath.Join(shown, filepath.FromSlash(path.Clean(filepath.ToSlash(rel)))))
		}
		return nil
	case c.Bool("dry-run"):
		for _, ch := range changes {
			verb := "would write"
			if ch.Kind == generator.Extra {
				verb = "would remove"
			}
			fmt.Fprintf(out, "%s %s (%s)\n", verb, filepath.Join(shown, ch.Path), ch.Kind)
		}
		return nil
	}
	if err := generator.Sync(shown, changes); err != nil {
		return err
	}
	for _, ch := range changes {
		verb := "wrote"
		if ch.Kind == generator.Extra {
			verb = "removed"
		}
		fmt.Fprintf(out, "%s %s\n", verb, filepath.Join(shown, ch.Path))
	}
	return nil
}

// printChange prints one out-of-date file for --check: its kind and path,
// then a unified diff from disk to the rendered file.
func printChange(w io.Writer, root string, ch generator.Change) {
	name := filepath.Join(root, filepath.FromSlash(ch.Path))
	fmt.Fprintf(w, "%s %s\n", ch.Kind, name)
	oldName, newName := name, name+" (generated)"
	switch ch.Kind {
	case generator.Missing:
		oldName = "/dev/null"
	case generator.Extra:
		newName = "/dev/null"
	}
	fmt.Fprint(w, diff.Unified(oldName, newName, string(ch.Old), string(ch.File.Data)))
	if ch.Kind == generator.Stale && ch.OldMode != ch.File.Mode.Perm() {
		fmt.Fprintf(w, "mode %v; generated %v\n", ch.OldMode, ch.File.Mode.Perm())
	}
}

// nameFromModule returns a project name made from the last element of the
// module path modPath, without a major version suffix: lower-cased, with
// '_' and '.' as '-'. It may not pass Config.Validate.
func nameFromModule(modPath string) string {
	prefix, _, ok := module.SplitPathVersion(modPath)
	if !ok {
		prefix = modPath
	}
	name := strings.ToLower(path.Base(prefix))
	return strings.NewReplacer("_", "-", ".", "-").Replace(name)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
