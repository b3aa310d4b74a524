package daemon

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Exit codes. Status follows the LSB init-script conventions; the other
// actions exit 0 on success, 1 on failure and 2 on a usage error.
const (
	exitOK         = 0
	exitFailure    = 1
	exitUsage      = 2
	exitDead       = 1   // status: not running, but the pidfile exists
	exitNotRunning = 3   // status: not running
	exitUnknown    = 4   // status: cannot tell
	exitNoDaemon   = 7   // reload, reopen: not running
	exitKilled     = 150 // stop: gone, but only after SIGKILL (see client_unix.go)
	exitBusy       = 151 // upgrade: another upgrade is under way (see upgrade_unix.go)
)

// stageEnv marks a re-executed child with its stage; the service never sees it.
const stageEnv = "_DAEMON_STAGE"

// ctlSuffix, added to the pidfile's path, names the control socket.
const ctlSuffix = ".ctl"

// options are the parsed command line.
type options struct {
	action  string
	pidfile string // absolute; "" in run mode without a pidfile
	log     string // absolute; "" in run mode logging to stderr
	timeout time.Duration
	drain   time.Duration // upgrade: how long the old daemon may finish its requests
	user    string
	service []string // the service's flags that were set, as passOn makes them
}

// Main runs the command line args (without the program name) and returns
// the exit code for os.Exit; in the daemon, once the service has stopped.
func Main(p Program, args []string) int {
	if p.Name == "" || p.Service == nil {
		fmt.Fprintln(os.Stderr, "daemon: Program needs a Name and a Service")
		return exitUsage
	}
	if f, ok := p.Service.(Flagger); ok && p.Flags == nil {
		p.Flags = f.Flags
	}
	if len(args) > 0 && (args[0] == "install" || args[0] == "uninstall") {
		return p.newInstaller().main(args[0], args[1:]) // install.go
	}
	o, err := p.parse(args)
	if errors.Is(err, flag.ErrHelp) {
		p.usage(os.Stdout)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", p.Name, err)
		p.usage(os.Stderr)
		return exitUsage
	}
	if stage := os.Getenv(stageEnv); stage != "" {
		return p.child(stage, o)
	}
	switch o.action {
	case "start":
		return p.start(o)
	case "stop":
		return p.stop(o)
	case "restart":
		if code := p.stop(o); code != exitOK && code != exitKilled {
			return code
		}
		return p.start(o)
	case "status":
		return p.status(o)
	case "run":
		return p.run(o)
	default: // reload, upgrade or a control: parse accepts no other action
		return p.control(o)
	}
}

// actions returns the commands parse accepts, the controls (serve.go) too.
func actions() []string {
	a := []string{"start", "stop", "restart", "status", "reload", "upgrade"}
	for _, c := range controls {
		a = append(a, c.name)
	}
	return append(a, "run")
}

// parse reads ACTION and flags, in either order, and resolves the paths.
func (p *Program) parse(args []string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet(p.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.pidfile, "pidfile", "", "")
	fs.StringVar(&o.log, "log", "", "")
	fs.DurationVar(&o.timeout, "timeout", StopTimeout, "")
	fs.DurationVar(&o.drain, "drain", StopTimeout, "")
	fs.StringVar(&o.user, "user", "", "")
	svc, err := p.serviceFlags(fs)
	if err != nil {
		return nil, err
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return nil, errors.New("missing command")
	}
	o.action = rest[0]
	if err := fs.Parse(rest[1:]); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if !slices.Contains(actions(), o.action) {
		return nil, fmt.Errorf("unknown command %q (want one of %s, install, uninstall)", o.action, strings.Join(actions(), ", "))
	}
	if o.timeout <= 0 || o.drain <= 0 {
		return nil, fmt.Errorf("invalid --timeout %v or --drain %v: must be positive", o.timeout, o.drain)
	}
	if o.user != "" && o.action != "start" && o.action != "restart" && o.action != "run" {
		return nil, fmt.Errorf("--user applies to start, restart and run, not %s", o.action)
	}
	o.service = passOn(fs, svc)
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return o, p.resolvePaths(o, set)
}

