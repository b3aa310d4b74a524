package main

// Tests of daemongen update (issue 19) against one build: an older
// daemongen is simulated by rewriting the stamp's record of what it wrote
// (age). integration_test.go runs update across two real builds.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/daemongen/daemongen/generator"
)

// newStamped writes "new mysvc" with args into a new directory and returns
// the project's directory.
func newStamped(t *testing.T, args ...string) string {
	t.Helper()
	work := t.TempDir()
	if _, stderr, code := daemongen(t, work, append([]string{"new", "mysvc"}, args...)...); code != 0 {
		t.Fatalf("daemongen new mysvc %v = exit %d, %q", args, code, stderr)
	}
	return filepath.Join(work, "mysvc")
}

// readStamp parses dir's stamp.
func readStamp(t *testing.T, dir string) *generator.Stamp {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, generator.StampFile))
	if err != nil {
		t.Fatal(err)
	}
	s, err := generator.ParseStamp(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// writeStamp writes s as dir's stamp.
func writeStamp(t *testing.T, dir string, s *generator.Stamp) {
	t.Helper()
	f, err := s.File()
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, generator.StampFile), string(f.Data))
}

// age makes dir look as if an older daemongen had written p as old: the
// stamp records old as written and, unless edited, the file holds it.
func age(t *testing.T, dir, p, old string, edited bool) {
	t.Helper()
	s := readStamp(t, dir)
	s.Version = "v0.0.1"
	s.Bases[p] = []byte(old)
	writeStamp(t, dir, s)
	if !edited {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(p)), old)
	}
}

