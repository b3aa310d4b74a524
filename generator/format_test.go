package generator

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/tools/imports"

	"github.com/daemongen/daemongen/templates"
)

// TestFormatGo checks that formatGo returns what imports.Process returns,
// and takes its shortcut where it should.
func TestFormatGo(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		shortcut bool // isFormatted holds: src is returned as it is
	}{
		{"formatted", "package p\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\n\t\"example.com/x\"\n)\n\nvar _ = fmt.Sprint(os.Args, x.X)\n", true},
		{"no imports", "package p\n\n// X is x.\nconst X = 1\n", true},
		{"single import", "package p\n\nimport \"os\"\n\nvar _ = os.Args\n", true},
		{"local module path", "package main\n\nimport (\n\t\"os\"\n\n\t\"my-svc/internal/daemon\"\n)\n\nfunc main() { os.Exit(daemon.Main()) }\n", true},
		{"not formatted", "package p\nfunc f() {  return }\n", false},
		{"unsorted imports", "package p\n\nimport (\n\t\"os\"\n\t\"fmt\"\n)\n\nvar _ = fmt.Sprint(os.Args)\n", false},
		{"groups in one run", "package p\n\nimport (\n\t\"example.com/x\"\n\t\"os\"\n)\n\nvar _ = os.Args\nvar _ = x.X\n", false},
		{"appengine in a run", "package p\n\nimport (\n\t\"appengine\"\n\t\"os\"\n)\n\nvar _ = os.Args\nvar _ = appengine.X\n", false},
		{"two import declarations", "package p\n\nimport \"os\"\nimport \"fmt\"\n\nvar _ = fmt.Sprint(os.Args)\n", false},
		{"empty import declaration", "package p\n\nimport ()\n\nconst X = 1\n", false},
		{"number literal", "package p\n\nconst X = 0X1F\n", false},
		{"cgo", "package p\n\n// #include <stdio.h>\nimport \"C\"\n\nimport \"os\"\n\nvar _ = os.Args\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFormatGo(t, tt.name+".go", []byte(tt.src))
			if got := isFormatted([]byte(tt.src)); got != tt.shortcut {
				t.Errorf("isFormatted(%q) = %v; want %v", tt.src, got, tt.shortcut)
			}
		})
	}
	for _, src := range []string{"package p\nfunc {", "not go"} {
		if out, err := formatGo("bad.go", []byte(src)); err == nil {
			t.Errorf("formatGo(%q) = %q, nil; want an error", src, out)
		}
	}
}

// TestFormatGoTemplates checks formatGo against imports.Process on every
// rendered Go file, and that each takes the shortcut: the templates are
// written formatted.
func TestFormatGoTemplates(t *testing.T) {
	g, err := New(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []Config{{Name: "mysvc", Module: "example.com/mysvc"}, {Name: "my-svc"}} {
		files, err := g.Render(cfg)
		if err != nil {
			t.Fatalf("Render(%+v) = %v", cfg, err)
		}
		for _, f := range files {
			if !strings.HasSuffix(f.Path, ".go") {
				continue
			}
			checkFormatGo(t, f.Path, f.Data)
			if !isFormatted(f.Data) {
				t.Errorf("isFormatted(%s) = false; want true: write the template gofmt-formatted", f.Path)
			}
		}
	}
}

func checkFormatGo(t *testing.T, name string, src []byte) {
	t.Helper()
	got, err := formatGo(name, src)
	want, wantErr := imports.Process(name, src, &importsOptions)
	if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
		t.Errorf("formatGo(%s) = %q, %v; want %q, %v (imports.Process)", name, got, err, want, wantErr)
	}
}
