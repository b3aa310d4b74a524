package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/mod/semver"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/internal/diff"
	"github.com/daemongen/daemongen/internal/gomod"
	"github.com/daemongen/daemongen/templates"
)

// exitConflict is update's exit status when it left conflicts to resolve,
// and update --check's while a file it left so still holds them.
const exitConflict = 3

// stampVersion is daemongen's identity in a stamp: its module version, or,
// for a development build, its VCS revision (when the build recorded one)
// and a digest of its templates, so that two builds that write different
// projects never share one. A build from a modified work tree, whose
// version ends in +dirty, gets the digest too.
func stampVersion() string {
	info, ok := buildInfo()
	v := "(devel)"
	switch {
	case ok && strings.HasSuffix(info.Main.Version, "+dirty"):
		return info.Main.Version + " templates=" + treeDigest(templates.FS)
	case ok && info.Main.Version != "" && info.Main.Version != "(devel)":
		return info.Main.Version
	case ok:
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				v += " rev=" + s.Value
			case "vcs.modified":
				if s.Value == "true" {
					v += " modified"
				}
			}
		}
	}
	return v + " templates=" + treeDigest(templates.FS)
}

// newerStamp refuses a stamp a newer daemongen wrote, by its release or by
// the daemon package's API epoch: updating with this one would take the
// project back to older files, and owner code written against the newer
// daemon package would break. A development build has no release to
// compare; its API epoch still counts.
func newerStamp(s *generator.Stamp) error {
	was := strings.Fields(s.Version)
	is := strings.Fields(stampVersion())
	switch {
	case len(was) > 0 && semver.IsValid(was[0]) && semver.IsValid(is[0]) && semver.Compare(was[0], is[0]) > 0:
		return fmt.Errorf("was written by daemongen %s, newer than this one (%s): updating would take the project back; run that one: go run github.com/daemongen/daemongen@%s update", was[0], is[0], semver.Canonical(was[0]))
	case s.API > generator.APIEpoch:
		return fmt.Errorf("was written by a daemongen (%s) whose daemon package is newer (API epoch %d) than this one's (%d): updating would take the project back; run that daemongen", s.Version, s.API, generator.APIEpoch)
	}
	return nil
}

// buildInfo is debug.ReadBuildInfo; daemongen's tests give it a version.
var buildInfo = debug.ReadBuildInfo

// pin returns the version of this daemongen that "go run
// github.com/daemongen/daemongen@VERSION" fetches, for the go:generate
// lines daemongen writes, or "" for a development build, which has none.
func pin() string {
	info, ok := buildInfo()
	if !ok || !semver.IsValid(info.Main.Version) || semver.Build(info.Main.Version) != "" {
		return ""
	}
	return info.Main.Version
}

// notePin says, when this daemongen is a development build, that it took
// out of file the go:generate line a released daemongen pinned there.
func notePin(c *cli.Context, file string) {
	if pin() == "" {
		fmt.Fprintf(c.App.ErrWriter, "note: this daemongen is a development build, which go run cannot fetch by version, so it writes no go:generate line: %s no longer has the one a released daemongen pinned; run a released daemongen to write it again\n", file)
	}
}

