// Package generator renders daemongen's templates into the files of a Go
// project whose binary is a Unix daemon, and writes them to disk.
//
// Rendering is pure: Render turns a Config and a template tree into an
// ordered list of Files and touches no disk. Write, a dry run and
// the golden tests all consume that one list.
//
// # Template tree
//
// A template tree is an fs.FS (normally templates.FS) with two sets:
// project/, rendered at the root of a new project, and daemon/, rendered into
// Config.DaemonDir (internal/daemon/ unless set); with Config.DaemonOnly
// only the daemon set is rendered. Below a
// set's root:
//
//   - a ".go" file of the daemon set is Go source of package daemon, copied
//     with its package clause rewritten: the package name becomes
//     Config.Package and the generated-file line (Marker) goes first;
//     nothing else changes. A user's Go file (see Source below) is
//     formatted first, which reports a syntax error by its file and line;
//   - every other file must end in ".tmpl", which is stripped from its output
//     path, and is a text/template;
//   - the token "_name_" in a path is replaced by Config.Name, so
//     project/init/systemd/_name_.service.tmpl becomes init/systemd/my-svc.service;
//   - directories are kept, so project/.github/workflows/ci.yml.tmpl becomes
//     .github/workflows/ci.yml.
//
// A template whose output is empty or only white space writes no file. That
// is how a file is made optional: project/Dockerfile.tmpl is wrapped in
// {{if .Docker -}} ... {{end -}}, so a project without Config.Docker has no
// Dockerfile. A template that must always write a file must never render to
// white space only.
//
// Each template is parsed once with the functions of sprig.HermeticTxtFuncMap
// (no clocks, randomness or environment) and the option missingkey=error,
// and executed with a Data value. A template file is one template: one that
// defines others ({{define}} or {{block}}) or calls one ({{template}}) is
// an error, so no file can reach into another.
//
// # Output
//
// A File's mode is 0755 if its path ends in ".sh" or its content starts
// with "#!" (the init scripts of project/init/, which have no suffix), and
// 0644 otherwise. The
// output of a ".go" template is formatted in-process with go/format, as
// gofmt formats it (the tests prove goimports would change nothing); the
// daemon set's Go source is already formatted, which
// daemongen's CI checks with gofmt, and is not formatted again. Every file of
// the daemon set starts with Marker: a Go template's output gets it if it
// lacks it, and any other file of the set without it is an error. Files are
// sorted by path, use LF line endings only, and are byte-identical across
// runs, time zones, umasks and working directories.
//
// Errors name the file by its path in the daemongen repository,
// "templates/" followed by its path in the tree, for example
// "render templates/daemon/pidfile_unix.go: ...", unless the tree has a
// method Source(path string) string, as trees made by templates.Load do:
// then they name it by what Source returns, such as the path of a user's
// file. Parse and execution errors also give the template's line. On any
// error no files are returned.
package generator

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/Masterminds/sprig/v3"
)

// The roots of the two template sets, and where Render puts the daemon set.
const (
	projectSet = "project"
	daemonSet  = "daemon"

	// DaemonDir is the directory of the daemon package in a new project.
	DaemonDir = "internal/daemon"
)

// A File is one rendered output file.
type File struct {
	Path string      // slash-separated, relative to the project root
	Mode fs.FileMode // 0644, or 0755 for scripts
	Data []byte
}

// tmplFile is one file of a template set: a parsed template, or, for a Go
// file of the daemon set, its source.
type tmplFile struct {
	name string // e.g. "templates/daemon/pidfile_unix.go"; see parseSet
	rel  string // output path below its set's root, before "_name_" is replaced
	tmpl *template.Template
	src  []byte // a daemon-set Go file, copied with rewritePackage; tmpl is nil
	user bool   // from a user's tree (see sourcer), not daemongen's own
}

// A sourcer is a template tree that names where each of its files comes from.
type sourcer interface {
	Source(path string) string
}

