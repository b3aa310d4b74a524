package generator

import (
	"cmp"
	"fmt"
	"go/token"
	"io/fs"
	"net"
	"net/netip"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/mod/module"
)

// maxNameLen is the longest name Validate accepts. The daemon's default
// control socket, ~/.local/state/NAME/NAME.pid.ctl for an ordinary user, must
// fit the 103 bytes a Unix socket path may have; with 32, it does for any
// home directory of up to 37 bytes, and /tmp/NAME-UID/NAME.pid.ctl always.
const maxNameLen = 32

// Config is what a user chooses for a new project, or for the daemon
// package of an existing module. Flags and other command-line concerns
// never reach this package; the caller turns them into a Config.
type Config struct {
	// Name is the name of the binary, for example "my-svc". It must pass
	// Validate; with DaemonOnly it may be empty, and then a template that
	// uses it fails.
	Name string

	// Module is the module path, for example "example.com/my-svc". Empty
	// means Name; with DaemonOnly it is required.
	Module string

	// Package is the package name of the daemon package, for example
	// "svcd". Empty means "daemon". It must be a Go identifier that is not
	// a keyword, "_" or "main": the daemon package is imported by the
	// program's main package.
	Package string

	// GoVersion is the go line of the module the project joins (new at a
	// module's root keeps its go.mod), for the Dockerfile's Go. Empty
	// means GoVersion, the line of a new go.mod.
	GoVersion string

	// DaemonDir is the directory of the daemon package, slash-separated and
	// relative to the module root, such as "pkg/svcd" ("." for the root).
	// Empty means DaemonDir, "internal/daemon".
	DaemonDir string

	// DaemonOnly renders only the daemon set, as "daemongen generate" does
	// in an existing module. False renders a whole new project.
	DaemonOnly bool

	// Docker adds a Dockerfile whose entrypoint is "NAME run". False
	// leaves it out.
	Docker bool

	// Socket, if set, is the address "HOST:PORT" (HOST an IP address, or
	// empty for every address) the example service serves HTTP on, through a socket that systemd may pass (a NAME.socket
	// unit is written beside NAME.service). Empty writes the heartbeat
	// example and no socket unit.
	Socket string

	// Pin is the released version of daemongen, such as "v1.2.3", that the
	// go:generate line of the output runs. Empty writes no such line: a
	// development build cannot be fetched by version.
	Pin string
}

// A ConfigError is the error Validate returns: the Config field that is
// wrong, its value, and what would be accepted.
type ConfigError struct {
	Field  string // "Name", "Module", "Package", "DaemonDir" or "Socket"
	Value  string
	Reason string // what is wrong and what to do instead
	Err    error  // the underlying error, if any, such as module.CheckPath's
}

