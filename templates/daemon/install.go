package daemon

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// The install and uninstall commands register the program with the
// machine's init system, using the service files of Program.InitFiles:
// init/SYSTEM/ for each value of --init (init/launchd-agent/ for launchd
// as anyone but root), as "daemongen new" writes them; plan says where
// each goes. Each file is installed with the default binary path,
// /usr/local/bin/NAME, replaced by the binary's own path, and, for a
// user's init system (systemd-user, a LaunchAgent), each "~/" by the home
// directory. A file that starts with "#!" gets mode 0755, any other 0644.

// initDir is the directory of Program.InitFiles with the service files.
const initDir = "init"

// initSystems are the values of --init other than auto.
var initSystems = []string{"systemd", "systemd-user", "sysv", "openrc", "launchd", "rc.d"}

// initOS names the systems (GOOS values) each init system runs on.
var initOS = map[string]string{
	"systemd": "linux", "systemd-user": "linux", "sysv": "linux", "openrc": "linux",
	"launchd": "darwin", "rc.d": "freebsd dragonfly",
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
	probe    func(args []string) bool // runs args quietly: did it exit 0?
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
		lookPath: lookPathSbin,
		run:      func(args []string) error { return runCommand(args, os.Stdout, os.Stderr) },
		probe:    func(args []string) bool { return runCommand(args, nil, nil) == nil },
		stdout:   os.Stdout,
		stderr:   os.Stderr,
	}
}

// lookPathSbin is exec.LookPath that also searches /usr/sbin and /sbin,
// which a user's PATH often lacks.
func lookPathSbin(file string) (string, error) {
	p, err := exec.LookPath(file)
	if err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		if q, err2 := exec.LookPath(filepath.Join(dir, file)); err2 == nil {
			return q, nil
		}
	}
	return "", err
}

// runCommand runs args with no input, and its output to stdout and stderr
// (nil: none).
func runCommand(args []string, stdout, stderr io.Writer) error {
	path, err := lookPathSbin(args[0])
	if err != nil {
		return err
	}
	cmd := exec.Command(path, args[1:]...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	return cmd.Run()
}

// main runs the install or uninstall command with its arguments and
// returns the exit code.
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
		systems := strings.Join(initSystems, "|")
		initHelp := "  --init SYSTEM  the init system (default auto: systemd, or systemd-user when not root,\n" +
			"                 if /run/systemd/system exists; openrc if /run/openrc/softlevel does; launchd on\n" +
			"                 macOS; rc.d on FreeBSD; sysv otherwise)\n"
		if action == "uninstall" {
			fmt.Fprintf(w, "Usage: %s uninstall [--init auto|%s] [--dry-run]\n\n"+
				"Stop and disable the service and remove what install wrote.\n\n%s"+
				"  --dry-run      change nothing: print each command as \"$ COMMAND\" and each file\n"+
				"                 to remove as \"$ rm PATH\"\n", in.name, systems, initHelp)
			return
		}
		fmt.Fprintf(w, "Usage: %s install [--init auto|%s] [--no-start] [--dry-run] [--bin PATH]\n\n"+
			"Write the service file for the init system, reload it, enable and start the service.\n"+
			"Running it again changes nothing.\n\n%s"+
			"  --no-start     enable the service but do not start it\n"+
			"  --dry-run      change nothing: print each file as \"==> PATH <==\" and its content,\n"+
			"                 then each command as \"$ COMMAND\"\n"+
			"  --bin PATH     the binary the service runs (default this one, symlinks resolved)\n", in.name, systems, initHelp)
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
	if action == "uninstall" {
		err = in.uninstall(*initFlag, *dryRun)
	} else {
		exe := *bin
		if exe == "" {
			exe, err = executable()
		} else {
			exe, err = filepath.Abs(exe)
		}
		if err == nil {
			err = in.install(*initFlag, exe, !*noStart, *dryRun)
		}
	}
	if err != nil {
		fmt.Fprintf(in.stderr, "%s: %v\n", in.name, err)
		return exitFailure
	}
	return exitOK
}

// executable returns the absolute path of the running binary, symlinks
// resolved.
func executable() (string, error) {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return "", fmt.Errorf("find the binary's path: %w (use --bin PATH)", err)
	}
	return exe, nil
}

