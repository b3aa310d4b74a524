package daemon

import (
	"context"
	"fmt"
	"time"
)

// defaultReloadLimit bounds a Reload asked for by a signal, or by a client
// that named no limit.
const defaultReloadLimit = 90 * time.Second

// A reloadBound bounds the running Reload, so that the service manager,
// told RELOADING=1, hears READY=1 in time even from a Reload that hangs:
// otherwise systemd leaves the unit "reloading" and every later reload
// waits behind it. The limit, and what happens at 80% and 90% of it: see
// the package doc, # Reload and its answer. The Reload keeps its place:
// the next one starts only once it has returned.
type reloadBound struct {
	next    time.Duration // the limit for the next Reload; 0 if none named yet
	limit   time.Duration // the running Reload's
	cancel  context.CancelFunc
	timer   *time.Timer
	overdue <-chan time.Time // fires at each stage; nil when none is armed
	stage   int
}

// ask notes a request's limit (0 for none) for the next Reload.
func (b *reloadBound) ask(limit time.Duration) {
	if limit <= 0 {
		limit = defaultReloadLimit
	}
	if b.next == 0 || limit < b.next {
		b.next = limit
	}
}

// begin returns the context for a Reload starting now and arms its limit.
func (b *reloadBound) begin(parent context.Context) context.Context {
	b.limit = b.next
	if b.limit == 0 {
		b.limit = defaultReloadLimit
	}
	b.next = 0
	ctx, cancel := context.WithCancel(parent)
	b.cancel = cancel
	b.stage = 0
	b.timer = time.NewTimer(b.limit * 8 / 10)
	b.overdue = b.timer.C
	return ctx
}

// end disarms the limit once Reload has returned err, and returns err,
// saying so if the limit canceled it.
func (b *reloadBound) end(err error) error {
	if err != nil && b.stage > 0 {
		err = fmt.Errorf("canceled: Reload did not return within %v, the limit (the --timeout of reload): %w", (b.limit * 8 / 10).Round(10*time.Millisecond), err)
	}
	if b.timer != nil {
		b.timer.Stop()
	}
	if b.cancel != nil {
		b.cancel()
	}
	b.timer, b.overdue, b.cancel = nil, nil, nil
	return err
}

// reloadOverdue handles the running Reload's limit firing.
func (srv *server) reloadOverdue() {
	b := &srv.bound
	b.stage++
	if b.stage == 1 {
		srv.logger.Printf("reload: still running after %v; canceling its context", (b.limit * 8 / 10).Round(10*time.Millisecond))
		b.cancel()
		b.timer = time.NewTimer(b.limit / 10)
		b.overdue = b.timer.C
		return
	}
	b.overdue = nil
	after := (b.limit * 9 / 10).Round(10 * time.Millisecond)
	err := fmt.Errorf("the service's Reload did not return within %v, even with its context canceled; it is still running, and the next reload waits for it (see the log)", after)
	srv.logger.Printf("reload: %v", err)
	notify("READY=1")
	setState(fmt.Sprintf("%s (Reload still running after %v)", statusServing, after))
	answer(srv.current, err)
	srv.current = nil
}
