package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/internal/gomod"
	"github.com/urfave/cli/v2"
)

// runNew turns the new command's arguments into a generator.Config,
// renders the project and writes it, or only checks and lists it with
// --dry-run.
func runNew(c *cli.Context) error {
	cfg, dir, err := newConfig(c)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("new %s: %w", dir, err)
	}
	if err := moduleFor(c, &cfg, dir, abs); err != nil {
		return err
	}
	nestedHint(c, cfg.Name)
	tree, err := templateTree(c)
	if err != nil {
		return err
	}
	files, err := generator.Render(cfg, tree)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(abs, generator.StampFile)); err == nil && c.Bool("force") {
		fmt.Fprintf(c.App.ErrWriter, "note: %s is a project daemongen made (%s): new --force replaces the files daemongen writes, your edits in them included; daemongen update --dir %s merges them instead\n", dir, generator.StampFile, dir)
	}
	stamp, err := generator.NewStamp(stampVersion(), cfg, overlayID(c, tree), files).File()
	if err != nil {
		return err
	}
	files = append(files, stamp)
	opts := generator.WriteOptions{Force: c.Bool("force"), DryRun: c.Bool("dry-run")}
	plan, err := generator.PlanFiles(abs, files, generator.Policy{Yours: generator.UserFiles, Replace: c.StringSlice("replace")})
	if err != nil {
		// What is wrong with the directory itself is said first: not one,
		// or, without --force, not empty.
		if _, werr := generator.Write(c.Context, dir, nil, generator.WriteOptions{DryRun: true, Force: opts.Force}); werr != nil {
			err = werr
		}
	}
	var work workEdit
	if err == nil {
		work, err = workspaceUse(c.Context, dir, abs, cmp.Or(cfg.Module, cfg.Name))
	}
	var replaced []string
	if err == nil {
		replaced, err = generator.Write(c.Context, dir, toWrite(plan), opts)
	}
	if errors.Is(err, generator.ErrNotEmpty) {
		return fmt.Errorf("%w (use --force to overwrite files daemongen writes)", err)
	}
	if err != nil {
		return err
	}
	if opts.DryRun {
		printDryRun(c.App.Writer, dir, plan, work)
		return nil
	}
	if err := work.write(c.Context, dir); err != nil {
		return err
	}
	printWritten(c.App.Writer, dir, cfg.Name, plan, replaced, work)
	return nil
}

// newConfig returns the Config that new's NAME and flags ask for, without
// the module path an enclosing module gives (see moduleFor), and DIR.
func newConfig(c *cli.Context) (generator.Config, string, error) {
	switch {
	case c.NArg() == 0:
		return generator.Config{}, "", badUsage(c, "missing NAME")
	case c.NArg() > 1:
		return generator.Config{}, "", badUsage(c, "unexpected arguments after NAME: %s", strings.Join(c.Args().Tail(), " "))
	}
	replace := c.StringSlice("replace")
	for _, r := range replace {
		if !slices.Contains(generator.UserFiles, r) {
			return generator.Config{}, "", badUsage(c, "--replace %s: name one of %s; --force already replaces the other files daemongen writes", r, strings.Join(generator.UserFiles, ", "))
		}
	}
	if len(replace) > 0 && !c.Bool("force") {
		return generator.Config{}, "", badUsage(c, "--replace needs --force")
	}
	if c.IsSet("dir") && c.String("dir") == "" {
		return generator.Config{}, "", badUsage(c, "an empty --dir names no directory; leave it out to write into NAME")
	}
	cfg := generator.Config{Name: c.Args().First(), Module: c.String("module"), Docker: c.Bool("docker"), Socket: c.String("socket"), Pin: pin()}
	return cfg, cmp.Or(c.String("dir"), cfg.Name), nil
}

