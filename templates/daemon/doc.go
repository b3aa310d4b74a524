// Package daemon turns a Service into a Unix daemon with the control commands
// start, stop, restart, status, reload, reopen and run.
//
// The program's main function hands its arguments to [Main]:
//
//	func main() {
//		os.Exit(daemon.Main(daemon.Program{Name: "mysvc", Service: &Service{}}, os.Args[1:]))
//	}
//
// The service implements [Service], and optionally [Initializer] and
// [Reloader]:
//
//   - Init runs in the daemon before start reports success: whatever it logs is
//     in the log when start returns, and an error it returns makes start fail
//     with that error and leaves no daemon and no pidfile behind.
//   - Run does the work. Its context is cancelled on SIGTERM or SIGINT; the
//     daemon waits for Run to return, removes its pidfile and exits 0 (1 if Run
//     returned an error other than the context's).
//   - Reload is called on SIGHUP (the reload command sends it).
//
// The service must not open the pidfile: on Linux, closing any descriptor
// of it would drop the lock by which the daemon tells others its pid.
//
// # How it daemonizes
//
// Go cannot fork, so start re-executes the program twice: the first child
// starts a new session, the second is started by the first and is therefore
// in that session but not its leader, and so can never acquire a controlling
// terminal. The second child is the daemon. It changes to "/", sets its umask
// (027 unless configured), takes an exclusive flock on the pidfile (empty
// for now), points stdin at /dev/null and stdout and stderr at the log (with
// dup2, so a panic lands in the log too), runs Init, writes its pid to the
// pidfile, and only then tells start, over a pipe made before the first
// re-exec, that it is ready. Start
// returns 0 after that message, or 1 with the daemon's error, its early exit,
// or a timeout.
//
// # Liveness
//
// A daemon is running exactly while some process holds the flock on its
// pidfile. The file is empty while the daemon starts, holds "PID\n" once it
// is ready, and is emptied again when it begins to stop. On Linux the daemon
// also holds a POSIX record lock on it, through which the kernel tells
// others its pid (F_GETLK, as seen from their PID namespace); the file's
// content never decides which process is signalled there. Elsewhere the
// content is trusted only while the file is locked. Signals go through a
// pidfd where the kernel has them, so a stale pidfile never leads to a
// signal to an unrelated process. Stop waits for the lock to be released,
// not for kill(pid, 0) to fail: a daemon whose parent does not reap it stays
// a zombie that kill(pid, 0) still finds.
//
// # Signals
//
// SIGTERM and SIGINT stop the service (a second one exits at once), SIGHUP
// reloads it, SIGUSR1 reopens the log by its path (for logrotate). The
// handlers are installed even when the daemon was started with these signals
// ignored.
//
// # Foreground
//
// The run command stays in the foreground for systemd (Type=notify),
// containers and supervisors: it logs to stderr unless --log is given, takes
// the pidfile only when one is named, and sends READY=1, RELOADING=1 and
// STOPPING=1 to $NOTIFY_SOCKET. As process 1 it reaps orphaned children.
package daemon

import (
	"context"
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
// Reload is called on SIGHUP, never concurrently with itself; an error is
// logged and the service keeps running.
type Reloader interface {
	Reload(ctx context.Context) error
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
