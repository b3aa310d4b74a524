package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/templates"
)

// reserved are names the go command or Windows gives a meaning to, as
// "go help packages", go.mod's module path rules and Windows' file naming
// rules list them; "test" is not (go builds, vets and tests a module test).
var reserved = []string{
	"all", "std", "cmd", "tool", "vendor", "main", "go", "toolchain",
	"con", "prn", "aux", "nul",
	"com0", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
	"lpt0", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
}

// stdPackages returns the import paths of the standard library of the Go
// toolchain the tests run with.
func stdPackages(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "std").Output()
	if err != nil {
		t.Fatalf("go list std: %v", err)
	}
	return strings.Fields(string(out))
}

// TestNamesFromStd holds new to the rule that every NAME it accepts yields
// a project that builds, for every name the standard library and the go
// command could collide with: each element of each package path of "go
// list std", and the reserved names. A first element of a standard library
// path, and a reserved name, must be refused with exit 2 and the reason;
// every name accepted is rendered, and, unless -short, the go command loads
// all of those projects, tests included, without an error, and builds and
// vets one in full. Integration tier: it writes a project for each of
// some 280 names and loads them all; TestValidate (package generator)
// holds the rule to a sample of them in the default tier.
func TestNamesFromStd(t *testing.T) {
	integration(t)
	t.Parallel()
	std := stdPackages(t)
	refuse := slices.Clone(reserved)
	var names []string
	for _, p := range std {
		elems := strings.Split(p, "/")
		refuse = append(refuse, elems[0])
		names = append(names, elems...)
	}
	slices.Sort(refuse)
	refuse = slices.Compact(refuse)
	outside := t.TempDir() // in no module
	for _, name := range refuse {
		// In process: a run of the binary per name would cost seconds.
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"daemongen", "new", name, "--dry-run", "--dir", filepath.Join(outside, name)}, &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), fmt.Sprintf("%q", name)) || !strings.Contains(stderr.String(), "reserve") && !strings.Contains(stderr.String(), "standard library") {
			t.Errorf("daemongen new %s --dry-run = exit %d, stderr %q; want 2 and why %s is refused", name, code, stderr.String(), name)
		}
	}
	if _, stderr, code := daemongen(t, t.TempDir(), "new", "log"); code != 2 || !strings.Contains(stderr, "standard library") {
		t.Errorf("daemongen new log = exit %d, stderr %q; want 2 and the reason", code, stderr)
	}

	slices.Sort(names)
	names = slices.Compact(names)
	ws := t.TempDir()
	work := "go " + generator.GoVersion + "\n\nuse (\n"
	var accepted []string
	for _, name := range names {
		cfg := generator.Config{Name: name}
		if cfg.Validate() != nil {
			continue
		}
		if slices.Contains(refuse, name) {
			t.Errorf("Config{Name: %q}.Validate() = nil; want it refused", name)
		}
		files, err := generator.Render(cfg, templates.FS)
		if err != nil {
			t.Fatalf("Render(%+v) = %v", cfg, err)
		}
		if _, err := generator.Write(context.Background(), filepath.Join(ws, name), files, generator.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		accepted = append(accepted, name)
		work += "\t./" + name + "\n"
	}
	t.Logf("%d names from go list std and %d reserved: %d refused as first elements or reserved, %d accepted", len(names), len(reserved), len(refuse), len(accepted))
	if len(accepted) < 100 {
		t.Fatalf("only %d names accepted; the walk is broken", len(accepted))
	}
	if testing.Short() {
		return
	}
	writeFile(t, filepath.Join(ws, "go.work"), work+")\n")
	var patterns []string
	for _, name := range accepted {
		patterns = append(patterns, name+"/...")
	}
	out := goCommandEnv(t, ws, []string{"GOFLAGS=-trimpath", "GOWORK=" + filepath.Join(ws, "go.work")}, append([]string{"list", "-e", "-deps", "-test", "-f", listErrors}, patterns...)...)
	if s := strings.TrimSpace(string(out)); s != "" {
		t.Errorf("go list of the %d accepted projects:\n%s", len(accepted), s)
	}
	// Names reach no Go identifier, only strings and file names, so a
	// project that loads builds as golden/mysvc does; build one to be sure.
	if slices.Contains(accepted, "http") {
		for _, args := range [][]string{{"build", "-o", os.DevNull, "."}, {"vet", "./..."}} {
			goCommandEnv(t, filepath.Join(ws, "http"), []string{"GOWORK=off"}, args...)
		}
	}
}

// listErrors is a "go list -e -f" format that prints only the errors of
// loading packages, the errors that a module path colliding with another
// package's makes.
const listErrors = "{{with .Error}}{{$.ImportPath}}: {{.}}\n{{end}}{{range .DepsErrors}}{{$.ImportPath}}: {{.}}\n{{end}}"

// TestDirsInModule walks the kinds of --dir a user gives inside a module:
// each is refused with exit 2 and the reason, or yields a project that the
// go command loads, tests included, without an error; one builds and vets
// in full.
func TestDirsInModule(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	writeFile(t, filepath.Join(repo, "go.mod"), "module example.com/repo\n\ngo "+generator.GoVersion+"\n")
	for _, tt := range []struct {
		dir    string
		refuse string // "" if accepted
	}{
		{"services/foo", ""},
		{"internal/x", ""},
		{"testdata/x", ""},
		{"_x/y", ""},
		{"x.y/z", ""},
		{"cmd/x", ""},
		{"svc/v2", ""},
		{"vendor/x", "vendor element"},
		{"lib/vendor", "vendor element"},
		{".x/y", "leading dot"},
		{"my dir/x", "invalid char ' '"},
		{"x@y/z", "invalid char '@'"},
		{"con/x", "disallowed as path element component on Windows"},
	} {
		_, stderr, code := daemongen(t, repo, "new", "foo", "--dir", tt.dir)
		switch {
		case tt.refuse != "":
			if code != 2 || !strings.Contains(stderr, tt.refuse) {
				t.Errorf("daemongen new foo --dir %q = exit %d, stderr %q; want 2 and %q", tt.dir, code, stderr, tt.refuse)
			}
		case code != 0:
			t.Errorf("daemongen new foo --dir %q = exit %d, stderr %q; want 0", tt.dir, code, stderr)
		case !testing.Short():
			dir := filepath.Join(repo, filepath.FromSlash(tt.dir))
			if out := goCommand(t, dir, "list", "-e", "-deps", "-test", "-f", listErrors, "./..."); len(out) > 0 {
				t.Errorf("go list in %s:\n%s", tt.dir, out)
			}
			if tt.dir == "svc/v2" {
				goCommand(t, dir, "build", "-o", "foo", ".")
				goCommand(t, dir, "vet", "./...")
			}
		}
	}
}