// treeDigest is the SHA-256 of a template tree's paths and contents, the
// first 16 hex digits.
func treeDigest(tree fs.FS) string {
	h := sha256.New()
	fs.WalkDir(tree, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(tree, p)
		fmt.Fprintf(h, "%s %d\n", p, len(data))
		h.Write(data)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// overlayID is what a stamp records of the --templates overlay: its
// directory and digest, or "" for none.
func overlayID(c *cli.Context, tree fs.FS) string {
	if c.String("templates") == "" {
		return ""
	}
	return filepath.ToSlash(c.String("templates")) + " " + treeDigest(tree)
}

// updateCommand is daemongen update.
func updateCommand() *cli.Command {
	return &cli.Command{
		Name:      "update",
		Usage:     "bring a project new made up to date with this daemongen, keeping your edits",
		UsageText: "daemongen update [--dir DIR] [--socket ADDR | --no-socket] [--docker[=false]] [--templates DIR] [--dry-run | --check | --adopt [--name NAME]]",
		Description: "Reads DIR/" + generator.StampFile + ", which new and update write: how the project was made\n" +
			"and the text of each file you may edit, as daemongen wrote it. A file you did\n" +
			"not edit is replaced; one you edited is merged 3-way (base: what the old\n" +
			"daemongen wrote; yours; this daemongen's). A conflict is marked in place, diff3\n" +
			"style (<<<<<<< yours, ||||||| base, =======, >>>>>>> new), and update exits 3\n" +
			"naming each file (and again, changing nothing, until they are resolved; update\n" +
			"--check says when). A file you deleted stays deleted; one this daemongen no\n" +
			"longer writes is removed if unedited, kept if edited; one it writes at a new\n" +
			"path (the unit, once at the root) moves there, your edits merged. Update never\n" +
			"reads, writes or removes through a symlink, nor anything in .git. The daemon\n" +
			"package is rewritten as generate does; go.mod and the example service are yours\n" +
			"(update only raises the go line when the daemon package needs it). Then it\n" +
			"builds and vets the project. --socket, --no-socket and --docker change the\n" +
			"project's shape. Two updates of one project at once take turns; a stamp a\n" +
			"newer daemongen wrote is refused (run that one).\n\n" +
			"A project from before stamps is refused until adopted: --adopt writes its stamp\n" +
			"as if this daemongen had made it (NAME from main.go or --name; the socket from\n" +
			"NAME.socket's ListenStream= or --socket; --docker from a Dockerfile or the\n" +
			"flag) and changes nothing else (--dry-run: not even that) but to move a\n" +
			"root-level NAME.service or NAME.socket into init/systemd/. What differs from\n" +
			"this daemongen's files counts as your edits from then on; a file it lacks,\n" +
			"the next update adds.\n\n" +
			"Exit status: 0 done (or, with --check, nothing to do); 1 a failure, or --check\n" +
			"finding work; 3 conflicts left, or, with --check, still marked.\n\n" +
			"Example:\n\n" +
			"   daemongen update --dry-run\n" +
			"   daemongen update && git diff\n" +
			"   daemongen update --check   # in CI",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", TakesFile: true, Usage: "the project's directory `DIR`, where " + generator.StampFile + " is (default .)"},
			&cli.StringFlag{Name: "socket", Usage: "make the project serve on `ADDR` (IP:PORT, or :PORT for every address; as for new) through NAME.socket from now on"},
			&cli.BoolFlag{Name: "no-socket", Usage: "drop the socket unit and its wiring"},
			&cli.BoolFlag{Name: "docker", Usage: "write the Dockerfile from now on (--docker=false drops it)"},
			templatesFlag(),
			&cli.BoolFlag{Name: "dry-run", Usage: "print what update would do, write nothing, and exit as update would"},
			&cli.BoolFlag{Name: "check", Usage: "write nothing; exit 0 if the project is up to date, 1 if update would change it, 3 while conflicts are marked"},
			&cli.BoolFlag{Name: "adopt", Usage: "write the stamp of a project from before stamps, and nothing else"},
			&cli.StringFlag{Name: "name", Usage: "with --adopt, the binary's `NAME` (default: the one main.go gives daemon.Program)"},
		},
		Action: runUpdate,
	}
}

// planUpdate compares the project in dir, made as s records, with files,
// what this daemongen renders for it now, and returns what update does to
// each file, sorted by path: the daemon package as generate plans it (the
// files are daemongen's), every other file merged 3-way with the stamp's
// base. go.mod and the example service are the owner's and are not
// planned.
func planUpdate(dir string, s *generator.Stamp, cfg generator.Config, files []generator.File, newVersion string) ([]generator.Change, error) {
	var planned []generator.File
	for _, f := range files {
		if cfg.InDaemonDir(f.Path) || cfg.Editable(f.Path) {
			planned = append(planned, f)
		}
	}
	bases := map[string][]byte{}
	for p, b := range s.Bases {
		if cfg.Editable(p) { // never the owner's files or the daemon package's, whatever the stamp says
			bases[p] = b
		}
	}
	plan, err := generator.PlanFiles(dir, planned, generator.Policy{
		Owned:  cfg.InDaemonDir,
		Bases:  bases,
		Moved:  generator.Moves(cfg.Name),
		Labels: diff.Labels{Ours: "yours", Base: "daemongen " + s.Version, Theirs: "daemongen " + newVersion},
	})
	if errors.Is(err, generator.ErrNotGenerated) {
		return nil, fmt.Errorf("update: %w: the daemon package is daemongen's, and an edit there is lost; move your code out of %s (or put the line back to let update replace the file)", err, cmp.Or(cfg.DaemonDir, generator.DaemonDir))
	}
	if err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}
	return plan, nil
}

