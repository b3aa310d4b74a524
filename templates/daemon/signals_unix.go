//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import (
	"os"
	"syscall"
)

// The signals the daemon handles: see the package doc, # Signals.
var (
	shutdownSignals           = []os.Signal{syscall.SIGTERM, syscall.SIGINT}
	reloadSignal    os.Signal = syscall.SIGHUP
	reopenSignal    os.Signal = syscall.SIGUSR1
	quitSignal      os.Signal = syscall.SIGQUIT
)
