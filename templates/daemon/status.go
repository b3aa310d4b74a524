package daemon

import (
	"strconv"
	"strings"
	"sync"
)

// The daemon's own states, as systemctl status shows them after "Status:".
const (
	statusStarting  = "starting"
	statusServing   = "serving"
	statusReloading = "reloading"
	statusStopping  = "stopping"
)

// status is the one-line status the daemon reports to its service manager:
// its own state, then the service's line, if it set one.
var status struct {
	sync.Mutex
	state   string // one of the status constants; "" before the daemon reports any
	service string // set by SetStatus
	ready   bool   // READY=1 has been sent: the service has started
}

// SetStatus sets the service's own one-line status, such as "42 clients",
// which systemctl status shows after the daemon's state: "serving: 42
// clients". Line breaks become spaces; "" clears it. Under a service manager
// that reads $NOTIFY_SOCKET the new status is sent at once; elsewhere
// SetStatus does nothing visible. It is safe to call from any goroutine.
func SetStatus(line string) {
	line = strings.Join(strings.Fields(line), " ")
	status.Lock()
	defer status.Unlock()
	status.service = line
	if status.state != "" {
		send("STATUS=" + statusLine())
	}
}

// statusLine is the STATUS= value. The caller holds status's lock.
func statusLine() string {
	if status.service == "" {
		return status.state
	}
	return status.state + ": " + status.service
}

// setState records the daemon's state and reports it.
func setState(state string) {
	status.Lock()
	defer status.Unlock()
	status.state = state
	send("STATUS=" + statusLine())
}

// started reports whether the daemon has sent READY=1 since it started.
func started() bool {
	status.Lock()
	defer status.Unlock()
	return status.ready
}

// annotate completes a message to the service manager that announces a
// state with what goes with it, so that the manager learns both at once:
// READY=1 (serving), RELOADING=1 (reloading) and STOPPING=1 (stopping) get
// their STATUS=, and RELOADING=1 the time of the announcement in
// CLOCK_MONOTONIC microseconds, which systemd 253 and later require (without
// MONOTONIC_USEC= they let "systemctl reload" of a Type=notify-reload
// service hang). Other messages are returned as they are.
func annotate(msg string) string {
	var state string
	switch msg {
	case "READY=1":
		state = statusServing
	case "RELOADING=1":
		state = statusReloading
		if usec, ok := monotonicUsec(); ok {
			msg += "\nMONOTONIC_USEC=" + strconv.FormatInt(usec, 10)
		}
	case "STOPPING=1":
		state = statusStopping
	default:
		return msg
	}
	status.Lock()
	defer status.Unlock()
	status.state = state
	status.ready = status.ready || state == statusServing
	return msg + "\nSTATUS=" + statusLine()
}
