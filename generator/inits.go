package generator

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"slices"
	"strconv"
)

// The table of init systems the templates list is the variable initTable
// in the daemon set's Go file initTableFile, a slice of structs written
// with keyed literals only.
const (
	initTableFile = "install.go"
	initTable     = "initSystems"
)

// inits is the table of init systems read from the daemon set, or why it
// could not be read.
type inits struct {
	rows []map[string]any
	err  error
}

// InitSystems returns the daemon package's table of init systems, the
// variable initSystems in the daemon set's install.go, so that the
// documentation a template writes lists each init system install knows:
// one map per row, in order, from each string or bool field's name (as in
// the struct, e.g. "name") to its value, the zero value for a field the
// row leaves out. It is an error when the daemon set has no install.go or
// its table is not literal strings and booleans: a template that uses it
// then fails, naming itself.
func (d Data) InitSystems() ([]map[string]any, error) {
	if d.inits == nil {
		return nil, errors.New("the template uses the init systems, and none were read")
	}
	return d.inits.rows, d.inits.err
}

// InitNames returns the distinct values of the field "name" of
// InitSystems, in order: the init systems as "NAME install --init" takes
// them.
func (d Data) InitNames() ([]string, error) {
	rows, err := d.InitSystems()
	var names []string
	for _, r := range rows {
		if n, _ := r["name"].(string); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names, err
}

// readInits reads the table of init systems from the daemon set's files.
func readInits(files []*tmplFile) *inits {
	i := slices.IndexFunc(files, func(f *tmplFile) bool { return f.rel == initTableFile && f.src != nil })
	if i < 0 {
		return &inits{err: fmt.Errorf("the template uses the init systems, and the daemon set has no %s", initTableFile)}
	}
	rows, err := parseInits(files[i].name, files[i].src)
	if err != nil {
		err = fmt.Errorf("read the init systems: %w", err)
	}
	return &inits{rows, err}
}

// tableAndAbove returns src up to the end of the declaration of initTable:
// the types it uses come first, and the rest, the install code, is most of
// the file, which every "new" would parse. Without such a declaration it is
// all of src.
func tableAndAbove(src []byte) []byte {
	start := bytes.Index(src, []byte("\nvar "+initTable+" = "))
	if start < 0 {
		return src
	}
	for rest := src[start+1:]; len(rest) > 0; {
		line, after, _ := bytes.Cut(rest, []byte("\n"))
		if bytes.HasPrefix(line, []byte("}")) && !bytes.HasPrefix(line, []byte("}, {")) {
			return src[:len(src)-len(after)]
		}
		rest = after
	}
	return src
}

// parseInits returns the rows of the variable initTable in the Go source
// src of the file name.
func parseInits(name string, src []byte) ([]map[string]any, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, tableAndAbove(src), parser.SkipObjectResolution)
	if err != nil { // a cut in the wrong place: the whole file says where it is wrong
		fset = token.NewFileSet()
		f, err = parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	}
	if err != nil {
		return nil, err
	}
	var table *ast.CompositeLit
	types := map[string]*ast.StructType{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if id.Name == initTable && i < len(n.Values) {
					table, _ = n.Values[i].(*ast.CompositeLit)
				}
			}
		case *ast.TypeSpec:
			if st, ok := n.Type.(*ast.StructType); ok {
				types[n.Name.Name] = st
			}
		}
		return true
	})
	var row *ast.StructType
	if table != nil {
		if a, ok := table.Type.(*ast.ArrayType); ok {
			if id, ok := a.Elt.(*ast.Ident); ok {
				row = types[id.Name]
			}
		}
	}
	if row == nil {
		return nil, fmt.Errorf("%s: no variable %s = []T{...} of a struct type T", name, initTable)
	}
	zero := map[string]any{}
	for _, field := range row.Fields.List {
		var v any
		switch id, _ := field.Type.(*ast.Ident); {
		case id != nil && id.Name == "string":
			v = ""
		case id != nil && id.Name == "bool":
			v = false
		default:
			continue
		}
		for _, n := range field.Names {
			zero[n.Name] = v
		}
	}
	var rows []map[string]any
	for i, elt := range table.Elts {
		lit, ok := elt.(*ast.CompositeLit)
		if !ok {
			return nil, fmt.Errorf("%s: row %d is not a composite literal", fset.Position(elt.Pos()), i)
		}
		r := maps.Clone(zero)
		for _, e := range lit.Elts {
			kv, _ := e.(*ast.KeyValueExpr)
			var key *ast.Ident
			if kv != nil {
				key, _ = kv.Key.(*ast.Ident)
			}
			if key == nil {
				return nil, fmt.Errorf("%s: row %d has a field without its name", fset.Position(e.Pos()), i)
			}
			if _, ok := zero[key.Name]; !ok {
				continue // a field of another type, which templates do not see
			}
			v, ok := literal(kv.Value)
			if !ok {
				return nil, fmt.Errorf("%s: row %d, field %s: not a string or bool literal", fset.Position(kv.Value.Pos()), i, key.Name)
			}
			r[key.Name] = v
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// literal returns the value of a string literal, true or false.
func literal(e ast.Expr) (any, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.Ident:
		switch e.Name {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return nil, false
}
