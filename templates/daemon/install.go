package daemon

import (
	"bytes"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// The install and uninstall commands register the program with the init
// system, from Program.InitFiles: init/FOLDER/ for each row of initSystems.
// Each file gets the binary's path for /usr/local/bin/NAME and, for a
// user's own init system, the home directory for "~/"; mode 0755 if it
// starts with "#!", else 0644.
const initDir = "init"

// An initSystem is one init system, a row of initSystems. A new project's
// documentation is rendered from the table's literals, so its fields hold
// literals only. In the commands, install replaces:
//
//	{name}   the program's name
//	{var}    the name with each "-" as "_", as a shell variable's name
//	{uid}    the effective user ID
//	{unit}   the base name of the service file (the first, by name)
//	{units}  the base names of all service files, as separate words
//	{file}   the path install writes {unit} to
//
// In dir, it replaces the first three, and "~/" at the start with the home
// directory ("~/.config/" with $XDG_CONFIG_HOME if that is absolute).
//
// A command is words separated by spaces. " || " separates alternatives:
// the first whose program is installed runs; if none is, install warns
// with unenabled.
type initSystem struct {
	name   string // the value of --init; a user's own row and root's may share one
	title  string // what the documentation calls it
	goos   string // the systems (GOOS values) it runs on, separated by spaces
	detect string // --init auto takes it if this path exists; "" if always
	need   bool   // install refuses to run if the detect path does not exist
	user   bool   // a user's own: needs no root; auto prefers it for anyone but root
	files  string // the folder of init/ with its service files
	dir    string // where install writes them
	many   bool   // the folder may hold several files (else exactly one)
	unit   bool   // the files are systemd units: install checks that their sandbox and user can run the binary

	// The commands, "" for none: install runs reload, enable, start, and restart
	// for a service running an older binary or unit; uninstall stop, disable, reload.
	reload, enable, start, restart, stop, disable string

	loaded string // a command that exits 0 if the service is loaded already, so start must not run
	log    string // where to look when the service fails to start; "" for its own log
	note   string // what install says when it is done

	unenabled string // the warning when no alternative of enable is installed
}

// initSystems are the init systems install knows. --init auto takes the
// first row that runs here and whose detect path exists (or is ""), a
// user's own first for anyone but root, whom they are not for. Of two rows
// with one name, --init NAME means the one for this user.
var initSystems = []initSystem{{
	name: "systemd", title: "systemd", goos: "linux", detect: "/run/systemd/system", need: true,
	files: "systemd", dir: "/etc/systemd/system", many: true, unit: true,
	reload: "systemctl daemon-reload", enable: "systemctl enable {units}", start: "systemctl start {units}",
	restart: "systemctl restart {unit}", stop: "systemctl stop {units}", disable: "systemctl disable {units}",
	log: "journalctl -u {unit}",
}, {
	name: "systemd-user", title: "systemd, a user's manager", goos: "linux", detect: "/run/systemd/system", need: true, user: true,
	files: "systemd-user", dir: "~/.config/systemd/user", many: true,
	reload: "systemctl --user daemon-reload", enable: "systemctl --user enable {units}", start: "systemctl --user start {units}",
	restart: "systemctl --user restart {unit}", stop: "systemctl --user stop {units}", disable: "systemctl --user disable {units}",
	log:  "journalctl --user -u {unit}",
	note: "{name} runs while you are logged in; to keep it running after you log out: loginctl enable-linger",
}, {
	// Only an OpenRC boot leaves softlevel; any openrc-run leaves /run/openrc itself.
	name: "openrc", title: "OpenRC", goos: "linux", detect: "/run/openrc/softlevel",
	files: "openrc", dir: "/etc/init.d",
	enable: "rc-update add {unit} default", start: "rc-service {unit} start", restart: "rc-service {unit} restart",
	stop: "rc-service {unit} stop", disable: "rc-update del {unit} default",
}, {
	name: "sysv", title: "SysV/LSB", goos: "linux",
	files: "sysv", dir: "/etc/init.d",
	enable: "update-rc.d {unit} defaults || chkconfig --add {unit}", start: "{file} start", restart: "{file} restart",
	stop: "{file} stop", disable: "update-rc.d -f {unit} remove || chkconfig --del {unit}",
	unenabled: "neither update-rc.d nor chkconfig is installed: {name} will not start at boot until you link {file} into /etc/rc?.d",
}, {
	// bootout stops and unloads the job, best effort as every disable is.
	name: "launchd", title: "launchd, a LaunchDaemon", goos: "darwin",
	files: "launchd", dir: "/Library/LaunchDaemons",
	enable: "launchctl enable system/{name}", loaded: "launchctl print system/{name}", restart: "launchctl kickstart -k system/{name}",
	start: "launchctl bootstrap system {file}", disable: "launchctl bootout system/{name}",
}, {
	name: "launchd", title: "launchd, a user's LaunchAgent", goos: "darwin", user: true,
	files: "launchd-agent", dir: "~/Library/LaunchAgents",
	enable: "launchctl enable gui/{uid}/{name}", loaded: "launchctl print gui/{uid}/{name}", restart: "launchctl kickstart -k gui/{uid}/{name}",
	start: "launchctl bootstrap gui/{uid} {file}", disable: "launchctl bootout gui/{uid}/{name}",
}, {
	name: "rc.d", title: "FreeBSD rc.d", goos: "freebsd dragonfly",
	files: "rc.d", dir: "/usr/local/etc/rc.d",
	enable: "sysrc {var}_enable=YES", start: "service {unit} start", restart: "service {unit} restart",
	stop: "service {unit} onestop", disable: "sysrc -x {var}_enable",
}}

// initNames returns the values of --init other than auto, in table order.
func initNames() (names []string) {
	for _, s := range initSystems {
		if !slices.Contains(names, s.name) {
			names = append(names, s.name)
		}
	}
	return names
}

// runsOn reports whether init system s runs on the system goos.
func (s *initSystem) runsOn(goos string) bool {
	return slices.Contains(strings.Fields(s.goos), goos)
}

// installer holds what install and uninstall learn from the machine. Tests
// replace its fields.
type installer struct {
	name     string
	files    fs.FS
	goos     string
	euid     int
	home     string // the user's home directory; "" if unknown
	config   string // $XDG_CONFIG_HOME, if absolute
	root     string // prefix of every path written or removed; "" outside tests
	exists   func(path string) bool
	lookPath func(file string) (string, error)
	run      func(args []string) error
	probe    func(args []string) bool               // runs args quietly: did it exit 0?
	running  func(bin string) (pid int, other bool) // the daemon, and whether it runs another binary than bin
	stdout   io.Writer
	stderr   io.Writer
}

// newInstaller returns the installer of program p on this machine.
func (p *Program) newInstaller() *installer {
	home, _ := os.UserHomeDir()
	config := os.Getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(config) {
		config = ""
	}
	return &installer{
		name:     p.Name,
		files:    p.InitFiles,
		goos:     runtime.GOOS,
		euid:     os.Geteuid(),
		home:     home,
		config:   config,
		exists:   func(path string) bool { _, err := os.Stat(path); return err == nil },
		lookPath: lookPath,
		run:      func(args []string) error { return runCommand(args, os.Stdout, os.Stderr) },
		probe:    func(args []string) bool { return runCommand(args, nil, nil) == nil },
		running:  func(bin string) (int, bool) { return runningDaemon(p.Name, bin) },
		stdout:   os.Stdout,
		stderr:   os.Stderr,
	}
}

// lookPath finds an executable as the shell does (a name with a slash as
// is, others in $PATH's absolute directories), then in /usr/sbin and /sbin.
func lookPath(file string) (string, error) {
	dirs, slash := append(filepath.SplitList(os.Getenv("PATH")), "/usr/sbin", "/sbin"), strings.Contains(file, "/")
	if slash {
		dirs = []string{""}
	}
	for _, dir := range dirs {
		path := filepath.Join(dir, file)
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 && (slash || filepath.IsAbs(dir)) {
			return path, nil
		}
	}
	return "", fmt.Errorf("%s: executable file not found in $PATH, /usr/sbin or /sbin", file)
}

// runCommand runs args, its output to stdout and stderr (nil: none), and
// says how it exited.
func runCommand(args []string, stdout, stderr *os.File) error {
	path, err := lookPath(args[0])
	if err != nil {
		return err
	}
	proc, err := startProcess(path, args, nil, nil, nil, stdout, stderr)
	if err != nil {
		return err
	}
	state, err := proc.Wait()
	if err == nil && !state.Success() {
		err = errors.New(state.String()) // "exit status 1", as exec's
	}
	return err
}

// startProcess starts path with files as its descriptors 0, 1, 2, 3...; a
// nil one among the first three is /dev/null. A nil env is this process's.
func startProcess(path string, args, env []string, sys *syscall.SysProcAttr, files ...*os.File) (*os.Process, error) {
	for i := range 3 {
		if files[i] == nil {
			null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
			if err != nil {
				return nil, err
			}
			defer null.Close()
			files[i] = null
		}
	}
	return os.StartProcess(path, args, &os.ProcAttr{Env: env, Files: files, Sys: sys})
}

// main runs install or uninstall with args and returns the exit code.
func (in *installer) main(action string, args []string) int {
	fset := flag.NewFlagSet(in.name+" "+action, flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	initFlag := fset.String("init", "auto", "")
	dryRun := fset.Bool("dry-run", false, "")
	var noStart *bool
	var bin *string
	if action == "install" {
		noStart = fset.Bool("no-start", false, "")
		bin = fset.String("bin", "", "")
	}
	usage := func(w io.Writer) {
		systems := strings.Join(initNames(), "|")
		if action == "uninstall" {
			fmt.Fprintf(w, "Usage: %s uninstall [--init auto|%s] [--dry-run]\n\n"+
				"Stop and disable the service and remove what install wrote.\n\n%s"+
				"  --dry-run      change nothing: print each command as \"$ COMMAND\" and each file\n"+
				"                 to remove as \"$ rm PATH\"\n", in.name, systems, initHelp())
			return
		}
		fmt.Fprintf(w, "Usage: %s install [--init auto|%s] [--no-start] [--dry-run] [--bin PATH]\n\n"+
			"Write the service file for the init system, reload it, enable and start the service.\n"+
			"Running it again changes nothing.\n\n%s"+
			"  --no-start     enable the service but do not start it\n"+
			"  --dry-run      change nothing: print each file as \"==> PATH <==\" and its content,\n"+
			"                 then each command as \"$ COMMAND\"\n"+
			"  --bin PATH     the binary the service runs (default this one, symlinks resolved)\n", in.name, systems, initHelp())
	}
	err := fset.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		usage(in.stdout)
		return exitOK
	}
	if err == nil && fset.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fset.Arg(0))
	}
	if err != nil {
		fmt.Fprintf(in.stderr, "%s: %v\n", in.name, err)
		usage(in.stderr)
		return exitUsage
	}
	exe, err := os.Executable() // install resolves symlinks
	if bin != nil && *bin != "" {
		exe, err = filepath.Abs(*bin)
	}
	switch {
	case action == "uninstall":
		err = in.uninstall(*initFlag, *dryRun)
	case err != nil:
		err = fmt.Errorf("find the binary's path: %w (use --bin PATH)", err)
	default:
		err = in.install(*initFlag, exe, !*noStart, *dryRun)
	}
	if err != nil {
		fmt.Fprintf(in.stderr, "%s: %v\n", in.name, err)
		return exitFailure
	}
	return exitOK
}

