package daemon

// Under systemd the daemon does more than READY=1 and STOPPING=1, each part
// in a file of its own so that each can be read alone:
//
//   - status.go: the daemon's state in STATUS= (starting, serving,
//     reloading, stopping) with the service's own line from SetStatus;
//     RELOADING=1 goes with MONOTONIC_USEC=, as systemd 253 and later need.
//   - watchdog.go: with $WATCHDOG_USEC (WatchdogSec=), pings at half the
//     interval while the service's Healthy (HealthChecker), if it has one,
//     passes; a failing or hung Healthy stops the pings.
//   - listeners.go: Listen hands the service the sockets systemd passes
//     ($LISTEN_FDS, a NAME.socket unit), by name, or listens itself.
//   - logging.go: slog's default logger, and package log, write each line
//     with its syslog priority when stderr is the journal ($JOURNAL_STREAM),
//     so journalctl -p err finds errors; elsewhere timestamped text, or JSON
//     with $NAME_LOG_FORMAT=json. $NAME_LOG_LEVEL and SetLogLevel set the
//     level.

// underSystemd prepares what the daemon does for a service manager, as the
// service starts, and returns what undoes it, for when the service has
// stopped:
//
//   - it takes the sockets the manager passed (listeners.go), before
//     anything else can start a program that would inherit them;
//   - it reports STATUS=starting (status.go); notify adds the status that
//     goes with READY=1, RELOADING=1 and STOPPING=1 from then on;
//   - it starts the watchdog, if the manager asked for one (watchdog.go),
//     and stops it when the service has stopped.
//
// Without a service manager, all of this does nothing, but Listen still
// listens.
func (p *Program) underSystemd() (undo func()) {
	takeSockets()
	setState(statusStarting)
	wd := startWatchdog(p.Service, p.Name+": ")
	return wd.stop
}
