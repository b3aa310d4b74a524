package generator

import (
	"bytes"
	"fmt"
	"go/parser"
	"go/token"
	"regexp"
	"strings"
)

// rewritePackage returns the Go source file src, a file of package daemon
// (defaultPackage) or already of package pkg, as a file of package pkg that
// daemongen owns: the package clause names pkg, the package's doc comment,
// if the file has one, says "Package pkg" and qualifies its examples with
// pkg ("pkg.Main"), and Marker is the first line, followed by an empty
// line. A Marker line (and the empty line after it) that src already starts
// with is not repeated, and a UTF-8 byte order mark is dropped. Everything
// else is src's bytes, unchanged, so a change of one line in src is a change
// of one line in the result. src itself is never modified.
//
// The edits are made at the positions go/parser reports, as gonew rewrites
// a module; src is parsed only up to its package clause. A src that does
// not parse that far, is of another package or has a carriage return is an
// error.
func rewritePackage(src []byte, pkg string) ([]byte, error) {
	src = bytes.TrimPrefix(src, []byte("\uFEFF"))
	if bytes.IndexByte(src, '\r') >= 0 {
		return nil, fmt.Errorf("contains a carriage return; use LF line endings only")
	}
	if rest, ok := bytes.CutPrefix(src, []byte(Marker+"\n")); ok {
		src = bytes.TrimPrefix(rest, []byte("\n"))
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.PackageClauseOnly|parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	if name := f.Name.Name; name != defaultPackage && name != pkg {
		return nil, fmt.Errorf("package %s; the daemon package's Go files are package %s", name, defaultPackage)
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
var docPackage = regexp.MustCompile(`^(//|/\*)\s*Package ` + defaultPackage + `\b|\b` + defaultPackage + `\.([A-Z])`)

// rewriteDoc returns the package doc comment doc speaking of package pkg.
func rewriteDoc(doc []byte, pkg string) []byte {
	return docPackage.ReplaceAllFunc(doc, func(m []byte) []byte {
		if bytes.HasPrefix(m, []byte("//")) || bytes.HasPrefix(m, []byte("/*")) {
			return []byte(strings.TrimSuffix(string(m), defaultPackage) + pkg) // a copy: m is src's
		}
		return append([]byte(pkg+"."), m[len(m)-1])
	})
}
