//go:build unix && !aix && !solaris

package daemon

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// How start daemonizes. Go cannot fork, so start re-executes the program
// twice: the first child leads a new session, the second, the daemon, is in
// it but not its leader, so it never acquires a controlling terminal. It
// changes to "/", sets its umask (027 unless configured), opens the log,
// locks the pidfile, creates its control socket, points stdin at /dev/null
// and stdout and stderr at the log (dup2), drops privileges to --user, runs
// Init, writes its pid to the pidfile, and only then tells start over a pipe
// that it is ready. The log is a regular file (or /dev/null) with one link,
// which root refuses if a user other than --user owns it.

// start starts the daemon unless one is running, and returns once a
// daemon, its own or one already there, is ready or has failed.
func (p *Program) start(o *options) int {
	if o.user != "" && os.Geteuid() != 0 {
		return p.fail("start", fmt.Errorf("--user %s needs root (run as root or drop --user)", o.user))
	}
	if err := p.makePrivateDir(o); err != nil {
		return p.fail("start", err)
	}
	deadline := time.Now().Add(o.timeout)
	for {
		pid, err := awaitReady(o.pidfile, deadline)
		if err != nil {
			return p.fail("start", err)
		}
		if pid > 0 {
			fmt.Printf("%s already running (pid %d)\n", p.Name, pid)
			return exitOK
		}
		// Nobody holds the pidfile: start a daemon. If another start
		// wins the race for the lock, wait for its daemon instead.
		res := p.spawn(o, deadline)
		switch {
		case res.ready:
			fmt.Printf("%s started (pid %d)\n", p.Name, res.pid)
			return exitOK
		case !res.running:
			return p.fail("start", res.err)
		}
	}
}

// awaitReady waits, until deadline, for a starting daemon that holds the
// pidfile to be ready, and returns its pid, or for a stopping one to be
// gone (0). It polls: this is the path of two starts at once, never of one.
func awaitReady(path string, deadline time.Time) (int, error) {
	for {
		i, err := inspect(path)
		if errors.Is(err, errUnannounced) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		i.close()
		switch {
		case i.state != running:
			return 0, nil
		case i.ready:
			return i.pid, nil
		case time.Now().After(deadline) && i.stopping:
			return 0, fmt.Errorf("pid %d, which holds %s, is still stopping; start again once it is gone", i.pid, path)
		case time.Now().After(deadline):
			return 0, errors.New("a daemon started by someone else is still not ready")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// makePrivateDir creates the directories of the default paths in use: the
// private one with mode 0700, ours alone, and the runtime one with 0755.
func (p *Program) makePrivateDir(o *options) error {
	d := defaultPaths(p.Name, os.Geteuid(), os.Getenv, ownDir)
	if d.run != "" && filepath.Dir(o.pidfile) == d.run {
		if err := makeRunDir(d.run); err != nil {
			return err
		}
	}
	if d.private == "" || (filepath.Dir(o.pidfile) != d.private && filepath.Dir(o.log) != d.private) {
		return nil
	}
	if err := os.MkdirAll(d.private, 0o700); err != nil {
		return fmt.Errorf("create directory %s: %w", d.private, err)
	}
	if !ownDir(d.private) {
		return fmt.Errorf("directory %s must be a directory of your own that only you can write (fix it, or pass --pidfile and --log)", d.private)
	}
	return nil
}

// makeRunDir creates dir with mode 0755, as systemd's RuntimeDirectory=
// does, and checks that only its owner can write it.
func makeRunDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create directory %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("check directory %s: %w", dir, err)
	}
	if !fi.IsDir() || fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("directory %s must be a directory only its owner can write (fix it, or pass --pidfile)", dir)
	}
	return nil
}

// ownDir reports whether dir is a directory (not a symbolic link) that
// belongs to this user and that neither its group nor others can write.
func ownDir(dir string) bool {
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm()&0o022 != 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}

// The daemon reports to start over the readiness pipe, one line each:
// "pid N" first, then exactly one of "ready N", "running N" (another daemon
// holds the pidfile) or "error MESSAGE".
const readyFD = 3