// resolvePaths sets the pidfile and log, absolute, from the flags, the
// environment or the defaults.
func (p *Program) resolvePaths(o *options, set map[string]bool) error {
	prefix := envPrefix(p.Name)
	if !set["pidfile"] {
		o.pidfile = os.Getenv(prefix + "_PIDFILE")
	}
	if !set["log"] {
		o.log = os.Getenv(prefix + "_LOG")
	}
	if o.action != "run" {
		if set["pidfile"] && o.pidfile == "" || set["log"] && o.log == "" {
			return errors.New("an empty --pidfile or --log names no file; leave the flag out for its default")
		}
		d := defaultPaths(p.Name, os.Geteuid(), os.Getenv, ownDir)
		if o.pidfile == "" {
			o.pidfile = d.pidfile
		}
		if o.log == "" {
			o.log = d.log
		}
	}
	for _, path := range []*string{&o.pidfile, &o.log} {
		if *path == "" {
			continue
		}
		abs, err := filepath.Abs(*path)
		if err != nil {
			return fmt.Errorf("resolve %s: %w", *path, err)
		}
		*path = abs
	}
	// Writing the pidfile as the log, or closing it, would lose the lock.
	if o.pidfile != "" && o.log != "" {
		pi, err1 := os.Stat(o.pidfile)
		li, err2 := os.Stat(o.log)
		if o.pidfile == o.log || o.log == o.pidfile+ctlSuffix || (err1 == nil && err2 == nil && os.SameFile(pi, li)) {
			return fmt.Errorf("--log %s is the pidfile or its control socket; choose another --log or --pidfile", o.log)
		}
	}
	return nil
}

// fail reports the failure err of action on stderr and returns exitFailure.
func (p *Program) fail(action string, err error) int {
	fmt.Fprintf(os.Stderr, "%s: %s: %v\n", p.Name, action, err)
	return exitFailure
}