func (e *ConfigError) Error() string {
	noun := map[string]string{"Name": "name", "Module": "module", "Package": "package name", "DaemonDir": "directory", "Socket": "socket address"}[e.Field]
	if e.Value == "" {
		return fmt.Sprintf("missing %s: %s", noun, e.Reason)
	}
	msg := fmt.Sprintf("invalid %s %q: %s", noun, e.Value, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *ConfigError) Unwrap() error { return e.Err }

// reservedNames are the names a binary may not have: the go command's
// package patterns (all, std, cmd, tool), vendor, go, main (a main package
// named main cannot be imported by its tests), and Windows' device names,
// which no file (such as NAME.service) may have.
var reservedNames = func() []string {
	names := []string{"go", "all", "std", "cmd", "tool", "vendor", "main", "con", "prn", "aux", "nul"}
	for i := range 10 {
		names = append(names, fmt.Sprintf("com%d", i), fmt.Sprintf("lpt%d", i))
	}
	return names
}()

// goReserved are the first elements of a module path that the go command
// refuses whatever the standard library holds: go and toolchain, the
// toolchain's own module paths (go.mod: "invalid module path"), the package
// patterns all, std, cmd and tool ("not an importable package"), main
// ("cannot import main" in go test) and vendor (vendored copies).
var goReserved = []string{"go", "toolchain", "all", "std", "cmd", "tool", "main", "vendor"}

// Validate reports whether c can be rendered. A nil error means it can;
// otherwise the error is a *ConfigError naming the first wrong field.
//
// Name must be 1 to maxNameLen characters of lowercase ASCII letters, digits
// and '-', start with a letter, and not be reserved: go, all, std, cmd,
// tool, vendor, main, or a Windows device name (con, prn, aux, nul, com0 to
// com9, lpt0 to lpt9). Each '-' must stand between two letters or
// digits: a name may not end in '-' or contain "--", so that the
// environment prefix (MY_SVC for my-svc) reads as words.
//
// Module (Name if empty) must be a valid module path when its first element
// contains a dot (module.CheckPath), and otherwise a valid import path
// (module.CheckImportPath), which permits local paths such as "my-svc". A
// first element without a dot must not be one the go command refuses: a
// directory of the standard library in Go 1.23 (GoVersion) to 1.26
// (stdFirstElems; "daemongen new log" would make module log, which the go
// command finds in two places), nor go, toolchain, all, std, cmd, tool,
// main or vendor (goReserved). A later Go may add a standard library
// directory, which no check made today can know. No element may be
// "vendor", which the go command reads as a vendored copy.
//
// Package, if set, must be a Go identifier other than a keyword, "_",
// "init" and "main". DaemonDir, if set, must be a slash-separated relative path
// without "." or ".." elements (fs.ValidPath), or ".".
func (c Config) Validate() error {
	if c.Name != "" || !c.DaemonOnly {
		if err := validateName(c.Name); err != nil {
			return err
		}
	}
	if err := validatePackage(c.Package); err != nil {
		return err
	}
	if c.DaemonDir != "" && !fs.ValidPath(c.DaemonDir) {
		return &ConfigError{Field: "DaemonDir", Value: c.DaemonDir, Reason: "use a slash-separated path inside the module, such as internal/daemon"}
	}
	if c.DaemonDir != "" && c.DaemonDir != "." {
		if slices.Contains(strings.Split(c.DaemonDir, "/"), "vendor") {
			return &ConfigError{Field: "DaemonDir", Value: c.DaemonDir, Reason: "the go command reads a vendor directory as vendored copies of other modules; choose another directory"}
		}
		if err := module.CheckImportPath(path.Join("example.com", c.DaemonDir)); err != nil {
			return &ConfigError{Field: "DaemonDir", Value: c.DaemonDir, Reason: "the package's import path must be valid; use letters, digits and -._~ in each element", Err: err}
		}
	}
	if err := validateSocket(c.Socket); err != nil {
		return err
	}
	mod := c.Module
	if mod == "" && c.DaemonOnly {
		return &ConfigError{Field: "Module", Reason: "the daemon package's import path is the module path joined with its directory"}
	}
	if mod == "" {
		mod = c.Name
	}
	return validateModule(mod, c.Name)
}

// validateSocket wants "HOST:PORT" with a port number and HOST an IP
// address or nothing (every address), as both net.Listen and systemd's
// ListenStream= read it: systemd resolves no host names and takes ":PORT"
// as PORT (see Data.ListenStream).
func validateSocket(addr string) error {
	if addr == "" {
		return nil
	}
	bad := func(reason string) error { return &ConfigError{Field: "Socket", Value: addr, Reason: reason} }
	host, port, err := net.SplitHostPort(addr)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 || net.JoinHostPort(host, strconv.Itoa(n)) != addr {
		return bad("use HOST:PORT with an IP address and a port number, such as 127.0.0.1:8080, [::1]:8080 or :8080 (every address)")
	}
	if host == "" {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	switch {
	case err != nil:
		return bad(fmt.Sprintf("%q is not an IP address, and systemd's ListenStream= resolves no host names; use 127.0.0.1:%s for localhost, or :%s for every address", host, port, port))
	case ip.Zone() != "":
		return bad(fmt.Sprintf("systemd's ListenStream= takes no IPv6 zone; use [%s]:%s, or :%s for every address", ip.WithZone(""), port, port))
	}
	return nil
}

func validatePackage(pkg string) error {
	switch {
	case pkg == "":
		return nil
	case pkg == "main":
		return &ConfigError{Field: "Package", Value: pkg, Reason: "the daemon package is imported by package main; choose another name (e.g. daemon)"}
	case pkg == "init":
		return &ConfigError{Field: "Package", Value: pkg, Reason: "a package named init cannot be imported under its name; choose another (e.g. svcd)"}
	case pkg == "_" || !token.IsIdentifier(pkg):
		return &ConfigError{Field: "Package", Value: pkg, Reason: "use a Go identifier such as daemon or svcd"}
	}
	return nil
}

func validateName(name string) error {
	const hint = "use lowercase letters, digits and '-', starting with a letter (e.g. my-svc)"
	bad := func(reason string) error { return &ConfigError{Field: "Name", Value: name, Reason: reason} }
	if name == "" {
		return bad(hint)
	}
	if len(name) > maxNameLen {
		return bad(fmt.Sprintf("%d characters long; use at most %d", len(name), maxNameLen))
	}
	if name[0] < 'a' || name[0] > 'z' {
		return bad(hint)
	}
	for _, r := range name {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-') {
			return bad(hint)
		}
	}
	if strings.HasSuffix(name, "-") || strings.Contains(name, "--") {
		return bad("put each '-' between letters or digits, not at the end or doubled (e.g. my-svc)")
	}
	if slices.Contains(reservedNames, name) {
		return bad(fmt.Sprintf("reserved (go, all, std, cmd, tool, vendor and main mean something to Go; con, prn, aux, nul, com0-9 and lpt0-9 are Windows device names); choose another (e.g. %s-svc)", name))
	}
	return nil
}

func validateModule(mod, name string) error {
	example := cmp.Or(name, "mysvc")
	hint := fmt.Sprintf("use a module path such as example.com/%s or %s", example, example)
	first, _, _ := strings.Cut(mod, "/")
	check := module.CheckImportPath
	if strings.Contains(first, ".") {
		check = module.CheckPath
	}
	if err := check(mod); err != nil {
		return &ConfigError{Field: "Module", Value: mod, Reason: hint, Err: err}
	}
	if last := path.Base(mod); !safeArgStart(last[0]) {
		return &ConfigError{Field: "Module", Value: mod, Reason: fmt.Sprintf("the go command refuses to build a package whose directory name starts with %q (it could pass for a flag); start the last element with a letter or digit, such as %s", last[:1], path.Join(path.Dir(mod), example))}
	}
	if slices.Contains(strings.Split(mod, "/"), "vendor") {
		return &ConfigError{Field: "Module", Value: mod, Reason: "the go command takes a path with a vendor element for a vendored package; choose a path without one"}
	}
	if strings.Contains(first, ".") {
		return nil
	}
	switch {
	case slices.Contains(stdFirstElems, first):
		return &ConfigError{Field: "Module", Value: mod, Reason: fmt.Sprintf("the standard library has packages under %q, which the go command would confuse with this module's; use a module path whose first element has a dot, such as example.com/%s", first, mod)}
	case slices.Contains(goReserved, first):
		return &ConfigError{Field: "Module", Value: mod, Reason: fmt.Sprintf("the go command reserves %q; use a module path whose first element has a dot, such as example.com/%s", first, mod)}
	}
	return nil
}

// safeArgStart reports whether the go command builds a package whose
// directory name starts with c: an ASCII letter, digit, '.' or '_', or any
// byte of a multi-byte character.
func safeArgStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c >= utf8.RuneSelf
}

