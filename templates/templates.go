// Package templates holds the text/template files that daemongen renders.
//
// The tree has two sets, each rendered as a whole:
//
//	project/  files written at the root of a new project by "daemongen new"
//	daemon/   files written into internal/daemon/ of a new project, and later
//	          into a chosen directory of an existing one by "daemongen generate"
//
// Every file ends in ".tmpl", which is stripped from the output path, so that
// no Go tool compiles or formats a template. The token "_name_" in a path is
// replaced by the project's name. The data each template sees, the functions
// it may call and the rules for output paths and modes are documented in
// package generator.
package templates

import "embed"

// FS is the template tree: the project and daemon sets, including files and
// directories whose names start with "." or "_" (such as .github/).
//
//go:embed all:project all:daemon
var FS embed.FS
