package main

import (
	"cmp"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/internal/diff"
	"github.com/daemongen/daemongen/internal/gomod"
	"github.com/urfave/cli/v2"
)

// runGenerate renders the daemon package for the module holding its
// directory and brings that directory up to date, or with --check and
// --dry-run only reports what is out of date.
func runGenerate(c *cli.Context) error {
	if c.Args().Present() {
		return badUsage(c, "unexpected arguments: %s", strings.Join(c.Args().Slice(), " "))
	}
	if c.Bool("check") && c.Bool("dry-run") {
		return badUsage(c, "--check and --dry-run exclude each other: --check already writes nothing")
	}
	cfg := generator.Config{Name: c.String("name"), Package: c.String("pkg"), DaemonOnly: true, Pin: pin()}
	// A bad --name or --pkg is a usage error whether or not a module is
	// found: Validate checks them before the module it has no path for yet.
	var ce *generator.ConfigError
	if err := cfg.Validate(); errors.As(err, &ce) && ce.Field != "Module" {
		return badUsage(c, "%w", err)
	}
	wd, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	// The module is the one holding DIR: --dir may name a directory of
	// another module, such as one in the same workspace. Without --dir it
	// is the one holding the working directory, and DIR is internal/daemon
	// at its root.
	dir := ""
	if d := c.String("dir"); d != "" {
		if dir, err = filepath.Abs(d); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
	}
	start := cmp.Or(dir, wd)
	mod, err := gomod.FindModule(start)
	if errors.Is(err, gomod.ErrNoModule) {
		return fmt.Errorf("generate: no go.mod in %s or any directory above it (run generate inside a Go module, or start a project with: daemongen new NAME)", start)
	}
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	modFile := filepath.Join(mod.Root, "go.mod")
	if gomod.Older(mod.Go, generator.GoVersion) {
		return fmt.Errorf("generate: %s says go %s; the daemon package needs go %s or later (raise it with: go mod edit -go=%s)", relTo(wd, modFile), cmp.Or(mod.Go, "1.16 (no go line)"), generator.GoVersion, generator.GoVersion)
	}
	// A bare generate does what the first one did: the stamp that one
	// left in the package's directory records its flags.
	prev, err := generateStamp(mod.Root, dir)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	overlay, initDir := c.String("templates"), c.String("init-files")
	if initDir != "" {
		if initDir, err = filepath.Abs(initDir); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
	}
	if prev != nil {
		if dir == "" {
			dir = filepath.Join(mod.Root, filepath.FromSlash(prev.Config.DaemonDir))
		}
		cfg.Name, cfg.Package = cmp.Or(cfg.Name, prev.Config.Name), cmp.Or(cfg.Package, prev.Config.Package)
		if t := strings.Fields(prev.Templates); overlay == "" && len(t) > 0 {
			overlay = filepath.Join(mod.Root, filepath.FromSlash(t[0]))
		}
		if initDir == "" && prev.InitDir != "" {
			initDir = filepath.Join(mod.Root, filepath.FromSlash(prev.InitDir))
		}
	}
	if dir == "" {
		dir = filepath.Join(mod.Root, filepath.FromSlash(generator.DaemonDir))
	}
	rel, err := filepath.Rel(mod.Root, dir)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	if cfg.Package == "" && dir == wd {
		cfg.Package = os.Getenv("GOPACKAGE") // set by go generate
	}
	// The directory's own Go files decide the package name when no flag
	// did, and must agree with it: the daemon package cannot share a
	// directory with another package, such as main at a module root.
	ours, theirs, theirFile := dirPackages(dir)
	if cfg.Package == "" {
		cfg.Package = ours
	}
	if theirs != "" && theirs != cmp.Or(cfg.Package, "daemon") {
		return fmt.Errorf("generate: %s is package %s, and a directory holds one package; generate into another directory with --dir (or, for your own package there, --pkg %s)", relTo(wd, theirFile), theirs, theirs)
	}
	cfg.Module, cfg.DaemonDir = mod.Path, filepath.ToSlash(rel)
	if err := cfg.Validate(); err != nil {
		if errors.As(err, &ce) && ce.Field == "Module" {
			return fmt.Errorf("generate: %s: %w", relTo(wd, modFile), err)
		}
		return badUsage(c, "%w", err)
	}
	if initDir != "" && cfg.Name == "" {
		return badUsage(c, "--init-files needs --name NAME: the service files are named after the binary")
	}
	tree, err := loadTree(overlay)
	if err != nil {
		return err
	}
	initFiles, err := missingInitFiles(cfg, tree, initDir)
	if err != nil {
		return err
	}
	files, err := generator.Render(cfg, tree)
	if err != nil {
		return err
	}
	if madeByNew(mod.Root, dir) { // main.go's go:generate line runs update there
		files = slices.DeleteFunc(files, func(f generator.File) bool { return f.Path == path.Join(cfg.DaemonDir, "generate.go") })
	}

	// Name files relative to the working directory, where go generate runs.
	shown := relTo(wd, mod.Root)
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
			return fmt.Errorf("generate --check: %d %s out of date in %s (run: daemongen generate)", len(changes), plural(len(changes), "file", "files"), relTo(wd, dir))
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
		for _, ch := range initFiles {
			fmt.Fprintf(out, "would write %s (missing)\n", relTo(wd, filepath.Join(initDir, filepath.FromSlash(ch.Path))))
		}
		return nil
	}
	stamp, err := packageStamp(cfg, mod.Root, dir, overlay, initDir, tree, files)
	if err != nil {
		return err
	}
	if err := generator.Sync(c.Context, shown, append(slices.Clip(changes), stamp...)); err != nil {
		return err
	}
	if i := slices.IndexFunc(changes, func(ch generator.Change) bool {
		return ch.Kind == generator.Extra && path.Base(ch.Path) == "generate.go"
	}); i >= 0 {
		notePin(c, filepath.Join(shown, changes[i].Path))
	}
	if len(initFiles) > 0 {
		if err := generator.Sync(c.Context, initDir, initFiles); err != nil {
			return err
		}
	}
	for _, ch := range initFiles {
		fmt.Fprintf(out, "wrote %s (yours from now on)\n", relTo(wd, filepath.Join(initDir, filepath.FromSlash(ch.Path))))
	}
	if len(changes) == len(files) && !slices.ContainsFunc(changes, func(ch generator.Change) bool { return ch.Kind != generator.Missing }) {
		// A package written afresh: a count, as new prints.
		fmt.Fprintf(out, "wrote %d %s into %s\n", len(files), plural(len(files), "file", "files"), relTo(wd, dir))
		return nil
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

// generateStamp returns the stamp an earlier generate left in dir, or,
// without dir, the one in the module at root: in internal/daemon, else
// wherever it is (not below testdata, vendor, a directory starting with .
// or _, or another module). It is nil if there is none, and an error if
// there are several, or if one cannot be read (then generate would forget
// its flags and write a second package).
func generateStamp(root, dir string) (*generator.Stamp, error) {
	read := func(d string) (*generator.Stamp, error) {
		data, err := generator.ReadInside(d, generator.StampFile)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		s, err := generator.ParseStamp(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(d, generator.StampFile), err)
		}
		if !s.Config.DaemonOnly {
			return nil, nil // a project's stamp: new and update keep it
		}
		return s, nil
	}
	if dir != "" {
		return read(dir)
	}
	if s, err := read(filepath.Join(root, filepath.FromSlash(generator.DaemonDir))); s != nil || err != nil {
		return s, err
	}
	var found []string
	var stamp *generator.Stamp
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor") {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil && p != root {
			return filepath.SkipDir
		}
		s, err := read(p)
		if s != nil {
			found, stamp = append(found, p), s
		}
		return err
	})
	if len(found) > 1 {
		return nil, fmt.Errorf("the module holds daemon packages generated in %s: name one with --dir", strings.Join(found, ", "))
	}
	return stamp, err
}