// Data is the value every template is executed with.
type Data struct {
	name         string
	Module       string // module path, e.g. "example.com/my-svc"
	DaemonImport string // import path of the daemon package
	GoVersion    string // the module's go directive, e.g. "1.23"
	Package      string // package name of the daemon package, e.g. "daemon"
	Docker       bool   // Config.Docker: write the Dockerfile
	Socket       string // Config.Socket: the HTTP example's address, "" for none
	ListenStream string // Socket as systemd's ListenStream= takes it: PORT for ":PORT"
	Pin          string // Config.Pin
	DaemonOnly   bool   // Config.DaemonOnly: only the daemon package is rendered
	inits        *inits // see InitSystems
}

// Name returns the binary's name, such as "my-svc". It is an error when
// no name was given, as "daemongen generate" gives none unless asked: a
// template that uses it then fails, naming itself.
func (d Data) Name() (string, error) {
	if d.name == "" {
		return "", fmt.Errorf("the template uses .Name, and no name was given (generate: use --name NAME)")
	}
	return d.name, nil
}

// defaultPackage is the package name of the daemon package when
// Config.Package is empty.
const defaultPackage = "daemon"

// GoVersion is the go directive written into new projects and the oldest
// that generate accepts in a module: 1.23 is the first Go whose
// os.FindProcess holds a pidfd, which the daemon relies on to signal the
// process it checked and no other.
const GoVersion = "1.23"

// data returns the template data for c.
func (c Config) data() Data {
	mod := cmp.Or(c.Module, c.Name)
	return Data{
		name:         c.Name,
		Module:       mod,
		DaemonImport: path.Join(mod, c.daemonDir()),
		GoVersion:    cmp.Or(c.GoVersion, GoVersion),
		Package:      cmp.Or(c.Package, defaultPackage),
		Docker:       c.Docker,
		Socket:       c.Socket,
		ListenStream: strings.TrimPrefix(c.Socket, ":"),
		Pin:          c.Pin,
		DaemonOnly:   c.DaemonOnly,
	}
}

// daemonDir returns the directory of the daemon package.
func (c Config) daemonDir() string { return cmp.Or(c.DaemonDir, DaemonDir) }
