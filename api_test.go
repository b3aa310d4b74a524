package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/daemongen/daemongen/generator"
)

// apiFile records the exported API of the daemon package that owners'
// code uses, one declaration a line, with the epoch it belongs to.
const apiFile = "testdata/daemon-api.txt"

// daemonAPI returns the exported declarations of templates/daemon (its
// files for every platform, tests aside), one a line, sorted: functions
// and methods with their signatures, types with their exported fields and
// methods one by one, constants and variables with their types.
func daemonAPI(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	names, _ := filepath.Glob("templates/daemon/*.go")
	var api []string
	text := func(n any) string {
		var b bytes.Buffer
		printer.Fprint(&b, fset, n)
		return strings.Join(strings.Fields(b.String()), " ")
	}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() || d.Recv != nil && !ast.IsExported(strings.TrimLeft(text(d.Recv.List[0].Type), "*")) {
					continue
				}
				d.Body, d.Doc = nil, nil
				api = append(api, text(d))
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						switch ty := s.Type.(type) {
						case *ast.StructType:
							api = append(api, "type "+s.Name.Name+" struct")
							for _, fl := range ty.Fields.List {
								for _, n := range fl.Names {
									if n.IsExported() {
										api = append(api, fmt.Sprintf("field %s.%s %s", s.Name.Name, n.Name, text(fl.Type)))
									}
								}
							}
						case *ast.InterfaceType:
							api = append(api, "type "+s.Name.Name+" interface")
							for _, m := range ty.Methods.List {
								for _, n := range m.Names {
									api = append(api, fmt.Sprintf("method %s.%s%s", s.Name.Name, n.Name, strings.TrimPrefix(text(m.Type), "func")))
								}
							}
						default:
							api = append(api, "type "+s.Name.Name+" "+text(s.Type))
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								api = append(api, strings.TrimSpace(fmt.Sprintf("%s %s %s", d.Tok, n.Name, text(s.Type))))
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(api)
	return slices.Compact(api)
}

// TestDaemonAPICompatible holds the daemon package's exported API to
// testdata/daemon-api.txt (issue 19): owners' code written against a
// stamped version keeps compiling after update, or the change bumps
// generator.APIEpoch and adds the migration note update prints. An
// addition is recorded with DAEMONGEN_UPDATE=1.
func TestDaemonAPICompatible(t *testing.T) {
	api := daemonAPI(t)
	head := fmt.Sprintf("epoch %d", generator.APIEpoch)
	if len(generator.Migrations) != generator.APIEpoch {
		t.Fatalf("generator.APIEpoch is %d and generator.Migrations holds %d notes; want one note for each epoch", generator.APIEpoch, len(generator.Migrations))
	}
	if updating() {
		writeFile(t, apiFile, head+"\n"+strings.Join(api, "\n")+"\n")
		return
	}
	data, err := os.ReadFile(apiFile)
	if err != nil {
		t.Fatalf("%v (record the API with DAEMONGEN_UPDATE=1 go test -run TestDaemonAPICompatible .)", err)
	}
	recorded := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for _, l := range recorded[1:] {
		if !slices.Contains(api, l) && recorded[0] == head {
			t.Errorf("the daemon package no longer has %q: owners' code may use it. Keep it, or bump generator.APIEpoch with a note in generator.Migrations (update prints it), then record the API with DAEMONGEN_UPDATE=1", l)
		}
	}
	for _, l := range api {
		if !slices.Contains(recorded, l) {
			t.Errorf("the daemon package's API has %q, which %s does not record: record it with DAEMONGEN_UPDATE=1 go test -run TestDaemonAPICompatible .", l, apiFile)
		}
	}
}
