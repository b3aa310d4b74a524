package generator

import (
	"bytes"
	"fmt"
	"go/parser"
	"go/token"
	"regexp"
)

// rewritePackage returns the Go source file src, a file of package daemon
// (defaultPackage), as a file of package pkg that daemongen owns: the
// package clause names pkg, the package's doc comment, if the file has one,
// says "Package pkg" and qualifies its examples with pkg ("pkg.Main"), and
// Marker is the first line. Everything else is src's bytes, unchanged, so a
// change of one line in src is a change of one line in the result.
//
// The edits are made at the positions go/parser reports, as gonew rewrites
// a module; src is parsed only up to its package clause. A src that does not
// parse, or that is of another package, is an error.
func rewritePackage(src []byte, pkg string) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.PackageClauseOnly|parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	if f.Name.Name != defaultPackage {
		return nil, fmt.Errorf("package %s; the daemon set's Go files must be package %s", f.Name.Name, defaultPackage)
	}
	if bytes.HasPrefix(src, []byte(Marker+"\n")) {
		return nil, fmt.Errorf("starts with %q; daemongen adds that line, remove it from the source", Marker)
	}
	var out bytes.Buffer
	out.Grow(len(src) + len(Marker) + 2 + len(pkg))
	out.WriteString(Marker + "\n\n")
	off := func(p token.Pos) int { return fset.Position(p).Offset }
	at := 0
	if f.Doc != nil && pkg != defaultPackage {
		start, end := off(f.Doc.Pos()), off(f.Doc.End())
		out.Write(src[at:start])
		out.Write(rewriteDoc(src[start:end], pkg))
		at = end
	}
	name := off(f.Name.Pos())
	out.Write(src[at:name])
	out.WriteString(pkg)
	out.Write(src[name+len(f.Name.Name):])
	return out.Bytes(), nil
}

// docPackage finds "Package daemon" at the start of a package comment, and
// "daemon." qualifying an exported name, as in an example in it.
var docPackage = regexp.MustCompile(`^// Package ` + defaultPackage + `\b|\b` + defaultPackage + `\.([A-Z])`)

// rewriteDoc returns the package doc comment doc speaking of package pkg.
func rewriteDoc(doc []byte, pkg string) []byte {
	return docPackage.ReplaceAllFunc(doc, func(m []byte) []byte {
		if bytes.HasPrefix(m, []byte("// Package ")) {
			return []byte("// Package " + pkg)
		}
		return append([]byte(pkg+"."), m[len(m)-1])
	})
}