// parseSet reads every file below root in tmpl, in lexical order. A ".go"
// file of the daemon set is kept as source. Every other file must end in
// ".tmpl" and is parsed into set, which holds the functions and options,
// as a template named after the file. Sharing one set spares copying
// sprig's function maps for every file, which took a tenth of "new"; a
// file that defines a template of its own would share it with every other
// file, and is refused.
func parseSet(tmpl fs.FS, root string, set *template.Template) ([]*tmplFile, error) {
	src, _ := tmpl.(sourcer)
	var files []*tmplFile
	err := fs.WalkDir(tmpl, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("parse templates/%s: %w", p, err)
		}
		if d.IsDir() {
			return nil
		}
		name := "templates/" + p
		if src != nil {
			name = src.Source(p)
		}
		user := name != "templates/"+p
		rel := strings.TrimPrefix(p, root+"/")
		text, err := fs.ReadFile(tmpl, p)
		if err != nil {
			return fmt.Errorf("parse %s: %w", name, err)
		}
		if root == daemonSet && strings.HasSuffix(rel, ".go") {
			files = append(files, &tmplFile{name: name, rel: rel, src: text, user: user})
			return nil
		}
		rel, ok := strings.CutSuffix(rel, ".tmpl")
		switch {
		case !ok && root == daemonSet:
			return fmt.Errorf("parse %s: the daemon set holds Go files (.go) and templates (.tmpl); rename it", name)
		case !ok:
			return fmt.Errorf("parse %s: template file name does not end in .tmpl", name)
		case rel == "" || strings.HasSuffix(rel, "/"):
			return fmt.Errorf("parse %s: template file name is only .tmpl; name the output file before it", name)
		}
		defined := len(set.Templates())
		t, err := set.New(name).Parse(string(text))
		if err != nil {
			return fmt.Errorf("parse %s: %w", name, err)
		}
		if len(set.Templates()) > defined+1 || slices.ContainsFunc(files, func(f *tmplFile) bool { return f.tmpl != nil && set.Lookup(f.name) != f.tmpl }) {
			return fmt.Errorf("parse %s: defines a template ({{define}} or {{block}}); a template file is one template, so write it out where it is used", name)
		}
		if callsTemplate(t.Root) {
			return fmt.Errorf("parse %s: calls a template ({{template}}); a template file is one template, so write it out where it is used", name)
		}
		files = append(files, &tmplFile{name: name, rel: rel, tmpl: t})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return files, nil
}

// callsTemplate reports whether the parse tree below n holds a {{template}}
// action.
func callsTemplate(n parse.Node) bool {
	switch n := n.(type) {
	case *parse.TemplateNode:
		return true
	case *parse.ListNode:
		return n != nil && slices.ContainsFunc(n.Nodes, callsTemplate)
	case *parse.IfNode:
		return callsTemplate(n.List) || callsTemplate(n.ElseList)
	case *parse.RangeNode:
		return callsTemplate(n.List) || callsTemplate(n.ElseList)
	case *parse.WithNode:
		return callsTemplate(n.List) || callsTemplate(n.ElseList)
	}
	return false
}

// Render validates cfg, parses the template tree tmpl and renders it: the
// project set at the root and the daemon set into cfg.DaemonDir, or, with
// cfg.DaemonOnly, only the daemon set (and only it must exist). The error
// is Validate's, or names the first template that fails.
func Render(cfg Config, tmpl fs.FS) ([]File, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	set := template.New("").Funcs(sprig.HermeticTxtFuncMap()).Option("missingkey=error")
	var jobs []job
	if !cfg.DaemonOnly {
		project, err := parseSet(tmpl, projectSet, set)
		if err != nil {
			return nil, err
		}
		for _, t := range project {
			jobs = append(jobs, job{t, ".", false})
		}
	}
	daemon, err := parseSet(tmpl, daemonSet, set)
	if err != nil {
		return nil, err
	}
	for _, t := range daemon {
		jobs = append(jobs, job{t, cfg.daemonDir(), true})
	}
	data := cfg.data()
	data.inits = readInits(daemon)
	outs, err := render(jobs, data)
	if err != nil {
		return nil, err
	}
	return sortFiles(outs)
}