// readProject returns every file below dir by slash-separated path.
func readProject(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestStampRecordsFiles wants new's stamp to record each file its owner may
// edit as written, the daemon package by sums, and neither go.mod nor the
// example service; and the options new was given.
func TestStampRecordsFiles(t *testing.T) {
	t.Parallel()
	dir := newStamped(t, "--module", "example.com/mysvc", "--socket", "127.0.0.1:8080", "--docker")
	s := readStamp(t, dir)
	if s.Config.Name != "mysvc" || s.Config.Module != "example.com/mysvc" || s.Config.Socket != "127.0.0.1:8080" || !s.Config.Docker || !strings.HasPrefix(s.Version, "(devel) ") {
		t.Errorf("stamp records %+v, version %q; want the options new was given and a development build's identity", s.Config, s.Version)
	}
	files := readProject(t, dir)
	for p, data := range files {
		base, hasBase := s.Bases[p]
		sum, hasSum := s.Sums[p]
		h := sha256.Sum256([]byte(data))
		switch {
		case p == generator.StampFile:
		case strings.HasPrefix(p, "internal/daemon/"):
			if !hasSum || sum != hex.EncodeToString(h[:]) || hasBase {
				t.Errorf("stamp records %s as sum %q (base %v); want its SHA-256 only", p, sum, hasBase)
			}
		case slices.Contains(generator.UserFiles, p):
			if hasBase || hasSum {
				t.Errorf("stamp records %s, which is the owner's alone", p)
			}
		case !hasBase || string(base) != data:
			t.Errorf("stamp's base of %s = %q (%v); want the file as written", p, base, hasBase)
		}
	}
	if len(s.Bases)+len(s.Sums) != len(files)-4 { // the stamp, go.mod, httpservice.go and its test
		t.Errorf("stamp records %d files; the project has %d", len(s.Bases)+len(s.Sums), len(files))
	}
}

// An unedited project updates to exactly what new writes now, stamp
// included: a changed file is replaced, a new template file added, a file
// the new version no longer writes removed; a second update does nothing.
func TestUpdateUnedited(t *testing.T) {
	t.Parallel()
	dir := newStamped(t)
	want := readProject(t, dir)
	files := readProject(t, dir)
	age(t, dir, "Makefile", strings.Replace(files["Makefile"], "GO ?= go\n", "GO ?= go\nOLD := 1\n", 1), false)
	age(t, dir, "README.md", strings.Replace(files["README.md"], "# mysvc", "# mysvc (old)", 1), false)
	s := readStamp(t, dir)
	delete(s.Bases, "init/openrc/mysvc") // new in this version
	s.Bases["mysvc.conf"] = []byte("gone = 1\n")
	writeStamp(t, dir, s)
	if err := os.Remove(filepath.Join(dir, "init/openrc/mysvc")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "mysvc.conf"), "gone = 1\n")

	stdout, stderr, code := daemongen(t, dir, "update")
	for _, line := range []string{"replace Makefile\n", "replace README.md\n", "add init/openrc/mysvc\n", "remove mysvc.conf\n"} {
		if code != 0 || !strings.Contains(stdout, line) {
			t.Errorf("update = exit %d, stdout %q, stderr %q; want 0 and %q", code, stdout, stderr, line)
		}
	}
	got := readProject(t, dir)
	for _, p := range slices.Sorted(maps.Keys(want)) {
		if got[p] != want[p] {
			t.Errorf("after update, %s differs from what new writes", p)
		}
	}
	if len(got) != len(want) {
		t.Errorf("after update the project has %v; new writes %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	times := ageFiles(t, dir)
	if stdout, _, code := daemongen(t, dir, "update"); code != 0 || stdout != ". is up to date\n" {
		t.Errorf("second update = exit %d, %q; want 0 and up to date", code, stdout)
	}
	for p, mtime := range times {
		if fi, err := os.Stat(p); err != nil || !fi.ModTime().Equal(mtime) {
			t.Errorf("second update touched %s", p)
		}
	}
	if _, _, code := daemongen(t, dir, "update", "--check"); code != 0 {
		t.Errorf("update --check after update = exit %d; want 0", code)
	}
}

// An edit and a template change in different parts of one file merge
// cleanly; in the same part they conflict: markers with the base section,
// exit 3, the stamp names the file, --check exits 3 until it is resolved.
func TestUpdateMerges(t *testing.T) {
	t.Parallel()
	dir := newStamped(t)
	files := readProject(t, dir)
	mk, readme := files["Makefile"], files["README.md"]
	oldMk := strings.Replace(mk, "GO ?= go\n", "GO ?= go1\n", 1)
	age(t, dir, "Makefile", oldMk, true)
	writeFile(t, filepath.Join(dir, "Makefile"), oldMk+"\nmine:\n\techo mine\n")
	oldReadme := strings.Replace(readme, "# mysvc\n", "# mysvc, the old title\n", 1)
	age(t, dir, "README.md", oldReadme, true)
	writeFile(t, filepath.Join(dir, "README.md"), strings.Replace(oldReadme, "# mysvc, the old title\n", "# My service\n", 1))

	stdout, stderr, code := daemongen(t, dir, "update", "--dry-run")
	if code != 3 || !strings.Contains(stdout, "would merge Makefile\n") || !strings.Contains(stdout, "would merge README.md with 1 conflict") {
		t.Errorf("update --dry-run = exit %d, stdout %q, stderr %q; want 3, a merge and a conflict", code, stdout, stderr)
	}
	if got := readProject(t, dir); got["Makefile"] == mk || got[generator.StampFile] != files[generator.StampFile] && !strings.Contains(got[generator.StampFile], "v0.0.1") {
		t.Errorf("update --dry-run wrote files")
	}
	stdout, stderr, code = daemongen(t, dir, "update")
	if code != 3 || !strings.Contains(stderr, "1 file with conflicts") {
		t.Errorf("update = exit %d, stdout %q, stderr %q; want 3 and the conflict", code, stdout, stderr)
	}
	got := readProject(t, dir)
	if want := mk + "\nmine:\n\techo mine\n"; got["Makefile"] != want {
		t.Errorf("merged Makefile = %q; want the new template with the owner's target", got["Makefile"])
	}
	conflict := "<<<<<<< yours\n# My service\n||||||| daemongen v0.0.1\n# mysvc, the old title\n=======\n# mysvc\n>>>>>>> daemongen "
	if !strings.Contains(got["README.md"], conflict) {
		t.Errorf("README.md after update = %q; want the conflict %q", got["README.md"], conflict)
	}
	if s := readStamp(t, dir); !slices.Equal(s.Conflicts, []string{"README.md"}) {
		t.Errorf("stamp's conflicts = %v; want README.md", s.Conflicts)
	}
	if _, stderr, code := daemongen(t, dir, "update", "--check"); code != 3 || !strings.Contains(stderr, "README.md") {
		t.Errorf("update --check with a marked conflict = exit %d, %q; want 3 naming README.md", code, stderr)
	}
	// A second update while the conflict is marked changes nothing and
	// forgets nothing: the stamp keeps the conflict for --check.
	before := dirSnapshot(t, dir)
	if stdout, stderr, code := daemongen(t, dir, "update"); code != 3 || stdout != "" || !strings.Contains(stderr, "conflicts still marked in README.md") {
		t.Errorf("second update with a marked conflict = exit %d, %q %q; want 3 naming README.md", code, stdout, stderr)
	}
	if !maps.Equal(before, dirSnapshot(t, dir)) {
		t.Error("a second update with a marked conflict changed the project")
	}
	writeFile(t, filepath.Join(dir, "README.md"), strings.Replace(readme, "# mysvc\n", "# My service\n", 1))
	if stdout, stderr, code := daemongen(t, dir, "update", "--check"); code != 0 {
		t.Errorf("update --check once resolved = exit %d, %q %q; want 0", code, stdout, stderr)
	}
	for _, ext := range []string{".rej", ".orig"} {
		for p := range readProject(t, dir) {
			if strings.HasSuffix(p, ext) {
				t.Errorf("update wrote %s", p)
			}
		}
	}
}

// A file its owner deleted stays deleted; a file the new version no longer
// writes that its owner edited is kept; both are reported.
func TestUpdateDeletedAndKept(t *testing.T) {
	t.Parallel()
	dir := newStamped(t)
	if err := os.Remove(filepath.Join(dir, "init/sysv/mysvc")); err != nil {
		t.Fatal(err)
	}
	s := readStamp(t, dir)
	s.Bases["mysvc.conf"] = []byte("gone = 1\n")
	writeStamp(t, dir, s)
	writeFile(t, filepath.Join(dir, "mysvc.conf"), "gone = 2\n")
	stdout, stderr, code := daemongen(t, dir, "update")
	if code != 0 || !strings.Contains(stdout, "deleted init/sysv/mysvc (you deleted it; it stays deleted)") || !strings.Contains(stdout, "keep mysvc.conf (you edited it") {
		t.Errorf("update = exit %d, stdout %q, stderr %q; want 0, the deleted file reported and the edited one kept", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "init/sysv/mysvc")); err == nil {
		t.Error("update brought back a deleted file")
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "mysvc.conf")); string(data) != "gone = 2\n" {
		t.Errorf("mysvc.conf = %q; want the owner's", data)
	}
}

// A project without a stamp is refused, exit 1, nothing written; new
// --force on a stamped project points to update, which keeps edits.
func TestUpdateNeedsStamp(t *testing.T) {
	t.Parallel()
	dir := newStamped(t)
	if err := os.Remove(filepath.Join(dir, generator.StampFile)); err != nil {
		t.Fatal(err)
	}
	before := dirSnapshot(t, dir)
	if _, stderr, code := daemongen(t, dir, "update"); code != 1 || !strings.Contains(stderr, "has no "+generator.StampFile) {
		t.Errorf("update without a stamp = exit %d, %q; want 1 and why", code, stderr)
	}
	if !maps.Equal(before, dirSnapshot(t, dir)) {
		t.Error("update without a stamp changed the project")
	}
	dir = newStamped(t)
	// In a subdirectory of the project: the project is named, and nothing
	// is adopted there.
	sub := filepath.Join(dir, "internal")
	before = dirSnapshot(t, dir)
	for _, args := range [][]string{{"update"}, {"update", "--adopt"}} {
		if _, stderr, code := daemongen(t, sub, args...); code != 1 || !strings.Contains(stderr, "run daemongen update --dir ..\n") {
			t.Errorf("%v in the project's internal/ = exit %d, %q; want 1 and --dir ..", args, code, stderr)
		}
	}
	if !maps.Equal(before, dirSnapshot(t, dir)) {
		t.Error("update in a subdirectory changed the project")
	}
	// A stamp cut short is refused, not read as a stamp with fewer files.
	stamp, _ := os.ReadFile(filepath.Join(dir, generator.StampFile))
	for _, n := range []int{300, bytes.Index(stamp, []byte("\n-- ")) + 10} {
		writeFile(t, filepath.Join(dir, generator.StampFile), string(stamp[:n]))
		if _, stderr, code := daemongen(t, dir, "update"); code != 1 || !strings.Contains(stderr, "cut short") {
			t.Errorf("update with the stamp cut at byte %d = exit %d, %q; want 1 and why", n, code, stderr)
		}
	}
	writeFile(t, filepath.Join(dir, generator.StampFile), string(stamp))
	if _, stderr, code := daemongen(t, filepath.Dir(dir), "new", "mysvc", "--force", "--dry-run"); code != 0 || !strings.Contains(stderr, "daemongen update --dir mysvc merges them") {
		t.Errorf("new --force --dry-run on a stamped project = exit %d, %q; want the pointer to update", code, stderr)
	}
}

// update --socket later adds the socket unit and its wiring, never a
// second service beside the owner's, and says what the service must call.
func TestUpdateAddSocket(t *testing.T) {
	t.Parallel()
	dir := newStamped(t)
	service := readProject(t, dir)["service.go"]
	stdout, stderr, code := daemongen(t, dir, "update", "--socket", "127.0.0.1:8080")
	if code != 0 || !strings.Contains(stdout, "add init/systemd/mysvc.socket\n") || !strings.Contains(stdout, "daemon.Listen") {
		t.Fatalf("update --socket = exit %d, stdout %q, stderr %q; want 0, the socket unit and a note", code, stdout, stderr)
	}
	got := readProject(t, dir)
	if got["service.go"] != service || got["httpservice.go"] != "" {
		t.Error("update --socket touched the owner's service or wrote a second one")
	}
	if s := readStamp(t, dir); s.Config.Socket != "127.0.0.1:8080" {
		t.Errorf("stamp's socket = %q; want the new one", s.Config.Socket)
	}
}

// update raises go.mod's go line only when the daemon package needs it,
// and says so.
func TestUpdateRaisesGoLine(t *testing.T) {
	t.Parallel()
	dir := newStamped(t)
	writeFile(t, filepath.Join(dir, "go.mod"), "module mysvc\n\ngo 1.22\n")
	stdout, stderr, code := daemongen(t, dir, "update")
	if code != 0 || !strings.Contains(stdout, "raise the go line of go.mod from 1.22 to "+generator.GoVersion) {
		t.Errorf("update = exit %d, %q %q; want the go line raised", code, stdout, stderr)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "go.mod")); string(data) != "module mysvc\n\ngo "+generator.GoVersion+"\n" {
		t.Errorf("go.mod = %q", data)
	}
}

