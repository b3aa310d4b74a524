package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/templates"
	"github.com/urfave/cli/v2"
)

// runTemplatesList prints the path of every file of the embedded template
// tree, one a line.
func runTemplatesList(c *cli.Context) error {
	if c.Args().Present() {
		return badUsage(c, "templates list takes no arguments")
	}
	files, err := templateFiles()
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintln(c.App.Writer, f.Path)
	}
	return nil
}

// runTemplatesExport writes the embedded template tree into DIR.
func runTemplatesExport(c *cli.Context) error {
	switch {
	case c.NArg() == 0:
		return badUsage(c, "missing DIR")
	case c.NArg() > 1:
		return badUsage(c, "unexpected arguments after DIR: %s", strings.Join(c.Args().Tail(), " "))
	}
	dir := c.Args().First()
	files, err := templateFiles()
	if err != nil {
		return err
	}
	files = append(files, generator.File{Path: "go.mod", Mode: 0o644, Data: []byte(exportGoMod)})
	edited := map[string]bool{}
	for _, f := range files {
		old, err := os.ReadFile(filepath.Join(dir, f.Path))
		edited[f.Path] = err == nil && !bytes.Equal(old, f.Data)
	}
	if _, err := generator.Write(c.Context, dir, files, generator.WriteOptions{Force: c.Bool("force")}); err != nil {
		if errors.Is(err, generator.ErrNotEmpty) {
			return fmt.Errorf("%w (use --force to overwrite the template files)", err)
		}
		return err
	}
	for _, f := range files {
		if edited[f.Path] {
			fmt.Fprintf(c.App.Writer, "replaced %s (it had been edited; the embedded version is back)\n", filepath.Join(dir, f.Path))
		} else {
			fmt.Fprintf(c.App.Writer, "wrote %s\n", filepath.Join(dir, f.Path))
		}
	}
	fmt.Fprintf(c.App.Writer, "\nnext: edit the templates, then:\n  daemongen generate --templates %s\n", dir)
	return nil
}

// exportGoMod makes an exported template tree a module of its own: a module
// around it leaves it out of go test ./... and go vet ./....
const exportGoMod = `// Templates exported by daemongen: a module of their own, so that the
// module around them leaves them out of go test ./... and go vet ./....
module daemongen.templates

go ` + generator.GoVersion + "\n"

// templateFiles returns the embedded template tree as files, sorted by path.
func templateFiles() ([]generator.File, error) {
	var files []generator.File
	err := fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templates.FS, p)
		if err != nil {
			return err
		}
		files = append(files, generator.File{Path: p, Mode: 0o644, Data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read embedded templates: %w", err)
	}
	return files, nil
}

// templateTree returns the template tree: the embedded one, with the tree
// in the directory given by --templates laid over it.
func templateTree(c *cli.Context) (fs.FS, error) { return loadTree(c.String("templates")) }

// loadTree returns the embedded template tree with the one in dir, if not
// "", laid over it.
func loadTree(dir string) (fs.FS, error) {
	if dir == "" {
		return templates.FS, nil
	}
	return templates.Load(dir)
}
