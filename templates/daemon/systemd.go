package daemon

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
