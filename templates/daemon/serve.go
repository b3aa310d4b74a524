package daemon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"time"
)

// Signals. SIGTERM and SIGINT stop the service gracefully, any number of
// them once (during Init, without running Run). SIGQUIT is the forced exit:
// every goroutine's stack to the log, "quit" into the pidfile, exit 1.
// SIGHUP reloads, SIGUSR1 reopens the log; a channel with room for one per
// kind loses none. Reload runs in a goroutine, one at a time: a stop
// cancels its context.

// A session is one life of the service, in the daemon or in the foreground.
type session struct {
	log     string         // the log's path, reopened on reopenSignal; "" when logging to inherited stderr
	pidfile *pidfile       // held for the session's life; nil when none
	signals *signals       // from watchSignals, called before anything else
	control *controlServer // the control socket, beside the pidfile; nil without one
	ready   func()         // tells whoever started the service that it is up
	fail    func(error)    // tells them it could not start

	opts        *options                                         // the command line, for an upgrade's new daemon
	mode        string                                           // "daemon" (start), "run", or "service" (process 1's child)
	takeOver    func(*options) (*pidfile, *controlServer, error) // an upgrade's new daemon takes the pidfile, once Init has succeeded
	predecessor chan struct{}                                    // closed once the daemon this one upgraded has exited; nil if none
}

// signals are the channels the daemon's signals arrive on, one per kind.
type signals struct {
	shutdown chan os.Signal // shutdownSignals: stop, once
	reload   chan os.Signal // reloadSignal
	reopen   chan os.Signal // reopenSignal
	quit     chan os.Signal // quitSignal: exit at once
}

// watchSignals subscribes to the signals the daemon handles, even those
// the process was started with ignored.
func watchSignals() *signals {
	s := &signals{make(chan os.Signal, 1), make(chan os.Signal, 1), make(chan os.Signal, 1), make(chan os.Signal, 1)}
	signal.Notify(s.shutdown, shutdownSignals...)
	for ch, sig := range map[chan os.Signal]os.Signal{s.reload: reloadSignal, s.reopen: reopenSignal, s.quit: quitSignal} {
		if sig != nil {
			signal.Notify(ch, sig)
		}
	}
	return s
}

// stop unsubscribes from the signals.
func (s *signals) stop() {
	for _, ch := range []chan os.Signal{s.shutdown, s.reload, s.reopen, s.quit} {
		signal.Stop(ch)
	}
}

// controls are the commands a daemon answers over its control socket
// besides reload and upgrade: "NAME COMMAND" sends the name, the serve loop
// runs do and answers with its error (nil: "ok"), and the command prints
// "NAME DONE (pid N)" or the error. Adding one is a row here, and a test.
var controls = []control{
	{"reopen", "ask the daemon to reopen its log, after log rotation", "reopened its log",
		func(srv *server) error { return srv.reopen("reopen requested") }},
}

// A control is one of the controls.
type control struct {
	name, usage, done string
	do                func(*server) error
}

// findControl returns the control named name, if there is one.
func findControl(name string) (control, bool) {
	for _, c := range controls {
		if c.name == name {
			return c, true
		}
	}
	return control{}, false
}

// A request is one asked for over the control socket.
type request struct {
	verb  string        // "reload", "upgrade" or a control's name
	reply chan error    // with room for the result: never blocks
	limit time.Duration // the client's --timeout; 0 if it named none
	drain time.Duration // upgrade's --drain
	conn  *os.File      // upgrade's client, answered by the upgrade
}

// errStopping answers a reload asked for while the daemon stops.
var errStopping = errors.New("the daemon is stopping (or has handed over to an upgrade); ask again")

// pidfileCheck is how often the daemon checks that its pidfile is in place.
const pidfileCheck = time.Second