// A hostile or damaged stamp cannot make update touch files outside the
// project, or the owner's: a base outside the project is refused, and one
// for service.go is ignored even where it matches.
func TestUpdateHostileStamp(t *testing.T) {
	t.Parallel()
	dir := newStamped(t)
	stamp, _ := os.ReadFile(filepath.Join(dir, generator.StampFile))
	outside := filepath.Join(filepath.Dir(dir), "victim")
	writeFile(t, outside, "x\n")
	writeFile(t, filepath.Join(dir, generator.StampFile), string(stamp)+"-- ../victim --\nx\n")
	if _, stderr, code := daemongen(t, dir, "update"); code != 1 || !strings.Contains(stderr, `"../victim" is no path inside the project`) {
		t.Errorf("update with a base outside the project = exit %d, %q; want 1 and why", code, stderr)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("update removed a file outside the project: %v", err)
	}
	service, _ := os.ReadFile(filepath.Join(dir, "service.go"))
	writeFile(t, filepath.Join(dir, generator.StampFile), string(stamp)+"-- service.go --\n"+string(service))
	if stdout, stderr, code := daemongen(t, dir, "update"); code != 0 || strings.Contains(stdout, "service.go") {
		t.Errorf("update with a base for service.go = exit %d, %q %q; want service.go left alone", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "service.go")); err != nil {
		t.Errorf("update removed service.go: %v", err)
	}
	// Nothing in .git, and nothing through a symlink, whatever the stamp says.
	head := filepath.Join(dir, ".git", "HEAD")
	writeFile(t, head, "ref: refs/heads/main\n")
	writeFile(t, filepath.Join(dir, generator.StampFile), string(stamp)+"-- .git/HEAD --\nref: refs/heads/main\n")
	if _, stderr, code := daemongen(t, dir, "update"); code != 1 || strings.Count(stderr, generator.StampFile) != 1 || !strings.Contains(stderr, `".git/HEAD" is no path inside the project`) {
		t.Errorf("update with a base in .git = exit %d, %q; want 1, why, and the stamp named once", code, stderr)
	}
	away := t.TempDir()
	writeFile(t, filepath.Join(away, "x.conf"), "x\n")
	writeFile(t, filepath.Join(away, "README.md"), "theirs\n")
	if err := os.Symlink(away, filepath.Join(dir, "etc")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, generator.StampFile), string(stamp)+"-- etc/x.conf --\nx\n")
	if _, stderr, code := daemongen(t, dir, "update"); code != 1 || !strings.Contains(stderr, "etc is a symlink") {
		t.Errorf("update with a base below a symlink = exit %d, %q; want 1 naming the symlink", code, stderr)
	}
	os.Remove(filepath.Join(dir, "etc"))
	writeFile(t, filepath.Join(dir, generator.StampFile), string(stamp))
	os.Remove(filepath.Join(dir, "README.md"))
	if err := os.Symlink(filepath.Join(away, "README.md"), filepath.Join(dir, "README.md")); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := daemongen(t, dir, "update"); code != 1 || !strings.Contains(stderr, "README.md is a symlink") {
		t.Errorf("update with README.md a symlink = exit %d, %q; want 1 naming it", code, stderr)
	}
	if files := readProject(t, away); files["x.conf"] != "x\n" || files["README.md"] != "theirs\n" {
		t.Errorf("update changed files a symlink points to: %v", files)
	}
	if data, err := os.ReadFile(head); err != nil || string(data) != "ref: refs/heads/main\n" {
		t.Errorf(".git/HEAD after update = %q, %v", data, err)
	}
	name := strings.Replace(string(stamp), "\nname mysvc\n", "\nname ../../etc\n", 1)
	writeFile(t, filepath.Join(dir, generator.StampFile), name)
	if _, stderr, code := daemongen(t, dir, "update"); code != 1 || strings.Count(stderr, generator.StampFile) != 1 || !strings.Contains(stderr, "stamp was edited") {
		t.Errorf("update with name ../../etc in the stamp = exit %d, %q; want 1 naming the stamp once", code, stderr)
	}
	// The stamp itself a symlink: read nothing through it, write nothing to it.
	os.Remove(filepath.Join(dir, "README.md"))
	elsewhere := filepath.Join(away, "stamp")
	writeFile(t, elsewhere, string(stamp))
	os.Remove(filepath.Join(dir, generator.StampFile))
	if err := os.Symlink(elsewhere, filepath.Join(dir, generator.StampFile)); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := daemongen(t, dir, "update"); code != 1 || !strings.Contains(stderr, generator.StampFile+" is a symlink") {
		t.Errorf("update with the stamp a symlink = exit %d, %q; want 1 naming it", code, stderr)
	}
	if target, err := os.Readlink(filepath.Join(dir, generator.StampFile)); err != nil || target != elsewhere {
		t.Errorf("the symlinked stamp after update: %q, %v; want the link left as it was", target, err)
	}
	if data, _ := os.ReadFile(elsewhere); string(data) != string(stamp) {
		t.Errorf("update wrote through the symlinked stamp")
	}
	if _, stderr, code := daemongen(t, dir, "update", "--dir", "nowhere"); code != 1 || !strings.Contains(stderr, "nowhere is no directory") {
		t.Errorf("update --dir nowhere = exit %d, %q; want 1 and why", code, stderr)
	}
}