// moduleFor completes and validates cfg for the project in dir (abs, as an
// absolute path). DIR may be the root of an existing module, whose path the
// project keeps; inside one, the project is a nested module named after
// where it sits unless --module says otherwise.
func moduleFor(c *cli.Context, cfg *generator.Config, dir, abs string) error {
	lookup := abs
	if info, err := os.Lstat(abs); err == nil && !info.IsDir() {
		lookup = filepath.Dir(abs) // Write refuses it later
	}
	for d := filepath.Dir(abs); d != filepath.Dir(d); d = filepath.Dir(d) {
		if info, err := os.Stat(d); err == nil && !info.IsDir() {
			return fmt.Errorf("new: %s is a file, so --dir %s cannot be made below it (choose another --dir)", d, dir)
		} else if err == nil {
			break
		}
	}
	parent, err := gomod.FindModule(lookup)
	if err != nil && !errors.Is(err, gomod.ErrNoModule) {
		return err
	}
	moduleRoot := err == nil && parent.Root == abs
	var from string // where the module path comes from, if not --module
	switch {
	case moduleRoot && cfg.Module != "" && cfg.Module != parent.Path:
		return badUsage(c, "--module %s: %s is the root of module %s; drop --module to keep that path", cfg.Module, dir, parent.Path)
	case moduleRoot:
		cfg.Module, from = parent.Path, fmt.Sprintf("the module path of %s", filepath.Join(dir, "go.mod"))
		cfg.GoVersion = parent.Go // the Dockerfile's Go
		if gomod.Older(parent.Go, generator.GoVersion) {
			return fmt.Errorf("new: %s says go %s; the project needs go %s or later (raise it with: go mod edit -go=%s)", filepath.Join(dir, "go.mod"), cmp.Or(parent.Go, "1.16 (no go line)"), generator.GoVersion, generator.GoVersion)
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
		return badUsage(c, "%w", err)
	}
	return nil
}

// nestedHint notes, on standard error, that new run without --dir at the
// root of a project named NAME writes NAME/NAME inside it, when the user
// more likely meant to regenerate that project in place.
func nestedHint(c *cli.Context, name string) {
	cwd, err := os.Getwd()
	if c.IsSet("dir") || err != nil {
		return
	}
	if m, err := gomod.FindModule(cwd); err == nil && m.Root == cwd && path.Base(m.Path) == name {
		fmt.Fprintf(c.App.ErrWriter, "note: you are in project %s (go.mod here says module %s), and new writes a new project into %s; to regenerate this one in place, use --dir . (or daemongen update, which keeps your edits)\n", name, m.Path, filepath.Join(name, name))
	}
}

// A workEdit is a go.work file with the project added to its use
// directives. The zero value edits nothing.
type workEdit struct {
	path string // "" if the go command would use no go.work, or it uses DIR
	gomod.WorkEdit
}

// file returns the edited go.work as Write takes it.
func (w workEdit) file() generator.File {
	return generator.File{Path: filepath.Base(w.path), Mode: w.Mode, Data: w.Data}
}

// workspaceUse returns the edit of the go.work the go command would use in
// abs (dir as given), which builds only the modules it uses, for the module
// modPath. It refuses, before anything is written, a workspace that uses
// another module modPath and a go.work that new could not write.
func workspaceUse(ctx context.Context, dir, abs, modPath string) (workEdit, error) {
	work, err := gomod.FindWork(filepath.Dir(abs))
	if err != nil || work == "" {
		return workEdit{}, err
	}
	edit, err := gomod.AddUse(work, abs, modPath, generator.GoVersion)
	var dup *gomod.DuplicateError
	if errors.As(err, &dup) {
		return workEdit{}, fmt.Errorf("new %s: %w; give this project another module path with --module", dir, err)
	}
	if err != nil || edit == nil {
		return workEdit{}, err
	}
	w := workEdit{work, *edit}
	if _, err := generator.Write(ctx, filepath.Dir(work), []generator.File{w.file()}, generator.WriteOptions{Force: true, DryRun: true}); err != nil {
		return workEdit{}, fmt.Errorf("new %s: cannot add it to the workspace: %w; nothing was written (or leave the workspace alone with GOWORK=off, then run: go work use %s)", dir, err, shellQuote(dir))
	}
	return w, nil
}

// String says what the edit does to the go.work, after "add DIR to" or
// "added DIR to".
func (w workEdit) String() string {
	s := "the use directives of " + w.path
	if w.NewGo != "" {
		s += fmt.Sprintf(", raising its go line from %s to %s", cmp.Or(w.OldGo, "none"), w.NewGo)
	}
	return s
}

// write writes the edited go.work once the project is in dir: it finishes,
// whatever ctx says.
func (w workEdit) write(ctx context.Context, dir string) error {
	if w.path == "" {
		return nil
	}
	if _, err := generator.Write(context.WithoutCancel(ctx), filepath.Dir(w.path), []generator.File{w.file()}, generator.WriteOptions{Force: true}); err != nil {
		return fmt.Errorf("%w (the project is written; add it with: go work use %s)", err, dir)
	}
	return nil
}

// toWrite returns the files a plan writes.
func toWrite(plan []generator.Change) []generator.File {
	var files []generator.File
	for _, ch := range plan {
		if ch.Kind.Writes() {
			files = append(files, ch.File)
		}
	}
	return files
}

// count returns how many changes of a plan are of kind k.
func count(plan []generator.Change, k generator.ChangeKind) int {
	n := 0
	for _, ch := range plan {
		if ch.Kind == k {
			n++
		}
	}
	return n
}

// printDryRun lists the files new would write into dir, counts those
// already current and names the go.work it would edit.
func printDryRun(out io.Writer, dir string, plan []generator.Change, work workEdit) {
	for _, ch := range plan {
		if !ch.Kind.Writes() {
			continue
		}
		replaces := ""
		if ch.Kind == generator.Stale {
			replaces = " (replaces the file there)"
		}
		fmt.Fprintf(out, "%v %6d %s%s\n", ch.File.Mode, len(ch.File.Data), filepath.Join(dir, ch.Path), replaces)
	}
	if n := count(plan, generator.Current); n > 0 {
		fmt.Fprintf(out, "(%d %s already current)\n", n, plural(n, "file", "files"))
	}
	if work.path != "" {
		fmt.Fprintf(out, "(would add %s to %v)\n", filepath.Clean(dir), work)
	}
}

// printWritten reports what new did in dir for the binary name, and the
// next commands.
func printWritten(out io.Writer, dir, name string, plan []generator.Change, replaced []string, work workEdit) {
	n := len(toWrite(plan))
	fmt.Fprintf(out, "wrote %d %s into %s", n, plural(n, "file", "files"), filepath.Clean(dir))
	if n := count(plan, generator.Current); n > 0 {
		fmt.Fprintf(out, " (%d already current)", n)
	}
	fmt.Fprintln(out)
	for _, p := range replaced {
		fmt.Fprintf(out, "replaced %s\n", filepath.Join(dir, p))
	}
	for _, ch := range plan {
		switch p := ch.Path; ch.Kind {
		case generator.Kept:
			fmt.Fprintf(out, "kept %s (yours; --force --replace %s overwrites it)\n", filepath.Join(dir, p), p)
		case generator.Skipped:
			fmt.Fprintf(out, "skipped %s (it tests the example %s; --force --replace %s writes it)\n", filepath.Join(dir, p), strings.TrimSuffix(p, "_test.go")+".go", p)
		}
	}
	if work.path != "" {
		fmt.Fprintf(out, "added %s to %v\n", filepath.Clean(dir), work)
	}
	fmt.Fprintf(out, "\nnext:\n")
	if d := filepath.Clean(dir); d != "." {
		if strings.HasPrefix(d, "-") {
			d = "./" + d // not an option of cd
		}
		fmt.Fprintf(out, "  cd %s\n", shellQuote(d))
	}
	fmt.Fprintf(out, "  go build -o %s\n  ./%s start\n", name, name)
}

// shellQuote returns s as one word for a POSIX shell: as it is if it holds
// only characters no shell treats specially, else in single quotes.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+:@,%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