// outcome is what start learned from the readiness pipe.
type outcome struct {
	pid     int   // the daemon's pid, 0 if it never said
	ready   bool  // it is up
	running bool  // another daemon holds the pidfile
	err     error // why it is not up
}

// afterFailure bounds how long spawn waits, once the daemon has failed or
// been killed, for it to be gone.
const afterFailure = 5 * time.Second

// spawn starts the daemon through two re-executions and waits, until
// deadline, for its report. Unless it is ready, every process spawn started
// has exited when it returns, and a failed daemon's pidfile is removed.
func (p *Program) spawn(o *options, deadline time.Time) outcome {
	path, args, env := reexec("detach", "start", o)
	r, w, err := os.Pipe()
	if err != nil {
		return outcome{err: fmt.Errorf("create readiness pipe: %w", err)}
	}
	defer r.Close()
	closeInherited(2)
	first, err := startProcess(path, args, env, &syscall.SysProcAttr{Setsid: true}, nil, nil, nil, w)
	w.Close()
	if err != nil {
		return outcome{err: fmt.Errorf("start %s: %w", path, err)}
	}
	// The first child leads the session and process group the daemon
	// joins; until it is reaped, its pid, the group's id, is not reused.
	defer first.Wait()

	br := bufio.NewReader(r)
	r.SetReadDeadline(deadline)
	res, err := readOutcome(br)
	if res.ready {
		return res
	}
	// Not started: whatever is left of the process group, a daemon that
	// is too slow or closed the pipe, or helpers its Init started, goes.
	syscall.Kill(-first.Pid, syscall.SIGKILL)
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		res.err = fmt.Errorf("daemon not ready after %v; killed it", o.timeout)
	case err != nil:
		res.err = fmt.Errorf("daemon exited before it was ready (see %s)", o.log)
	}
	// Wait until the pipe's last writer has exited (and so closed it).
	r.SetReadDeadline(time.Now().Add(afterFailure))
	if rest, _ := readOutcome(br); res.pid == 0 {
		res.pid = rest.pid
	}
	if res.running {
		return res
	}
	// A daemon that locked the pidfile releases it as it exits, just after
	// closing the pipe; then its pidfile, if it left one, is stale.
	i, err := inspect(o.pidfile)
	if err != nil {
		return res
	}
	defer i.close()
	if i.state == running && i.pid == res.pid {
		if !waitReleased(lockShared(i.f), afterFailure) {
			return res
		}
		i.state = dead
	}
	i.removeStale()
	return res
}

// readOutcome reads the daemon's messages up to its verdict. The error is
// the reader's when no verdict came.
func readOutcome(r *bufio.Reader) (outcome, error) {
	var res outcome
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return res, err
		}
		kind, arg, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		switch kind {
		case "pid":
			res.pid, _ = strconv.Atoi(arg)
		case "ready":
			res.ready = true
			return res, nil
		case "running":
			res.running = true
			return res, nil
		case "error":
			res.err = errors.New(arg)
			return res, nil
		}
	}
}

// selfExe is the running executable and selfArg0 the path it was started as
// (absolute, found at start-up; selfExe if argv[0] names another file, as
// exec -a can): args[0] of every re-execution, which an upgrade runs.
var selfExe, selfArg0 = self()

func self() (exe, arg0 string) {
	exe, err := os.Executable()
	if arg0 = os.Args[0]; !filepath.IsAbs(arg0) {
		if p, err := lookPath(arg0); err == nil {
			arg0, _ = filepath.Abs(p)
		}
	}
	ai, err1 := os.Stat(arg0)
	switch ei, err2 := os.Stat(exe); {
	case err != nil && err1 == nil:
		return arg0, arg0
	case err1 != nil || err2 != nil || !os.SameFile(ai, ei):
		return exe, exe
	}
	return exe, arg0
}