// runUpdate brings the project in --dir to what this daemongen writes for
// it, as its stamp records it was made.
func runUpdate(c *cli.Context) error {
	if c.Args().Present() {
		return badUsage(c, "unexpected arguments: %s", strings.Join(c.Args().Slice(), " "))
	}
	switch {
	case c.Bool("check") && c.Bool("dry-run"):
		return badUsage(c, "--check and --dry-run exclude each other")
	case c.Bool("adopt") && c.Bool("check"):
		return badUsage(c, "--adopt and --check exclude each other (--adopt --dry-run shows what it would write)")
	case c.IsSet("name") && !c.Bool("adopt"):
		return badUsage(c, "--name goes with --adopt only: update takes the name from the stamp")
	}
	dir := cmp.Or(c.String("dir"), ".")
	stampPath := filepath.Join(dir, generator.StampFile)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("update: %s is no directory (give the project's with --dir)", dir)
	}
	unlock, err := generator.LockProject(c.Context, dir, func() {
		fmt.Fprintf(c.App.ErrWriter, "daemongen: waiting for the other daemongen updating %s\n", dir)
	})
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	defer unlock()
	data, err := generator.ReadInside(dir, generator.StampFile)
	if above := stampAbove(dir); errors.Is(err, fs.ErrNotExist) && above != "" {
		return fmt.Errorf("update: %s is inside the project at %s, whose %s it is: run daemongen update --dir %s", dir, above, generator.StampFile, above)
	}
	if errors.Is(err, fs.ErrNotExist) && c.Bool("adopt") {
		return adopt(c, dir)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("update: %s has no %s: it was made before daemongen stamped its projects, or not by daemongen, so update cannot tell your edits from what daemongen wrote (adopt it with: daemongen update --dir %s --adopt)", dir, generator.StampFile, dir)
	}
	if c.Bool("adopt") {
		return fmt.Errorf("update --adopt: %s has a stamp already; run daemongen update", dir)
	}
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	old, err := generator.ParseStamp(data)
	if err != nil {
		return fmt.Errorf("update: %s: %w", stampPath, err)
	}
	if old.Config.DaemonOnly {
		return fmt.Errorf("update: %s is the stamp of a daemon package generate wrote: run daemongen generate there", stampPath)
	}
	if err := old.Config.Validate(); err != nil {
		return fmt.Errorf("update: %s: %w (the stamp was edited: take it back from version control)", stampPath, err)
	}
	if err := newerStamp(old); err != nil {
		return fmt.Errorf("update: %s %w", stampPath, err)
	}
	if marked := markedConflicts(dir, old); len(marked) > 0 {
		return cli.Exit("update: conflicts still marked in "+strings.Join(marked, ", ")+" from the last update; resolve them, then run: daemongen update --check", exitConflict)
	}
	cfg := old.Config
	cfg.Pin = pin()
	switch {
	case c.IsSet("socket") && c.Bool("no-socket"):
		return badUsage(c, "--socket and --no-socket exclude each other")
	case c.IsSet("socket"):
		cfg.Socket = c.String("socket")
	case c.Bool("no-socket"):
		cfg.Socket = ""
	}
	if c.IsSet("docker") {
		cfg.Docker = c.Bool("docker")
	}
	if err := cfg.Validate(); err != nil {
		return badUsage(c, "%w", err)
	}
	if old.Templates != "" && c.String("templates") == "" {
		return badUsage(c, "%s was made with --templates %s: pass --templates DIR again", dir, strings.Fields(old.Templates)[0])
	}
	if mod, err := gomod.FindModule(dir); err == nil && mod.Root == mustAbs(dir) {
		cfg.GoVersion = mod.Go
	}
	tree, err := templateTree(c)
	if err != nil {
		return err
	}
	files, err := generator.Render(cfg, tree)
	if err != nil {
		return err
	}
	if err := overlayOrphans(c.App.ErrWriter, cfg, files); err != nil {
		return err
	}
	version := stampVersion()
	plan, err := planUpdate(dir, old, cfg, files, version)
	if err != nil {
		return err
	}
	stamp := generator.NewStamp(version, cfg, overlayID(c, tree), files)
	for _, ch := range plan {
		if ch.Kind == generator.Conflicted {
			stamp.Conflicts = append(stamp.Conflicts, ch.Path)
		}
	}
	stampFile, err := stamp.File()
	if err != nil {
		return err
	}
	goMod, raise := raiseGoLine(dir)
	if c.Bool("check") {
		// Conflicts resolved since are no change: the stamp forgets them.
		stamp.Conflicts = old.Conflicts
		expected, err := stamp.File()
		if err != nil {
			return err
		}
		return checkUpdate(c.App.Writer, dir, plan, !bytes.Equal(data, expected.Data) || raise != nil)
	}
	// What update did is printed once it is done: an update that fails or
	// is interrupted writes nothing, and says only that.
	dryRun := c.Bool("dry-run")
	var report bytes.Buffer
	out := &report
	var changes []generator.Change
	conflicts := 0
	for _, ch := range plan {
		if ch.Kind.Writes() {
			changes = append(changes, ch)
		}
		if ch.Kind == generator.Conflicted {
			conflicts++
		}
		printAction(out, dir, ch, dryRun)
		if editedDaemonFile(dir, old, ch) {
			fmt.Fprintf(out, "note: %s was edited since daemongen wrote it; the daemon package is daemongen's, so update %s it and the edit goes (version control keeps it; keep a change as a --templates overlay: daemongen templates export)\n", filepath.Join(dir, filepath.FromSlash(ch.Path)), map[bool]string{true: "replaces", false: "removes"}[ch.Kind == generator.Stale])
		}
	}
	if raise != nil {
		changes = append(changes, generator.Change{Kind: generator.Stale, Path: "go.mod", File: *raise})
		fmt.Fprintf(out, "%sraise the go line of %s from %s to %s, which the daemon package needs\n", prefix(dryRun), filepath.Join(dir, "go.mod"), goMod, generator.GoVersion)
	}
	if !bytes.Equal(data, stampFile.Data) {
		changes = append(changes, generator.Change{Kind: generator.Stale, Path: generator.StampFile, File: stampFile})
	}
	if old.Pidfile != "" && old.Pidfile != stamp.Pidfile {
		was, is := strings.Fields(old.Pidfile), strings.Fields(stamp.Pidfile)
		env := strings.ToUpper(strings.ReplaceAll(cfg.Name, "-", "_")) + "_PIDFILE"
		fmt.Fprintf(out, "note: the new binary looks for its daemon at %s (root) and %s, where the old one used %s and %s: before you install it, stop the running daemon with the binary you have (%s stop), or run the new one with --pidfile OLD (or %s=OLD) until it restarts\n", is[0], is[1], was[0], was[1], cfg.Name, env)
	}
	for _, note := range generator.Migrations[min(max(old.API, 0), len(generator.Migrations)):] {
		fmt.Fprintf(out, "migration: %s\n", note) // the daemon package's API changed since the stamp
	}
	if old.Config.Socket == "" && cfg.Socket != "" {
		fmt.Fprintf(out, "note: your service serves on %s once it listens through daemon.Listen(\"http\", ADDR), as the example of \"daemongen new NAME --socket ADDR\" does (httpservice.go); update does not touch your service\n", cfg.Socket)
	}
	switch {
	case len(changes) == 0:
		fmt.Fprintf(out, "%s is up to date\n", dir)
	case len(changes) == 1 && changes[0].Path == generator.StampFile:
		fmt.Fprintf(out, "%srecord in %s that daemongen %s made the project, whose files are current\n", prefix(dryRun), generator.StampFile, stamp.Version)
	}
	if len(changes) > 0 && !dryRun {
		if err := generator.Sync(c.Context, dir, changes); err != nil {
			return err
		}
	}
	c.App.Writer.Write(report.Bytes())
	if len(changes) == 0 {
		return nil
	}
	if v := strings.Fields(old.Version); !dryRun && len(v) > 0 && semver.IsValid(v[0]) && slices.ContainsFunc(changes, func(ch generator.Change) bool { return ch.Path == "main.go" }) {
		notePin(c, filepath.Join(dir, "main.go"))
	}
	if conflicts > 0 {
		return cli.Exit(fmt.Sprintf("update: %d %s with conflicts; resolve the marked sections, then run: go build ./... && daemongen update --check", conflicts, plural(conflicts, "file", "files")), exitConflict)
	}
	if !dryRun {
		return buildAndVet(c.Context, dir)
	}
	return nil
}