// envPrefix is the prefix of a program's variables: "my-svc" gives "MY_SVC".
func envPrefix(name string) string {
	return strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// paths are default file locations, and the directories start creates
// for them: private 0700, run 0755 (the unit's RuntimeDirectory=); "" if none.
type paths struct {
	pidfile, log, private, run string
}

// defaultPaths returns where the pidfile and log go by default: for root
// /run/NAME/NAME.pid and /var/log; for anyone else the pidfile in
// $XDG_RUNTIME_DIR/NAME, as the user units have it, and the log (and the
// pidfile without it) in a private directory in $XDG_STATE_HOME
// (~/.local/state), or without a home NAME-UID in the temporary directory.
// $HOME and $XDG_RUNTIME_DIR count only if isOwn.
func defaultPaths(name string, euid int, getenv func(string) string, isOwn func(dir string) bool) paths {
	if euid == 0 {
		run := filepath.Join("/run", name)
		return paths{pidfile: filepath.Join(run, name+".pid"), log: "/var/log/" + name + ".log", run: run}
	}
	state := getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(state) {
		state = ""
		if home := getenv("HOME"); filepath.IsAbs(home) && isOwn(home) {
			state = filepath.Join(home, ".local", "state")
		}
	}
	private := filepath.Join(state, name)
	if state == "" {
		private = filepath.Join(os.TempDir(), fmt.Sprintf("%s-%d", name, euid))
	}
	d := paths{pidfile: filepath.Join(private, name+".pid"), log: filepath.Join(private, name+".log"), private: private}
	if run := getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(run) && isOwn(run) {
		d.run = filepath.Join(run, name)
		d.pidfile = filepath.Join(d.run, name+".pid")
	}
	return d
}

func (p *Program) usage(w io.Writer) {
	d := defaultPaths(p.Name, os.Geteuid(), os.Getenv, ownDir)
	prefix := envPrefix(p.Name)
	fmt.Fprintf(w, `Usage: %[1]s COMMAND [flags]

Commands:
  start     start the daemon; returns once it is ready (exit 0) or has failed (exit 1)
  stop      stop the daemon with SIGTERM, SIGKILL after --timeout; returns once it is gone
            (exit 150 if it had to be killed)
  restart   stop, then start
  status    exit 0 running, 1 dead with a pidfile, 3 not running, 4 cannot tell
  reload    reload and wait for the result: exit 0 done, 1 failed (the error is
            printed), 7 not running
%[6]s  upgrade   start the binary now at this path in the daemon's place, handing it the
            pidfile and listeners, refusing no connection; returns once the old daemon
            is gone (exit 0); 1 with the reason, 151 another upgrade runs, 7 none runs
  run       run in the foreground (systemd Type=notify, containers, supervisors)
  install   register with the init system, enable and start: %[1]s install -h
  uninstall stop, disable and remove what install wrote: %[1]s uninstall -h

Flags (-flag and --flag both work):
  --pidfile PATH   pidfile (default %[2]s, or $%[3]s_PIDFILE)
  --log PATH       log file for stdout and stderr (default %[4]s, or $%[3]s_LOG;
                   run logs to stderr unless a log is named)
  --timeout DUR    how long start and upgrade wait for readiness and stop for exit (default %[5]v)
  --drain DUR      how long an upgraded daemon may finish its requests (default %[5]v)
  --user NAME      run the daemon as this user (start, restart, run; as root)

Example:
  %[1]s start && %[1]s status && %[1]s stop
`, p.Name, d.pidfile, prefix, d.log, StopTimeout, controlUsage())
	if p.Flags != nil {
		fmt.Fprintf(w, "\nService flags (every command takes them; start and run pass them to the service):\n")
		svc := flag.NewFlagSet(p.Name, flag.ContinueOnError)
		p.Flags(svc)
		svc.SetOutput(w)
		svc.PrintDefaults()
	}
}

// PathVar defines a flag for a file path, for use in [Program.Flags]. The
// path, and the default value, are made absolute against the working
// directory of the command the operator ran, so that they name the same
// file in the daemon, which runs in "/".
func PathVar(fs *flag.FlagSet, p *string, name, value, usage string) {
	v := (*pathValue)(p)
	*p = ""
	if err := v.Set(value); err != nil {
		*p = value
	}
	fs.Var(v, name, usage)
}

// pathValue is a flag.Value that holds an absolute path ("" stays "").
type pathValue string

func (v *pathValue) Set(s string) error {
	abs, err := filepath.Abs(s)
	if s == "" || err != nil {
		*v = ""
		return err
	}
	*v = pathValue(abs)
	return nil
}

func (v *pathValue) String() string {
	if v == nil {
		return ""
	}
	return string(*v)
}

// serviceFlags adds Program.Flags's flags to fs, and returns the set they
// were defined in (nil without); a name of the daemon's own is an error.
func (p *Program) serviceFlags(fs *flag.FlagSet) (*flag.FlagSet, error) {
	if p.Flags == nil {
		return nil, nil
	}
	svc := flag.NewFlagSet(p.Name, flag.ContinueOnError)
	p.Flags(svc)
	var err error
	svc.VisitAll(func(f *flag.Flag) {
		if fs.Lookup(f.Name) != nil {
			err = fmt.Errorf("Program.Flags defines --%s, which the daemon itself uses (rename the service's flag)", f.Name)
			return
		}
		fs.Var(f.Value, f.Name, f.Usage)
	})
	return svc, err
}

// passOn returns the service's flags set in fs as "--name=value"
// arguments, in lexical order, for every re-executed process.
func passOn(fs, svc *flag.FlagSet) (args []string) {
	fs.Visit(func(f *flag.Flag) {
		if svc != nil && svc.Lookup(f.Name) != nil {
			args = append(args, "--"+f.Name+"="+f.Value.String())
		}
	})
	return args
}

// controlUsage returns usage's lines for the controls.
func controlUsage() string {
	var b strings.Builder
	for _, c := range controls {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.usage)
	}
	return b.String()
}
