package main

import (
	goversion "go/version"
	"os"
	"testing"

	"golang.org/x/mod/modfile"

	"github.com/daemongen/daemongen/generator"
)

// TestBuildsWithProjectGo wants daemongen's own go.mod to ask for no newer
// Go than the projects it writes (generator.GoVersion) and no toolchain,
// so that the go:generate line it writes, "go run
// github.com/daemongen/daemongen@VERSION", runs with a project's own Go.
// go vet (stdversion, in .ci/run) holds the code to that go line.
func TestBuildsWithProjectGo(t *testing.T) {
	data, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Go == nil || goversion.Compare(goversion.Lang("go"+f.Go.Version), "go"+generator.GoVersion) > 0 {
		t.Errorf("go.mod says go %v; want at most %s, the go line of the projects daemongen writes", f.Go, generator.GoVersion)
	}
	if f.Toolchain != nil {
		t.Errorf("go.mod has a toolchain line (%s): a project's Go would switch to it to run daemongen", f.Toolchain.Name)
	}
}
