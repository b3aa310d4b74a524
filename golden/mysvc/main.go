// Command mysvc is a service that runs as a Unix daemon.
//
// Usage:
//
//	mysvc start|stop|restart|status|reload|reopen|run [--pidfile PATH] [--log PATH] [--timeout DUR] [--user NAME] [service flags]
//	mysvc install [--init auto|systemd|systemd-user|openrc|sysv|launchd|rc.d] [--no-start] [--dry-run] [--bin PATH]
//	mysvc uninstall [--init ...] [--dry-run]
//
// Run "mysvc -help" for the details, the service's own flags among them.
// The daemon machinery is in internal/daemon, which daemongen maintains.
// install writes the service files in init/, which the binary embeds: edit
// them, rebuild, and install writes your version.
package main

import (
	"embed"
	"os"

	"example.com/mysvc/internal/daemon"
)

// initFiles are the service files install writes, one folder per init system.
//
//go:embed init
var initFiles embed.FS

func main() {
	os.Exit(daemon.Main(daemon.Program{Name: "mysvc", Service: &Service{}, InitFiles: initFiles}, os.Args[1:]))
}
