//go:build !unix || aix || solaris

package daemon

import (
	"fmt"
	"os"
	"runtime"
)

// On systems other than Linux, macOS and the BSDs only run works, in the
// foreground, logging to stderr, without a pidfile.

var (
	shutdownSignals                        = []os.Signal{os.Interrupt}
	reloadSignal, reopenSignal, quitSignal os.Signal
	errUnsupported                         = fmt.Errorf("not supported on %s (use run)", runtime.GOOS)
)

// pidfile is never held here.
type pidfile struct{ path string }

func (*pidfile) release()         {}
func (*pidfile) inPlace() bool    { return true }
func (*pidfile) markReady() error { return nil }
func (*pidfile) markStopping()    {}
func (*pidfile) quit()            {}

// controlServer is never made here.
type controlServer struct{ requests chan request }

func (*controlServer) close(bool) {}

// ownDir is never asked here: run has no default paths.
func ownDir(string) bool { return false }

// No journal, no service manager, no log file and no clock here.
func reopenLog(string) error       { return errUnsupported }
func journalStream() bool          { return false }
func takeSockets()                 {}
func keepSockets(bool)             {}
func send(string, ...int)          {}
func monotonicUsec() (int64, bool) { return 0, false }

// listenAddr is not written here without the net package: use net.Listen.
func listenAddr(string) (*os.File, error) { return nil, errUnsupported }

func runningDaemon(string, string) (int, bool) { return 0, false }
func removeRuntime(string)                     {}

func (p *Program) unsupported(action string) int { return p.fail(action, errUnsupported) }

func (p *Program) start(*options) int         { return p.unsupported("start") }
func (p *Program) stop(*options) int          { return p.unsupported("stop") }
func (p *Program) control(o *options) int     { return p.unsupported(o.action) }
func (p *Program) child(string, *options) int { return p.unsupported("re-exec") }

// No upgrade here: no request comes without a control socket.
type successor struct{}

func (srv *server) startUpgrade(request)         {}
func (srv *server) upgradeVerdict() <-chan error { return nil }
func (srv *server) handOver(error)               {}
func (srv *server) upgradeStops(bool)            {}
func dupFD(int) int                              { return -1 }
func rawFD(*os.File) uintptr                     { return 0 }

func (p *Program) status(*options) int {
	p.unsupported("status")
	return exitUnknown
}

// run runs the service in the foreground.
func (p *Program) run(o *options) int {
	if o.pidfile != "" || o.log != "" || o.user != "" {
		return p.unsupported("run with --pidfile, --log or --user")
	}
	return p.serve(&session{signals: watchSignals(), ready: func() {}, fail: func(error) {}})
}