// programName finds the name main.go gives daemon.Program.
var programName = regexp.MustCompile(`daemon\.Program\{Name: "([a-z][a-z0-9-]*)"`)

// adopt writes the stamp of a project in dir made before stamps, as if this
// daemongen had made it, and lists the files that differ from what it
// writes: update takes them for the owner's edits from now on.
func adopt(c *cli.Context, dir string) error {
	name := c.String("name")
	if name == "" {
		main, _ := os.ReadFile(filepath.Join(dir, "main.go"))
		m := programName.FindSubmatch(main)
		if m == nil {
			return badUsage(c, "no daemon.Program{Name: ...} in %s: give the binary's name with --name", filepath.Join(dir, "main.go"))
		}
		name = string(m[1])
	}
	mod, err := gomod.FindModule(dir)
	if err != nil || mod.Root != mustAbs(dir) {
		return fmt.Errorf("update --adopt: %s is not a module's root (no go.mod there)", dir)
	}
	exists := func(p string) bool { _, err := os.Stat(filepath.Join(dir, p)); return err == nil }
	cfg := generator.Config{Name: name, Module: mod.Path, Socket: c.String("socket"), Docker: c.Bool("docker") || !c.IsSet("docker") && exists("Dockerfile"), GoVersion: mod.Go, Pin: pin()}
	if unit := filepath.Join("init", "systemd", name+".socket"); cfg.Socket == "" && !c.Bool("no-socket") && exists(unit) {
		data, _ := os.ReadFile(filepath.Join(dir, unit))
		m := listenStream.FindSubmatch(data)
		if m == nil {
			return badUsage(c, "%s has no ListenStream= line: give the socket's address with --socket ADDR, or --no-socket", filepath.Join(dir, unit))
		}
		cfg.Socket = string(m[1])
		if !strings.Contains(cfg.Socket, ":") {
			cfg.Socket = ":" + cfg.Socket // ListenStream=PORT is every address
		}
	}
	if err := cfg.Validate(); err != nil {
		return badUsage(c, "%w", err)
	}
	tree, err := templateTree(c)
	if err != nil {
		return err
	}
	files, err := generator.Render(cfg, tree)
	if err != nil {
		return err
	}
	// A file of an older layout that this daemongen writes elsewhere moves
	// there, unless both are present. The stamp records a base only for
	// the files the project has: the next update adds the others, which
	// the daemongen that made it did not write.
	var changes []generator.Change
	var report bytes.Buffer
	moved := map[string][]byte{} // by new path
	moves := generator.Moves(name)
	for _, old := range slices.Sorted(maps.Keys(moves)) {
		now := moves[old]
		data, err := generator.ReadInside(dir, old)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return fmt.Errorf("update --adopt: %w", err)
		case exists(now):
			fmt.Fprintf(&report, "%s %s: daemongen now writes %s, which you have too; carry your edits there, then remove %s\n", prefix(c.Bool("dry-run"))+"keep", filepath.Join(dir, old), filepath.Join(dir, now), old)
			continue
		}
		changes = append(changes, generator.Change{Kind: generator.Missing, Path: now, File: generator.File{Path: now, Mode: 0o644, Data: data}}, generator.Change{Kind: generator.Extra, Path: old})
		moved[now] = data
		fmt.Fprintf(&report, "%smove %s to %s, where daemongen writes it now\n", prefix(c.Bool("dry-run")), filepath.Join(dir, old), filepath.Join(dir, now))
	}
	var present []generator.File
	for _, f := range files {
		data, err := generator.ReadInside(dir, f.Path)
		if m, ok := moved[f.Path]; ok {
			data, err = m, nil
		}
		switch {
		case !cfg.Editable(f.Path):
			present = append(present, f)
		case err == nil:
			present = append(present, f)
			if !bytes.Equal(generator.AsLF(data), f.Data) {
				fmt.Fprintf(&report, "yours %s (differs from what this daemongen writes: update keeps it as your edit)\n", filepath.Join(dir, f.Path))
			}
		case errors.Is(err, fs.ErrNotExist):
			fmt.Fprintf(&report, "new %s (the next update adds it)\n", filepath.Join(dir, f.Path))
		default:
			return fmt.Errorf("update --adopt: %w", err)
		}
	}
	stamp, err := generator.NewStamp(stampVersion(), cfg, overlayID(c, tree), present).File()
	if err != nil {
		return err
	}
	changes = append(changes, generator.Change{Kind: generator.Missing, Path: generator.StampFile, File: stamp})
	if c.Bool("dry-run") {
		c.App.Writer.Write(report.Bytes())
		fmt.Fprintf(c.App.Writer, "would adopt %s: would write %s as a project named %s with socket %q and docker %v\n", dir, filepath.Join(dir, generator.StampFile), name, cfg.Socket, cfg.Docker)
		return nil
	}
	if err := generator.Sync(c.Context, dir, changes); err != nil {
		return err
	}
	c.App.Writer.Write(report.Bytes())
	fmt.Fprintf(c.App.Writer, "adopted %s: wrote %s; from now on, daemongen update merges your edits\n", dir, filepath.Join(dir, generator.StampFile))
	return nil
}

