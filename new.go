package main

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/internal/gomod"
	"github.com/urfave/cli/v2"
)

// runNew turns the new command's arguments into a generator.Config,
// renders the project and writes it, or only lists it with --dry-run.
func runNew(c *cli.Context) error {
	switch {
	case c.NArg() == 0:
		return &usageError{cmd: "new", err: errors.New("missing NAME")}
	case c.NArg() > 1:
		return &usageError{cmd: "new", err: fmt.Errorf("unexpected arguments after NAME: %s", strings.Join(c.Args().Tail(), " "))}
	}
	cfg := generator.Config{Name: c.Args().First(), Module: c.String("module"), Docker: c.Bool("docker"), Socket: c.String("socket")}
	if err := cfg.Validate(); err != nil {
		return &usageError{cmd: "new", err: err}
	}
	dir := c.String("dir")
	if dir == "" {
		dir = cfg.Name
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("new %s: %w", dir, err)
	}
	// Inside an existing module the project is a nested module, named
	// after where it sits unless --module says otherwise.
	parentRoot, parentMod, err := gomod.FindModule(filepath.Dir(abs))
	if err != nil && !errors.Is(err, gomod.ErrNoModule) {
		return err
	}
	if cfg.Module == "" && parentMod != "" {
		rel, err := filepath.Rel(parentRoot, abs)
		if err != nil {
			return fmt.Errorf("new %s: %w", dir, err)
		}
		cfg.Module = path.Join(parentMod, filepath.ToSlash(rel))
		if err := cfg.Validate(); err != nil {
			return &usageError{cmd: "new", err: fmt.Errorf("%w (the module path comes from the enclosing module %s; give one with --module)", err, parentMod)}
		}
	}
	tree, err := templateTree(c)
	if err != nil {
		return err
	}
	files, err := generator.Render(cfg, tree)
	if err != nil {
		return err
	}
	out := c.App.Writer
	if c.Bool("dry-run") {
		for _, f := range files {
			fmt.Fprintf(out, "%v %6d %s\n", f.Mode, len(f.Data), filepath.Join(dir, f.Path))
		}
		return nil
	}
	if err := generator.Write(dir, files, c.Bool("force")); err != nil {
		if errors.Is(err, generator.ErrNotEmpty) {
			return fmt.Errorf("%w (use --force to overwrite files daemongen writes)", err)
		}
		return err
	}
	for _, f := range files {
		fmt.Fprintf(out, "wrote %s\n", filepath.Join(dir, f.Path))
	}
	// In a workspace the go command builds only the modules it uses.
	work, err := gomod.FindWork(filepath.Dir(abs))
	if err != nil {
		return err
	}
	if work != "" {
		added, err := gomod.AddUse(work, abs, generator.GoVersion)
		if err != nil {
			return fmt.Errorf("%w (the project is written; add it with: go work use %s)", err, dir)
		}
		if added {
			fmt.Fprintf(out, "added %s to the use directives of %s\n", dir, work)
		}
	}
	fmt.Fprintf(out, "\nnext:\n  cd %s\n  go build\n  ./%s start\n", dir, cfg.Name)
	return nil
}
