package generator

import (
	"fmt"
	"go/format"
)

// formatGo returns the Go source src, the file name, formatted as gofmt
// formats it. It never adds or removes an import: the templates hold
// exactly the imports their output uses, grouped as goimports groups them,
// which the tests prove by running goimports over every rendered file.
func formatGo(name string, src []byte) ([]byte, error) {
	out, err := format.Source(src)
	if err != nil {
		return nil, fmt.Errorf("%s:%w", name, err) // as gofmt says it: NAME:LINE:COL: message
	}
	return out, nil
}