// madeByNew reports whether dir is the daemon package of a project new
// made in the module at root: its stamp, at the root, is update's.
func madeByNew(root, dir string) bool {
	data, err := os.ReadFile(filepath.Join(root, generator.StampFile))
	if err != nil || root == dir {
		return false
	}
	s, err := generator.ParseStamp(data)
	return err == nil && !s.Config.DaemonOnly
}

// packageStamp returns the change that writes the stamp of a generated
// package into dir, recording generate's flags, or none if it is current,
// or if dir is the daemon package of a project new made (its stamp, at the
// module's root, is update's).
func packageStamp(cfg generator.Config, root, dir, overlay, initDir string, tree fs.FS, files []generator.File) ([]generator.Change, error) {
	if madeByNew(root, dir) {
		return nil, nil
	}
	templates := ""
	if overlay != "" {
		if abs, err := filepath.Abs(overlay); err == nil {
			overlay = abs
		}
		rel, err := filepath.Rel(root, overlay)
		if err != nil {
			rel = overlay
		}
		templates = filepath.ToSlash(rel) + " " + treeDigest(tree)
	}
	s := generator.NewStamp(stampVersion(), cfg, templates, files)
	if initDir != "" {
		rel, err := filepath.Rel(root, initDir)
		if err != nil {
			return nil, err
		}
		s.InitDir = filepath.ToSlash(rel)
	}
	f, err := s.File()
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return nil, err
	}
	f.Path = path.Join(filepath.ToSlash(rel), f.Path)
	old, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.Path)))
	if err == nil && generator.SameText(old, f.Data) {
		return nil, nil
	}
	return []generator.Change{{Kind: generator.Stale, Path: f.Path, File: f}}, nil
}