// A project from before stamps is adopted with --adopt: its stamp is
// written as this daemongen would, nothing else changes, and its
// differences count as the owner's edits in later updates.
func TestUpdateAdopt(t *testing.T) {
	t.Parallel()
	dir := newStamped(t, "--socket", "127.0.0.1:8080")
	if err := os.Remove(filepath.Join(dir, generator.StampFile)); err != nil {
		t.Fatal(err)
	}
	mk := readProject(t, dir)["Makefile"] + "\nmine:\n\techo mine\n"
	writeFile(t, filepath.Join(dir, "Makefile"), mk)
	writeFile(t, filepath.Join(dir, "mysvc.service"), "[Service]\n") // an older layout's unit
	before := dirSnapshot(t, dir)
	for _, args := range [][]string{{"update", "--adopt", "--check"}, {"update", "--name", "mysvc"}} {
		if _, stderr, code := daemongen(t, dir, args...); code != 2 || !strings.Contains(stderr, "--adopt") {
			t.Errorf("daemongen %q = exit %d, %q; want 2, a usage error", args, code, stderr)
		}
	}
	if stdout, stderr, code := daemongen(t, dir, "update", "--adopt", "--dry-run"); code != 0 || !strings.Contains(stdout, `would adopt .: would write daemongen.txtar as a project named mysvc with socket "127.0.0.1:8080"`) {
		t.Errorf("update --adopt --dry-run = exit %d, %q %q; want 0 and what it would write, the socket from the unit", code, stdout, stderr)
	}
	if !maps.Equal(before, dirSnapshot(t, dir)) {
		t.Fatal("update --adopt --dry-run or a refused --adopt changed the project")
	}
	stdout, stderr, code := daemongen(t, dir, "update", "--adopt")
	if code != 0 || !strings.Contains(stdout, "yours Makefile (differs") || !strings.Contains(stdout, "adopted .") || !strings.Contains(stdout, "keep mysvc.service: daemongen now writes init/systemd/mysvc.service, which you have too") {
		t.Fatalf("update --adopt = exit %d, %q %q; want 0, the Makefile named as an edit", code, stdout, stderr)
	}
	after := dirSnapshot(t, dir)
	delete(after, generator.StampFile)
	if !maps.Equal(before, after) {
		t.Error("update --adopt changed files besides the stamp")
	}
	if s := readStamp(t, dir); s.Config.Name != "mysvc" || s.Config.Socket != "127.0.0.1:8080" {
		t.Errorf("adopted stamp records %+v", s.Config)
	}
	if stdout, _, code := daemongen(t, dir, "update"); code != 0 || stdout != ". is up to date\n" {
		t.Errorf("update after --adopt = exit %d, %q; want up to date, the Makefile kept", code, stdout)
	}
	if _, stderr, code := daemongen(t, dir, "update", "--adopt"); code != 1 || !strings.Contains(stderr, "has a stamp already") {
		t.Errorf("update --adopt again = exit %d, %q; want 1", code, stderr)
	}

	// An older layout: the unit at the root, no OpenRC script. The unit
	// moves, edits and all; the script is added by the next update.
	dir = newStamped(t)
	files := readProject(t, dir)
	for _, p := range []string{generator.StampFile, "init/systemd/mysvc.service", "init/openrc/mysvc"} {
		os.Remove(filepath.Join(dir, p))
	}
	unit := files["init/systemd/mysvc.service"] + "# mine\n"
	writeFile(t, filepath.Join(dir, "mysvc.service"), unit)
	stdout, stderr, code = daemongen(t, dir, "update", "--adopt")
	if code != 0 || !strings.Contains(stdout, "move mysvc.service to init/systemd/mysvc.service") || !strings.Contains(stdout, "new init/openrc/mysvc (the next update adds it)") {
		t.Errorf("update --adopt of an older layout = exit %d, %q %q; want the unit moved and the script named", code, stdout, stderr)
	}
	if stdout, stderr, code := daemongen(t, dir, "update"); code != 0 || stdout != "add init/openrc/mysvc\n" {
		t.Errorf("update after adopting an older layout = exit %d, %q %q; want the OpenRC script added and nothing else", code, stdout, stderr)
	}
	got := readProject(t, dir)
	if _, ok := got["mysvc.service"]; ok || got["init/systemd/mysvc.service"] != unit || got["init/openrc/mysvc"] != files["init/openrc/mysvc"] {
		t.Errorf("after adopt and update: root unit present %v, moved unit %q, OpenRC script %q", ok, got["init/systemd/mysvc.service"], got["init/openrc/mysvc"])
	}

	dir = newStamped(t, "--socket", ":8080") // ListenStream=8080
	os.Remove(filepath.Join(dir, generator.StampFile))
	if stdout, stderr, code := daemongen(t, dir, "update", "--adopt"); code != 0 || readStamp(t, dir).Config.Socket != ":8080" {
		t.Errorf("update --adopt of a :8080 project = exit %d, %q %q; want 0 and socket :8080 in the stamp", code, stdout, stderr)
	}
	if stdout, _, code := daemongen(t, dir, "update"); code != 0 || stdout != ". is up to date\n" {
		t.Errorf("update after --adopt of a :8080 project = exit %d, %q; want up to date", code, stdout)
	}
	os.Remove(filepath.Join(dir, generator.StampFile))
	writeFile(t, filepath.Join(dir, "init/systemd/mysvc.socket"), "[Socket]\n")
	if _, stderr, code := daemongen(t, dir, "update", "--adopt"); code != 2 || !strings.Contains(stderr, "no ListenStream= line: give the socket's address with --socket ADDR") {
		t.Errorf("update --adopt with a socket unit without ListenStream= = exit %d, %q; want 2 asking for the address", code, stderr)
	}
}