// A server runs a session's service.
type server struct {
	*session
	p      *Program
	logger *log.Logger
	ctx    context.Context
	cancel context.CancelFunc

	// starting is true while Init runs: reloads wait until it succeeded.
	starting bool
	// reloading delivers the result of the running Reload; nil when none
	// runs. current are the replies waiting for it (nil for a signal),
	// pending those waiting for the next one.
	reloading chan error
	current   []chan error
	pending   []chan error
	bound     reloadBound // a hung Reload still ends the reload

	watchdog   *watchdog  // nil without one
	next, heir *successor // an upgrade's new daemon: starting, or serving in this one's place
}

// serve runs the service: Init, the readiness report, Run, and the signal
// loop around them, and returns the exit code once all have returned.
func (p *Program) serve(s *session) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := &server{
		session: s,
		p:       p,
		logger:  p.setupLogging(), // logging.go
		ctx:     ctx,
		cancel:  cancel,
	}
	srv.watchdog = p.underSystemd(srv.warnf) // systemd.go: sockets, STATUS=, watchdog
	defer srv.watchdog.stop()
	defer s.signals.stop()

	if in, ok := p.Service.(Initializer); ok {
		srv.starting = true
		err := srv.loop(in.Init)
		srv.starting = false
		switch {
		case ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled)):
			srv.finish(errStopping) // stopped as asked, during Init (see above)
			srv.fail(errors.New("stopped before it was ready"))
			srv.logger.Print("stopped before it was ready")
			return exitOK
		case err != nil:
			return srv.abort(fmt.Errorf("init: %w", err))
		}
		SetLogLevel(logLevel.Level()) // for a slog handler Init installed
	}
	var err error
	if s.takeOver != nil { // upgrade_unix.go
		s.pidfile, s.control, err = s.takeOver(s.opts)
	}
	if err = cmp.Or(err, s.pidfile.markReady()); err != nil {
		return srv.abort(err)
	}
	s.ready()
	notify("READY=1")
	if s.takeOver != nil && srv.watchdog != nil {
		send("WATCHDOG=1") // see passLock
	}
	srv.startReload() // one asked for during Init

	err = srv.loop(p.Service.Run)
	if ctx.Err() == nil {
		notify("STOPPING=1") // Run returned by itself
		cancel()
	}
	srv.finish(errStopping)
	if err != nil && !(errors.Is(err, context.Canceled) && ctx.Err() != nil) {
		srv.errorf("run: %v", err)
		return exitFailure
	}
	srv.logger.Print("stopped")
	return exitOK
}

// abort ends a service that could not start: it logs err, removes the
// pidfile and reports err to whoever started it.
func (srv *server) abort(err error) int {
	srv.errorf("%v", err)
	srv.finish(errors.New("the daemon did not start"))
	srv.fail(err)
	return exitFailure
}

// loop runs f, Init or Run, in a goroutine with the service's context and
// handles signals, control requests and the pidfile check until f returns.
func (srv *server) loop(f func(context.Context) error) error {
	done := make(chan error, 1)
	go func() { done <- f(srv.ctx) }()
	control := srv.control.incoming()
	var check <-chan time.Time
	if srv.pidfile != nil {
		t := time.NewTicker(pidfileCheck)
		defer t.Stop()
		check = t.C
	}
	for {
		select {
		case err := <-done:
			return err
		case sig := <-srv.signals.shutdown:
			srv.shutdown(fmt.Sprintf("received %v", sig), srv.logger.Printf)
		case sig := <-srv.signals.quit:
			srv.quit(sig)
		case sig := <-srv.signals.reload:
			srv.requestReload(fmt.Sprintf("received %v", sig), nil, 0)
		case req := <-control:
			if req.verb == "upgrade" {
				srv.startUpgrade(req) // upgrade_unix.go
			} else if c, ok := findControl(req.verb); ok {
				req.reply <- c.do(srv)
			} else {
				srv.requestReload("reload requested", req.reply, req.limit)
			}
		case <-srv.bound.overdue:
			srv.reloadOverdue()
		case sig := <-srv.signals.reopen:
			srv.reopen(fmt.Sprintf("received %v", sig))
		case err := <-srv.reloading:
			srv.reloaded(err)
		case err := <-srv.upgradeVerdict():
			srv.handOver(err)
			control = srv.control.incoming()
		case <-check:
			if !srv.pidfile.inPlace() {
				srv.shutdown(fmt.Sprintf("pidfile %s was removed or replaced, so no command can find this daemon any more", srv.pidfile.path), srv.warnf)
			}
		}
	}
}

