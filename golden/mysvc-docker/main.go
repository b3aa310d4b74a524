// Command mysvc is a service that runs as a Unix daemon.
//
// Usage:
//
//	mysvc start|stop|restart|status|reload|reopen|run [--pidfile PATH] [--log PATH] [--timeout DUR] [--user NAME]
//
// Run "mysvc -help" for the details. The service itself is in service.go;
// the daemon machinery is in internal/daemon, which daemongen maintains.
package main

import (
	"os"

	"example.com/mysvc/internal/daemon"
)

func main() {
	os.Exit(daemon.Main(daemon.Program{Name: "mysvc", Service: &Service{}}, os.Args[1:]))
}
