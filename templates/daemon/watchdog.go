package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"
)

// HealthChecker is implemented by services that can tell whether they are
// well. Under a service manager's watchdog (systemd's WatchdogSec=), the
// daemon calls Healthy at half the watchdog interval once the service is
// serving, with a context that expires at the next call, and pings the
// watchdog only when Healthy returns nil in time. A Healthy that fails, or
// hangs (a deadlock), stops the pings, and the manager restarts the service.
// Without a watchdog Healthy is never called.
type HealthChecker interface {
	Healthy(ctx context.Context) error
}

// A watchdog pings the service manager's watchdog (WATCHDOG=1) while the
// service is healthy.
type watchdog struct {
	every   time.Duration               // half the manager's interval
	check   func(context.Context) error // the service's Healthy; nil if it has none
	send    func(string)                // notify, or a test's stand-in
	warn    func(string)                // logs a change of health, at level warn
	serving func() bool                 // whether Init has succeeded and the health check applies
	done    chan struct{}               // closed by stop
}

// watchdogInterval reads the manager's watchdog settings: $WATCHDOG_USEC,
// and $WATCHDOG_PID, which must be ours if set (a variable inherited from a
// parent is not for us). It removes both from the environment, so that no
// program the service starts pings in its name. Zero means no watchdog.
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
// watchdog, or nil when there is none. Until the daemon has sent READY=1 it
// pings without asking the service: Init may take long, and a slow start
// is TimeoutStartSec='s business. Changes of health are logged at level
// warn (priority 4 in the journal), after prefix.
func startWatchdog(svc Service, prefix string) *watchdog {
	interval := watchdogInterval()
	if interval == 0 {
		return nil
	}
	w := &watchdog{
		every:   interval / 2,
		send:    send,
		serving: started,
		warn:    func(msg string) { slog.Warn(prefix + msg) },
		done:    make(chan struct{}),
	}
	if hc, ok := svc.(HealthChecker); ok {
		w.check = hc.Healthy
	}
	go w.loop()
	return w
}

// loop pings every w.every while the service is healthy; a Healthy that
// never returns blocks it, and so the pings, for good, as it should.
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

// healthy asks the service, once it is serving, with a deadline of one
// ping interval. An answer after the deadline counts as a failure.
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

// stop ends the pings; it does not wait for a Healthy that hangs. A nil
// watchdog does nothing.
func (w *watchdog) stop() {
	if w != nil {
		close(w.done)
	}
}