// detect returns the init system --init auto means here.
func (in *installer) detect() (string, error) {
	switch in.goos {
	case "darwin":
		return "launchd", nil
	case "freebsd", "dragonfly":
		return "rc.d", nil
	case "linux":
		switch {
		case in.exists("/run/systemd/system") && in.euid != 0:
			return "systemd-user", nil
		case in.exists("/run/systemd/system"):
			return "systemd", nil
		case in.exists("/run/openrc/softlevel"):
			// Only an OpenRC boot leaves softlevel; any openrc-run
			// leaves /run/openrc itself.
			return "openrc", nil
		}
		return "sysv", nil
	}
	return "", fmt.Errorf("no supported init system is known on %s; choose one with --init %s", in.goos, strings.Join(initSystems, "|"))
}

// A plan is what install writes and runs, or uninstall removes and runs,
// for one init system.
type plan struct {
	system  string
	files   []planFile
	units   []string // the files' base names
	reload  [][]string
	enable  [][]string
	start   [][]string
	stop    [][]string
	disable [][]string // best effort: a failure is reported, not fatal
	// loaded, if set, is a command that exits 0 when the service is
	// already loaded, so that start must not run again.
	loaded []string
}

// A planFile is one service file and where it goes.
type planFile struct {
	path string // absolute
	mode fs.FileMode
	data []byte
}

