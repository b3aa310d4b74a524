package daemon

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Under systemd (Type=notify) run sends READY=1, RELOADING=1 and
// STOPPING=1 with STATUS=, pings the watchdog while the service is
// [HealthChecker] healthy, and [Listen] takes the sockets systemd passes.

// notify sends state to $NOTIFY_SOCKET, annotated.
func notify(state string) {
	send(annotate(state))
}

// underSystemd, as the service starts, takes the manager's sockets, says
// STATUS=starting and starts the watchdog if asked (nil if not).
func (p *Program) underSystemd(warnf func(string, ...any)) *watchdog {
	keepSockets(true)
	setState("starting")
	return startWatchdog(p.Service, warnf)
}

// states are the daemon's own states, "starting" and those the messages
// announce, as systemctl status shows them after "Status:".
var states = map[string]string{"READY=1": "serving", "RELOADING=1": "reloading", "STOPPING=1": "stopping"}

// status is the daemon's state, then the service's line, for STATUS=.
var status struct {
	sync.Mutex
	state   string // one of states; "" before the daemon reports any
	service string // set by SetStatus
	ready   bool   // READY=1 has been sent: the service has started
}

// SetStatus sets the service's one-line status, such as "42 clients", which
// systemctl status shows after the daemon's state ("serving: 42 clients");
// "" clears it. It is sent at once under a service manager, and shows
// nowhere else. It is safe to call from any goroutine.
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

// annotate adds STATUS= to READY=1, RELOADING=1 and STOPPING=1, and to
// RELOADING=1 the MONOTONIC_USEC= systemd 253 and later need.
func annotate(msg string) string {
	state, ok := states[msg]
	if !ok {
		return msg
	}
	if usec, ok := monotonicUsec(); ok && state == "reloading" {
		msg += "\nMONOTONIC_USEC=" + strconv.FormatInt(usec, 10)
	}
	status.Lock()
	defer status.Unlock()
	status.state = state
	status.ready = status.ready || state == "serving"
	return msg + "\nSTATUS=" + statusLine()
}

// HealthChecker is implemented by services that can tell whether they are
// well. Under a watchdog (WatchdogSec=) the daemon calls Healthy every half
// interval once serving, with a context that expires at the next call, and
// pings only when it returns nil in time: failing or hanging, the service
// gets restarted.
type HealthChecker interface {
	Healthy(ctx context.Context) error
}

// A watchdog pings the manager's watchdog while the service is healthy.
type watchdog struct {
	every   time.Duration               // half the manager's interval
	check   func(context.Context) error // the service's Healthy; nil if it has none
	send    func(string)                // notify, or a test's stand-in
	warn    func(string)                // logs a change of health, at level warn
	serving func() bool                 // whether Init has succeeded and the health check applies
	done    chan struct{}               // closed by stop
}

// watchdogInterval reads and unsets $WATCHDOG_USEC and $WATCHDOG_PID, which
// must be ours if set; 0 means no watchdog.
func watchdogInterval() time.Duration {
	usec, pid := os.Getenv("WATCHDOG_USEC"), os.Getenv("WATCHDOG_PID")
	os.Unsetenv("WATCHDOG_USEC")
	os.Unsetenv("WATCHDOG_PID")
	n, err := strconv.ParseInt(usec, 10, 64)
	if err != nil || n <= 0 || (pid != "" && pid != strconv.Itoa(os.Getpid())) {
		return 0
	}
	return time.Duration(n) * time.Microsecond
}

// startWatchdog starts pinging if the manager asked for it, and returns the
// watchdog, or nil. Until READY=1 it pings without asking the service (a
// slow Init is TimeoutStartSec='s business). It warns of health changes.
func startWatchdog(svc Service, warnf func(string, ...any)) *watchdog {
	interval := watchdogInterval()
	if interval == 0 {
		return nil
	}
	w := &watchdog{
		every:   interval / 2,
		send:    func(msg string) { send(msg) },
		serving: started,
		warn:    func(msg string) { warnf("%s", msg) },
		done:    make(chan struct{}),
	}
	if hc, ok := svc.(HealthChecker); ok {
		w.check = hc.Healthy
	}
	go w.loop()
	return w
}