// reexec returns the command that runs this program again as stage, with
// action, o's flags (the paths already absolute) and the service's.
func reexec(stage, action string, o *options) (path string, args, env []string) {
	args = []string{selfArg0, action, "--timeout", o.timeout.String()}
	for _, f := range [][2]string{{"--pidfile", o.pidfile}, {"--log", o.log}, {"--user", o.user}} {
		if f[1] != "" {
			args = append(args, f[0], f[1])
		}
	}
	// Of duplicate keys, getenv finds the first.
	env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, stageEnv+"=") })
	return selfExe, append(args, o.service...), append(env, stageEnv+"="+stage)
}

// child runs a re-executed stage.
func (p *Program) child(stage string, o *options) int {
	switch stage {
	case "run":
		return p.foreground(o)
	case "detach":
		return p.detach(os.NewFile(readyFD, "readiness pipe"), o)
	case "daemon":
		return p.daemon(os.NewFile(readyFD, "readiness pipe"), o)
	case "upgrade":
		return p.successor(o) // upgrade_unix.go
	default:
		fmt.Fprintf(os.Stderr, "%s: unknown %s=%q (unset it)\n", p.Name, stageEnv, stage)
		return exitUsage
	}
}

// detach is the first child, a session leader: it starts the daemon and
// exits (see the top of this file).
func (p *Program) detach(pipe *os.File, o *options) int {
	path, args, env := reexec("daemon", "start", o)
	_, err := startProcess(path, args, env, nil, nil, nil, nil, pipe)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(pipe, "error start daemon: %s\n", oneLine(err))
	return exitFailure
}

// umask returns the mask the daemon sets.
func (p *Program) umask() int {
	if p.Umask == 0 {
		return 0o027
	}
	return int(p.Umask & fs.ModePerm)
}

// daemon is the second child, the daemon, which reports to start over pipe.
func (p *Program) daemon(pipe *os.File, o *options) int {
	syscall.CloseOnExec(readyFD)
	closeInherited(readyFD)
	tell := func(format string, args ...any) { fmt.Fprintf(pipe, format+"\n", args...) }
	tell("pid %d", os.Getpid())
	s := &session{mode: "daemon", fail: func(err error) { tell("error %s", oneLine(err)) },
		ready: func() { tell("ready %d", os.Getpid()); pipe.Close() }}
	if err := os.Chdir("/"); err != nil {
		s.fail(fmt.Errorf("change directory to /: %w", err))
		return exitFailure
	}
	return p.open(o, s, func(pid int) int { tell("running %d", pid); return exitOK })
}

// foreground runs the service in this process, logging to stderr unless --log.
func (p *Program) foreground(o *options) int {
	s := &session{mode: "run", ready: func() {}, fail: func(err error) { p.fail("run", err) }}
	if os.Getenv(stageEnv) == "run" {
		s.mode = "service" // process 1's child
	}
	if o.user != "" && os.Geteuid() != 0 {
		return p.fail("run", fmt.Errorf("--user %s needs root (run as root or drop --user)", o.user))
	}
	// A failure to start is reported on the original stderr, where whoever
	// ran this looks, also once stderr is the log.
	if o.log != "" {
		if stderr := os.NewFile(uintptr(dupFD(2)), "stderr"); stderr != nil { // nil if dupFD failed
			defer stderr.Close()
			s.fail = func(err error) { fmt.Fprintf(stderr, "%s: run: %v\n", p.Name, err) }
		}
	}
	return p.open(o, s, func(pid int) int { return p.fail("run", &errRunning{pid}) })
}