// initHelp is the help of --init: the rows of initSystems.
func initHelp() string {
	var b strings.Builder
	b.WriteString("  --init SYSTEM  the init system (default auto: the first of these that runs here and\n" +
		"                 whose path exists, for anyone but root a user's own first)\n")
	for _, s := range initSystems {
		where := s.goos
		if s.detect != "" {
			where += ", if " + s.detect + " exists"
		}
		fmt.Fprintf(&b, "                   %-13s %-29s %s\n", s.name, s.title, where)
	}
	return b.String()
}

// detect returns the init system --init auto means here.
func (in *installer) detect() (*initSystem, error) {
	for _, user := range []bool{in.euid != 0, false} {
		for i := range initSystems {
			s := &initSystems[i]
			if s.user == user && s.runsOn(in.goos) && (s.detect == "" || in.exists(s.detect)) {
				return s, nil
			}
		}
	}
	return nil, fmt.Errorf("no supported init system is known on %s; choose one with --init %s", in.goos, strings.Join(initNames(), "|"))
}

// lookup returns the init system --init name means for this user, or nil.
func (in *installer) lookup(name string) *initSystem {
	var found *initSystem
	for i := range initSystems {
		s := &initSystems[i]
		if s.name == name && (found == nil || s.user == (in.euid != 0)) {
			found = s
		}
	}
	return found
}

