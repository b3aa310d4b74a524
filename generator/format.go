package generator

import "golang.org/x/tools/imports"

// importsOptions are the options every rendered Go template is formatted
// with: gofmt's layout and sorted import groups, without looking anything
// up, so that no go command runs.
var importsOptions = imports.Options{FormatOnly: true, Comments: true, TabIndent: true, TabWidth: 8}

// formatGo returns the Go source src, the file name, formatted as
// imports.Process formats it with importsOptions.
func formatGo(name string, src []byte) ([]byte, error) {
	return imports.Process(name, src, &importsOptions)
}