// open opens what session s holds (the log, the pidfile and its control
// socket, those named), drops privileges to --user, points stdio at the log
// and serves. A daemon holding the pidfile is running's.
func (p *Program) open(o *options, s *session, running func(pid int) int) int {
	s.signals, s.opts, s.log = earlySignals, o, o.log
	if s.signals == nil {
		s.signals = watchSignals()
	}
	os.Unsetenv(stageEnv)
	syscall.Umask(p.umask())
	fail := func(err error) int {
		s.control.close(true)
		s.pidfile.release()
		s.fail(err)
		return exitFailure
	}
	var log, handOver *os.File
	var err error
	if o.log != "" {
		if log, handOver, err = openServiceLog(o.log, o.user); err != nil {
			return fail(err)
		}
		defer log.Close()
	}
	if o.pidfile != "" {
		var already *errRunning
		if s.pidfile, err = acquirePidfile(o.pidfile); errors.As(err, &already) {
			return running(already.pid)
		} else if err != nil {
			return fail(err)
		}
		if s.control, err = listenControl(o.pidfile); err != nil {
			return fail(err)
		}
	}
	if o.user != "" {
		if err := p.dropPrivileges(o.user, handOver); err != nil {
			return fail(err)
		}
	}
	if s.mode == "daemon" {
		err = redirectStdio(log)
	} else if log != nil {
		err = dupLog(log)
	}
	if err != nil {
		return fail(err)
	}
	log.Close() // fds 1 and 2 are the log now
	return p.serve(s)
}

// oneLine keeps a message on one line of the readiness pipe.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

// openLog opens the log for appending, creating it with mode 0640 less the
// umask, and reports whether it created it. It refuses what the top of this
// file says, opening a FIFO without blocking, so that it cannot stall start.
func openLog(path string) (f *os.File, created bool, err error) {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() && fi.Mode()&os.ModeSymlink == 0 && path != os.DevNull {
		return nil, false, fmt.Errorf("open log %s: it is not a regular file but %s (remove it or choose another --log)", path, kindOf(fi.Mode()))
	}
	const flags = os.O_WRONLY | os.O_APPEND | syscall.O_CLOEXEC | syscall.O_NOFOLLOW | syscall.O_NONBLOCK
	f, err = os.OpenFile(path, flags|os.O_CREATE|os.O_EXCL, 0o640)
	created = err == nil
	if errors.Is(err, os.ErrExist) {
		f, err = os.OpenFile(path, flags, 0)
	}
	if errors.Is(err, syscall.ELOOP) {
		return nil, false, fmt.Errorf("open log %s: it is a symbolic link, which the log must not be (remove it or choose another --log)", path)
	}
	if err != nil {
		return nil, false, fmt.Errorf("open log %s: %w (choose a writable --log)", path, err)
	}
	fi, err := f.Stat()
	switch {
	case err != nil:
	case !fi.Mode().IsRegular() && path != os.DevNull:
		err = fmt.Errorf("it is not a regular file but %s (remove it or choose another --log)", kindOf(fi.Mode()))
	case fi.Mode().IsRegular() && fi.Sys().(*syscall.Stat_t).Nlink > 1:
		err = fmt.Errorf("it has %d hard links; refusing to write to it (remove it or choose another --log)", fi.Sys().(*syscall.Stat_t).Nlink)
	}
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("open log %s: %w", path, err)
	}
	return f, created, nil
}

// openServiceLog opens the daemon's log as openLog does, and returns it
// also as the file to hand over to --user NAME if this process created it.
// As root it refuses a log of someone other than root or NAME, who could
// read what root writes.
func openServiceLog(path, user string) (log, handOver *os.File, err error) {
	log, created, err := openLog(path)
	if err != nil || created {
		return log, log, err
	}
	if os.Geteuid() != 0 {
		return log, nil, nil
	}
	fi, err := log.Stat()
	st, ok := fi.Sys().(*syscall.Stat_t)
	if err != nil || !ok || !fi.Mode().IsRegular() || st.Uid == 0 {
		return log, nil, nil
	}
	if a, err := lookupUser(user); user != "" && err == nil && int(st.Uid) == a.uid {
		return log, nil, nil
	}
	log.Close()
	return nil, nil, fmt.Errorf("open log %s: it belongs to uid %d, who could read what this daemon writes as root (remove it or chown it to root, or run the daemon as that user with --user)", path, st.Uid)
}

// kindOf names the type of file m describes, for messages.
func kindOf(m os.FileMode) string {
	kinds := map[os.FileMode]string{0: "a regular file", os.ModeDir: "a directory", os.ModeSymlink: "a symbolic link",
		os.ModeNamedPipe: "a FIFO", os.ModeSocket: "a socket", os.ModeDevice | os.ModeCharDevice: "a character device", os.ModeDevice: "a block device"}
	return cmp.Or(kinds[m.Type()], "an irregular file")
}

