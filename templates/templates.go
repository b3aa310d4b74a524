// Package templates holds what daemongen writes into projects.
//
// The tree has two sets, each rendered as a whole:
//
//	project/  text/template files written at the root of a new project by
//	          "daemongen new"; each ends in ".tmpl", which is stripped
//	daemon/   the daemon package: ordinary Go, package daemon, that compiles,
//	          vets and is tested here in place, and is written into
//	          internal/daemon/ of a new project, or into a chosen directory
//	          of an existing module by "daemongen generate"
//
// The generator copies each daemon/*.go file with only what must change per
// project rewritten: the package name, and the generated-file line put
// first. Files of the daemon set whose names end in "_source_test.go" (the
// full real-process suite, its test service and the benchmarks) test this
// source package: they are not part of FS, nor of a user's tree laid over
// it, so the generator never sees one. A ".tmpl" file in
// daemon/, as a user's template tree may add, is rendered like those of
// project/. The token "_name_" in a path is replaced by the project's
// name. The data templates see, the functions they may call and the rules
// for output paths and modes are documented in package generator.
package templates

import (
	"embed"
	"io/fs"
	"slices"
	"strings"
)

//go:embed all:project all:daemon
var embedded embed.FS

// FS is the template tree: the project and daemon sets, including files and
// directories whose names start with "." or "_" (such as .github/), and
// without the daemon package's source-only tests.
var FS fs.FS = shipped{embedded}

// sourceOnlySuffix ends the names of the daemon set's files that test
// daemongen's own copy of the daemon package (its full real-process suite,
// its test service and the benchmarks). No tree this package makes has
// them: not FS, and not a user's tree laid over it by Load.
const sourceOnlySuffix = "_source_test.go"

// shipped is a template tree without source-only files.
type shipped struct{ fs.FS }

// Open opens name unless it is a source-only file.
func (s shipped) Open(name string) (fs.File, error) {
	if strings.HasSuffix(name, sourceOnlySuffix) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return s.FS.Open(name)
}

// ReadDir lists the directory name without its source-only files.
func (s shipped) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(s.FS, name)
	return slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return strings.HasSuffix(e.Name(), sourceOnlySuffix) }), err
}