// When the default pidfile moves between versions, update says exactly
// what to run before the new binary is installed, so that it does not
// start a second daemon beside the one the old binary started.
func TestUpdatePidfileMoved(t *testing.T) {
	t.Parallel()
	dir := newStamped(t)
	s := readStamp(t, dir)
	s.Pidfile = "/run/mysvc.pid $XDG_RUNTIME_DIR/mysvc.pid"
	writeStamp(t, dir, s)
	stdout, stderr, code := daemongen(t, dir, "update")
	want := "note: the new binary looks for its daemon at /run/mysvc/mysvc.pid (root) and $XDG_RUNTIME_DIR/mysvc/mysvc.pid, where the old one used /run/mysvc.pid and $XDG_RUNTIME_DIR/mysvc.pid: before you install it, stop the running daemon with the binary you have (mysvc stop), or run the new one with --pidfile OLD (or MYSVC_PIDFILE=OLD) until it restarts"
	if code != 0 || !strings.Contains(stdout, want) {
		t.Errorf("update across a pidfile move = exit %d, %q %q; want the note", code, stdout, stderr)
	}
	if s := readStamp(t, dir); s.Pidfile != generator.DefaultPidfiles("mysvc") {
		t.Errorf("stamp's pidfile after update = %q", s.Pidfile)
	}
}

// Issue 19: into a directory that is no daemongen project, new --force
// --dry-run marks each existing file it would replace, and the real run
// replaces exactly those.
func TestNewForceDryRunMarksReplaced(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	dir := filepath.Join(work, "svc")
	writeFile(t, filepath.Join(dir, "Makefile"), "all:\n")
	writeFile(t, filepath.Join(dir, "README.md"), "# mine\n")
	writeFile(t, filepath.Join(dir, "notes.txt"), "mine\n")
	stdout, stderr, code := daemongen(t, work, "new", "svc", "--force", "--dry-run")
	var marked []string
	for _, l := range strings.SplitAfter(stdout, "\n") {
		if p, ok := strings.CutSuffix(strings.TrimSpace(l), " (replaces the file there)"); ok {
			marked = append(marked, strings.Fields(p)[2])
		}
	}
	if code != 0 || !slices.Equal(marked, []string{"svc/Makefile", "svc/README.md"}) {
		t.Fatalf("new --force --dry-run = exit %d, marked %v (stdout %q, stderr %q); want svc/Makefile and svc/README.md", code, marked, stdout, stderr)
	}
	stdout, _, code = daemongen(t, work, "new", "svc", "--force")
	var replaced []string
	for _, l := range strings.SplitAfter(stdout, "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(l), "replaced "); ok {
			replaced = append(replaced, p)
		}
	}
	if code != 0 || !slices.Equal(replaced, marked) {
		t.Errorf("new --force replaced %v; the dry run said %v", replaced, marked)
	}
}

// Issue 19: an overlay file that matches no file of the embedded tree is
// reported by update, not silently added beside the one it once replaced.
func TestUpdateOverlayOrphan(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	writeFile(t, filepath.Join(work, "tmpl", "project", "Makefile.old.tmpl"), "# renamed since\n")
	if _, stderr, code := daemongen(t, work, "new", "mysvc", "--templates", "tmpl"); code != 0 {
		t.Fatalf("new --templates = exit %d, %q", code, stderr)
	}
	_, stderr, code := daemongen(t, filepath.Join(work, "mysvc"), "update", "--templates", "../tmpl")
	if code != 0 || !strings.Contains(stderr, "note: only the --templates overlay writes Makefile.old, which this daemongen does not") {
		t.Errorf("update with an orphaned overlay file = exit %d, %q; want it reported", code, stderr)
	}
}

