package generator

import (
	"fmt"
	"go/token"
	"net"
	"path"
	"strconv"
	"strings"

	"golang.org/x/mod/module"
)

// MaxNameLen is the longest name Validate accepts.
const MaxNameLen = 64

// reservedNames are names the go command or Go itself gives a meaning to.
var reservedNames = []string{"go", "std", "cmd", "main", "test"}

// Config is what a user chooses for a new project. Flags and other
// command-line concerns never reach this package; the caller turns them
// into a Config.
type Config struct {
	// Name is the name of the binary and of the project directory,
	// for example "my-svc". It must pass Validate.
	Name string

	// Module is the module path of the new project, for example
	// "example.com/my-svc". Empty means Name.
	Module string

	// Package is the package name of the daemon package, for example
	// "svcd". Empty means "daemon". It must be a Go identifier that is not
	// a keyword, "_" or "main": the daemon package is imported by the
	// program's main package.
	Package string
	// Docker adds a Dockerfile whose entrypoint is "NAME run". False
	// leaves it out.
	Docker bool

	// Socket, if set, is the address "HOST:PORT" the example service
	// serves HTTP on, through a socket that systemd may pass (a NAME.socket
	// unit is written beside NAME.service). Empty writes the heartbeat
	// example and no socket unit.
	Socket string
}

// Validate reports whether c can be rendered. A nil error means it can.
// Otherwise the error says what is wrong and what would be accepted.
//
// Name must be 1 to MaxNameLen characters of lowercase ASCII letters, digits
// and '-', start with a letter, and not be one of go, std, cmd, main or test.
// Each '-' must stand between two letters or digits: a name may not end in
// '-' or contain "--", so that the environment prefix (MY_SVC for my-svc)
// reads as words and a name never looks like a flag fragment.
//
// Module, if set, must be a valid module path when its first element
// contains a dot (module.CheckPath), and otherwise a valid import path
// (module.CheckImportPath), which permits local paths such as "my-svc".
//
// Package, if set, must be a Go identifier other than a keyword, "_" and
// "main".
func (c Config) Validate() error {
	if err := validateName(c.Name); err != nil {
		return err
	}
	if err := validatePackage(c.Package); err != nil {
		return err
	}
	if err := validateSocket(c.Socket); err != nil {
		return err
	}
	if c.Module == "" {
		return nil
	}
	return validateModule(c.Module, c.Name)
}

// validateSocket wants "HOST:PORT" with a numeric port, as both net.Listen
// and systemd's ListenStream= read it.
func validateSocket(addr string) error {
	if addr == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(addr)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 || strings.ContainsAny(addr, " \t\n\"{}") {
		return fmt.Errorf("invalid socket address %q: use HOST:PORT with a port number, such as 127.0.0.1:8080 or [::]:8080", addr)
	}
	return nil
}

func validatePackage(pkg string) error {
	switch {
	case pkg == "":
		return nil
	case pkg == "main":
		return fmt.Errorf("invalid package name %q: the daemon package is imported by package main; choose another name (e.g. daemon)", pkg)
	case pkg == "_" || !token.IsIdentifier(pkg):
		return fmt.Errorf("invalid package name %q: use a Go identifier such as daemon or svcd", pkg)
	}
	return nil
}

func validateName(name string) error {
	const hint = "use lowercase letters, digits and '-', starting with a letter (e.g. my-svc)"
	if name == "" {
		return fmt.Errorf("missing name: %s", hint)
	}
	if len(name) > MaxNameLen {
		return fmt.Errorf("invalid name %q: %d characters long; use at most %d", name, len(name), MaxNameLen)
	}
	if name[0] < 'a' || name[0] > 'z' {
		return fmt.Errorf("invalid name %q: %s", name, hint)
	}
	for _, r := range name {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-') {
			return fmt.Errorf("invalid name %q: %s", name, hint)
		}
	}
	if strings.HasSuffix(name, "-") || strings.Contains(name, "--") {
		return fmt.Errorf("invalid name %q: put each '-' between letters or digits, not at the end or doubled (e.g. my-svc)", name)
	}
	for _, r := range reservedNames {
		if name == r {
			return fmt.Errorf("invalid name %q: reserved by Go (%s); choose another (e.g. %s-svc)", name, strings.Join(reservedNames, ", "), name)
		}
	}
	return nil
}

func validateModule(path, name string) error {
	check := module.CheckImportPath
	if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") {
		check = module.CheckPath
	}
	if err := check(path); err != nil {
		return fmt.Errorf("invalid module %q: use a module path such as example.com/%s or %s: %w", path, name, name, err)
	}
	return nil
}

// Data is the value every template is executed with.
type Data struct {
	Name         string // binary name, e.g. "my-svc"
	Module       string // module path, e.g. "example.com/my-svc"
	DaemonImport string // import path of the daemon package
	GoVersion    string // go directive of the new module, e.g. "1.23"
	Package      string // package name of the daemon package, e.g. "daemon"
	Docker       bool   // Config.Docker: write the Dockerfile
	Socket       string // Config.Socket: the HTTP example's address, "" for none
}

// DefaultPackage is the package name of the daemon package when
// Config.Package is empty.
const DefaultPackage = "daemon"

// GoVersion is the go directive written into new projects: 1.23 is the
// first Go whose os.FindProcess holds a pidfd, which the daemon relies on to
// signal the process it checked and no other.
const GoVersion = "1.23"

// data returns the template data for c with the daemon package at dir,
// a slash-separated path relative to the module root.
func (c Config) data(dir string) Data {
	mod := c.Module
	if mod == "" {
		mod = c.Name
	}
	pkg := c.Package
	if pkg == "" {
		pkg = DefaultPackage
	}
	return Data{
		Name:         c.Name,
		Module:       mod,
		DaemonImport: path.Join(mod, dir),
		GoVersion:    GoVersion,
		Package:      pkg,
		Docker:       c.Docker,
		Socket:       c.Socket,
	}
}
