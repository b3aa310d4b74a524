// Package daemon turns a Service into a Unix daemon with the control commands
// start, stop, restart, status, reload, reopen and run, and the commands
// install and uninstall, which register it with the init system (systemd,
// systemd-user, SysV, OpenRC, launchd, rc.d) from the service files in
// [Program.InitFiles] and remove it again.
//
// The program's main function hands its arguments to [Main]:
//
//	//go:embed init
//	var initFiles embed.FS
//
//	func main() {
//		os.Exit(daemon.Main(daemon.Program{Name: "mysvc", Service: &Service{}, InitFiles: initFiles}, os.Args[1:]))
//	}
//
// The service implements [Service], and optionally [Initializer] and
// [Reloader]:
//
//   - Init runs in the daemon before start reports success: whatever it logs is
//     in the log when start returns, and an error it returns makes start fail
//     with that error and leaves no daemon and no pidfile behind. SIGTERM or
//     SIGINT cancels its context; the daemon then exits 0 without running Run
//     (start fails: "stopped before it was ready").
//   - Run does the work. Its context is cancelled on SIGTERM or SIGINT; the
//     daemon waits for Run to return, removes its pidfile and exits 0 (1 if Run
//     returned an error other than the context's).
//   - Reload is called by the reload command and on SIGHUP, in a goroutine of
//     its own, never concurrently with itself, with the service's context:
//     a stop cancels a Reload that is running.
//
// The service's own flags and configuration come through its Flags method
// ([Flagger], or [Program.Flags]) and [PathVar]: they reach the service unchanged in run, start and
// process-1 mode, with paths resolved once, before any re-exec.
//
// The service must not open the pidfile: closing any descriptor of it would
// drop the POSIX lock by which the daemon tells others its pid (on macOS and
// the BSDs, the lock itself).
//
// # How it daemonizes
//
// Go cannot fork, so start re-executes the program twice: the first child
// starts a new session, the second is started by the first and is therefore
// in that session but not its leader, and so can never acquire a controlling
// terminal. The second child is the daemon. It changes to "/", sets its umask
// (027 unless configured), opens the log, locks the pidfile (empty for now),
// creates its control socket, points stdin at /dev/null and stdout and
// stderr at the log (with dup2, so a panic lands in the log too), runs Init,
// writes its pid to the pidfile, and only then tells start, over a pipe made
// before the first re-exec, that it is ready. Start returns 0 after that
// message, or 1 with the daemon's error, its early exit, or a timeout.
//
// # Liveness and whom to signal
//
// A daemon is running exactly while some process holds the lock on its
// pidfile. The file is empty while the daemon starts, holds "PID\n" once it
// is ready, and "stopping\n" once it begins to stop. The daemon holds a
// POSIX write lock on it, and the pid to signal is the one the kernel
// reports for that lock (F_GETLK, as seen from the caller's PID namespace),
// on every platform; the file's content never decides which process is
// signalled:
//
//   - Linux: the lock is a flock (shared by all descriptors, released when
//     the process exits); the POSIX write lock beside it announces the
//     holder. A holder that did not announce itself, or that another PID
//     namespace hides, is never signalled.
//   - macOS, FreeBSD, OpenBSD, NetBSD, DragonFly: flock and POSIX locks may
//     conflict there, so the POSIX write lock alone is the lock and the
//     announcement. daemongen tests this code path on Linux (build tag
//     daemongen_posixlocks).
//
// Only the file's owner and root can take a write lock; any user who can
// read the 0644 file can take a read lock or a flock, which no daemon
// holds. A pidfile that stays locked by such processes for two seconds is
// replaced by start atomically (a new file renamed over it), so no local
// user can keep a daemon from starting; status counts such a file as stale
// (exit 1), stop as no daemon (exit 0), and restart goes on to start.
// Signals go through a pidfd where the kernel has them. Stop waits for the
// lock to be released, not for kill(pid, 0) to fail: a daemon whose parent
// does not reap it stays a zombie that kill(pid, 0) still finds.
//
// Every second the daemon checks that its pidfile's path still names the
// file it holds. If the file or its directory was removed (logout removes
// $XDG_RUNTIME_DIR) or replaced, no command can find the daemon any more,
// and a start could start a second one: the daemon logs why and stops
// gracefully. On Linux the daemon also holds, for its whole life, an
// abstract Unix socket named after a hash of the pidfile's absolute path
// ("@daemongen/..."), which has no file to remove: a daemon that finds it
// held by a daemon of its own user or root refuses to start ("another
// daemon for PATH is still running"), and start reports that, so there are
// never two. Elsewhere there are no abstract sockets: a start that comes
// after the pidfile was removed and the old daemon can both run for up to
// that second plus the time the old service takes to shut down.
//
// # Signals
//
// SIGTERM and SIGINT stop the service gracefully; any number of them, from
// any number of stop commands, make one stop. SIGQUIT is the deliberate
// forced exit: the daemon writes every goroutine's stack to the log,
// writes "quit" into its pidfile, which it leaves in place as a crash
// would, and exits 1 at once, without waiting for the service.
// SIGHUP reloads, SIGUSR1 reopens the log by its path (for logrotate). Each
// kind of signal has a channel of its own with room for one, so a signal is
// dropped only while one of its kind waits, which handling then covers: no
// signal is lost in a burst or while Reload runs. The handlers are
// installed even when the daemon was started with these signals ignored.
//
// # Reload and its answer
//
// The reload command does not signal. It connects to the daemon's control
// socket, a Unix stream socket beside the pidfile (its path with ".ctl"
// added; at most 103 bytes), sends "reload MS\n", MS being its --timeout
// in milliseconds, and waits up to then for "ok\n" or "error MESSAGE\n",
// which the daemon writes once Reload has returned. The daemon cancels
// Reload's context at 80% of the shortest such limit (90 s for SIGHUP) and,
// if Reload has still not returned at 90%, answers that it is still running
// and sends READY=1 to a service manager, so a hung Reload never leaves a
// unit "reloading". It exits 0 when Reload succeeded, 1 with Reload's error
// when it failed (the daemon keeps running with what it had), 1 without an
// answer in time, and 7 when no daemon runs. Reloads asked for while one
// runs are served together by the next. The socket is made with mode 0600
// by the user who started the daemon, before --user drops privileges: only
// that user and root can connect, and on Linux the daemon also checks the
// caller's uid (SO_PEERCRED). A daemon run in the foreground has a control
// socket only with --pidfile; systemd's ExecReload= can then call "NAME
// reload --pidfile PATH". SIGHUP still reloads, with the result only in
// the log.
//
// The reopen command (for logrotate) asks the same way, with "reopen\n":
// the daemon reopens its log by its path, with the checks start applies
// (see Files), and answers "ok", or "error MESSAGE" when it refused the
// file now at the path and keeps writing to its old log, which it also
// logs at ERROR. reopen exits 0, 1 with that reason, or 7 when no daemon
// runs. SIGUSR1 still reopens, with the result only in the log.
//
// # Stop
//
// Stop sends SIGTERM, waits up to --timeout for the lock to be released,
// then sends SIGKILL, and says which of three things happened. A daemon
// that is already stopping (its pidfile says "stopping") is not signalled
// again: stop waits for it the same way, and a start waits for it to be
// gone, up to --timeout, saying so if it is not. What the daemon leaves in
// its pidfile, which a waiting stop keeps open, tells every stop how it
// ended, whoever stopped it:
//
//   - "NAME stopped (pid N)", exit 0: a clean shutdown. A daemon that exits
//     cleanly writes "stopped" into its pidfile and removes it (or leaves
//     it when it may not: running as --user in a directory only root can
//     write).
//   - "NAME crashed (pid N): ...", exit 0: the daemon is gone, but exited
//     without its clean shutdown (a panic while stopping, say, or SIGQUIT's
//     forced exit, which the message names).
//   - "NAME killed (pid N): ...", exit 150: a stop (this one, after
//     --timeout, or another) sent SIGKILL, having written "killed" into the
//     pidfile; it is gone, without a clean shutdown. LSB reserves 150-199 for
//     applications; 1 stays "could not stop it". restart goes on to start
//     after either.
//
// # Files
//
// The log must be a regular file (or /dev/null); a FIFO, device or socket
// at its path is refused at once, as are symbolic links and files with
// other hard links. As root, a log that belongs to another user than root
// or the --user target, in a directory others than root can write, is
// refused, by start and by every reopen. Only a log the daemon created is
// handed to the --user target.
//
// # Foreground
//
// The run command stays in the foreground for systemd (Type=notify),
// containers and supervisors: it logs to stderr unless --log (or $NAME_LOG)
// names a file, and then still reports a failure to start on stderr; takes
// the pidfile (and control socket) only when one is named, and sends
// READY=1, RELOADING=1 (with MONOTONIC_USEC=) and STOPPING=1 to
// $NOTIFY_SOCKET, each with a STATUS= line ("serving", "reloading", ...,
// followed by what the service sets with [SetStatus]). Under a watchdog
// (WatchdogSec=) it sends WATCHDOG=1 every half interval while the
// service's Healthy ([HealthChecker]), if it has one, passes. [Listen]
// returns the sockets systemd passes (socket activation), or listens
// itself. Logging to the journal, each line starts with its syslog
// priority ("<3>" for errors), so journalctl -p err shows the errors. A
// Reload systemd waits for is bounded as above. As process 1 it runs the
// service in a child, passing it the service's flags, forwards signals to
// it and reaps orphaned children.
package daemon

