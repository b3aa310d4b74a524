//go:build linux

package daemon

// Tests of checklist line 29: the service's own flags and configuration.

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/daemongen/daemongen/internal/await"
)

// Checklist 29: the service's flags reach it unchanged in start (through
// both re-execs), run and process-1 mode, with a relative path resolved
// against the operator's directory; a bad config fails start with the
// parse error.
func TestServiceFlags(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	writePidfile(t, filepath.Join(f.dir, "svc.conf"), "one\n")
	flags := []string{"--config", "svc.conf", "--greeting", "hello,  world --log x"}
	f.want(f.exec(f.command(append([]string{"start", "--pidfile", f.pidfile, "--log", f.log}, flags...)...)), 0, "started", "start with service flags")
	for _, want := range []string{"config: one\n", "greeting: hello,  world --log x\n"} {
		if !strings.Contains(f.readLog(), want) {
			t.Errorf("start: log %q lacks %q", f.readLog(), want)
		}
	}
	f.want(f.run("stop"), 0, "stopped", "stop")

	writePidfile(t, filepath.Join(f.dir, "bad.conf"), "bad syntax\n")
	r := f.exec(f.command("start", "--pidfile", f.pidfile, "--log", f.log, "--config", "bad.conf"))
	f.want(r, 1, "init: parse config "+filepath.Join(f.dir, "bad.conf")+": bad syntax", "start with a bad config")
	f.wantGone(0)

	// run, in the foreground.
	stderr, err := os.Create(filepath.Join(f.dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	run := f.command(append([]string{"run"}, flags...)...)
	run.Stderr = stderr
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	logged := func() string {
		data, _ := os.ReadFile(stderr.Name())
		return string(data)
	}
	await.For(t, "run to log its greeting", func() bool { return strings.Contains(logged(), "greeting: hello,  world --log x\n") })
	if !strings.Contains(logged(), "config: one\n") {
		t.Errorf("run: log %q lacks the config", logged())
	}
	run.Process.Signal(syscall.SIGTERM)
	if err := run.Wait(); err != nil {
		t.Errorf("run after SIGTERM: %v", err)
	}

	// As process 1, through the re-exec of the service process.
	if os.Geteuid() == 0 && exec.Command("unshare", "--pid", "--fork", "--mount-proc", "true").Run() == nil {
		exe, _ := os.Executable()
		cmd := exec.Command("unshare", append([]string{"--pid", "--fork", "--mount-proc", exe, "run"}, flags...)...)
		cmd.Env = append(f.env, "TESTSVC_ORPHAN=1")
		cmd.Dir = f.dir
		r := f.exec(cmd)
		for _, want := range []string{"config: one\n", "greeting: hello,  world --log x\n", "orphan reaped"} {
			if r.code != 0 || !strings.Contains(r.stdout+r.stderr, want) {
				t.Errorf("run as process 1: exit %d, output %q; want %q", r.code, r.stdout+r.stderr, want)
			}
		}
	}

	r = f.exec(f.command("-help"))
	if !strings.Contains(r.stdout, "Service flags") || !strings.Contains(r.stdout, "-config") || !strings.Contains(r.stdout, "reread by Reload") {
		t.Errorf("-help: %q; want the service's flags listed", r.stdout)
	}
}

// A service flag may not take one of the daemon's names, and PathVar makes
// its value absolute once.
func TestServiceFlagRules(t *testing.T) {
	p := &Program{Name: "x", Service: &testService{}, Flags: func(fs *flag.FlagSet) { fs.String("log", "", "") }}
	if _, err := p.parse([]string{"status"}); err == nil || !strings.Contains(err.Error(), "Program.Flags defines --log") {
		t.Errorf("parse with a service flag --log = %v; want it refused", err)
	}
	var path string
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	PathVar(fs, &path, "config", "", "")
	if err := fs.Parse([]string{"--config", "a/b.conf"}); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if want := filepath.Join(wd, "a/b.conf"); path != want {
		t.Errorf("--config a/b.conf = %q; want %q", path, want)
	}
	if args := passOn(fs, fs); len(args) != 1 || args[0] != "--config="+path {
		t.Errorf("passOn = %q; want [--config=%s]", args, path)
	}
}

// An unknown command is a usage error that lists every command, install
// and uninstall included.
func TestUnknownCommand(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.want(f.exec(f.command("bogus")), 2, `unknown command "bogus" (want one of start, stop, restart, status, reload, upgrade, reopen, run, install, uninstall)`, "bogus")
}