// Issue 19: "current" is what git records, the same for new, generate and
// update: a checkout with CRLF line endings, or made under umask 002, is
// no edit and no change.
func TestCurrentIsWhatGitRecords(t *testing.T) {
	t.Parallel()
	dir := newStamped(t)
	for _, p := range []string{"Makefile", "README.md"} {
		data, _ := os.ReadFile(filepath.Join(dir, p))
		writeFile(t, filepath.Join(dir, p), strings.ReplaceAll(string(data), "\n", "\r\n"))
	}
	if err := os.Chmod(filepath.Join(dir, "main.go"), 0o664); err != nil {
		t.Fatal(err)
	}
	before := dirSnapshot(t, dir)
	if stdout, stderr, code := daemongen(t, dir, "update"); code != 0 || stdout != ". is up to date\n" {
		t.Errorf("update of a CRLF, umask 002 checkout = exit %d, %q %q; want up to date", code, stdout, stderr)
	}
	if stdout, _, code := daemongen(t, filepath.Dir(dir), "new", "mysvc", "--force", "--dry-run"); code != 0 || strings.Contains(stdout, "main.go") || strings.Contains(stdout, "Makefile") {
		t.Errorf("new --force --dry-run over it = exit %d, %q; want main.go and the Makefile current", code, stdout)
	}
	if !maps.Equal(before, dirSnapshot(t, dir)) {
		t.Error("update or new --dry-run changed the checkout")
	}
	// generate judges the daemon package by the same rule (one planner):
	// a CRLF, umask 002 file there is current too.
	doc := filepath.Join(dir, "internal", "daemon", "doc.go")
	data, _ := os.ReadFile(doc)
	writeFile(t, doc, strings.ReplaceAll(string(data), "\n", "\r\n"))
	if err := os.Chmod(doc, 0o664); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"generate", "--check"}, {"update", "--check"}} {
		if stdout, stderr, code := daemongen(t, dir, args...); code != 0 {
			t.Errorf("daemongen %q on a CRLF, umask 002 daemon package = exit %d, %q %q; want 0", args, code, stdout, stderr)
		}
	}
}

// TestOnePlanner wants new --force, generate and update to refuse, with one
// message, a file they would write that is behind a symlink: they plan with
// one planner, generator.PlanFiles.
func TestOnePlanner(t *testing.T) {
	t.Parallel()
	dir := newStamped(t)
	away := t.TempDir()
	for _, p := range []string{"Makefile", "internal/daemon/doc.go"} {
		name := filepath.Join(dir, filepath.FromSlash(p))
		data, _ := os.ReadFile(name)
		writeFile(t, filepath.Join(away, filepath.Base(p)), string(data))
		os.Remove(name)
		if err := os.Symlink(filepath.Join(away, filepath.Base(p)), name); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		dir  string
		args []string
		link string
	}{
		{filepath.Dir(dir), []string{"new", "mysvc", "--force"}, "mysvc/Makefile"},
		{dir, []string{"update"}, "Makefile"},
		{dir, []string{"generate"}, "internal/daemon/doc.go"},
	} {
		_, stderr, code := daemongen(t, tt.dir, tt.args...)
		if want := tt.link + " is a symlink; daemongen never reads, writes or removes through symlinks"; code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("daemongen %q with %s a symlink = exit %d, %q; want 1 and %q", tt.args, tt.link, code, stderr, want)
		}
	}
}

// An update that cannot replace a file (here an immutable one) writes
// nothing and prints no file as done: only why it failed.
func TestUpdateFailsWritesNothing(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("chattr"); err != nil || os.Getuid() != 0 {
		t.Skip("needs chattr and root (CAP_LINUX_IMMUTABLE)")
	}
	dir := newStamped(t)
	files := readProject(t, dir)
	age(t, dir, "Makefile", strings.Replace(files["Makefile"], "GO ?= go\n", "GO ?= go\nOLD := 1\n", 1), false)
	age(t, dir, "README.md", strings.Replace(files["README.md"], "# mysvc", "# mysvc (old)", 1), false)
	readme := filepath.Join(dir, "README.md")
	if out, err := exec.Command("chattr", "+i", readme).CombinedOutput(); err != nil {
		t.Skipf("chattr +i: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", readme).Run() })
	before := dirSnapshot(t, dir)
	stdout, stderr, code := daemongen(t, dir, "update")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "replace README.md: ") || !strings.Contains(stderr, "nothing was written") {
		t.Errorf("update with README.md immutable = exit %d, stdout %q, stderr %q; want 1, nothing on stdout, why on stderr", code, stdout, stderr)
	}
	if !maps.Equal(before, dirSnapshot(t, dir)) {
		t.Error("a failed update changed the project")
	}
}

