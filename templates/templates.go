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
// source package: they are not part of FS, and the generator never renders
// such a file, not even from a user's template tree. A ".tmpl" file in
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

	"github.com/daemongen/daemongen/generator"
)

//go:embed all:project all:daemon
var embedded embed.FS

// FS is the template tree: the project and daemon sets, including files and
// directories whose names start with "." or "_" (such as .github/), and
// without the daemon package's source-only tests.
var FS fs.FS = shipped{embedded}

// sourceOnly reports whether the file name tests daemongen's copy of the
// daemon package only (the generator skips such files too).
func sourceOnly(name string) bool {
	return strings.HasSuffix(name, generator.SourceOnlySuffix)
}

// shipped is an embedded tree without its source-only files.
type shipped struct{ embed.FS }

// Open opens name unless it is a source-only file.
func (s shipped) Open(name string) (fs.File, error) {
	if sourceOnly(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return s.FS.Open(name)
}

// ReadDir lists the directory name without its source-only files.
func (s shipped) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := s.FS.ReadDir(name)
	return slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return sourceOnly(e.Name()) }), err
}

// ReadFile reads name unless it is a source-only file.
func (s shipped) ReadFile(name string) ([]byte, error) {
	if sourceOnly(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return s.FS.ReadFile(name)
}
