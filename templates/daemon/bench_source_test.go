//go:build linux

package daemon

// Benchmarks of what the daemon's commands cost. They run only with -bench
// and check results, never durations:
//
//	go test -run '^$' -bench . ./templates/daemon
//
// BenchmarkStartStop drives the test program (see TestMain and
// testservice_source_test.go), which is this test binary: it is larger than
// a real program, so its figures are a little above those of the real
// binary.

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// BenchmarkPidfile takes and releases a pidfile's lock as a daemon's life
// does: acquirePidfile, then remove. Remove unlinks the file but keeps it
// open, so that the lock lasts until the process exits; here closing the
// file stands for that exit.
func BenchmarkPidfile(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.pid")
	for range b.N {
		pf, err := acquirePidfile(path)
		if err != nil {
			b.Fatal(err)
		}
		pf.release()
		pf.f.Close()
	}
}

// BenchmarkStartStop starts the test daemon and stops it, each command from
// exec to return: start returns once the daemon is ready, stop once it is
// gone. The service returns as soon as it is asked to stop. It reports
// each command's share as start-ms/op and stop-ms/op.
func BenchmarkStartStop(b *testing.B) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	pidfile := filepath.Join(dir, "testsvc.pid")
	env := append(os.Environ(), serviceEnv+"=1")
	run := func(action string) time.Duration {
		cmd := exec.Command(exe, action, "--pidfile", pidfile, "--log", filepath.Join(dir, "testsvc.log"))
		cmd.Env = env
		cmd.Dir = dir
		begin := time.Now()
		out, err := cmd.CombinedOutput()
		took := time.Since(begin)
		if err != nil {
			b.Fatalf("%s: %v\n%s", action, err, out)
		}
		return took
	}
	b.Cleanup(func() { // a daemon left by a failed iteration
		if f, err := os.OpenFile(pidfile, os.O_RDONLY|openFlags, 0); err == nil {
			if pid, _ := lockHolder(f.Fd()); pid > 0 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			f.Close()
		}
	})
	var start, stop time.Duration
	n := 0
	b.ResetTimer()
	for range b.N {
		start += run("start")
		stop += run("stop")
		n++
	}
	b.ReportMetric(float64(start.Microseconds())/1000/float64(n), "start-ms/op")
	b.ReportMetric(float64(stop.Microseconds())/1000/float64(n), "stop-ms/op")
}
