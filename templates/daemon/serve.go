package daemon

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
)

// A session is one life of the service, in the daemon or in the foreground.
type session struct {
	log     string         // the log's path, reopened on reopenSignal; "" when logging to inherited stderr
	pidfile *pidfile       // held for the session's life; nil when none
	signals chan os.Signal // from watchSignals, called before anything else
	ready   func()         // tells whoever started the service that it is up
	fail    func(error)    // tells them it could not start
}

// watchSignals subscribes to the signals the daemon handles. It runs first
// thing, so that none is lost or takes its default action before the
// service is up, even when the process was started with them ignored.
func watchSignals() chan os.Signal {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, shutdownSignals...)
	if reloadSignal != nil {
		signal.Notify(sigs, reloadSignal, reopenSignal)
	}
	return sigs
}

// A server runs a session's service.
type server struct {
	*session
	p      *Program
	logger *log.Logger
	ctx    context.Context
	cancel context.CancelFunc
	// reloadAfterInit is a reload signal that came during Init, to be
	// acted on once Init has succeeded; nil if none came.
	reloadAfterInit os.Signal
}

// serve runs the service: Init, the readiness report, Run, and the signal
// loop around them. It returns the exit code once Run has returned, having
// removed the pidfile.
func (p *Program) serve(s *session) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	defer p.underSystemd()() // systemd.go: sockets, STATUS=, watchdog
	srv := &server{
		session: s,
		p:       p,
		logger:  p.setupLogging(), // logging.go
		ctx:     ctx,
		cancel:  cancel,
	}
	defer signal.Stop(s.signals)

	if in, ok := p.Service.(Initializer); ok {
		done := make(chan error, 1)
		go func() { done <- in.Init(ctx) }()
		err := srv.loop(done, true)
		if err == nil && ctx.Err() != nil {
			err = errors.New("interrupted by a signal")
		}
		if err != nil {
			return srv.abort(fmt.Errorf("init: %w", err))
		}
	}
	if err := s.pidfile.markReady(); err != nil {
		return srv.abort(err)
	}
	s.ready()
	notify("READY=1")
	if srv.reloadAfterInit != nil {
		srv.reload(srv.reloadAfterInit)
	}

	done := make(chan error, 1)
	go func() { done <- p.Service.Run(ctx) }()
	err := srv.loop(done, false)
	if ctx.Err() == nil {
		notify("STOPPING=1") // Run returned by itself
	}
	s.pidfile.remove()
	if err != nil && !(errors.Is(err, context.Canceled) && ctx.Err() != nil) {
		srv.logger.Printf("run: %v", err)
		return exitFailure
	}
	srv.logger.Print("stopped")
	return exitOK
}

// abort ends a service that could not start: it logs err, removes the
// pidfile and reports err to whoever started the service.
func (srv *server) abort(err error) int {
	srv.logger.Print(err)
	srv.pidfile.remove()
	srv.fail(err)
	return exitFailure
}

// loop handles signals until done delivers the result of Init (starting)
// or Run. The first shutdown signal marks the pidfile stopping and cancels
// the service's context; a second one exits the process at once. A reload
// during Init waits until Init has succeeded.
func (srv *server) loop(done <-chan error, starting bool) error {
	for {
		select {
		case err := <-done:
			return err
		case sig := <-srv.signals:
			switch {
			case sig == reloadSignal && starting:
				srv.logger.Printf("received %v while starting; reloading once started", sig)
				srv.reloadAfterInit = sig
			case sig == reloadSignal:
				srv.reload(sig)
			case sig == reopenSignal:
				srv.reopen(sig)
			case srv.ctx.Err() != nil:
				srv.logger.Printf("received %v again; exiting now", sig)
				srv.pidfile.remove()
				os.Exit(exitFailure)
			default:
				srv.logger.Printf("received %v; stopping", sig)
				srv.pidfile.markStopping()
				notify("STOPPING=1")
				srv.cancel()
			}
		}
	}
}

// reload calls the service's Reload, if it has one, bracketed by the
// notifications systemd expects. Signals wait until it returns.
func (srv *server) reload(sig os.Signal) {
	r, ok := srv.p.Service.(Reloader)
	if !ok {
		srv.logger.Printf("received %v; the service has no Reload method, nothing to do", sig)
		return
	}
	notify("RELOADING=1")
	srv.logger.Printf("received %v; reloading", sig)
	if err := r.Reload(srv.ctx); err != nil {
		srv.logger.Printf("reload: %v", err)
	} else {
		srv.logger.Print("reloaded")
	}
	notify("READY=1")
}

// reopen reopens the log by its path, after log rotation.
func (srv *server) reopen(sig os.Signal) {
	if srv.log == "" {
		srv.logger.Printf("received %v; logging to stderr, nothing to reopen", sig)
		return
	}
	if err := reopenLog(srv.log); err != nil {
		srv.logger.Printf("received %v; %v (the daemon's user must be able to write the log, or create it in its directory)", sig, err)
		return
	}
	srv.logger.Printf("reopened log %s", srv.log)
}
