package generator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/txtar"
)

// StampFile is the file new and update write at a project's root: how
// daemongen made the project, for "daemongen update".
const StampFile = "daemongen.txtar"

// stampHeader opens every stamp.
const stampHeader = `daemongen stamp: how daemongen wrote what is here, read by "daemongen update"
and "daemongen generate". Commit it; edit nothing in it.
`

// A Stamp records how a project was made: which daemongen, with which
// options, and the base a later 3-way merge needs. Generate writes one, with
// its options and no bases, into the daemon package's directory. It is a txtar archive:
// the options as "key value" lines in its comment, and a section for the
// text of each file its owner may edit, as written. The daemon package is
// daemongen's alone; its files are recorded by their SHA-256 sums only.
type Stamp struct {
	Version   string            // daemongen's identity (see main's stampVersion)
	Config    Config            // Name, Module, Socket and Docker
	Templates string            // "DIR sha256:HEX" of a --templates overlay; "" for none
	InitDir   string            // generate's --init-files DIR, relative to the module root
	Pidfile   string            // the default pidfiles of the daemon it wrote (see DefaultPidfiles)
	API       int               // the daemon package's APIEpoch
	Conflicts []string          // files update left with conflict markers
	Bases     map[string][]byte // the owner's files as written, by path
	Sums      map[string]string // the daemon package's files' SHA-256 sums, hex, by path
}

// Editable reports whether p, a path of a project cfg renders, is a file
// its owner may edit and update merges: every file but the stamp, the
// daemon package (daemongen's) and UserFiles (the owner's alone).
func (cfg Config) Editable(p string) bool {
	return p != StampFile && !cfg.InDaemonDir(p) && !slices.Contains(UserFiles, p)
}

// InDaemonDir reports whether p, a slash-separated path relative to the
// module root, is a file of the daemon package.
func (cfg Config) InDaemonDir(p string) bool { return path.Dir(p) == cfg.daemonDir() }

// NewStamp returns the stamp of files, rendered for cfg by daemongen
// version, with the overlay templates ("" for none).
func NewStamp(version string, cfg Config, templates string, files []File) *Stamp {
	if cfg.Package == defaultPackage {
		cfg.Package = "" // as a flag would leave it
	}
	if cfg.Module == cfg.Name {
		cfg.Module = "" // the default
	}
	s := &Stamp{Version: version, Config: cfg, Templates: templates, Bases: map[string][]byte{}, Sums: map[string]string{}}
	if cfg.Name != "" {
		s.Pidfile = DefaultPidfiles(cfg.Name)
	}
	s.API = APIEpoch
	for _, f := range files {
		switch {
		case cfg.InDaemonDir(f.Path):
			s.Sums[f.Path] = Sum(f.Data)
		case cfg.Editable(f.Path):
			s.Bases[f.Path] = f.Data
		}
	}
	return s
}

// DefaultPidfiles names where the daemon package daemongen writes keeps the
// pidfile of the program name when nothing else says: root's, then
// everyone else's. TestDefaultPidfilesAgree holds it to the daemon's own
// defaultPaths. A stamp records it, so that update can say what to run when
// a newer daemon looks elsewhere for the daemon an older binary started.
func DefaultPidfiles(name string) string {
	return "/run/" + name + "/" + name + ".pid $XDG_RUNTIME_DIR/" + name + "/" + name + ".pid"
}

// SameText reports whether old, a file on disk, holds data, allowing the
// CRLF line endings and byte order mark a checkout may have added.
func SameText(old, data []byte) bool { return bytes.Equal(AsLF(old), data) }

// AsLF returns a file as written, without what a checkout may have added:
// a byte order mark, CRLF line endings.
func AsLF(data []byte) []byte { return asLF(data) }

// Sum is the hex SHA-256 sum of data.
func Sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// File returns the stamp as the file StampFile. A base that txtar could not
// hold as it is (a line "-- NAME --", no final newline) is an error naming
// it: the next update could not merge it.
func (s *Stamp) File() (File, error) {
	var b strings.Builder
	b.WriteString(stampHeader)
	line := func(key, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%s %s\n", key, value)
		}
	}
	line("version", s.Version)
	line("name", s.Config.Name)
	line("module", s.Config.Module)
	line("socket", s.Config.Socket)
	if s.Config.DaemonOnly {
		line("dir", s.Config.daemonDir())
		line("package", s.Config.Package)
	}
	if s.Config.Docker {
		line("docker", "yes")
	}
	line("templates", s.Templates)
	line("init-files", s.InitDir)
	line("pidfile", s.Pidfile)
	line("api", strconv.Itoa(s.API))
	for _, p := range slices.Sorted(slices.Values(s.Conflicts)) {
		line("conflict", p)
	}
	for _, p := range slices.Sorted(maps.Keys(s.Sums)) {
		line("sum", p+" "+s.Sums[p])
	}
	a := &txtar.Archive{Comment: []byte(b.String())}
	for _, p := range slices.Sorted(maps.Keys(s.Bases)) {
		data := s.Bases[p]
		if len(data) > 0 && data[len(data)-1] != '\n' || isMarkerIn(data) {
			return File{}, fmt.Errorf("stamp %s: %s has no final newline or a line \"-- NAME --\", which the stamp cannot hold; change its template", StampFile, p)
		}
		a.Files = append(a.Files, txtar.File{Name: p, Data: data})
	}
	return File{Path: StampFile, Mode: 0o644, Data: txtar.Format(a)}, nil
}

