//go:build linux

package daemon

// Tests of checklist line 28: never two daemons for one pidfile path.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daemongen/daemongen/internal/await"
)

// Checklist 28: a daemon whose pidfile's directory is removed (as logout
// removes $XDG_RUNTIME_DIR) notices and stops gracefully, so that a start
// meanwhile does not leave two daemons; the same for a removed pidfile.
func TestPidfileRemoved(t *testing.T) {
	t.Parallel()
	for _, what := range []string{"directory", "file"} {
		t.Run(what, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			run := filepath.Join(f.dir, "run")
			if err := os.Mkdir(run, 0o700); err != nil {
				t.Fatal(err)
			}
			f.pidfile = filepath.Join(run, "testsvc.pid")
			old := f.start()
			if what == "directory" {
				if err := os.RemoveAll(run); err != nil {
					t.Fatal(err)
				}
				if err := os.Mkdir(run, 0o700); err != nil {
					t.Fatal(err)
				}
			} else if err := os.Remove(f.pidfile); err != nil {
				t.Fatal(err)
			}
			pid := f.start()
			await.For(t, "the first daemon to stop", func() bool { return !alive(old) })
			if log := f.readLog(); !strings.Contains(log, "was removed or replaced, so no command can find this daemon any more; stopping") {
				t.Fatalf("log %q; want the first daemon to say why it stopped", log)
			}
			if pids := livePids(f.dir); len(pids) != 1 || pids[0] != pid || f.lockHolderPid() != pid {
				t.Fatalf("live daemons %v, lock holder %d; want only the new one, %d", pids, f.lockHolderPid(), pid)
			}
			f.want(f.run("stop"), 0, "stopped", "stop")
			f.wantGone(pid)
		})
	}
}