// redirectStdio points stdin at /dev/null and fds 1 and 2 at log, where a
// panic, the runtime's messages and child processes write too.
func redirectStdio(log *os.File) error {
	null, err := os.Open(os.DevNull)
	if err != nil {
		return fmt.Errorf("open %s: %w", os.DevNull, err)
	}
	defer null.Close()
	if err := dup(int(null.Fd()), 0); err != nil {
		return fmt.Errorf("redirect stdin to %s: %w", os.DevNull, err)
	}
	return dupLog(log)
}

func dupLog(log *os.File) error {
	for _, fd := range []int{1, 2} {
		if err := dup(int(log.Fd()), fd); err != nil {
			return fmt.Errorf("redirect fd %d to log %s: %w", fd, log.Name(), err)
		}
	}
	return nil
}

// reopenLog opens path afresh, with the checks of openServiceLog, and moves
// fds 1 and 2 onto it; on an error the old log stays. Each dup2 is atomic:
// nothing reaches the old file once reopenLog has returned.
func reopenLog(path string) error {
	f, _, err := openServiceLog(path, "")
	if err != nil {
		return err
	}
	defer f.Close()
	return dupLog(f)
}

// closeInherited marks every descriptor above keep close-on-exec, so that
// nothing the caller passed down reaches a program started from here.
func closeInherited(keep int) {
	dir := "/proc/self/fd"
	if _, err := os.Stat(dir); err != nil {
		dir = "/dev/fd"
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if fd, err := strconv.Atoi(filepath.Base(e.Name())); err == nil && fd > keep {
			syscall.CloseOnExec(fd)
		}
	}
}

// The account databases --user reads directly, not through os/user, which
// would link cgo: users only a name service (LDAP, sssd) knows are not found.
var (
	passwdFile = "/etc/passwd"
	groupFile  = "/etc/group"
)

// An account is what dropPrivileges needs to know of a user.
type account struct {
	uid, gid    int
	groups      []int // supplementary groups, the primary one first
	home, shell string
}

// lookupUser finds name in passwdFile, and the groups that list it as a
// member in groupFile.
func lookupUser(name string) (account, error) {
	passwd, err := os.ReadFile(passwdFile)
	group, err2 := os.ReadFile(groupFile)
	if err = errors.Join(err, err2); err != nil {
		return account{}, fmt.Errorf("look up user %q: %w", name, err)
	}
	for _, f := range entries(passwd) { // name:password:uid:gid:gecos:home:shell
		if len(f) < 7 || f[0] != name {
			continue
		}
		uid, err1 := strconv.Atoi(f[2])
		gid, err2 := strconv.Atoi(f[3])
		a := account{uid: uid, gid: gid, groups: []int{gid}, home: f[5], shell: f[6]}
		for _, g := range entries(group) { // name:password:gid:member,member
			if len(g) < 4 || !slices.Contains(strings.Split(g[3], ","), name) {
				continue
			}
			if id, err := strconv.Atoi(g[2]); err == nil && !slices.Contains(a.groups, id) {
				a.groups = append(a.groups, id)
			}
		}
		if err1 == nil && err2 == nil {
			return a, nil
		}
	}
	return account{}, fmt.Errorf("look up user %q: no such user in %s (create it, or choose another --user)", name, passwdFile)
}

// entries returns the colon-separated fields of each entry of an account
// database.
func entries(db []byte) [][]string {
	var e [][]string
	for _, line := range strings.Split(string(db), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			e = append(e, strings.Split(line, ":"))
		}
	}
	return e
}

