//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import (
	"os"
	"syscall"
)

var (
	// shutdownSignals stop the service; a second one exits at once.
	shutdownSignals = []os.Signal{syscall.SIGTERM, syscall.SIGINT}
	// reloadSignal calls the service's Reload.
	reloadSignal os.Signal = syscall.SIGHUP
	// reopenSignal reopens the log.
	reopenSignal os.Signal = syscall.SIGUSR1
)