// listenStream finds the address of a socket unit new wrote.
var listenStream = regexp.MustCompile(`(?m)^ListenStream=(\S+)\s*$`)

// overlayOrphans warns of each file that only the --templates overlay
// writes: one that replaced a template this daemongen renamed or dropped
// now adds a file beside the one it meant to replace.
func overlayOrphans(w io.Writer, cfg generator.Config, files []generator.File) error {
	embedded, err := generator.Render(cfg, templates.FS)
	if err != nil {
		return err
	}
	for _, f := range files {
		if !slices.ContainsFunc(embedded, func(e generator.File) bool { return e.Path == f.Path }) {
			fmt.Fprintf(w, "note: only the --templates overlay writes %s, which this daemongen does not: if it was to replace a template since renamed or dropped, move it (daemongen templates list)\n", f.Path)
		}
	}
	return nil
}

// prefix is what a dry run puts before each line.
func prefix(dryRun bool) string {
	if dryRun {
		return "would "
	}
	return ""
}

// editedDaemonFile reports whether ch replaces or removes a file of the
// daemon package that differs from the sum the stamp s recorded for it:
// one its owner edited, whose edit update is about to lose.
func editedDaemonFile(dir string, s *generator.Stamp, ch generator.Change) bool {
	sum, ok := s.Sums[ch.Path]
	if !ok || ch.Kind != generator.Stale && ch.Kind != generator.Extra {
		return false
	}
	data, err := generator.ReadInside(dir, ch.Path)
	return err == nil && generator.Sum(generator.AsLF(data)) != sum
}

