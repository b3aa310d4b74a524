// Command my-svc is a service that runs as a Unix daemon.
//
// Usage:
//
//	my-svc start|stop|restart|status|reload|reopen|run [--pidfile PATH] [--log PATH] [--timeout DUR] [--user NAME]
//
// Run "my-svc -help" for the details. The service itself is in service.go;
// the daemon machinery is in internal/daemon, which daemongen maintains.
package main

import (
	"os"

	"my-svc/internal/daemon"
)

func main() {
	os.Exit(daemon.Main(daemon.Program{Name: "my-svc", Service: &Service{}}, os.Args[1:]))
}
