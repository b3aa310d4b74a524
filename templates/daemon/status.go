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
		notify("STATUS=" + statusLine())
	}
}

// statusLine is the STATUS= value. The caller holds status's lock.
func statusLine() string {
	if status.service == "" {
		return status.state
	}
	return status.state + ": " + status.service
}

// tell sends the manager the daemon's new state together with the
// sd_notify assignments that go with it (READY=1, STOPPING=1, ...), in one
// message, so that the manager sees the state and the status change at once.
func tell(state string, assignments ...string) {
	status.Lock()
	defer status.Unlock()
	status.state = state
	notify(strings.Join(append(assignments, "STATUS="+statusLine()), "\n"))
}

// reloading returns the assignments that announce a reload: RELOADING=1 and
// the time of the announcement in CLOCK_MONOTONIC microseconds, which
// systemd 253 and later require (without MONOTONIC_USEC= they let
// "systemctl reload" of a Type=notify-reload service hang).
func reloading() []string {
	a := []string{"RELOADING=1"}
	if usec, ok := monotonicUsec(); ok {
		a = append(a, "MONOTONIC_USEC="+strconv.FormatInt(usec, 10))
	}
	return a
}