// output is a rendered file and the template it came from.
type output struct {
	File
	tmpl string
}

// A job is a file of a set to render and the directory to place it in.
type job struct {
	tmpl   *tmplFile
	dir    string
	daemon bool // the file belongs to the daemon set
}

// render renders every job with data, in order. The error is that of the
// first job that fails.
func render(jobs []job, data Data) ([]output, error) {
	outs := make([]output, 0, len(jobs))
	for _, j := range jobs {
		o, err := renderFile(j.tmpl, data, j.dir, j.daemon)
		if err != nil {
			return nil, err
		}
		if o.Path != "" {
			outs = append(outs, o)
		}
	}
	return outs, nil
}

// renderFile renders the file t of a set, placed below dir; daemon says
// whether it belongs to the daemon set. An output with no path is an
// optional file this Config leaves out.
func renderFile(t *tmplFile, data Data, dir string, daemon bool) (output, error) {
	if data.name == "" && strings.Contains(t.rel, "_name_") {
		return output{}, fmt.Errorf("render %s: _name_ in the path needs a name, and none was given (generate: use --name NAME)", t.name)
	}
	p := path.Join(dir, strings.ReplaceAll(t.rel, "_name_", data.name))
	mode := fs.FileMode(0o644)
	if strings.HasSuffix(p, ".sh") {
		mode = 0o755
	}
	if t.tmpl == nil {
		src := t.src
		if t.user { // daemongen's own source is gofmt-clean; a user's is checked whole
			var err error
			if src, err = formatGo(t.name, bytes.TrimPrefix(src, []byte("\uFEFF"))); err != nil {
				return output{}, fmt.Errorf("render %s: %w", t.name, err)
			}
		}
		out, err := rewritePackage(src, data.Package)
		if err != nil {
			return output{}, fmt.Errorf("render %s: %w", t.name, err)
		}
		return output{File{Path: p, Mode: mode, Data: out}, t.name}, nil
	}
	var buf bytes.Buffer
	if err := t.tmpl.Execute(&buf, data); err != nil {
		return output{}, fmt.Errorf("render %s: %w", t.name, err)
	}
	out := buf.Bytes()
	if len(bytes.TrimSpace(out)) == 0 {
		return output{}, nil
	}
	if bytes.IndexByte(out, '\r') >= 0 {
		return output{}, fmt.Errorf("render %s: output contains a carriage return; use LF line endings only", t.name)
	}
	if strings.HasSuffix(p, ".go") {
		var err error
		if out, err = formatGo(t.name, out); err != nil {
			return output{}, fmt.Errorf("render %s: format Go output: %w", t.name, err)
		}
		if daemon {
			if out, err = rewritePackage(out, data.Package); err != nil {
				return output{}, fmt.Errorf("render %s: %w", t.name, err)
			}
		}
	}
	if daemon && !IsGenerated(out) {
		return output{}, fmt.Errorf("render %s: a file of the daemon package must start with the line %q; make it the template's first line", t.name, Marker)
	}
	if bytes.HasPrefix(out, []byte("#!")) {
		mode = 0o755
	}
	return output{File{Path: p, Mode: mode, Data: out}, t.name}, nil
}

// sortFiles returns the files of outs sorted by path, and rejects two
// templates that produce the same path.
func sortFiles(outs []output) ([]File, error) {
	slices.SortStableFunc(outs, func(a, b output) int { return strings.Compare(a.Path, b.Path) })
	files := make([]File, len(outs))
	for i, o := range outs {
		if i > 0 && o.Path == outs[i-1].Path {
			return nil, fmt.Errorf("render %s: %s also writes %s; rename one of them", o.tmpl, outs[i-1].tmpl, o.Path)
		}
		files[i] = o.File
	}
	return files, nil
}