// missingInitFiles returns the changes that write, below the directory
// initDir, the service files install reads (init/SYSTEM/FILE, as new writes
// them at a project's root) that are missing there: those that exist are
// yours.
func missingInitFiles(cfg generator.Config, tree fs.FS, initDir string) ([]generator.Change, error) {
	if initDir == "" {
		return nil, nil
	}
	project := cfg
	project.DaemonOnly, project.DaemonDir, project.Package = false, "", ""
	files, err := generator.Render(project, tree)
	if err != nil {
		return nil, err
	}
	var changes []generator.Change
	for _, f := range files {
		if !strings.HasPrefix(f.Path, "init/") {
			continue
		}
		if _, err := os.Lstat(filepath.Join(initDir, filepath.FromSlash(f.Path))); err == nil {
			continue
		}
		changes = append(changes, generator.Change{Kind: generator.Missing, Path: f.Path, File: f})
	}
	return changes, nil
}

// dirPackages returns the package names of the Go files in dir, tests
// aside: ours, of a file daemongen wrote (starting with generator.Marker),
// and theirs, of another file, with that file's path. An unreadable or
// missing directory has neither.
func dirPackages(dir string) (ours, theirs, theirFile string) {
	names, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.PackageClauseOnly)
		if err != nil {
			continue
		}
		switch {
		case generator.IsGenerated(src):
			ours = f.Name.Name
		case theirs == "":
			theirs, theirFile = f.Name.Name, name
		}
	}
	return ours, theirs, theirFile
}

// relTo returns name relative to the directory wd if it can, else name.
func relTo(wd, name string) string {
	if rel, err := filepath.Rel(wd, name); err == nil {
		return rel
	}
	return name
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
	if ch.Kind == generator.Stale && ch.OldMode&0o100 != ch.File.Mode&0o100 {
		fmt.Fprintf(w, "mode %v; generated %v\n", ch.OldMode, ch.File.Mode.Perm())
	}
}

// plural returns one if n is 1 and many otherwise.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