// userEnv are the variables root's environment passes to a --user daemon,
// besides NAME_*, Program.Env and LC_*.
var userEnv = []string{"LANG", "LANGUAGE", "TZ", "TERM", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
	"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "JOURNAL_STREAM", "INVOCATION_ID"}

// dropPrivileges switches the process to the named user: its groups, its
// gid, its uid, and its environment to what userEnv lets through of root's.
// The log, if not nil, is handed to the user first, to reopen by its path.
func (p *Program) dropPrivileges(name string, log *os.File) error {
	a, err := lookupUser(name)
	if err != nil {
		return err
	}
	if log != nil {
		// openLog refused symbolic links and hard links; never /dev/null.
		if fi, err := log.Stat(); err == nil && fi.Mode().IsRegular() {
			if err := log.Chown(a.uid, a.gid); err != nil {
				return fmt.Errorf("hand log %s to user %q: %w", log.Name(), name, err)
			}
		}
	}
	if err := syscall.Setgroups(a.groups); err != nil {
		return fmt.Errorf("set groups of user %q: %w", name, err)
	}
	if err := syscall.Setgid(a.gid); err != nil {
		return fmt.Errorf("set gid %d of user %q: %w", a.gid, name, err)
	}
	if err := syscall.Setuid(a.uid); err != nil {
		return fmt.Errorf("set uid %d of user %q: %w", a.uid, name, err)
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(userEnv, k) && !slices.Contains(p.Env, k) && !strings.HasPrefix(k, envPrefix(p.Name)+"_") && !strings.HasPrefix(k, "LC_") {
			os.Unsetenv(k)
		}
	}
	for k, v := range map[string]string{"HOME": a.home, "USER": name, "LOGNAME": name, "SHELL": a.shell, "PATH": "/usr/local/bin:/usr/bin:/bin"} {
		os.Setenv(k, v)
	}
	return nil
}

// run runs the service in the foreground. As process 1 (in a container) it
// runs the service in a child instead and becomes a minimal init.
func (p *Program) run(o *options) int {
	if os.Getpid() == 1 {
		return p.initProcess(o)
	}
	return p.foreground(o)
}

// earlySignals are the daemon's signals, subscribed to as the package is
// initialised: an early TERM or HUP waits for the service instead of taking
// the default action. Process 1's service process closes readyFD then, so
// that process 1 forwards signals only once they are handled.
var earlySignals = func() *signals {
	stage := os.Getenv(stageEnv)
	if os.Getpid() != 1 && stage != "daemon" && stage != "run" && stage != "upgrade" {
		return nil
	}
	s := watchSignals()
	if stage == "run" {
		syscall.Close(readyFD)
	}
	return s
}()

// initProcess is process 1: it runs the service in a child of its own
// process group, forwards its signals (and SIGUSR2), reaps every orphan,
// and exits with the service's status.
func (p *Program) initProcess(o *options) int {
	s := earlySignals
	usr2 := make(chan os.Signal, 1)
	signal.Notify(usr2, syscall.SIGUSR2)
	children := make(chan os.Signal, 1)
	signal.Notify(children, syscall.SIGCHLD)
	path, args, env := reexec("run", "run", o)
	handling, handles, err := os.Pipe()
	if err != nil {
		return p.fail("run", err)
	}
	service, err := startProcess(path, args, env, &syscall.SysProcAttr{Setpgid: true}, os.Stdin, os.Stdout, os.Stderr, handles)
	handles.Close()
	if err != nil {
		handling.Close()
		return p.fail("run", fmt.Errorf("start service process: %w", err))
	}
	go func() {
		handling.Read(make([]byte, 1)) // EOF: the service handles signals, or is gone
		handling.Close()
		for {
			var sig os.Signal
			select {
			case sig = <-s.shutdown:
			case sig = <-s.reload:
			case sig = <-s.reopen:
			case sig = <-s.quit:
			case sig = <-usr2:
			}
			service.Signal(sig)
		}
	}()
	for range children {
		if code, exited := reap(service.Pid); exited {
			return code
		}
	}
	return exitFailure
}

// reap collects every exited child, and the service's exit code if it was.
func reap(service int) (code int, exited bool) {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if pid <= 0 {
			return 0, false
		}
		if pid == service {
			if ws.Signaled() {
				return 128 + int(ws.Signal()), true
			}
			return ws.ExitStatus(), true
		}
	}
}
