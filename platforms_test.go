package main

import (
	"cmp"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/packages"
)

// TestGoldenPlatforms type-checks golden/mysvc, tests included, for every
// GOOS/GOARCH pair "go tool dist list" reports, without cgo, as go vet would
// see it: go/packages loads the project and the standard library from
// source for each pair, which costs a few seconds a pair instead of the
// minute go vet needs to compile the standard library for a new one. Pairs
// that the go command itself cannot build without cgo (ios, most of
// android) are reported and skipped. Without DAEMONGEN_ALL_PLATFORMS=1,
// which .ci/run sets, only a few pairs are checked. Integration tier: it
// loads the standard library from source for each pair.
func TestGoldenPlatforms(t *testing.T) {
	integration(t)
	if testing.Short() {
		t.Skip("type-checks the golden project for other platforms; skipped with -short")
	}
	t.Parallel()
	out, err := exec.Command("go", "tool", "dist", "list").Output()
	if err != nil {
		t.Fatalf("go tool dist list: %v", err)
	}
	pairs := strings.Fields(string(out))
	if os.Getenv("DAEMONGEN_ALL_PLATFORMS") != "1" {
		pairs = []string{"darwin/arm64", "freebsd/amd64", "windows/amd64"}
	}
	dir, err := filepath.Abs(mainTree)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for _, pair := range pairs {
		goos, goarch, _ := strings.Cut(pair, "/")
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cfg := &packages.Config{
				Mode:  packages.NeedName | packages.NeedImports | packages.NeedDeps | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo,
				Dir:   dir,
				Tests: true,
				Env:   append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local"),
			}
			pkgs, err := packages.Load(cfg, "./...")
			if err != nil {
				t.Errorf("%s: load golden/mysvc: %v", pair, err)
				return
			}
			var errs []string
			packages.Visit(pkgs, nil, func(p *packages.Package) {
				for _, e := range p.Errors {
					errs = append(errs, e.Error())
				}
			})
			switch {
			case len(errs) > 0 && strings.Contains(errs[0], "requires external (cgo) linking"):
				t.Logf("%s: skipped: %s", pair, errs[0])
			case len(errs) > 0:
				t.Errorf("%s: golden/mysvc does not type-check:\n\t%s", pair, strings.Join(errs, "\n\t"))
			}
		}()
	}
	wg.Wait()
}

// TestGoldenOldestGo builds, vets and tests a copy of golden/mysvc with
// the Go release its go.mod names (GOTOOLCHAIN=go1.23.0), which the module
// proxy serves: a feature of a newer Go in the generated files fails here,
// not in a user's CI. The first run downloads that toolchain. Integration
// tier: another toolchain, from the network.
func TestGoldenOldestGo(t *testing.T) {
	integration(t)
	if testing.Short() {
		t.Skip("downloads and runs an older Go toolchain; skipped with -short")
	}
	t.Parallel()
	goVersion := "go" + goLine(t, filepath.Join(mainTree, "go.mod")) + ".0"
	dir := filepath.Join(t.TempDir(), "mysvc")
	if err := os.CopyFS(dir, os.DirFS(mainTree)); err != nil {
		t.Fatal(err)
	}
	env := []string{"GOTOOLCHAIN=" + goVersion, "GOPROXY=" + cmp.Or(os.Getenv("GOPROXY"), "https://proxy.golang.org,direct")}
	cmd := exec.Command("go", "version")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		if requireTools() {
			t.Fatalf("GOTOOLCHAIN=%s go version: %v\n%s", goVersion, err, out)
		}
		t.Skipf("GOTOOLCHAIN=%s go version: %v (the module proxy serves toolchains; set DAEMONGEN_REQUIRE_TOOLS=1 to fail here)\n%s", goVersion, err, out)
	} else if !strings.Contains(string(out), goVersion+" ") {
		t.Fatalf("GOTOOLCHAIN=%s go version = %s", goVersion, out)
	}
	for _, args := range [][]string{{"build", "-o", os.DevNull, "."}, {"vet", "./..."}, {"test", "-count=1", "./..."}} {
		goCommandEnv(t, dir, env, args...)
	}
}

// goLine returns the version of the go line of the go.mod file name.
func goLine(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "go "); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("%s has no go line", name)
	return ""
}
