package generator_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/daemongen/daemongen/generator"
)

// installGo is a daemon set's install.go with a table of init systems.
const installGo = `package daemon

type initSystem struct {
	name, title string
	user        bool
	start       string
	run         func()
}

var initSystems = []initSystem{
	{name: "a", title: "A", start: "a start"},
	{name: "b", user: true, run: func() {}},
	{name: "a", title: "A2"},
}
`

// TestRenderInitSystems wants templates to see the rows of the daemon set's
// table of init systems, each field of a row it leaves out as its zero value,
// and the names once each.
func TestRenderInitSystems(t *testing.T) {
	tree := smallTree()
	tree["daemon/install.go"] = &fstest.MapFile{Data: []byte(installGo)}
	tree["project/inits.txt.tmpl"] = &fstest.MapFile{Data: []byte(
		`{{join "|" .InitNames}}{{range .InitSystems}}; {{.name}} {{.title | quote}} {{.user}} {{.start | quote}}{{end}}`)}
	files, err := generator.Render(generator.Config{Name: "my-svc"}, tree)
	if err != nil {
		t.Fatalf("Render = %v", err)
	}
	want := `a|b; a "A" false "a start"; b "" true ""; a "A2" false ""`
	for _, f := range files {
		if f.Path == "inits.txt" && string(f.Data) != want {
			t.Errorf("Render(inits.txt.tmpl) = %q; want %q", f.Data, want)
		}
	}
}

// A template that lists the init systems fails, naming itself and why,
// when the daemon set has no table it can read.
func TestRenderInitSystemsErrors(t *testing.T) {
	for _, tc := range []struct {
		install string // "" for none
		want    string
	}{
		{"", "the daemon set has no install.go"},
		{strings.Replace(installGo, `title: "A2"`, `title: title`, 1), `read the init systems: templates/daemon/install.go:13:21: row 2`},
		{strings.Replace(installGo, `title: "A2"`, `title: title`, 1), `row 2, field title: not a string or bool literal`},
		{strings.Replace(installGo, `{name: "a", title: "A2"}`, `{"a", "A2", false, "", nil}`, 1), `row 2 has a field without its name`},
		{strings.Replace(installGo, "initSystems", "others", 1), "no variable initSystems"},
	} {
		tree := smallTree()
		if tc.install != "" {
			tree["daemon/install.go"] = &fstest.MapFile{Data: []byte(tc.install)}
		}
		tree["project/README.md.tmpl"] = &fstest.MapFile{Data: []byte("{{range .InitSystems}}{{.name}}{{end}}\n")}
		_, err := generator.Render(generator.Config{Name: "my-svc"}, tree)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "render templates/project/README.md.tmpl") {
			t.Errorf("Render with install.go %q = %v; want an error naming README.md.tmpl and containing %q", tc.install, err, tc.want)
		}
	}
}