// printAction says what update does, or would do, to one file.
func printAction(w io.Writer, dir string, ch generator.Change, dryRun bool) {
	name := filepath.Join(dir, filepath.FromSlash(ch.Path))
	switch {
	case ch.Move != "" && ch.Kind == generator.Extra:
		return // said with the move
	case ch.Move != "":
		fmt.Fprintf(w, "%smove %s to %s, where this daemongen writes it", prefix(dryRun), filepath.Join(dir, filepath.FromSlash(ch.Move)), name)
		if ch.Kind == generator.Conflicted {
			fmt.Fprintf(w, ", with %d %s (marked <<<<<<< yours ... >>>>>>>)", ch.Conflicts, plural(ch.Conflicts, "conflict", "conflicts"))
		}
		fmt.Fprintln(w)
		return
	}
	switch ch.Kind {
	case generator.Kept:
		fmt.Fprintf(w, "keep %s (you edited it, and this daemongen no longer writes it)\n", name)
	case generator.Deleted:
		fmt.Fprintf(w, "deleted %s (you deleted it; it stays deleted)\n", name)
	case generator.Conflicted:
		fmt.Fprintf(w, "%smerge %s with %d %s (marked <<<<<<< yours ... >>>>>>>)\n", prefix(dryRun), name, ch.Conflicts, plural(ch.Conflicts, "conflict", "conflicts"))
	case generator.Missing, generator.Stale, generator.Merged, generator.Extra:
		verb := map[generator.ChangeKind]string{generator.Missing: "add", generator.Stale: "replace", generator.Merged: "merge", generator.Extra: "remove"}[ch.Kind]
		fmt.Fprintf(w, "%s%s %s\n", prefix(dryRun), verb, name)
	}
}