// loop pings every w.every while the service is healthy; a hung Healthy
// stops the pings for good, as it should.
func (w *watchdog) loop() {
	tick := time.NewTicker(w.every)
	defer tick.Stop()
	w.send("WATCHDOG=1")
	var failing error
	for {
		select {
		case <-w.done:
			return
		case <-tick.C:
		}
		err := w.healthy()
		switch {
		case err == nil && failing != nil:
			w.warn("health check passes again; pinging the watchdog")
		case err != nil && (failing == nil || err.Error() != failing.Error()):
			w.warn(fmt.Sprintf("health check: %v; not pinging the watchdog", err))
		}
		failing = err
		select {
		case <-w.done: // stopping while Healthy ran
			return
		default:
		}
		if err == nil {
			w.send("WATCHDOG=1")
		}
	}
}

// healthy asks the service, once serving, with a deadline of one interval.
func (w *watchdog) healthy() error {
	if w.check == nil || !w.serving() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.every)
	defer cancel()
	err := w.check(ctx)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return err
}

// stop ends the pings, not waiting for a Healthy that hangs; nil does nothing.
func (w *watchdog) stop() {
	if w != nil {
		close(w.done)
	}
}

// An inherited socket is a listener the manager or an upgrade passed, or
// Listen made, kept for an upgrade to hand over.
type inherited struct {
	name string // from $LISTEN_FDNAMES, or Listen's; "" if the manager gave none
	fd   int
	used bool // Listen returned it
}

// sockets are the listeners: the manager's (takeSockets) or an upgrade's
// (handedOver), and those Listen made.
var sockets struct {
	sync.Mutex
	once             sync.Once
	handedOver, keep bool // keep: a daemon serves, and Listen keeps a copy (keepSockets)
	fds              []*inherited
}

// Listen returns the listening socket the service calls name, such as
// "http", as a file for net.FileListener. Under socket activation it is the
// socket passed under that name (FileDescriptorName=), or the only one;
// after an upgrade, the old daemon's of that name. Otherwise it listens on
// addr: a path ('/', or '@' abstract on Linux) for a Unix socket, or
// HOST:PORT, HOST empty, localhost or an IP (IPv6 in brackets). Names hold
// no ':'. With $FDSTORE (FileDescriptorStoreMax=), systemd keeps a socket
// Listen made and passes it back after a restart, which refuses nothing.
func Listen(name, addr string) (*os.File, error) {
	takeSockets()
	sockets.Lock()
	defer sockets.Unlock()
	i := slices.IndexFunc(sockets.fds, func(s *inherited) bool { return s.name == name && !s.used })
	if i < 0 && len(sockets.fds) == 1 && !sockets.fds[0].used && !sockets.handedOver {
		i = 0
	}
	switch {
	case i >= 0:
		sockets.fds[i].used = true
		return os.NewFile(uintptr(dupFD(sockets.fds[i].fd)), name), nil
	case sockets.handedOver:
		return nil, fmt.Errorf("listen for %s: the daemon this one upgrades has no listener %s to hand over (restart instead)", name, name)
	case strings.Contains(name, ":"):
		return nil, fmt.Errorf("listen for %s: a listener's name holds no ':'", name)
	}
	f, err := listenAddr(addr)
	if err != nil {
		return nil, fmt.Errorf("listen for %s: %w", name, err)
	}
	if sockets.keep {
		fd := dupFD(int(rawFD(f)))
		sockets.fds = append(sockets.fds, &inherited{name: name, fd: fd, used: true})
		if n, _ := strconv.Atoi(os.Getenv("FDSTORE")); n > 0 {
			send("FDSTORE=1\nFDNAME="+name, fd) // systemd keeps it across a restart
		}
	}
	return f, nil
}
