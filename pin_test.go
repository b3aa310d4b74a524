package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPin wants the go:generate line daemongen writes (main.go's for new,
// the daemon package's generate.go for generate) to name the released
// version that wrote it, and a newer one's update or generate to move it,
// the owner's edits kept; a development build writes no line, and says so
// when it takes out one a release wrote.
func TestPin(t *testing.T) {
	at := func(v string) []string { return []string{"DAEMONGEN_TEST_VERSION=" + v} }
	line := func(v, cmd string) string {
		return "//go:generate go run github.com/daemongen/daemongen@" + v + " " + cmd + "\n"
	}

	work := t.TempDir()
	if _, stderr, code := daemongenEnv(t, work, at("v1.2.3"), "new", "mysvc"); code != 0 {
		t.Fatalf("new as v1.2.3 = exit %d, %q", code, stderr)
	}
	dir := filepath.Join(work, "mysvc")
	main := readProject(t, dir)["main.go"]
	if !strings.Contains(main, line("v1.2.3", "update")) {
		t.Fatalf("main.go of new as v1.2.3 has no line pinned to it:\n%s", main)
	}
	writeFile(t, filepath.Join(dir, "main.go"), main+"\n// mine\n")
	if stdout, stderr, code := daemongenEnv(t, dir, at("v1.3.0"), "update"); code != 0 || !strings.Contains(stdout, "merge main.go") {
		t.Errorf("update as v1.3.0 = exit %d, %q %q; want main.go merged", code, stdout, stderr)
	}
	main = readProject(t, dir)["main.go"]
	if !strings.Contains(main, line("v1.3.0", "update")) || strings.Contains(main, "v1.2.3") || !strings.HasSuffix(main, "\n// mine\n") {
		t.Errorf("main.go after update as v1.3.0 = %q; want the pin moved to v1.3.0 and the owner's line kept", main)
	}
	if v := readStamp(t, dir).Version; v != "v1.3.0" {
		t.Errorf("stamp version after update as v1.3.0 = %q", v)
	}
	if _, stderr, code := daemongen(t, dir, "update"); code != 0 || !strings.Contains(stderr, "development build") || strings.Contains(readProject(t, dir)["main.go"], "go:generate") {
		t.Errorf("update by a development build = exit %d, %q; want the line taken out, and a note", code, stderr)
	}

	mod := t.TempDir()
	writeFile(t, filepath.Join(mod, "go.mod"), "module example.com/app\n\ngo 1.23\n")
	gen := filepath.Join(mod, "internal", "daemon", "generate.go")
	for _, v := range []string{"v1.2.3", "v1.3.0"} {
		if _, stderr, code := daemongenEnv(t, mod, at(v), "generate", "--name", "app"); code != 0 {
			t.Fatalf("generate as %s = exit %d, %q", v, code, stderr)
		}
		if data, _ := os.ReadFile(gen); !strings.Contains(string(data), line(v, "generate")) {
			t.Errorf("generate.go after generate as %s = %q; want the line pinned to %s", v, data, v)
		}
	}
	// go generate runs the line in the package's directory, as generate
	// expects; -n prints the command and runs nothing.
	cmd := exec.Command("go", "generate", "-n", "./...")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "go run github.com/daemongen/daemongen@v1.3.0 generate") {
		t.Errorf("go generate -n = %v, %s; want the pinned command", err, out)
	}
	if _, stderr, code := daemongenEnv(t, mod, at("v1.3.0"), "generate", "--check"); code != 0 {
		t.Errorf("generate --check as the version that wrote it = exit %d, %q; want 0", code, stderr)
	}
	if _, stderr, code := daemongen(t, mod, "generate"); code != 0 || !strings.Contains(stderr, "development build") {
		t.Errorf("generate by a development build = exit %d, %q; want 0 and a note", code, stderr)
	}
	if _, err := os.Stat(gen); err == nil {
		t.Error("a development build left a go:generate line pinned to another version")
	}
}
