package generator_test

import (
	"context"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/templates"
)

// fuzzSeeds are the seed corpus of FuzzRender: valid inputs at the edges of
// what Validate accepts, and hostile ones it must reject.
var fuzzSeeds = []generator.Config{
	{Name: "mysvc", Module: "example.com/mysvc"},
	{Name: "a", Module: ""},
	{Name: "x9-y8-z7", Module: "corp/tools/x9-y8-z7", Docker: true},
	{Name: "a" + strings.Repeat("b", 31), Module: "example.com/v2/a~b_c.d-e/v3"},
	{Name: "my-svc", Module: "my-svc", Docker: true},
	{Name: "My_Svc"},
	{Name: "main"},
	{Name: "svc\n", Module: "example.com/svc"},
	{Name: "svc", Module: "example.com/\"svc\""},
	{Name: "svc", Module: "example.com/svc\n// x"},
	{Name: "svc", Module: "example.com/svc`"},
	{Name: "svc", Module: "../svc"},
	{Name: "svc", Module: "example.com/svc/v1"},
	{Name: "svc;rm", Module: "svc"},
	{Name: "svc", Module: "{{.Name}}"},
	{Name: "svc", Module: "example.com/ümlaut"},
}

// FuzzRender wants every input either rejected by Validate with a clear
// message, or rendered into a project whose every Go file parses and whose
// go.mod declares the module.
func FuzzRender(f *testing.F) {
	for _, c := range fuzzSeeds {
		f.Add(c.Name, c.Module, c.Docker)
	}
	f.Fuzz(func(t *testing.T, name, module string, docker bool) {
		cfg := generator.Config{Name: name, Module: module, Docker: docker}
		files, err := generator.Render(cfg, templates.FS)
		if verr := cfg.Validate(); verr != nil {
			checkRejected(t, cfg, err, verr)
			return
		}
		if err != nil {
			t.Fatalf("Render(%+v) = %v; Validate accepted it", cfg, err)
		}
		checkProject(t, cfg, files)
	})
}

// checkRejected checks that Render refused an input Validate rejects, with
// Validate's error, and that the error names the field and says what to use.
func checkRejected(t *testing.T, cfg generator.Config, err, verr error) {
	t.Helper()
	if err == nil || err.Error() != verr.Error() {
		t.Fatalf("Render(%+v) = %v; want Validate's error %v", cfg, err, verr)
	}
	msg := verr.Error()
	if !strings.HasPrefix(msg, "invalid name ") && !strings.HasPrefix(msg, "missing name") && !strings.HasPrefix(msg, "invalid module ") {
		t.Errorf("Validate(%+v) = %q; want it to start with invalid name, missing name or invalid module", cfg, msg)
	}
	if !strings.Contains(msg, "use ") && !strings.Contains(msg, "choose ") && !strings.Contains(msg, "put ") {
		t.Errorf("Validate(%+v) = %q; want it to say what to use instead", cfg, msg)
	}
}

// checkProject checks a rendered project: every .go file parses, go.mod
// names the module, and the Dockerfile is there exactly with Docker.
func checkProject(t *testing.T, cfg generator.Config, files []generator.File) {
	t.Helper()
	module := cfg.Module
	if module == "" {
		module = cfg.Name
	}
	var docker bool
	for _, f := range files {
		switch {
		case strings.HasSuffix(f.Path, ".go"):
			if _, err := parser.ParseFile(token.NewFileSet(), f.Path, f.Data, parser.ParseComments); err != nil {
				t.Errorf("Render(%+v): %s does not parse: %v", cfg, f.Path, err)
			}
		case f.Path == "go.mod":
			mf, err := modfile.Parse(f.Path, f.Data, nil)
			if err != nil || mf.Module == nil || mf.Module.Mod.Path != module {
				t.Errorf("Render(%+v): go.mod = %q (%v); want module %s", cfg, f.Data, err, module)
			}
		case f.Path == "Dockerfile":
			docker = true
		}
	}
	if docker != cfg.Docker {
		t.Errorf("Render(%+v) wrote a Dockerfile: %v; want %v", cfg, docker, cfg.Docker)
	}
}

// TestFuzzSeedsVet takes the valid seeds of FuzzRender end to end: render,
// write, go vet, offline.
func TestFuzzSeedsVet(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet on generated projects; skipped with -short")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go command: %v", err)
	}
	for _, cfg := range fuzzSeeds {
		if cfg.Validate() != nil {
			continue
		}
		t.Run(cfg.Name, func(t *testing.T) {
			t.Parallel()
			files, err := generator.Render(cfg, templates.FS)
			if err != nil {
				t.Fatalf("Render(%+v) = %v", cfg, err)
			}
			checkProject(t, cfg, files)
			dir := filepath.Join(t.TempDir(), "p")
			if _, err := generator.Write(context.Background(), dir, files, generator.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(gobin, "vet", "./...")
			cmd.Dir = dir
			// -trimpath: a package already vetted with the same import
			// path and sources comes from the build cache, wherever
			// the temporary directory is.
			cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod -trimpath", "GOWORK=off", "GOTOOLCHAIN=local")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("go vet ./... for %+v: %v\n%s", cfg, err, out)
			}
		})
	}
}
