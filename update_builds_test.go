package main

// Issue 19 across two real builds of daemongen: this tree (old) and a copy
// of it whose templates changed (new), both built here. Integration tier.

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// buildDaemongen builds daemongen from the tree src into dir and returns
// the binary's path.
func buildDaemongen(t *testing.T, src, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "daemongen")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir, cmd.Env = src, append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build daemongen from %s: %v\n%s", src, err, out)
	}
	return bin
}

// copySource copies daemongen's tracked files into a new directory.
func copySource(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	out, err := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("no git checkout to copy: %v", err)
	}
	for _, p := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		if strings.HasPrefix(p, "golden/") {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			continue // deleted in the work tree
		}
		writeFile(t, filepath.Join(dst, p), string(data))
	}
	return dst
}

// run runs bin with args in dir and returns its output and exit status.
func runIn(t *testing.T, dir, bin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "GOFLAGS=", "GOPROXY=off", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil && cmd.ProcessState == nil {
		t.Fatal(err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

func TestUpdateAcrossBuilds(t *testing.T) {
	integration(t)
	bins := t.TempDir()
	old := buildDaemongen(t, ".", filepath.Join(bins, "old"))
	src := copySource(t)
	edit := func(p, from, to string) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(src, p))
		if err != nil || !strings.Contains(string(data), from) {
			t.Fatalf("%s has no %q to change (%v)", p, from, err)
		}
		writeFile(t, filepath.Join(src, p), strings.Replace(string(data), from, to, 1))
	}
	// The newer daemongen changes the Makefile's top and the README's
	// title, and writes a new file.
	edit("templates/project/Makefile.tmpl", "GO ?= go\n", "GO ?= go\nGOFLAGS ?= -trimpath\n")
	edit("templates/project/README.md.tmpl", "# {{.Name}}\n", "# {{.Name}}, a daemon\n")
	writeFile(t, filepath.Join(src, "templates/project/SECURITY.md.tmpl"), "Report problems with {{.Name}} privately.\n")
	// And it moves root's default pidfile, as round 2 did.
	edit("templates/daemon/command.go", `run := filepath.Join("/run", name)`, `run := filepath.Join("/run", name, "v2")`)
	edit("generator/stamp.go", `return "/run/" + name + "/" + name + ".pid`, `return "/run/" + name + "/v2/" + name + ".pid`)
	newer := buildDaemongen(t, src, filepath.Join(bins, "new"))

	work := t.TempDir()
	for _, args := range [][]string{{"new", "edited"}, {"new", "plain"}, {"new", "web", "--socket", "127.0.0.1:8080"}} {
		if out, code := runIn(t, work, old, args...); code != 0 {
			t.Fatalf("old daemongen %v = exit %d\n%s", args, code, out)
		}
	}
	// The owner's edits: a target at the Makefile's end, the README's
	// title, a deleted init file and the service.
	p := filepath.Join(work, "edited")
	mk, _ := os.ReadFile(filepath.Join(p, "Makefile"))
	writeFile(t, filepath.Join(p, "Makefile"), string(mk)+"\nmine:\n\techo mine\n")
	readme, _ := os.ReadFile(filepath.Join(p, "README.md"))
	writeFile(t, filepath.Join(p, "README.md"), strings.Replace(string(readme), "# edited\n", "# Edited, ours\n", 1))
	os.Remove(filepath.Join(p, "init/sysv/edited"))
	service, _ := os.ReadFile(filepath.Join(p, "service.go"))
	writeFile(t, filepath.Join(p, "service.go"), string(service)+"\n// Ours.\n")
	before := dirSnapshot(t, p)
	if out, code := runIn(t, p, newer, "update", "--dry-run"); code != exitConflict || !maps.Equal(before, dirSnapshot(t, p)) {
		t.Errorf("update --dry-run = exit %d, changed files %v\n%s; want 3 and nothing written", code, !maps.Equal(before, dirSnapshot(t, p)), out)
	}
	out, code := runIn(t, p, newer, "update")
	if code != exitConflict || !strings.Contains(out, "merge Makefile\n") || !strings.Contains(out, "README.md with 1 conflict") || !strings.Contains(out, "add SECURITY.md\n") || !strings.Contains(out, "deleted init/sysv/edited") {
		t.Errorf("newer update of an edited project = exit %d\n%s\nwant 3, Makefile merged, README.md in conflict, SECURITY.md added, init/sysv/edited still deleted", code, out)
	}
	got := readProject(t, p)
	if !strings.Contains(got["Makefile"], "GOFLAGS ?= -trimpath\n") || !strings.HasSuffix(got["Makefile"], "mine:\n\techo mine\n") {
		t.Errorf("merged Makefile lacks the new line or the owner's target:\n%s", got["Makefile"])
	}
	if !strings.Contains(got["README.md"], "<<<<<<< yours\n# Edited, ours\n||||||| daemongen ") {
		t.Errorf("README.md has no diff3 conflict:\n%.400s", got["README.md"])
	}
	if got["service.go"] != string(service)+"\n// Ours.\n" || got["init/sysv/edited"] != "" {
		t.Error("update touched the owner's service or brought back a deleted file")
	}
	for f := range got {
		if strings.HasSuffix(f, ".rej") || strings.HasSuffix(f, ".orig") {
			t.Errorf("update wrote %s", f)
		}
	}
	if out, code := runIn(t, p, newer, "update", "--check"); code != exitConflict {
		t.Errorf("update --check with the conflict marked = exit %d\n%s; want 3", code, out)
	}
	resolved := strings.Replace(string(readme), "# edited\n", "# Edited, ours\n", 1)
	writeFile(t, filepath.Join(p, "README.md"), resolved)
	if out, code := runIn(t, p, newer, "update", "--check"); code != 0 {
		t.Errorf("update --check once resolved = exit %d\n%s; want 0", code, out)
	}
	if out, code := runIn(t, p, "go", "build", "./..."); code != 0 {
		t.Errorf("go build after update = exit %d\n%s", code, out)
	}

	// Unedited projects become exactly what the newer new writes.
	fresh := t.TempDir()
	for _, args := range [][]string{{"new", "plain"}, {"new", "web", "--socket", "127.0.0.1:8080"}} {
		if out, code := runIn(t, fresh, newer, args...); code != 0 {
			t.Fatalf("newer daemongen %v = exit %d\n%s", args, code, out)
		}
		dir := filepath.Join(work, args[1])
		if out, code := runIn(t, dir, newer, "update"); code != 0 {
			t.Errorf("newer update of unedited %s = exit %d\n%s", args[1], code, out)
		}
		got, want := readProject(t, dir), readProject(t, filepath.Join(fresh, args[1]))
		delete(got, args[1]) // the binary update's build left, if any
		for _, f := range slices.Sorted(maps.Keys(want)) {
			if got[f] != want[f] {
				t.Errorf("%s/%s after update differs from what the newer new writes", args[1], f)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s after update has %v; newer new writes %v", args[1], slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
		}
	}
	if fresh, updated := readStamp(t, filepath.Join(fresh, "plain")), readStamp(t, p); fresh.Version != updated.Version {
		t.Errorf("the updated project's stamp names %q; the newer daemongen is %q", updated.Version, fresh.Version)
	}

	// Never two daemons across an update that moves the default pidfile:
	// update says what to run, and doing it leaves one daemon, the new
	// binary's. Root's defaults are /run/NAME/...: a name of this test's own.
	if os.Geteuid() != 0 {
		return
	}
	name := fmt.Sprintf("dgmove%d", os.Getpid())
	t.Cleanup(func() { os.RemoveAll("/run/" + name) })
	if out, code := runIn(t, work, old, "new", name); code != 0 {
		t.Fatalf("old daemongen new %s = exit %d\n%s", name, code, out)
	}
	dir := filepath.Join(work, name)
	build := func(bin string) string {
		if out, code := runIn(t, dir, "go", "build", "-o", bin, "."); code != 0 {
			t.Fatalf("go build: %s", out)
		}
		return bin
	}
	oldBin := build(filepath.Join(bins, name+"-old"))
	daemon := func(bin string, args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		out, err := cmd.CombinedOutput()
		if err != nil && cmd.ProcessState == nil {
			t.Fatal(err)
		}
		return string(out), cmd.ProcessState.ExitCode()
	}
	if out, code := daemon(oldBin, "start", "--log", filepath.Join(dir, "log")); code != 0 {
		t.Fatalf("old binary start = exit %d: %s", code, out)
	}
	t.Cleanup(func() { daemon(oldBin, "stop") })
	out, code = runIn(t, dir, newer, "update")
	oldPidfile, newPidfile := "/run/"+name+"/"+name+".pid", "/run/"+name+"/v2/"+name+".pid"
	want := fmt.Sprintf("note: the new binary looks for its daemon at %s (root) and $XDG_RUNTIME_DIR/%s/%s.pid, where the old one used %s", newPidfile, name, name, oldPidfile)
	if code != 0 || !strings.Contains(out, want) || !strings.Contains(out, name+" stop") {
		t.Fatalf("update across the pidfile move = exit %d\n%s\nwant the note %q", code, out, want)
	}
	newBin := build(filepath.Join(bins, name+"-new"))
	if out, code := daemon(newBin, "status"); code != 3 {
		t.Errorf("the new binary's status, before the note is followed = exit %d (%s); want 3: it looks elsewhere, as the note warns", code, out)
	}
	// As the note says: stop the daemon with the binary the owner has,
	// then start the new one.
	if out, code := daemon(oldBin, "stop"); code != 0 {
		t.Fatalf("old binary stop = exit %d: %s", code, out)
	}
	if out, code := daemon(newBin, "start", "--log", filepath.Join(dir, "log")); code != 0 {
		t.Fatalf("new binary start = exit %d: %s", code, out)
	}
	t.Cleanup(func() { daemon(newBin, "stop") })
	if out, code := daemon(newBin, "status"); code != 0 || !strings.Contains(out, "running") {
		t.Errorf("new binary status = exit %d, %s; want running", code, out)
	}
	if data, err := os.ReadFile(newPidfile); err != nil || len(data) == 0 {
		t.Errorf("no pidfile at the new default %s: %v", newPidfile, err)
	}
	if out, _ := daemon(oldBin, "status"); !strings.Contains(out, "not running") {
		t.Errorf("old binary status after the move = %q; want not running (one daemon, the new one)", out)
	}
}

// TestPinAcrossReleases builds two releases of daemongen, as go run
// fetches them (a clean tree tagged v1.0.0, then v1.1.0: the go command
// stamps the tag as the version), and wants the go:generate line each
// writes pinned to itself, moved by the newer one's update and generate
// with the owner's edits kept.
func TestPinAcrossReleases(t *testing.T) {
	integration(t)
	src := copySource(t)
	bins := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = src
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	release := func(v string) string {
		git("add", "-A")
		git("commit", "-q", "--allow-empty", "-m", v)
		git("tag", v)
		return buildDaemongen(t, src, filepath.Join(bins, v))
	}
	git("init", "-q")
	v1 := release("v1.0.0")
	if out, _ := runIn(t, src, v1, "version"); !strings.Contains(out, "v1.0.0") {
		t.Skipf("the go command did not stamp the tag as the version (%q): it does from Go 1.24", out)
	}
	v2 := release("v1.1.0")

	work := t.TempDir()
	if out, code := runIn(t, work, v1, "new", "mysvc"); code != 0 {
		t.Fatalf("new by v1.0.0 = exit %d: %s", code, out)
	}
	dir := filepath.Join(work, "mysvc")
	main := readProject(t, dir)["main.go"]
	if !strings.Contains(main, "//go:generate go run github.com/daemongen/daemongen@v1.0.0 update\n") {
		t.Fatalf("main.go by v1.0.0 has no line pinned to it:\n%s", main)
	}
	writeFile(t, filepath.Join(dir, "main.go"), main+"\n// mine\n")
	if out, code := runIn(t, dir, v2, "update"); code != 0 || !strings.Contains(out, "merge main.go") {
		t.Errorf("update by v1.1.0 = exit %d: %s; want main.go merged", code, out)
	}
	main = readProject(t, dir)["main.go"]
	if !strings.Contains(main, "daemongen@v1.1.0 update\n") || strings.Contains(main, "v1.0.0") || !strings.HasSuffix(main, "// mine\n") {
		t.Errorf("main.go after update by v1.1.0:\n%s\nwant the pin at v1.1.0 and the owner's line", main)
	}

	mod := t.TempDir()
	writeFile(t, filepath.Join(mod, "go.mod"), "module example.com/app\n\ngo 1.23\n")
	for _, bin := range []string{v1, v2} {
		if out, code := runIn(t, mod, bin, "generate"); code != 0 {
			t.Fatalf("generate by %s = exit %d: %s", bin, code, out)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(mod, "internal/daemon/generate.go")); !strings.Contains(string(data), "//go:generate go run github.com/daemongen/daemongen@v1.1.0 generate\n") {
		t.Errorf("generate.go after generate by v1.0.0, then v1.1.0 = %q; want the pin at v1.1.0", data)
	}
	if out, code := runIn(t, mod, v2, "generate", "--check"); code != 0 {
		t.Errorf("generate --check by the release that wrote it = exit %d: %s", code, out)
	}
}
