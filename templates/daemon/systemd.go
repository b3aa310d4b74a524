package daemon

// Under systemd the daemon does more than READY=1 and STOPPING=1, each part
// in a file of its own so that each can be read alone:
//
//   - status.go: STATUS= (starting, serving, reloading, stopping, and the
//     service's own line from SetStatus); MONOTONIC_USEC= with RELOADING=1.
//   - watchdog.go: WATCHDOG=1 (WatchdogSec=) while the service's Healthy,
//     if it has one, passes.
//   - listeners.go: Listen hands the service the sockets systemd passes
//     ($LISTEN_FDS, a NAME.socket unit), by name, or listens itself.
//   - logging.go: each line with its syslog priority when stderr is the
//     journal ($JOURNAL_STREAM), so journalctl -p err finds errors.

// underSystemd prepares, as the service starts, what the daemon does for a
// service manager: it takes the sockets the manager passed, before anything
// else can start a program that would inherit them, reports
// STATUS=starting, and starts the watchdog if the manager asked for one. It
// returns what stops the watchdog. Without a service manager all of this
// does nothing, but Listen still listens.
func (p *Program) underSystemd() (undo func()) {
	takeSockets()
	setState(statusStarting)
	wd := startWatchdog(p.Service, p.Name+": ")
	return wd.stop
}