import (
	"context"
	"flag"
	"io/fs"
)

// Service is the work the daemon does. Run must return soon after ctx is
// cancelled; its error, if any and other than ctx's, is logged and makes the
// daemon exit 1.
type Service interface {
	Run(ctx context.Context) error
}

// Initializer is implemented by services that must prepare before the daemon
// counts as started (open listeners, check configuration). Init runs before
// Run; a non-nil error is reported by the start command and ends the daemon.
type Initializer interface {
	Init(ctx context.Context) error
}

// Reloader is implemented by services that can reload their configuration.
// Reload is called by the reload command and on SIGHUP, never concurrently
// with itself, while Run runs; a shutdown cancels ctx. An error is logged,
// reported by the reload command (which exits 1), and the service keeps
// running.
type Reloader interface {
	Reload(ctx context.Context) error
}

// Flagger is implemented by services with flags of their own. When
// Program.Flags is nil, Main uses the service's Flags method as
// Program.Flags, so a main package need not name it.
type Flagger interface {
	Flags(fs *flag.FlagSet)
}

// Program describes one daemon. Name and Service are required.
type Program struct {
	// Name is the program's name. It appears in messages, names the
	// environment variables NAME_PIDFILE and NAME_LOG (upper-cased, with '-'
	// as '_'), and the default pidfile and log files.
	Name string

	// Service is what the daemon runs.
	Service Service

	// Umask is the daemon's file mode creation mask. Zero means 027.
	Umask fs.FileMode

	// Flags, if not nil, defines the service's own flags (such as
	// --config FILE) in fs, bound to the service's fields; nil means the
	// service's own Flags method if it is a [Flagger]. Every command
	// accepts them, and start and run pass those that were set, by their
	// values' String form, to each process they re-execute: the daemon
	// after both re-execs, and the service process under process 1. A
	// Value's String must therefore give back what its Set accepts (true of
	// the flag package's own), and a flag set twice arrives once, with its
	// last value. Use [PathVar] for paths: they are resolved once, against
	// the operator's working directory, before any re-exec. Flags must not
	// use the daemon's names: pidfile, log, timeout, user.
	Flags func(fs *flag.FlagSet)

	// InitFiles holds the service files the install and uninstall
	// commands write and remove: init/SYSTEM/FILE for each init system
	// (see install.go), as "//go:embed init" in the main package of a
	// project made by daemongen provides them. Nil: install and uninstall
	// fail, saying so.
	InitFiles fs.FS
}

// umask returns the mask the daemon sets.
func (p *Program) umask() int {
	if p.Umask == 0 {
		return 0o027
	}
	return int(p.Umask & fs.ModePerm)
}
