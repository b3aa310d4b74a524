// Command mysvc is a service that runs as a Unix daemon.
//
// Usage:
//
//	mysvc start|stop|restart|status|reload|reopen|run [--pidfile PATH] [--log PATH] [--timeout DUR] [--user NAME] [--config FILE]
//
// Run "mysvc -help" for the details. The service itself, with its own
// flags (--config FILE), is in service.go; the daemon machinery is in
// internal/daemon, which daemongen maintains.
package main

import (
	"os"

	"example.com/mysvc/internal/daemon"
)

func main() {
	svc := &Service{}
	os.Exit(daemon.Main(daemon.Program{Name: "mysvc", Service: svc, Flags: svc.Flags}, os.Args[1:]))
}