// After writing, update builds and vets the project: an owner file that no
// longer compiles against the daemon package is named with exit 1, a test
// file (which only vet compiles) or one only the compiler's back end
// refuses (a function without a body); with no go command it can run, update
// says why and what is left to run.
func TestUpdateBuildsAndVets(t *testing.T) {
	t.Parallel()
	dir := newStamped(t)
	files := readProject(t, dir)
	outdate := func(n int) {
		age(t, dir, "Makefile", strings.Replace(files["Makefile"], "GO ?= go\n", fmt.Sprintf("GO ?= go\nOLD := %d\n", n), 1), false)
	}
	outdate(1)
	writeFile(t, filepath.Join(dir, "old_test.go"), "package main\n\nimport \"mysvc/internal/daemon\"\n\nvar _ = daemon.RemovedLongAgo\n")
	_, stderr, code := daemongen(t, dir, "update")
	if code != 1 || !strings.Contains(stderr, "update: the files are written, but go vet ./... fails in .") ||
		!strings.Contains(stderr, "old_test.go:5:") || !strings.Contains(stderr, "RemovedLongAgo") {
		t.Errorf("update with a test file that does not compile = exit %d, stderr %q; want 1 and the file named", code, stderr)
	}
	if readProject(t, dir)["Makefile"] != files["Makefile"] {
		t.Error("update did not write the Makefile before building")
	}
	if err := os.Remove(filepath.Join(dir, "old_test.go")); err != nil {
		t.Fatal(err)
	}

	outdate(2)
	writeFile(t, filepath.Join(dir, "nobody.go"), "package main\n\nfunc missingBody()\n\nfunc init() { missingBody() }\n")
	if _, stderr, code := daemongen(t, dir, "update"); code != 1 || !strings.Contains(stderr, "go build ./... fails in .") || !strings.Contains(stderr, "missing function body") {
		t.Errorf("update with a function without a body = exit %d, stderr %q; want 1 and go build's error", code, stderr)
	}

	outdate(3)
	_, stderr, code = daemongenEnv(t, dir, []string{"PATH=" + t.TempDir()}, "update")
	if want := "daemongen: update: the files are written; no go command is on PATH to build and vet .: do it before you commit\n"; code != 1 || stderr != want {
		t.Errorf("update without go on PATH = exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}

	outdate(4)
	writeFile(t, filepath.Join(dir, "go"), "#!/bin/sh\nexit 0\n")
	if err := os.Chmod(filepath.Join(dir, "go"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := daemongenEnv(t, dir, []string{"PATH=."}, "update"); code != 1 || !strings.Contains(stderr, "go could not build and vet . (") || !strings.Contains(stderr, "current directory") {
		t.Errorf("update with only ./go on PATH (.) = exit %d, stderr %q; want 1 and why go was not run", code, stderr)
	}
}

// An update interrupted while it builds the project says the files are
// written and what is left to run, not that a file of the owner's broke.
func TestUpdateInterruptedBuild(t *testing.T) {
	t.Parallel()
	dir := newStamped(t)
	files := readProject(t, dir)
	age(t, dir, "Makefile", strings.Replace(files["Makefile"], "GO ?= go\n", "GO ?= go\nOLD := 1\n", 1), false)
	bin, mark := t.TempDir(), filepath.Join(t.TempDir(), "building")
	writeFile(t, filepath.Join(bin, "go"), "#!/bin/sh\n: > "+mark+"\nexec sleep 30\n")
	if err := os.Chmod(filepath.Join(bin, "go"), 0o755); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "update")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DAEMONGEN_TEST_MAIN=1", "GOWORK=", "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		if _, err := os.Stat(mark); err == nil {
			break
		}
		if i == 1000 {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("update never ran go build; stderr %q", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	want := "daemongen: update: the files are written; interrupted by interrupt before go build ./... finished: run go build ./... && go vet ./... in .\n"
	if code := cmd.ProcessState.ExitCode(); code != 1 || stderr.String() != want {
		t.Errorf("update interrupted in its build = exit %d, stderr %q; want 1 and %q", code, stderr.String(), want)
	}
	if readProject(t, dir)["Makefile"] != files["Makefile"] {
		t.Error("the interrupted update did not write the Makefile before its build")
	}
}

// An update that runs out of disk space leaves the project as it was, no
// temporary file included, at whichever file the space ran out: on a
// tmpfs filled to a few free pages, then to more and more of them.
func TestUpdateDiskFull(t *testing.T) {
	t.Parallel()
	if os.Getuid() != 0 {
		t.Skip("mounts a tmpfs: needs root")
	}
	fsDir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", fsDir).CombinedOutput(); err != nil {
		t.Skipf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", fsDir).Run() })
	if _, stderr, code := daemongen(t, fsDir, "new", "mysvc"); code != 0 {
		t.Fatalf("new on the tmpfs = exit %d, %q", code, stderr)
	}
	dir := filepath.Join(fsDir, "mysvc")
	s := readStamp(t, dir)
	for p, base := range s.Bases { // an older daemongen wrote every file: update replaces them all
		old := strings.Replace(string(base), "\n", "\nold line\n", 1)
		s.Bases[p] = []byte(old)
		writeFile(t, filepath.Join(dir, filepath.FromSlash(p)), old)
	}
	s.Version = "v0.0.1"
	writeStamp(t, dir, s)
	// Fill the file system, then free pages one at a time until update
	// gets through.
	filler := filepath.Join(fsDir, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = f.Write(make([]byte, 4096))
	}
	f.Close()
	size, _ := os.Stat(filler)
	failed := 0
	for free := int64(4096); free < size.Size(); free += 4096 * 4 {
		if err := os.Truncate(filler, size.Size()-free); err != nil {
			t.Fatal(err)
		}
		before := dirSnapshot(t, dir)
		_, stderr, code := daemongen(t, dir, "update")
		wantNoLeftovers(t, fsDir)
		if code == 0 {
			break
		}
		failed++
		if code != 1 || !strings.Contains(stderr, "no space left on device") {
			t.Fatalf("update with %d bytes free = exit %d, %q; want 1 and ENOSPC", free, code, stderr)
		}
		if !maps.Equal(before, dirSnapshot(t, dir)) {
			t.Fatalf("update with %d bytes free failed and changed the project", free)
		}
	}
	t.Logf("update failed for want of space %d times, then got through", failed)
	if failed < 2 {
		t.Errorf("update failed for want of space %d times; want the test to reach it at several files", failed)
	}
	if got := readStamp(t, dir).Version; got == "v0.0.1" {
		t.Error("update never got through once the space was there")
	}
}

// A file an older daemongen wrote elsewhere follows its move (the unit,
// from the root to init/systemd/), the owner's edits merged in; an
// unedited one just moves. Both old paths are gone.
func TestUpdateMoves(t *testing.T) {
	t.Parallel()
	dir := newStamped(t, "--socket", "127.0.0.1:8080")
	files := readProject(t, dir)
	unit, socket := files["init/systemd/mysvc.service"], files["init/systemd/mysvc.socket"]
	oldUnit := strings.Replace(unit, "[Install]\n", "[Install]\n# old template line\n", 1)
	s := readStamp(t, dir)
	s.Version = "v0.0.1"
	s.Bases["mysvc.service"], s.Bases["mysvc.socket"] = []byte(oldUnit), []byte(socket)
	delete(s.Bases, "init/systemd/mysvc.service")
	delete(s.Bases, "init/systemd/mysvc.socket")
	writeStamp(t, dir, s)
	os.RemoveAll(filepath.Join(dir, "init", "systemd"))
	writeFile(t, filepath.Join(dir, "mysvc.service"), "# mine\n"+oldUnit)
	writeFile(t, filepath.Join(dir, "mysvc.socket"), socket)

	stdout, stderr, code := daemongen(t, dir, "update")
	for _, want := range []string{"move mysvc.service to init/systemd/mysvc.service, where this daemongen writes it\n", "move mysvc.socket to init/systemd/mysvc.socket, where this daemongen writes it\n"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("update = exit %d, stdout %q, stderr %q; want 0 and %q", code, stdout, stderr, want)
		}
	}
	got := readProject(t, dir)
	if got["init/systemd/mysvc.service"] != "# mine\n"+unit || got["init/systemd/mysvc.socket"] != socket {
		t.Errorf("moved unit = %q, socket %q; want the new template with the owner's line, and the socket as written", got["init/systemd/mysvc.service"], got["init/systemd/mysvc.socket"])
	}
	for _, p := range []string{"mysvc.service", "mysvc.socket"} {
		if _, ok := got[p]; ok {
			t.Errorf("update left %s at the old path", p)
		}
	}
	if stdout, _, code := daemongen(t, dir, "update"); code != 0 || stdout != ". is up to date\n" {
		t.Errorf("second update = exit %d, %q; want up to date", code, stdout)
	}
}

// Two updates at once take turns: one holding the project waits the
// other out, then plans from what the first left (no interleaved files,
// no conflicts with itself).
func TestUpdateTakesTurns(t *testing.T) {
	t.Parallel()
	dir := newStamped(t)
	held := make(chan struct{})
	release, err := generator.LockProject(context.Background(), dir, func() {})
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "update", "--socket", "127.0.0.1:8081")
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "DAEMONGEN_TEST_MAIN=1", "GOWORK=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		line, _ := bufio.NewReader(stderr).ReadString('\n')
		if !strings.Contains(line, "waiting for the other daemongen updating .") {
			t.Errorf("update while another holds the project said %q; want it to wait", line)
		}
		close(held)
		io.Copy(io.Discard, stderr)
	}()
	<-held
	if _, err := os.Stat(filepath.Join(dir, "init", "systemd", "mysvc.socket")); err == nil {
		t.Error("update wrote while another held the project")
	}
	release()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the waiting update: %v", err)
	}
	if _, _, code := daemongen(t, dir, "update", "--check"); code != 0 {
		t.Errorf("update --check after the waiting update = exit %d; want 0", code)
	}
}

// A stamp a newer daemongen wrote, by release or by the daemon package's
// API epoch, is refused: updating would take the project back.
func TestUpdateRefusesNewerStamp(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	release := func(v string) []string { return []string{"DAEMONGEN_TEST_VERSION=" + v} }
	if _, stderr, code := daemongenEnv(t, work, release("v1.2.0"), "new", "mysvc"); code != 0 {
		t.Fatalf("new by v1.2.0 = exit %d, %q", code, stderr)
	}
	dir := filepath.Join(work, "mysvc")
	before := dirSnapshot(t, dir)
	for _, args := range [][]string{{"update"}, {"update", "--check"}, {"update", "--dry-run"}} {
		_, stderr, code := daemongenEnv(t, dir, release("v1.1.0"), args...)
		if code != 1 || !strings.Contains(stderr, "written by daemongen v1.2.0, newer than this one (v1.1.0)") || !strings.Contains(stderr, "daemongen@v1.2.0 update") {
			t.Errorf("%v by v1.1.0 of a v1.2.0 project = exit %d, %q; want 1 and the release to run", args, code, stderr)
		}
	}
	if !maps.Equal(before, dirSnapshot(t, dir)) {
		t.Error("a refused update changed the project")
	}
	if stdout, stderr, code := daemongenEnv(t, dir, release("v1.3.0"), "update"); code != 0 || readStamp(t, dir).Version != "v1.3.0" {
		t.Errorf("update by v1.3.0 = exit %d, %q %q; want 0 and the stamp's version moved", code, stdout, stderr)
	}
	s := readStamp(t, dir)
	s.API = generator.APIEpoch + 1
	writeStamp(t, dir, s)
	if _, stderr, code := daemongenEnv(t, dir, release("v1.3.0"), "update"); code != 1 || !strings.Contains(stderr, "daemon package is newer") {
		t.Errorf("update of a stamp with a newer API epoch = exit %d, %q; want 1 and why", code, stderr)
	}
}

// An update that changes only the stamp says so, instead of nothing.
func TestUpdateOnlyStamp(t *testing.T) {
	t.Parallel()
	dir := newStamped(t)
	s := readStamp(t, dir)
	s.Version = "(devel) rev=0123 templates=0123"
	writeStamp(t, dir, s)
	stdout, stderr, code := daemongen(t, dir, "update")
	if code != 0 || !strings.HasPrefix(stdout, "record in daemongen.txtar that daemongen (devel)") || !strings.HasSuffix(stdout, "made the project, whose files are current\n") {
		t.Errorf("update of a project whose stamp alone differs = exit %d, %q %q; want 0 and the stamp named", code, stdout, stderr)
	}
	if got := readStamp(t, dir).Version; got == s.Version {
		t.Errorf("the stamp's version after update = %q; want this daemongen's", got)
	}
}

// An edit in the daemon package, which update replaces as generate does,
// is named, not lost in silence: the stamp's sums tell it from a file
// merely older than this daemongen's.
func TestUpdateNamesDaemonEdits(t *testing.T) {
	t.Parallel()
	dir := newStamped(t)
	doc := filepath.Join(dir, "internal", "daemon", "doc.go")
	data, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, doc, string(data)+"// mine\n")
	stdout, stderr, code := daemongen(t, dir, "update", "--dry-run")
	if code != 0 || !strings.Contains(stdout, "would replace internal/daemon/doc.go\nnote: internal/daemon/doc.go was edited since daemongen wrote it") {
		t.Errorf("update --dry-run of an edited daemon file = exit %d, %q %q; want the edit named", code, stdout, stderr)
	}
	// A daemon file merely older than this daemongen's, as the stamp
	// records it, is replaced without the note.
	s := readStamp(t, dir)
	writeFile(t, doc, string(data)+"// mine\n")
	s.Sums["internal/daemon/doc.go"] = generator.Sum([]byte(string(data) + "// mine\n"))
	writeStamp(t, dir, s)
	if stdout, _, code := daemongen(t, dir, "update"); code != 0 || !strings.Contains(stdout, "replace internal/daemon/doc.go\n") || strings.Contains(stdout, "was edited") {
		t.Errorf("update of an older daemon file = exit %d, %q; want it replaced without a note", code, stdout)
	}
}