// finish waits for Reload, answers those asked for with err, removes the control socket and pidfile.
func (srv *server) finish(err error) {
	srv.upgradeStops(true)
	if srv.reloading != nil {
		srv.reloaded(<-srv.reloading)
	}
	srv.answerPending(err)
	srv.control.close(srv.pidfile.inPlace())
	srv.pidfile.release()
}

// incoming is the channel of requests, nil for a nil controlServer.
func (c *controlServer) incoming() <-chan request {
	if c == nil {
		return nil
	}
	return c.requests
}

// shutdown cancels the service's context, once, and logs why with logf.
func (srv *server) shutdown(why string, logf func(string, ...any)) {
	srv.upgradeStops(false)
	keepSockets(false)
	if srv.ctx.Err() != nil {
		logf("%s; already stopping", why)
		return
	}
	logf("%s; stopping", why)
	srv.pidfile.markStopping()
	notify("STOPPING=1")
	srv.cancel()
}

// quit is SIGQUIT's forced exit (see the top of this file).
func (srv *server) quit(sig os.Signal) {
	srv.warnf("received %v; exiting now without waiting for the service", sig)
	buf := make([]byte, 1<<20)
	os.Stderr.Write(buf[:runtime.Stack(buf, true)])
	err := fmt.Errorf("received %v; the daemon exits without waiting for Reload", sig)
	answer(srv.current, err)
	srv.current = nil
	srv.answerPending(err)
	srv.control.close(srv.pidfile.inPlace())
	srv.pidfile.quit()
	os.Exit(exitFailure)
}

// requestReload queues a reload, answered on reply (nil for a signal), sharing the next Reload.
func (srv *server) requestReload(why string, reply chan error, limit time.Duration) {
	switch {
	case srv.ctx.Err() != nil:
		srv.logger.Printf("%s while stopping; not reloading", why)
		if reply != nil {
			reply <- errStopping
		}
		return
	case srv.starting:
		srv.logger.Printf("%s while starting; reloading once started", why)
	case srv.reloading != nil:
		srv.logger.Printf("%s while reloading; reloading again afterwards", why)
	default:
		srv.logger.Printf("%s; reloading", why)
	}
	srv.pending = append(srv.pending, reply)
	srv.bound.ask(limit)
	srv.startReload()
}

// startReload starts a Reload in a goroutine for the pending requests,
// unless one runs, the service is starting, or none is pending.
func (srv *server) startReload() {
	if srv.starting || srv.reloading != nil || len(srv.pending) == 0 {
		return
	}
	if srv.ctx.Err() != nil {
		srv.answerPending(errStopping)
		return
	}
	r, ok := srv.p.Service.(Reloader)
	if !ok {
		srv.logger.Print("the service has no Reload method, nothing to do")
		srv.answerPending(nil)
		return
	}
	srv.current, srv.pending = srv.pending, nil
	srv.reloading = make(chan error, 1)
	notify("RELOADING=1")
	go func(ctx context.Context, done chan<- error) { done <- r.Reload(ctx) }(srv.bound.begin(srv.ctx, srv.logger), srv.reloading)
}

// reloaded answers those who asked for a Reload, and starts the next.
func (srv *server) reloaded(err error) {
	err = srv.bound.end(err)
	if err != nil {
		srv.errorf("reload: %v", err)
	} else {
		srv.logger.Print("reloaded")
	}
	notify("READY=1")
	answer(srv.current, err)
	srv.reloading, srv.current = nil, nil
	srv.startReload()
}

// answerPending answers every reload that is still waiting with err.
func (srv *server) answerPending(err error) {
	answer(srv.pending, err)
	srv.pending, srv.bound.next = nil, 0
}

