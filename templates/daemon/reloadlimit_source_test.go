//go:build linux

package daemon

import (
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A Reload that hangs, deaf to its canceled context, still ends the reload
// for the service manager: READY=1 comes before the client's --timeout, with
// a STATUS= that says Reload still runs, and the client is told so.
func TestReloadLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "TESTSVC_RELOAD_HANG=4s")
	sock, messages := notifySocket(t, f.dir)
	next := func(want string) {
		t.Helper()
		for {
			select {
			case got := <-messages:
				if regexp.MustCompile(`^` + want + `$`).MatchString(got) {
					return
				}
				if strings.HasPrefix(got, "WATCHDOG") || strings.HasPrefix(got, "STATUS=") {
					continue
				}
				t.Fatalf("notify message %q; want %q", got, want)
			case <-time.After(10 * time.Second):
				t.Fatalf("no notify message; want %q", want)
			}
		}
	}
	cmd := f.command("run", "--pidfile", f.pidfile)
	cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+sock)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	next("READY=1\nSTATUS=serving")
	start := time.Now()
	r := f.exec(f.command("reload", "--pidfile", f.pidfile, "--timeout", "2s"))
	took := time.Since(start)
	if r.code != 1 || !strings.Contains(r.stderr, "still running") || took > 3*time.Second {
		t.Errorf("reload --timeout 2s of a hung Reload = exit %d after %v, %q; want exit 1 before 2s saying Reload is still running", r.code, took, r.stderr)
	}
	next("RELOADING=1\nMONOTONIC_USEC=[0-9]+\nSTATUS=reloading")
	next("READY=1\nSTATUS=serving")
	next(`STATUS=serving \(Reload still running after [0-9.]+m?s\)`)
	// Once the hung Reload returns, the next reload runs normally.
	f.want(f.exec(f.command("reload", "--pidfile", f.pidfile, "--timeout", "10s")), 0, "reloaded", "reload after the hung one returned")
}
