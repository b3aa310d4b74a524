// Package daemon turns a [Service] into a Unix daemon. [Main] gives the
// program the commands start, stop, restart, status, reload, reopen,
// upgrade and run, and install and uninstall, which register it with the
// init system from [Program.InitFiles]:
//
//	func main() {
//		os.Exit(daemon.Main(daemon.Program{Name: "mysvc", Service: &Service{}, InitFiles: initFiles}, os.Args[1:]))
//	}
//
// The contract, in short; each file says the rest of its part:
//
//   - start returns 0 only once the daemon is ready: Init has returned nil
//     and the pidfile names the daemon; otherwise 1, with the daemon's own
//     error, and no daemon or pidfile is left (start_unix.go).
//   - A daemon runs exactly while a process holds the lock on its pidfile;
//     the pid the commands signal is the lock holder's as the kernel reports
//     it, never the file's content (pidfile_unix.go). The service must not
//     open the pidfile: closing a descriptor of it would drop that lock.
//   - stop waits until the daemon is gone and says how it ended: stopped or
//     crashed (exit 0), killed after --timeout (150), or 1 if it could not
//     stop it; status exits 0 running, 1 stale, 3 not running; reload and
//     reopen return the daemon's answer, 7 when none runs (client_unix.go).
//   - SIGTERM and SIGINT cancel Run's context, SIGHUP reloads, SIGUSR1
//     reopens the log, SIGQUIT dumps the goroutines and exits (serve.go).
//   - upgrade runs the binary now at the daemon's path in its place, handing
//     it the pidfile and [Listen]'s sockets: no connection is refused, and a
//     new binary that fails leaves the old daemon serving (upgrade_unix.go).
//   - Under systemd, run speaks its protocol: readiness, reload, status,
//     watchdog, socket activation and journal priorities (systemd.go,
//     logging.go).
package daemon

import (
	"context"
	"flag"
	"io/fs"
	"time"
)

// StopTimeout is how long a stop waits before it kills the daemon: stop's
// default --timeout, and the service files' TimeoutStopSec= and ExitTimeOut.
const StopTimeout = 10 * time.Second

// Service is the work the daemon does. Run must return soon after ctx is
// cancelled, well within [StopTimeout]; its error, if any and other than
// ctx's, is logged and makes the daemon exit 1.
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
// with itself, while Run runs; a shutdown cancels ctx. An error is logged
// and reported by the reload command; the service keeps running.
type Reloader interface {
	Reload(ctx context.Context) error
}

// Flagger is implemented by services with flags of their own: when
// Program.Flags is nil, Main uses their Flags method.
type Flagger interface {
	Flags(fs *flag.FlagSet)
}

// Program describes one daemon. Name and Service are required.
type Program struct {
	// Name is the program's name, in messages, the variables NAME_PIDFILE
	// and NAME_LOG (upper-cased, '-' as '_') and the default files' names.
	Name string

	// Service is what the daemon runs.
	Service Service

	// Umask is the daemon's file mode creation mask. Zero means 027.
	Umask fs.FileMode

	// Flags, if not nil, defines the service's own flags (such as
	// --config FILE) in fs; nil means the service's Flags method if it is
	// a [Flagger]. Every command accepts them, and start, run and upgrade
	// pass those set, in their values' String form (which must give back
	// what Set accepts), to the processes they start. Use [PathVar] for
	// paths. The daemon's own names are taken: pidfile, log, timeout,
	// drain, user.
	Flags func(fs *flag.FlagSet)

	// Env names the variables the service needs as --user, which clears
	// the rest of root's but for NAME_*, the locale's and the manager's.
	Env []string

	// InitFiles holds the service files install writes, init/FOLDER/FILE for
	// each init system (install.go), as "//go:embed init" provides them.
	InitFiles fs.FS
}
