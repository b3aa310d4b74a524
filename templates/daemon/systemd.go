package daemon

// Under systemd the daemon does more than READY=1 and STOPPING=1, each part
// in a file of its own: status.go (STATUS=, MONOTONIC_USEC=), watchdog.go
// (WATCHDOG=1), listeners.go (socket activation) and logging.go (the
// journal's priorities).

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