// checkUpdate is update --check, once no conflict is marked: exit 1 if
// update would change anything, 0 if the project is what update leaves.
func checkUpdate(w io.Writer, dir string, plan []generator.Change, stampChanges bool) error {
	n := 0
	for _, ch := range plan {
		if ch.Kind.Writes() {
			printAction(w, dir, ch, true)
			n++
		}
	}
	if n > 0 || stampChanges {
		return fmt.Errorf("update --check: %s is not what this daemongen writes (run: daemongen update --dir %s)", dir, dir)
	}
	return nil
}

// markedConflicts returns the files of dir in which the last update, as
// the stamp old says, left conflicts that are still marked.
func markedConflicts(dir string, old *generator.Stamp) []string {
	var marked []string
	for _, p := range old.Conflicts {
		data, err := generator.ReadInside(dir, p)
		if err == nil && hasConflictMarkers(data) {
			marked = append(marked, filepath.Join(dir, filepath.FromSlash(p)))
		}
	}
	return marked
}

// hasConflictMarkers reports whether data still holds a conflict as update
// writes it: a line "<<<<<<< yours" before a line ">>>>>>> daemongen ...".
func hasConflictMarkers(data []byte) bool {
	start := bytes.Index(data, []byte("\n<<<<<<< yours\n"))
	if !bytes.HasPrefix(data, []byte("<<<<<<< yours\n")) && start < 0 {
		return false
	}
	return bytes.Contains(data[max(start, 0):], []byte("\n>>>>>>> daemongen "))
}

// raiseGoLine returns go.mod in dir with its go line raised to the one the
// daemon package needs, and the line it had, or nil if it needs none.
func raiseGoLine(dir string) (string, *generator.File) {
	name := filepath.Join(dir, "go.mod")
	mod, err := gomod.FindModule(dir)
	if err != nil || mod.Root != mustAbs(dir) || !gomod.Older(mod.Go, generator.GoVersion) {
		return "", nil
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return "", nil
	}
	lines := strings.Split(string(data), "\n")
	i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "go ") })
	if i < 0 {
		lines = append(lines[:1], append([]string{"", "go " + generator.GoVersion}, lines[1:]...)...)
	} else {
		lines[i] = "go " + generator.GoVersion
	}
	return cmp.Or(mod.Go, "1.16 (no go line)"), &generator.File{Path: "go.mod", Mode: 0o644, Data: []byte(strings.Join(lines, "\n"))}
}

// buildAndVet builds and vets the updated project, so that an owner file
// that no longer compiles against the new daemon package is named now: go
// vet type-checks the tests too, go build compiles and links the rest.
// -trimpath, which changes no error message, lets the build cache serve
// the same packages in another checkout (a CI runner's, a worktree).
func buildAndVet(ctx context.Context, dir string) error {
	for _, args := range [][]string{{"build", "-trimpath", "./..."}, {"vet", "-trimpath", "./..."}} {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if ctx.Err() != nil {
			return fmt.Errorf("update: the files are written; %v before go %s ./... finished: run go build ./... && go vet ./... in %s", context.Cause(ctx), args[0], dir)
		}
		if errors.Is(err, exec.ErrNotFound) {
			return fmt.Errorf("update: the files are written; no go command is on PATH to build and vet %s: do it before you commit", dir)
		}
		if err != nil && len(out) == 0 { // go did not run: found in "." (exec.ErrDot), say
			return fmt.Errorf("update: the files are written; go could not build and vet %s (%v): do it before you commit", dir, err)
		}
		if err != nil {
			return fmt.Errorf("update: the files are written, but go %s ./... fails in %s (a file of yours may use what the daemon package changed; see its doc.go):\n%s", args[0], dir, out)
		}
	}
	return nil
}

// stampAbove returns the nearest directory above dir that holds a stamp,
// relative to the working directory where it can be, or "" if none does:
// update run in a project's subdirectory names the project instead of
// offering to adopt the subdirectory.
func stampAbove(dir string) string {
	d := mustAbs(dir)
	for up := filepath.Dir(d); up != d; d, up = up, filepath.Dir(up) {
		if fi, err := os.Lstat(filepath.Join(up, generator.StampFile)); err == nil && fi.Mode().IsRegular() {
			if rel, err := filepath.Rel(mustAbs("."), up); err == nil {
				return rel
			}
			return up
		}
	}
	return ""
}

// mustAbs returns the absolute form of dir, or dir.
func mustAbs(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	return abs
}