// answer sends err to every reply but nil ones (a signal's).
func answer(replies []chan error, err error) {
	for _, reply := range replies {
		if reply != nil {
			reply <- err
		}
	}
}

// reopen reopens the log by its path, with start's checks; a file refused
// leaves the old log, and the error is logged and returned.
func (srv *server) reopen(why string) error {
	if srv.log == "" {
		srv.logger.Printf("%s; logging to stderr, nothing to reopen", why)
		return errors.New("the daemon logs to stderr; there is no log file to reopen")
	}
	if err := reopenLog(srv.log); err != nil {
		srv.errorf("%s; keeping the old log: %v", why, err)
		return fmt.Errorf("%w; the daemon keeps writing to its old log", err)
	}
	srv.logger.Printf("%s; reopened log %s", why, srv.log)
	return nil
}

// errorf and warnf log one of the daemon's own failures, at ERROR and WARN.
func (srv *server) errorf(format string, args ...any) { srv.logAt(slog.LevelError, format, args...) }
func (srv *server) warnf(format string, args ...any)  { srv.logAt(slog.LevelWarn, format, args...) }

// logAt logs one of the daemon's own lines at level, prefixed with its name.
func (srv *server) logAt(level slog.Level, format string, args ...any) {
	srv.logger.Writer().(*lineWriter).write(level, srv.p.Name+": "+fmt.Sprintf(format, args...))
}

// defaultReloadLimit bounds a Reload a signal asked for.
const defaultReloadLimit = 90 * time.Second

// A reloadBound bounds the running Reload, so that the manager hears READY=1
// in time even from one that hangs. The limit is the shortest --timeout of
// the reloads it serves (90 s for SIGHUP): at 80% of it Reload's context is
// cancelled, at 90% the clients and the manager hear that it still runs.
type reloadBound struct {
	next    time.Duration // the limit for the next Reload; 0 if none named yet
	limit   time.Duration // the running Reload's
	ctx     context.Context
	cancel  context.CancelFunc
	overdue <-chan time.Time // fires at 90% of the limit; nil when not armed
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
func (b *reloadBound) begin(parent context.Context, logger *log.Logger) context.Context {
	b.limit, b.next = cmp.Or(b.next, defaultReloadLimit), 0
	limit, overdue := b.limit, make(chan time.Time, 1)
	ctx, cancel := context.WithTimeout(parent, limit*8/10)
	context.AfterFunc(ctx, func() { // at 80%, canceled; a tenth later, overdue if it still runs
		if ctx.Err() == context.DeadlineExceeded {
			logger.Printf("reload: still running after %v; canceling its context", (limit * 8 / 10).Round(10*time.Millisecond))
			time.AfterFunc(limit/10, func() { overdue <- time.Now() })
		}
	})
	b.ctx, b.cancel, b.overdue = ctx, cancel, overdue
	return ctx
}

// end disarms the limit once Reload has returned err, and returns err,
// saying so if the limit canceled it.
func (b *reloadBound) end(err error) error {
	if err != nil && b.ctx.Err() == context.DeadlineExceeded {
		err = fmt.Errorf("canceled: Reload did not return within %v, the limit (the --timeout of reload): %w", (b.limit * 8 / 10).Round(10*time.Millisecond), err)
	}
	b.cancel()
	b.overdue = nil
	return err
}

// reloadOverdue handles a Reload still running at 90% of its limit.
func (srv *server) reloadOverdue() {
	if len(srv.reloading) > 0 { // it has returned, and select took this case first
		srv.reloaded(<-srv.reloading)
		return
	}
	b := &srv.bound
	b.overdue = nil
	after := (b.limit * 9 / 10).Round(10 * time.Millisecond)
	err := fmt.Errorf("the service's Reload did not return within %v, even with its context canceled; it is still running, and the next reload waits for it (see the log)", after)
	srv.logger.Printf("reload: %v", err)
	notify("READY=1")
	setState(fmt.Sprintf("serving (Reload still running after %v)", after))
	answer(srv.current, err)
	srv.current = nil
}