// plan returns the plan for the init system sys ("auto" to detect it).
// bin is the binary's path ("" for uninstall, which needs no file content).
func (in *installer) plan(sys, bin string, dryRun bool) (*plan, error) {
	if sys == "auto" {
		var err error
		if sys, err = in.detect(); err != nil {
			return nil, err
		}
	}
	if !slices.Contains(initSystems, sys) {
		return nil, fmt.Errorf("unknown init system %q (want auto or one of %s)", sys, strings.Join(initSystems, ", "))
	}
	if in.files == nil {
		return nil, errors.New("this program embeds no service files: give Program.InitFiles the project's init folder (//go:embed init)")
	}
	if where := initOS[sys]; !dryRun && !strings.Contains(" "+where+" ", " "+in.goos+" ") {
		return nil, fmt.Errorf("%s is not an init system of %s (it runs on %s); choose another --init, or --dry-run to see the files", sys, in.goos, where)
	}
	user := sys == "systemd-user" || (sys == "launchd" && in.euid != 0)
	if !user && in.euid != 0 && !dryRun {
		hint := fmt.Sprintf("run as root (sudo %s ...)", in.name)
		if in.goos == "linux" && in.exists("/run/systemd/system") {
			hint = "run as root or use --init systemd-user"
		}
		return nil, fmt.Errorf("%s needs root; %s", sys, hint)
	}
	if (sys == "systemd" || sys == "systemd-user") && !dryRun && !in.exists("/run/systemd/system") {
		return nil, fmt.Errorf("systemd is not running here (no /run/systemd/system); choose another --init, or --dry-run to see the files")
	}
	if user && !filepath.IsAbs(in.home) {
		return nil, fmt.Errorf("%s needs your home directory, and $HOME is not set", sys)
	}
	src, dir := sys, ""
	switch sys {
	case "systemd":
		dir = "/etc/systemd/system"
	case "systemd-user":
		dir = filepath.Join(in.home, ".config", "systemd", "user")
		if in.config != "" {
			dir = filepath.Join(in.config, "systemd", "user")
		}
	case "sysv", "openrc":
		dir = "/etc/init.d"
	case "launchd":
		dir = "/Library/LaunchDaemons"
		if user {
			src, dir = "launchd-agent", filepath.Join(in.home, "Library", "LaunchAgents")
		}
	case "rc.d":
		dir = "/usr/local/etc/rc.d"
	}
	pl := &plan{system: sys}
	entries, err := fs.ReadDir(in.files, path.Join(initDir, src))
	if err != nil {
		return nil, fmt.Errorf("read the %s service files: %w", sys, err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := fs.ReadFile(in.files, path.Join(initDir, src, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read the %s service files: %w", sys, err)
		}
		if bin != "" {
			data = bytes.ReplaceAll(data, []byte("/usr/local/bin/"+in.name), []byte(bin))
			if user {
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
		return nil, fmt.Errorf("no service files for %s in %s/%s of the program", sys, initDir, src)
	}
	slices.Sort(pl.units)
	if sys != "systemd" && sys != "systemd-user" && len(pl.units) != 1 {
		return nil, fmt.Errorf("%s/%s holds %d files; %s takes exactly one", initDir, src, len(pl.units), sys)
	}
	in.commands(pl, user)
	return pl, nil
}

// commands fills in the commands of plan pl.
func (in *installer) commands(pl *plan, user bool) {
	name, units := in.name, pl.units
	switch pl.system {
	case "systemd", "systemd-user":
		ctl := []string{"systemctl"}
		if user {
			ctl = append(ctl, "--user")
		}
		with := func(args ...string) []string { return slices.Concat(ctl, args) }
		pl.reload = [][]string{with("daemon-reload")}
		pl.enable = [][]string{with(append([]string{"enable"}, units...)...)}
		pl.start = [][]string{with(append([]string{"start"}, units...)...)}
		pl.stop = [][]string{with(append([]string{"stop"}, units...)...)}
		pl.disable = [][]string{with(append([]string{"disable"}, units...)...)}
	case "sysv":
		script := "/etc/init.d/" + units[0]
		pl.start = [][]string{{script, "start"}}
		pl.stop = [][]string{{script, "stop"}}
		if _, err := in.lookPath("update-rc.d"); err == nil {
			pl.enable = [][]string{{"update-rc.d", units[0], "defaults"}}
			pl.disable = [][]string{{"update-rc.d", "-f", units[0], "remove"}}
		} else if _, err := in.lookPath("chkconfig"); err == nil {
			pl.enable = [][]string{{"chkconfig", "--add", units[0]}}
			pl.disable = [][]string{{"chkconfig", "--del", units[0]}}
		}
	case "openrc":
		pl.enable = [][]string{{"rc-update", "add", units[0], "default"}}
		pl.disable = [][]string{{"rc-update", "del", units[0], "default"}}
		pl.start = [][]string{{"rc-service", units[0], "start"}}
		pl.stop = [][]string{{"rc-service", units[0], "stop"}}
	case "launchd":
		domain := "system"
		if user {
			domain = fmt.Sprintf("gui/%d", in.euid)
		}
		pl.enable = [][]string{{"launchctl", "enable", domain + "/" + name}}
		pl.loaded = []string{"launchctl", "print", domain + "/" + name}
		pl.start = [][]string{{"launchctl", "bootstrap", domain, strings.TrimPrefix(pl.files[0].path, in.root)}}
		// bootout stops the job and unloads it; it fails if it is not
		// loaded, so it is best effort like the disable commands.
		pl.disable = [][]string{{"launchctl", "bootout", domain + "/" + name}}
	case "rc.d":
		enable := strings.ReplaceAll(name, "-", "_") + "_enable"
		pl.enable = [][]string{{"sysrc", enable + "=YES"}}
		pl.disable = [][]string{{"sysrc", "-x", enable}}
		pl.start = [][]string{{"service", units[0], "start"}}
		pl.stop = [][]string{{"service", units[0], "onestop"}}
	}
}

// install writes the service files of init system sys pointing at bin,
// reloads the manager, enables the service and, if start, starts it. Files
// already as they should be are not touched; enabling and starting an
// enabled, running service changes nothing.
func (in *installer) install(sys, bin string, start, dryRun bool) error {
	// The service files name the binary itself: a symbolic link could be
	// in a place the unit's sandbox hides, or change under the service.
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
	if pl.system == "systemd" {
		for _, f := range pl.files {
			if err := hiddenFromUnit(string(f.data), bin); err != nil {
				return fmt.Errorf("%s: %w", f.path, err)
			}
			if !dryRun {
				if err := runnableByOthers(string(f.data), bin); err != nil {
					return fmt.Errorf("%s: %w", strings.TrimPrefix(f.path, in.root), err)
				}
			}
		}
	}
	updated := false
	for _, f := range pl.files {
		old, err := os.ReadFile(f.path)
		fi, err2 := os.Stat(f.path)
		same := err == nil && err2 == nil && bytes.Equal(old, f.data) && fi.Mode().Perm() == f.mode
		updated = updated || (err == nil && !same)
		if dryRun {
			fmt.Fprintf(in.stdout, "==> %s <==\n%s", strings.TrimPrefix(f.path, in.root), f.data)
			if !bytes.HasSuffix(f.data, []byte("\n")) {
				fmt.Fprintln(in.stdout)
			}
			continue
		}
		if same {
			continue
		}
		if err := writeFileAtomic(f.path, f.data, f.mode); err != nil {
			return err
		}
		fmt.Fprintf(in.stdout, "wrote %s\n", strings.TrimPrefix(f.path, in.root))
	}
	// The manager is reloaded on every install, changed files or not: a
	// first install that failed after writing them left them unread.
	steps := slices.Concat(pl.reload, pl.enable)
	starts := 0
	if start && !(pl.loaded != nil && in.probe(pl.loaded)) {
		steps = append(steps, pl.start...)
		starts = len(pl.start)
	}
	if pl.enable == nil && pl.system == "sysv" {
		fmt.Fprintf(in.stderr, "%s: neither update-rc.d nor chkconfig is installed: %s will not start at boot until you link /etc/init.d/%s into /etc/rc?.d\n", in.name, in.name, in.name)
	}
	for i, args := range steps {
		if err := in.step(args, dryRun); err != nil {
			if i >= len(steps)-starts {
				return in.startFailed(pl, err)
			}
			return err
		}
	}
	if !dryRun && updated && start {
		fmt.Fprintf(in.stdout, "%s: a service that was already running keeps its old settings until it is restarted\n", in.name)
	}
	if !dryRun && pl.system == "systemd-user" {
		fmt.Fprintf(in.stdout, "%s runs while you are logged in; to keep it running after you log out: loginctl enable-linger\n", in.name)
	}
	return nil
}

// uninstall stops and disables the service of init system sys and removes
// the files install writes; if none is there, it does nothing, successfully.
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
		fmt.Fprintf(in.stdout, "%s is not installed for %s (no %s)\n", in.name, pl.system, strings.TrimPrefix(pl.files[0].path, in.root))
		return nil
	}
	// Stopping and disabling are best effort: a stop fails when the
	// binary is gone or no user manager runs, and the files must go anyway.
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
	if len(failed) > 0 {
		fmt.Fprintf(in.stderr, "%s: removed the service files, but these failed: %s; check that %s is not still running\n", in.name, strings.Join(failed, "; "), in.name)
	}
	return nil
}

// startFailed stops the service whose start failed, so that it does not
// keep restarting, and says what install left.
func (in *installer) startFailed(pl *plan, err error) error {
	in.bestEffort(pl.stop, false)
	see := "its log"
	if pl.system == "systemd" {
		see = "journalctl -u " + pl.units[0]
	} else if pl.system == "systemd-user" {
		see = "journalctl --user -u " + pl.units[0]
	}
	return fmt.Errorf("%w\nthe service did not start and is stopped, but it is still installed and enabled, so it starts at boot: see %s, fix the cause and run install again, or run %s uninstall", err, see, in.name)
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

// bestEffort runs the commands cmds as step does, reports each that fails
// and goes on; it returns those that failed.
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

// hiddenFromUnit returns an error if the systemd unit's sandbox hides the
// binary at bin from the service: ProtectHome hides /home, /root and
// /run/user, PrivateTmp gives the service its own /tmp and /var/tmp.
func hiddenFromUnit(unit, bin string) error {
	value := func(key string) string {
		v := ""
		for _, line := range strings.Split(unit, "\n") {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line), key+"="); ok {
				v = strings.TrimSpace(rest)
			}
		}
		return v
	}
	under := func(dirs ...string) bool {
		return slices.ContainsFunc(dirs, func(d string) bool { return strings.HasPrefix(bin, d+"/") })
	}
	off := func(v string) bool { return v == "" || v == "no" || v == "false" || v == "0" || v == "off" }
	if v := value("ProtectHome"); !off(v) && under("/home", "/root", "/run/user") {
		return fmt.Errorf("ProtectHome=%s hides the binary %s from the service; install the binary outside home directories first (make install puts it in /usr/local/bin), or point --bin at such a copy", v, bin)
	}
	if v := value("PrivateTmp"); !off(v) && under("/tmp", "/var/tmp") {
		return fmt.Errorf("PrivateTmp=%s hides the binary %s from the service; move the binary out of /tmp, or point --bin at a copy elsewhere", v, bin)
	}
	return nil
}

// runnableByOthers returns an error if the systemd unit runs the service as
// another user (DynamicUser=, or User= other than root) and that user
// cannot run bin: it must be executable by others and each directory above
// it searchable by others.
func runnableByOthers(unit, bin string) error {
	who := ""
	for _, line := range strings.Split(unit, "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "DynamicUser="); ok {
			if v = strings.TrimSpace(v); v == "yes" || v == "true" || v == "1" || v == "on" {
				who = "DynamicUser=" + v
			}
		}
		if v, ok := strings.CutPrefix(line, "User="); ok && who == "" {
			if v = strings.TrimSpace(v); v != "" && v != "root" && v != "0" {
				who = "User=" + v
			}
		}
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

// writeFileAtomic writes data to path with mode, through a temporary file
// in the same directory renamed over it, so the init system never reads
// half a file. It creates the directory if it is missing.
func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if err2 := f.Close(); err == nil {
		err = err2
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
