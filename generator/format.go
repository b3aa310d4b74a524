package generator

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/imports"
)

// importsOptions are the options every Go file is formatted with.
var importsOptions = imports.Options{FormatOnly: true, Comments: true, TabIndent: true, TabWidth: 8}

// formatGo returns the Go source src, the file name, as
// imports.Process(name, src, &importsOptions) formats it.
//
// Rendered templates are nearly always formatted already, and
// imports.Process parses and prints every file twice. So formatGo first
// checks whether src's imports are as imports.Process leaves them (parsing
// only the imports) and whether gofmt leaves src unchanged (format.Source,
// one parse and one print); if both hold, src is what imports.Process would
// return, and formatGo returns it. Otherwise it calls imports.Process.
func formatGo(name string, src []byte) ([]byte, error) {
	if isFormatted(src) {
		return src, nil
	}
	return imports.Process(name, src, &importsOptions)
}

// isFormatted reports whether imports.Process would return src unchanged:
// gofmt leaves src as it is, and importsSettled holds for its imports.
func isFormatted(src []byte) bool {
	if imports.LocalPrefix != "" { // importGroup ignores it; let imports.Process decide
		return false
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ImportsOnly|parser.ParseComments|parser.SkipObjectResolution)
	if err != nil || !importsSettled(fset, f) {
		return false
	}
	out, err := format.Source(src)
	return err == nil && bytes.Equal(out, src)
}

// importsSettled reports whether f's imports are in the shape in which
// imports.Process (with FormatOnly) leaves a gofmt-formatted file: at most
// one import declaration, none empty (it merges several and removes empty
// ones), and no run of imports on successive lines whose paths fall in
// different groups (it sorts a run by group and puts a blank line between
// groups). Within one group its order is gofmt's.
func importsSettled(fset *token.FileSet, f *ast.File) bool {
	decls := 0
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			decls++
			if decls > 1 || len(g.Specs) == 0 {
				return false
			}
		}
	}
	for _, run := range astutil.Imports(fset, f) {
		for i := 1; i < len(run); i++ {
			if importGroup(run[i]) != importGroup(run[0]) {
				return false
			}
		}
	}
	return true
}

// importGroup is the group imports.Process sorts the import spec into when
// no local prefix is set: 0 for paths without a dot in their first element
// (the standard library), 1 for other paths, and 2 before those for paths
// starting with "appengine".
func importGroup(spec *ast.ImportSpec) int {
	path, _ := strconv.Unquote(spec.Path.Value)
	first, _, _ := strings.Cut(path, "/")
	switch {
	case strings.HasPrefix(path, "appengine"):
		return 2
	case strings.Contains(first, "."):
		return 1
	}
	return 0
}