// isMarkerIn reports whether data has a line txtar reads as a file marker.
func isMarkerIn(data []byte) bool {
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "-- ") && strings.HasSuffix(l, " --") && len(l) > 6 {
			return true
		}
	}
	return false
}

// ParseStamp reads a stamp written by File. An unknown key is an error: a
// newer daemongen wrote it.
func ParseStamp(data []byte) (*Stamp, error) {
	data = asLF(data)
	if bytes.HasPrefix(data, []byte("<<<<<<< ")) || bytes.Contains(data, []byte("\n<<<<<<< ")) {
		return nil, errors.New("it holds a merge's conflict markers (<<<<<<<): keep one side of each conflict, the newer daemongen's, then run update again")
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		return nil, errors.New("it ends in the middle of a line, as no stamp daemongen writes does (it was cut short or edited: take it back from version control)")
	}
	a := txtar.Parse(data)
	comment, ok := strings.CutPrefix(string(a.Comment), stampHeader)
	if !ok {
		return nil, errors.New("it does not start as a daemongen stamp does")
	}
	s := &Stamp{Bases: map[string][]byte{}, Sums: map[string]string{}}
	for _, l := range strings.Split(strings.TrimSuffix(comment, "\n"), "\n") {
		key, value, _ := strings.Cut(l, " ")
		switch key {
		case "version":
			s.Version = value
		case "name":
			s.Config.Name = value
		case "module":
			s.Config.Module = value
		case "socket":
			s.Config.Socket = value
		case "dir":
			s.Config.DaemonDir, s.Config.DaemonOnly = value, true
		case "package":
			s.Config.Package = value
		case "docker":
			s.Config.Docker = value == "yes"
		case "templates":
			s.Templates = value
		case "init-files":
			s.InitDir = value
		case "pidfile":
			s.Pidfile = value
		case "api":
			s.API, _ = strconv.Atoi(value)
		case "conflict":
			if !stampPath(value) {
				return nil, fmt.Errorf("%q is no path inside the project", value)
			}
			s.Conflicts = append(s.Conflicts, value)
		case "sum":
			p, sum, _ := strings.Cut(value, " ")
			if !stampPath(p) {
				return nil, fmt.Errorf("%q is no path inside the project", p)
			}
			if len(sum) != 2*sha256.Size || strings.Trim(sum, "0123456789abcdef") != "" {
				return nil, fmt.Errorf("the sum of %s is no SHA-256 sum (the stamp was edited or cut short: take it back from version control)", p)
			}
			if _, dup := s.Sums[p]; dup {
				return nil, fmt.Errorf("two sums for %s (the stamp was edited: remove one)", p)
			}
			s.Sums[p] = sum
		default:
			return nil, fmt.Errorf("unknown line %q (written by a newer daemongen? run that one, or take the stamp back from version control)", l)
		}
	}
	for _, f := range a.Files {
		if !stampPath(f.Name) {
			return nil, fmt.Errorf("%q is no path inside the project", f.Name)
		}
		if _, dup := s.Bases[f.Name]; dup {
			return nil, fmt.Errorf("two bases for %s (the stamp was edited: remove one)", f.Name)
		}
		s.Bases[f.Name] = f.Data
	}
	return s, nil
}

// stampPath reports whether a stamp may name p: a path inside the project,
// and not in its .git directory, which no template writes and which update
// must never touch, whatever a hostile stamp says.
func stampPath(p string) bool {
	return fs.ValidPath(p) && p != "." && !slices.ContainsFunc(strings.Split(p, "/"), func(e string) bool { return strings.EqualFold(e, ".git") })
}

// APIEpoch counts the incompatible changes of the daemon package's exported
// API since the first stamped version; a stamp records it. Migrations[i] is
// the note for the change from epoch i to i+1, which update prints to
// owners whose stamp is older. TestDaemonAPICompatible holds the package
// to its recorded API.
const APIEpoch = 0

// Migrations are the notes of the API's incompatible changes (see APIEpoch).
var Migrations = []string{}
