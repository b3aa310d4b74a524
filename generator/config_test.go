package generator

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // substring of the error; "" means valid
	}{
		{"simple", Config{Name: "mysvc"}, ""},
		{"dashes and digits", Config{Name: "my-svc2"}, ""},
		{"one letter", Config{Name: "a"}, ""},
		{"32 characters", Config{Name: "a" + strings.Repeat("b", 31)}, ""},
		{"reserved prefix", Config{Name: "go-svc"}, ""},
		{"module with dot", Config{Name: "mysvc", Module: "example.com/mysvc"}, ""},
		{"module github", Config{Name: "mysvc", Module: "github.com/you/mysvc"}, ""},
		{"module major version", Config{Name: "mysvc", Module: "example.com/mysvc/v2"}, ""},
		{"module local", Config{Name: "my-svc", Module: "my-svc"}, ""},
		{"module local nested", Config{Name: "mysvc", Module: "corp/tools/mysvc"}, ""},

		{"empty name", Config{}, "missing name: use lowercase letters"},
		{"upper case", Config{Name: "My_Svc"}, `invalid name "My_Svc": use lowercase letters, digits and '-', starting with a letter (e.g. my-svc)`},
		{"underscore", Config{Name: "my_svc"}, `invalid name "my_svc": use lowercase letters`},
		{"starts with digit", Config{Name: "1svc"}, `invalid name "1svc": use lowercase letters`},
		{"starts with dash", Config{Name: "-svc"}, `invalid name "-svc": use lowercase letters`},
		{"dot", Config{Name: "my.svc"}, `invalid name "my.svc": use lowercase letters`},
		{"slash", Config{Name: "my/svc"}, `invalid name "my/svc": use lowercase letters`},
		{"space", Config{Name: "my svc"}, `invalid name "my svc": use lowercase letters`},
		{"non-ASCII", Config{Name: "svcé"}, `invalid name "svcé": use lowercase letters`},
		{"trailing dash", Config{Name: "mysvc-"}, `invalid name "mysvc-": put each '-' between letters or digits`},
		{"double dash", Config{Name: "my--svc"}, `invalid name "my--svc": put each '-' between letters or digits`},
		{"too long", Config{Name: "a" + strings.Repeat("b", 32)}, "33 characters long; use at most 32"},
		{"reserved go", Config{Name: "go"}, `invalid name "go": reserved`},
		{"reserved std", Config{Name: "std"}, `invalid name "std": reserved`},
		{"reserved cmd", Config{Name: "cmd"}, `invalid name "cmd": reserved`},
		{"test", Config{Name: "test"}, ""},
		{"reserved main", Config{Name: "main"}, `invalid name "main": reserved (go, all, std, cmd, tool, vendor and main mean something to Go; con, prn, aux, nul, com0-9 and lpt0-9 are Windows device names); choose another (e.g. main-svc)`},
		{"toolchain", Config{Name: "toolchain"}, `invalid module "toolchain": the go command reserves "toolchain"`},
		{"toolchain with a module", Config{Name: "toolchain", Module: "example.com/toolchain"}, ""},
		{"builtin", Config{Name: "builtin"}, `invalid module "builtin": the standard library has packages under "builtin"`},
		{"arena", Config{Name: "arena"}, `invalid module "arena": the standard library has packages under "arena"`},
		{"reserved tool", Config{Name: "tool"}, `invalid name "tool": reserved`},
		{"reserved all", Config{Name: "all"}, `invalid name "all": reserved`},
		{"reserved vendor", Config{Name: "vendor"}, `invalid name "vendor": reserved`},
		{"windows con", Config{Name: "con"}, `invalid name "con": reserved`},
		{"windows lpt1", Config{Name: "lpt1"}, `invalid name "lpt1": reserved`},
		{"std name as module", Config{Name: "log"}, `invalid module "log": the standard library has packages under "log"`},
		{"std name with a module", Config{Name: "log", Module: "example.com/log"}, ""},
		{"std first element", Config{Name: "x", Module: "net/x"}, `invalid module "net/x"`},
		{"daemon only without name", Config{Module: "example.com/main", DaemonOnly: true}, ""},
		{"daemon only without module", Config{DaemonOnly: true}, "missing module"},
		{"daemon only bad dir", Config{Module: "m.com/x", DaemonOnly: true, DaemonDir: "../x"}, `invalid directory "../x"`},

		{"module upper case host", Config{Name: "mysvc", Module: "Example.com/mysvc"}, `invalid module "Example.com/mysvc": use a module path such as example.com/mysvc or mysvc: `},
		{"module space", Config{Name: "mysvc", Module: "example.com/my svc"}, `invalid module "example.com/my svc"`},
		{"module leading slash", Config{Name: "mysvc", Module: "/mysvc"}, `invalid module "/mysvc"`},
		{"module trailing slash", Config{Name: "mysvc", Module: "example.com/mysvc/"}, `invalid module "example.com/mysvc/"`},
		{"module dot element", Config{Name: "mysvc", Module: "example.com/../mysvc"}, `invalid module "example.com/../mysvc"`},
		{"module bad major version", Config{Name: "mysvc", Module: "example.com/mysvc/v1"}, `invalid module "example.com/mysvc/v1"`},
		{"module local bad char", Config{Name: "mysvc", Module: "my:svc"}, `invalid module "my:svc"`},
		{"module backslash", Config{Name: "mysvc", Module: `corp\mysvc`}, `invalid module "corp\\mysvc"`},

		{"package", Config{Name: "mysvc", Package: "svcd"}, ""},
		{"package main", Config{Name: "mysvc", Package: "main"}, `invalid package name "main": the daemon package is imported by package main`},
		{"package keyword", Config{Name: "mysvc", Package: "func"}, `invalid package name "func": use a Go identifier`},
		{"package blank", Config{Name: "mysvc", Package: "_"}, `invalid package name "_"`},
		{"package init", Config{Name: "mysvc", Package: "init"}, `invalid package name "init": a package named init cannot be imported`},
		{"package dash", Config{Name: "mysvc", Package: "my-svc"}, `invalid package name "my-svc"`},
		{"socket", Config{Name: "mysvc", Socket: "127.0.0.1:8080"}, ""},
		{"socket ipv6", Config{Name: "mysvc", Socket: "[::]:80"}, ""},
		{"socket every address", Config{Name: "mysvc", Socket: ":8080"}, ""},
		{"socket localhost", Config{Name: "mysvc", Socket: "localhost:8080"}, `invalid socket address "localhost:8080": "localhost" is not an IP address, and systemd's ListenStream= resolves no host names; use 127.0.0.1:8080 for localhost, or :8080 for every address`},
		{"socket host name", Config{Name: "mysvc", Socket: "example.com:80"}, `invalid socket address "example.com:80": "example.com" is not an IP address`},
		{"socket short IPv4", Config{Name: "mysvc", Socket: "127.1:80"}, `invalid socket address "127.1:80": "127.1" is not an IP address`},
		{"socket zone", Config{Name: "mysvc", Socket: "[fe80::1%lo]:80"}, `invalid socket address "[fe80::1%lo]:80": systemd's ListenStream= takes no IPv6 zone; use [fe80::1]:80`},
		{"socket bracketed IPv4", Config{Name: "mysvc", Socket: "[127.0.0.1]:80"}, `invalid socket address "[127.0.0.1]:80": use HOST:PORT`},
		{"socket signed port", Config{Name: "mysvc", Socket: ":+80"}, `invalid socket address ":+80": use HOST:PORT`},
		{"socket no port", Config{Name: "mysvc", Socket: "127.0.0.1"}, `invalid socket address "127.0.0.1": use HOST:PORT`},
		{"socket port name", Config{Name: "mysvc", Socket: "localhost:http"}, `invalid socket address "localhost:http"`},
		{"socket port 0", Config{Name: "mysvc", Socket: ":0"}, `invalid socket address ":0"`},
		{"socket quote", Config{Name: "mysvc", Socket: "a\"b:80"}, `invalid socket address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("%+v.Validate() = %v; want nil", tt.cfg, err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("%+v.Validate() = nil; want error containing %q", tt.cfg, tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("%+v.Validate() = %q; want error containing %q", tt.cfg, err, tt.wantErr)
			}
		})
	}
}

func TestData(t *testing.T) {
	tests := []struct {
		cfg  Config
		want Data
	}{
		{Config{Name: "my-svc"}, Data{
			name: "my-svc", Module: "my-svc",
			DaemonImport: "my-svc/internal/daemon", GoVersion: "1.23", Package: "daemon",
		}},
		{Config{Name: "mysvc", Module: "example.com/mysvc"}, Data{
			name: "mysvc", Module: "example.com/mysvc",
			DaemonImport: "example.com/mysvc/internal/daemon", GoVersion: "1.23", Package: "daemon",
		}},
		{Config{Name: "mysvc", Docker: true}, Data{
			name: "mysvc", Module: "mysvc",
			DaemonImport: "mysvc/internal/daemon", GoVersion: "1.23", Package: "daemon", Docker: true,
		}},
		{Config{Module: "example.com/mysvc", DaemonDir: ".", DaemonOnly: true, Pin: "v1.2.3"}, Data{
			Module:       "example.com/mysvc",
			DaemonImport: "example.com/mysvc", GoVersion: "1.23", Package: "daemon", DaemonOnly: true, Pin: "v1.2.3",
		}},
	}
	for _, tt := range tests {
		if got := tt.cfg.data(); got != tt.want {
			t.Errorf("%+v.data() = %+v; want %+v", tt.cfg, got, tt.want)
		}
	}
}

// TestStdFirstElems wants stdFirstElems to hold every directory of
// $GOROOT/src that has Go files in it or below it (outside the testdata, _
// and . directories the go command ignores), for
// the Go running the tests: the go command finds a standard package in any of
// them, whether or not "go list std" prints it (builtin, arena).
func TestStdFirstElems(t *testing.T) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Skipf("go env GOROOT: %v", err)
	}
	src := filepath.Join(strings.TrimSpace(string(out)), "src")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "testdata" || slices.Contains(stdFirstElems, e.Name()) {
			continue
		}
		err := filepath.WalkDir(filepath.Join(src, e.Name()), func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), "_") || strings.HasPrefix(d.Name(), ".")):
				return filepath.SkipDir
			case strings.HasSuffix(p, ".go"):
				return fmt.Errorf("stdFirstElems lacks %q, and the standard library has %s; add it", e.Name(), p)
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	}
}

// TestModuleRuleAgreesWithGo proves the rule for a module path whose first
// element has no dot with the go command itself. For every name Validate
// refuses because the go command does (goReserved, and each standard library
// directory that is a package itself, such as log or builtin), compiling a
// module of that name, a main package and its test importing
// NAME/internal/daemon, as go test does ("go list -test -export") fails; for
// a few neighbours Validate accepts, it succeeds. A standard
// library directory that is not a package itself (archive, text) builds
// today and is refused ahead of the go command, for the packages a later Go
// may add there, as simd's is.
func TestModuleRuleAgreesWithGo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command once per name; skipped with -short")
	}
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Skipf("go env GOROOT: %v", err)
	}
	src := filepath.Join(strings.TrimSpace(string(out)), "src")
	refused := slices.Clone(goReserved)
	for _, name := range stdFirstElems {
		if files, _ := filepath.Glob(filepath.Join(src, name, "*.go")); len(files) > 0 {
			refused = append(refused, name)
		}
	}
	refused = append(refused, "example.com/-x", "x/~y", "example.com/x/+y")
	accepted := []string{"mysvc", "test", "toolchain-x", "builtins", "example.com/_x", "example.com/x~", "x/y-", "example.com/é"}
	goTest := func(name string) error {
		dir := t.TempDir()
		for file, data := range map[string]string{
			"go.mod":               "module " + name + "\n\ngo " + GoVersion + "\n",
			"main.go":              "package main\n\nimport \"" + name + "/internal/daemon\"\n\nfunc main() { daemon.Run() }\n",
			"main_test.go":         "package main\n\nimport \"testing\"\n\nfunc TestMain(m *testing.M) {}\n",
			"internal/daemon/d.go": "package daemon\n\nfunc Run() {}\n",
		} {
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(file)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, file), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command("go", "list", "-test", "-export", "./...") // compiles as go test does, links nothing
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod -trimpath", "GOWORK=off", "GOTOOLCHAIN=local")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%v: %s", err, bytes.TrimSpace(out))
		}
		return nil
	}
	for _, name := range slices.Concat(refused, accepted) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			verdict := Config{Name: "mysvc", Module: name}.Validate()
			goErr := goTest(name)
			switch {
			case verdict == nil && goErr != nil:
				t.Errorf("Validate accepts module %s; the go command refuses it: %v", name, goErr)
			case verdict != nil && goErr == nil:
				t.Errorf("Validate refuses module %s (%v); the go command builds and tests it", name, verdict)
			}
		})
	}
}
