//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import (
	"os"
	"syscall"
)

var (
	// shutdownSignals stop the service gracefully; any number of them make
	// one stop.
	shutdownSignals = []os.Signal{syscall.SIGTERM, syscall.SIGINT}
	// reloadSignal calls the service's Reload.
	reloadSignal os.Signal = syscall.SIGHUP
	// reopenSignal reopens the log.
	reopenSignal os.Signal = syscall.SIGUSR1
	// quitSignal is the deliberate forced exit: the daemon logs every
	// goroutine's stack and exits at once, without waiting for the service.
	quitSignal os.Signal = syscall.SIGQUIT
)