// A plan is what install writes and runs, or uninstall removes and runs,
// for one init system.
type plan struct {
	sys   *initSystem
	files []planFile
	units []string // the files' base names
	// initSystem's commands, expanded; each holds one command or none.
	// disable is best effort: a failure is reported, not fatal.
	reload, enable, start, restart, stop, disable [][]string
	loaded                                        []string // see initSystem.loaded

	log, note, unenabled string // initSystem's, expanded; unenabled only if enable is nil
}

// A planFile is one service file and where it goes.
type planFile struct {
	path string // absolute
	mode fs.FileMode
	data []byte
}

// plan returns the plan for the init system name ("auto" to detect it),
// for the binary bin ("" for uninstall).
func (in *installer) plan(name, bin string, dryRun bool) (*plan, error) {
	sys := in.lookup(name)
	if name == "auto" {
		var err error
		if sys, err = in.detect(); err != nil {
			return nil, err
		}
	}
	if sys == nil {
		return nil, fmt.Errorf("unknown init system %q (want auto or one of %s)", name, strings.Join(initNames(), ", "))
	}
	name = sys.name
	if in.files == nil {
		return nil, errors.New("this program embeds no service files: give Program.InitFiles the project's init folder (//go:embed init)")
	}
	if !dryRun && !sys.runsOn(in.goos) {
		return nil, fmt.Errorf("%s is not an init system of %s (it runs on %s); choose another --init, or --dry-run to see the files", name, in.goos, sys.goos)
	}
	if !sys.user && in.euid != 0 && !dryRun {
		hint := fmt.Sprintf("run as root (sudo %s ...)", in.name)
		for _, s := range initSystems {
			if s.user && s.runsOn(in.goos) && s.detect != "" && in.exists(s.detect) {
				hint = "run as root or use --init " + s.name
				break
			}
		}
		return nil, fmt.Errorf("%s needs root; %s", name, hint)
	}
	if sys.need && !dryRun && !in.exists(sys.detect) {
		return nil, fmt.Errorf("%s is not running here (no %s); choose another --init, or --dry-run to see the files", name, sys.detect)
	}
	if sys.user && !filepath.IsAbs(in.home) {
		return nil, fmt.Errorf("%s needs your home directory, and $HOME is not set", name)
	}
	names := []string{"{name}", in.name, "{var}", strings.ReplaceAll(in.name, "-", "_"), "{uid}", strconv.Itoa(in.euid)}
	dir := strings.NewReplacer(names...).Replace(sys.dir)
	if rest, ok := strings.CutPrefix(dir, "~/.config/"); ok && in.config != "" {
		dir = filepath.Join(in.config, rest)
	} else if rest, ok := strings.CutPrefix(dir, "~/"); ok {
		dir = filepath.Join(in.home, rest)
	}
	pl := &plan{sys: sys}
	src := path.Join(initDir, sys.files)
	entries, err := fs.ReadDir(in.files, src)
	if err != nil {
		return nil, fmt.Errorf("read the %s service files: %w", name, err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := fs.ReadFile(in.files, path.Join(src, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read the %s service files: %w", name, err)
		}
		if bin != "" {
			data = bytes.ReplaceAll(data, []byte("/usr/local/bin/"+in.name), []byte(bin))
			if sys.user {
				data = bytes.ReplaceAll(data, []byte("~/"), []byte(strings.TrimSuffix(in.home, "/")+"/"))
			}
		}
		mode := fs.FileMode(0o644)
		if bytes.HasPrefix(data, []byte("#!")) {
			mode = 0o755
		}
		pl.files = append(pl.files, planFile{path: filepath.Join(in.root+dir, e.Name()), mode: mode, data: data})
		pl.units = append(pl.units, e.Name())
	}
	if len(pl.units) == 0 {
		return nil, fmt.Errorf("no service files for %s in %s of the program", name, src)
	}
	slices.Sort(pl.units)
	if !sys.many && len(pl.units) != 1 {
		return nil, fmt.Errorf("%s holds %d files; %s takes exactly one", src, len(pl.units), name)
	}
	in.commands(pl, slices.Concat(names, []string{"{unit}", pl.units[0], "{file}", filepath.Join(dir, pl.units[0])}))
	if pl.reload == nil && !sys.user && in.exists("/run/systemd/system") {
		// systemd makes units of /etc/init.d's scripts: it must learn.
		pl.reload = [][]string{{"systemctl", "daemon-reload"}}
	}
	return pl, nil
}

// commands fills in pl's commands, replacing the placeholders of names.
func (in *installer) commands(pl *plan, names []string) {
	sys := pl.sys
	expand := strings.NewReplacer(names...)
	// command returns the command line cmd with its words expanded: of
	// alternatives, the first whose program is installed, or nil.
	command := func(cmd string) []string {
		alts := strings.Split(cmd, " || ")
		for _, alt := range alts {
			words := strings.Fields(alt)
			if len(alts) > 1 {
				if _, err := in.lookPath(words[0]); err != nil {
					continue
				}
			}
			var args []string
			for _, w := range words {
				if w == "{units}" {
					args = append(args, pl.units...)
				} else {
					args = append(args, expand.Replace(w))
				}
			}
			return args
		}
		return nil
	}
	commands := func(cmd string) [][]string {
		if args := command(cmd); args != nil {
			return [][]string{args}
		}
		return nil
	}
	pl.reload, pl.enable, pl.start, pl.restart = commands(sys.reload), commands(sys.enable), commands(sys.start), commands(sys.restart)
	pl.stop, pl.disable, pl.loaded = commands(sys.stop), commands(sys.disable), command(sys.loaded)
	pl.log, pl.note = expand.Replace(cmp.Or(sys.log, "its log")), expand.Replace(sys.note)
	if sys.enable != "" && pl.enable == nil {
		pl.unenabled = expand.Replace(sys.unenabled)
	}
}

// install writes the service files of init system sys pointing at bin
// (files as they should be stay untouched), reloads the manager, enables
// the service and, if start, starts it: running it again changes nothing.
func (in *installer) install(sys, bin string, start, dryRun bool) error {
	// A symbolic link could be where the sandbox hides it, or change.
	if resolved, err := filepath.EvalSymlinks(bin); err == nil {
		bin = resolved
	}
	if err := checkBinPath(bin); err != nil {
		return err
	}
	pl, err := in.plan(sys, bin, dryRun)
	if err != nil {
		return err
	}
	if !dryRun {
		if fi, err := os.Stat(bin); err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
			return fmt.Errorf("%s is not an executable file; build the binary first or point --bin at it", bin)
		}
	}
	for _, f := range pl.files {
		err := hiddenFromUnit(string(f.data), bin)
		if err == nil && !dryRun {
			err = runnableByOthers(string(f.data), bin)
		}
		if err != nil && pl.sys.unit {
			return fmt.Errorf("%s: %w", strings.TrimPrefix(f.path, in.root), err)
		}
	}
	if pl.sys.user && !dryRun && pl.reload != nil && !in.probe(pl.reload[0]) {
		return fmt.Errorf("%s does not answer (%s failed): no user manager runs for you here (if $XDG_RUNTIME_DIR is not set, export XDG_RUNTIME_DIR=/run/user/%d). Log in through a session that starts one, or have root run loginctl enable-linger for your user; then install again. Nothing was written", pl.sys.title, strings.Join(pl.reload[0], " "), in.euid)
	}
	updated := false
	for _, f := range pl.files {
		old, err := os.ReadFile(f.path)
		fi, err2 := os.Stat(f.path)
		same := err == nil && err2 == nil && bytes.Equal(old, f.data) && fi.Mode().Perm() == f.mode
		updated = updated || (err == nil && !same)
		if dryRun {
			fmt.Fprintf(in.stdout, "==> %s <==\n%s\n", strings.TrimPrefix(f.path, in.root), strings.TrimSuffix(string(f.data), "\n"))
		} else if !same {
			if err := writeFileAtomic(f.path, f.data, f.mode); err != nil {
				return err
			}
			fmt.Fprintf(in.stdout, "wrote %s\n", strings.TrimPrefix(f.path, in.root))
		}
	}
	// The manager is reloaded on every install: a first install that
	// failed after writing them left them unread. A service running an
	// older binary or file is restarted onto the new, unless --no-start.
	steps := slices.Concat(pl.reload, pl.enable)
	starts := 0
	if start && !(pl.loaded != nil && in.probe(pl.loaded)) {
		steps = append(steps, pl.start...)
		starts = len(pl.start)
	}
	if pid, other := in.running(bin); pid > 0 && (other || updated) && !dryRun && len(pl.restart) > 0 {
		why := map[bool]string{false: "the old service file", true: "an older binary"}[other]
		if !start {
			fmt.Fprintf(in.stdout, "%s: the running service (pid %d) keeps %s (--no-start); to bring it onto the new one: %s\n", in.name, pid, why, strings.Join(pl.restart[0], " "))
		} else {
			fmt.Fprintf(in.stdout, "%s: the running service (pid %d) runs %s: restarting it\n", in.name, pid, why)
			steps = append(steps, pl.restart...)
			starts += len(pl.restart)
		}
	}
	if pl.unenabled != "" {
		fmt.Fprintf(in.stderr, "%s: %s\n", in.name, pl.unenabled)
	}
	for i, args := range steps {
		if err := in.step(args, dryRun); err != nil {
			if i >= len(steps)-starts {
				return in.startFailed(pl, err)
			}
			return err
		}
	}
	if !dryRun && pl.note != "" {
		fmt.Fprintln(in.stdout, pl.note)
	}
	return nil
}

// uninstall stops and disables the service of init system sys and removes
// the files install writes, if any are there.
func (in *installer) uninstall(sys string, dryRun bool) error {
	pl, err := in.plan(sys, "", dryRun)
	if err != nil {
		return err
	}
	var present []planFile
	for _, f := range pl.files {
		if _, err := os.Lstat(f.path); err == nil {
			present = append(present, f)
		}
	}
	if len(present) == 0 {
		fmt.Fprintf(in.stdout, "%s is not installed for %s (no %s)\n", in.name, pl.sys.name, strings.TrimPrefix(pl.files[0].path, in.root))
		return nil
	}
	// Best effort: the files must go, even without a binary or a manager.
	failed := in.bestEffort(slices.Concat(pl.stop, pl.disable), dryRun)
	for _, f := range present {
		shown := strings.TrimPrefix(f.path, in.root)
		if dryRun {
			fmt.Fprintf(in.stdout, "$ rm %s\n", shown)
			continue
		}
		if err := os.Remove(f.path); err != nil {
			return fmt.Errorf("remove %s: %w", shown, err)
		}
		fmt.Fprintf(in.stdout, "removed %s\n", shown)
	}
	failed = append(failed, in.bestEffort(pl.reload, dryRun)...)
	if d := defaultPaths(in.name, in.euid, os.Getenv, ownDir); !dryRun {
		if in.root == "" {
			removeRuntime(in.name)
		}
		if _, err := os.Stat(in.root + d.log); err == nil {
			fmt.Fprintf(in.stdout, "kept %s, the service's log: remove it once you no longer need it\n", d.log)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(in.stderr, "%s: removed the service files, but these failed: %s; check that %s is not still running\n", in.name, strings.Join(failed, "; "), in.name)
	}
	return nil
}

// startFailed stops a service that failed to start, and says what is left.
func (in *installer) startFailed(pl *plan, err error) error {
	in.bestEffort(pl.stop, false)
	return fmt.Errorf("%w\nthe service did not start and is stopped, but it is still installed and enabled, so it starts at boot: see %s, fix the cause and run install again, or run %s uninstall", err, pl.log, in.name)
}

// step prints the command args as "$ COMMAND" and, unless dryRun, runs it.
func (in *installer) step(args []string, dryRun bool) error {
	fmt.Fprintf(in.stdout, "$ %s\n", strings.Join(args, " "))
	if dryRun {
		return nil
	}
	if err := in.run(args); err != nil {
		return fmt.Errorf("%s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// bestEffort runs cmds as step does, reports and returns those that fail.
func (in *installer) bestEffort(cmds [][]string, dryRun bool) (failed []string) {
	for _, args := range cmds {
		if err := in.step(args, dryRun); err != nil {
			fmt.Fprintf(in.stderr, "%s: %v (continuing)\n", in.name, err)
			failed = append(failed, strings.Join(args, " "))
		}
	}
	return failed
}

// checkBinPath refuses a binary path the service files cannot hold
// unquoted: it must be absolute and made of letters, digits and . _ + @ / -.
func checkBinPath(bin string) error {
	if !filepath.IsAbs(bin) {
		return fmt.Errorf("binary path %q is not absolute", bin)
	}
	for _, r := range bin {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._+@/-", r)
		if !ok {
			return fmt.Errorf("binary path %q has the character %q, which the service files cannot hold unquoted; move the binary, e.g. to /usr/local/bin, or name another path with --bin", bin, r)
		}
	}
	return nil
}

// hiddenFromUnit returns an error if the systemd unit's sandbox hides bin
// (ProtectHome=: /home, /root, /run/user; PrivateTmp=: /tmp, /var/tmp).
func hiddenFromUnit(unit, bin string) error {
	under := func(dirs ...string) bool {
		return slices.ContainsFunc(dirs, func(d string) bool { return strings.HasPrefix(bin, d+"/") })
	}
	if v := unitValue(unit, "ProtectHome"); !off(v) && under("/home", "/root", "/run/user") {
		return fmt.Errorf("ProtectHome=%s hides the binary %s from the service; install the binary outside home directories first (make install puts it in /usr/local/bin), or point --bin at such a copy", v, bin)
	}
	if v := unitValue(unit, "PrivateTmp"); !off(v) && under("/tmp", "/var/tmp") {
		return fmt.Errorf("PrivateTmp=%s hides the binary %s from the service; move the binary out of /tmp, or point --bin at a copy elsewhere", v, bin)
	}
	return nil
}

// runnableByOthers returns an error if the systemd unit runs the service as
// another user (DynamicUser=, or User= other than root) who cannot run bin.
func runnableByOthers(unit, bin string) error {
	who := ""
	if v := unitValue(unit, "User"); v != "" && v != "root" && v != "0" {
		who = "User=" + v
	}
	if v := unitValue(unit, "DynamicUser"); !off(v) {
		who = "DynamicUser=" + v
	}
	if who == "" {
		return nil
	}
	fi, err := os.Stat(bin)
	if err != nil {
		return nil // install reports a missing binary
	}
	if fi.Mode().Perm()&0o001 == 0 {
		return fmt.Errorf("the service runs as another user (%s), who cannot execute %s (mode %v); chmod o+rx it, or install it where others can run it (make install puts it in /usr/local/bin)", who, bin, fi.Mode().Perm())
	}
	for dir := filepath.Dir(bin); ; dir = filepath.Dir(dir) {
		if di, err := os.Stat(dir); err == nil && di.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("the service runs as another user (%s), who cannot reach %s: directory %s has mode %v; chmod o+x it, or install the binary where others can run it (make install puts it in /usr/local/bin)", who, bin, dir, di.Mode().Perm())
		}
		if dir == "/" || dir == "." {
			return nil
		}
	}
}

// unitValue returns the last value of key in the systemd unit, or "".
func unitValue(unit, key string) string {
	v := ""
	for _, line := range strings.Split(unit, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), key+"="); ok {
			v = strings.TrimSpace(rest)
		}
	}
	return v
}

// off reports whether a unit's boolean value v is false or unset.
func off(v string) bool { return v == "" || v == "no" || v == "false" || v == "0" || v == "off" }

// writeFileAtomic writes data to path with mode through a temporary file
// renamed over it, creating the directory: no one reads half a file.
func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	err := os.MkdirAll(filepath.Dir(path), 0o755)
	var f *os.File
	if err == nil {
		f, err = os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	}
	if err == nil {
		_, err = f.Write(data)
		if err = errors.Join(err, f.Chmod(mode), f.Sync(), f.Close()); err == nil {
			err = os.Rename(f.Name(), path)
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
