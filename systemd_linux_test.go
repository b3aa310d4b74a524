package main

// TestSystemd runs generated projects under a real systemd (see
// bootSystemd): the example service, the socket-activated HTTP example
// (--socket) and a probe service whose Reload and Healthy misbehave on
// demand. TestSocketActivate runs the HTTP example under the real
// systemd-socket-activate, and without activation in start, run and
// process-1 mode.

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daemongen/daemongen/internal/await"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/templates"
)

// buildGenerated renders cfg into a temporary directory, writes each file
// of files over it (a nil content removes the file), and builds it. It
// returns the project directory, which holds the binary NAME.
func buildGenerated(t *testing.T, cfg generator.Config, files map[string]string) string {
	t.Helper()
	rendered, err := generator.Render(cfg, templates.FS)
	if err != nil {
		t.Fatalf("Render(%+v) = %v", cfg, err)
	}
	project := filepath.Join(t.TempDir(), cfg.Name)
	if _, err := generator.Write(context.Background(), project, rendered, generator.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		path := filepath.Join(project, name)
		if text == "" {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goCommandEnv(t, project, []string{"CGO_ENABLED=0"}, "build")
	// The container's systemd runs the binary as a dynamic user.
	if err := os.Chmod(filepath.Dir(project), 0o755); err != nil {
		t.Fatal(err)
	}
	return project
}

// probeService replaces the example service in the probe project: a 1 s
// Reload that fails while /run/probe-fail exists and otherwise sets the log
// level that /run/probe-level names, and a Healthy that hangs while
// /run/probe-hang exists.
const probeService = `package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"
	"time"

	"example.com/mysvc/internal/daemon"
)

type Service struct{}

// Flags defines no flags: it is here for a main.go that asks for them.
func (*Service) Flags(*flag.FlagSet) {}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func (*Service) Init(ctx context.Context) error {
	slog.Info("probe started", "pid", os.Getpid())
	slog.Debug("probe debug before reload")
	daemon.SetStatus("probing")
	return nil
}

func (*Service) Run(ctx context.Context) error {
	<-ctx.Done()
	slog.Info("probe stopping")
	return nil
}

func (*Service) Reload(ctx context.Context) error {
	if exists("/run/probe-fail") {
		slog.Error("reload refused", "because", "/run/probe-fail exists")
		return errors.New("reload refused: /run/probe-fail exists")
	}
	if exists("/run/probe-reload-hang") {
		time.Sleep(8 * time.Second) // deaf to ctx
		slog.Info("probe reload hang over")
		return nil
	}
	time.Sleep(time.Second)
	if level, err := os.ReadFile("/run/probe-level"); err == nil {
		var l slog.Level
		if err := l.UnmarshalText(level); err != nil {
			return err
		}
		daemon.SetLogLevel(l)
	}
	slog.Debug("probe debug after reload")
	slog.Info("probe reloaded")
	return nil
}

func (*Service) Healthy(ctx context.Context) error {
	if exists("/run/probe-hang") {
		select {} // a deadlock
	}
	return nil
}
`

// scriptLib is the start of every script: fact prints one line the test
// reads, install puts a project's units in place with the binary's path
// rewritten, wait_for polls a condition.
const scriptLib = `set -u
fact() { echo "FACT $1=$2"; }
show() { systemctl show -p "$2" --value "$1"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
install() {
	for unit in "$1"/init/systemd/mysvc.service "$1"/init/systemd/mysvc.socket; do
		[ -e "$unit" ] && sed "s|/usr/local/bin/mysvc|$1/mysvc|g" "$unit" >/etc/systemd/system/"${unit##*/}"
	done
	systemctl daemon-reload
}
wait_for() { # SECONDS COMMAND...: run COMMAND every 0.1 s until it succeeds; status 1 on timeout
	local end=$(( $(now_ms) + $1 * 1000 )); shift
	until "$@"; do [ "$(now_ms)" -lt "$end" ] || return 1; sleep 0.1; done
}
journal_has() { journalctl -u mysvc --no-pager -o cat "${@:2}" | grep -q -- "$1"; }
`

// facts reads the FACT lines of a script's output.
func facts(out string) map[string]string {
	f := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^FACT ([a-z_0-9]+)=(.*)$`).FindAllStringSubmatch(out, -1) {
		f[m[1]] = m[2]
	}
	return f
}

// checker checks facts against wants.
type checker struct {
	t     *testing.T
	facts map[string]string
}

// is wants the fact to equal want.
func (c checker) is(key, want, what string) {
	c.t.Helper()
	if got, ok := c.facts[key]; !ok || got != want {
		c.t.Errorf("%s: %s = %q; want %q", what, key, got, want)
	}
}

// num returns a numeric fact, or -1.
func (c checker) num(key string) int {
	n, err := strconv.Atoi(c.facts[key])
	if err != nil {
		return -1
	}
	return n
}

func TestSystemd(t *testing.T) {
	integration(t)
	nspawn := needSystemdBoot(t)
	needTool(t, "curl", "curl") // the container runs this machine's programs
	root := t.TempDir()
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	// Build the three projects; each boot binds them all under /opt.
	cfg := generator.Config{Name: "mysvc", Module: "example.com/mysvc"}
	projects := map[string]string{
		buildGenerated(t, cfg, nil): "/opt/example",
		buildGenerated(t, generator.Config{Name: "mysvc", Module: "example.com/mysvc", Socket: "127.0.0.1:8080"}, nil): "/opt/socket",
		buildGenerated(t, cfg, map[string]string{"service.go": probeService, "service_test.go": ""}):                   "/opt/probe",
	}
	exe, err := os.Executable() // the HTTP load client (httpload_test.go)
	if err != nil {
		t.Fatal(err)
	}
	projects[exe] = "/opt/httpload"
	boot := func(t *testing.T, script string) checker {
		t.Helper()
		out, code := bootSystemd(t, nspawn, projects, scriptLib+script, 2*time.Minute, true)
		t.Logf("script output:\n%s", out)
		if code != 0 {
			t.Errorf("script exit %d; want 0", code)
		}
		return checker{t, facts(out)}
	}

	// The example, unchanged but for its path: start, status, reload,
	// log, stop.
	t.Run("example", func(t *testing.T) {
		c := boot(t, `
install /opt/example
systemctl start mysvc; fact start_rc $?
fact active "$(show mysvc ActiveState)"
fact status "$(show mysvc StatusText)"
pid=$(show mysvc MainPID)
systemctl reload mysvc; fact reload_rc $?
wait_for 5 journal_has "mysvc: reloaded"; fact journal_reload $?
fact reload_status "$(show mysvc StatusText)"
fact same_pid $([ "$(show mysvc MainPID)" = "$pid" ] && echo yes || echo no)
journal_has "mysvc started with pid $pid" -p info; fact journal_started $?
systemctl stop mysvc; fact stop_rc $?
fact result "$(show mysvc Result)"
fact stopped "$(show mysvc ActiveState)"
journalctl -u mysvc --no-pager -o short-monotonic | tail -20
`)
		c.is("start_rc", "0", "systemctl start mysvc")
		c.is("active", "active", "after start")
		c.is("status", "serving", "systemctl status after start")
		c.is("reload_rc", "0", "systemctl reload mysvc")
		c.is("journal_reload", "0", "journal after reload has the daemon's reloaded line")
		c.is("same_pid", "yes", "main pid after reload")
		c.is("journal_started", "0", "journal has the service's first line")
		c.is("stop_rc", "0", "systemctl stop mysvc")
		c.is("result", "success", "Result after stop (graceful)")
		c.is("stopped", "inactive", "after stop")
	})

	// The HTTP example behind mysvc.socket: the first connection starts
	// it, a restart loses no connection queued meanwhile.
	t.Run("socket", func(t *testing.T) {
		c := boot(t, `
install /opt/socket
get() { curl -sS --max-time 20 http://127.0.0.1:8080/; }
systemctl start mysvc.socket; fact socket_rc $?
fact before "$(show mysvc.service ActiveState)"
fact first "$(get)"
fact after "$(show mysvc.service ActiveState)"
fact status "$(show mysvc.service StatusText)"
pid=$(show mysvc.service MainPID)
for i in $(seq 40); do
	(get >/tmp/r$i 2>&1) &
	[ $i = 10 ] && systemctl restart mysvc.service --no-block
	sleep 0.02
done
wait
ok=0; for i in $(seq 40); do grep -q "hello from mysvc" /tmp/r$i && ok=$((ok+1)) || cat /tmp/r$i; done
fact served_across_restart $ok
active() { [ "$(show mysvc.service ActiveState)" = active ]; }
wait_for 10 active
fact new_pid $([ "$(show mysvc.service MainPID)" != "$pid" ] && echo yes || echo no)
fact restarts "$(journalctl -u mysvc --no-pager -o cat | grep -c 'mysvc listening')"
systemctl reload mysvc; fact reload_rc $?
systemctl stop mysvc.service; fact stop_rc $?
fact result "$(show mysvc.service Result)"
journalctl -u mysvc --no-pager -o short-monotonic | tail -20
`)
		c.is("socket_rc", "0", "systemctl start mysvc.socket")
		c.is("before", "inactive", "the service before the first connection")
		if !strings.HasPrefix(c.facts["first"], "hello from mysvc") {
			t.Errorf("first connection: %q; want the example's greeting", c.facts["first"])
		}
		c.is("after", "active", "the service after the first connection")
		c.is("status", "serving: listening on 127.0.0.1:8080", "status")
		c.is("served_across_restart", "40", "requests answered of 40 sent across a restart")
		c.is("new_pid", "yes", "main pid after restart differs")
		c.is("restarts", "2", "times the service started (its Init's line in the journal)")
		c.is("reload_rc", "0", "systemctl reload mysvc")
		c.is("stop_rc", "0", "systemctl stop mysvc.service")
		c.is("result", "success", "Result after stop (graceful)")
	})

	// The HTTP example behind mysvc.socket under an httpLoad of 8 clients
	// (half a new connection per request, half kept alive, with one
	// retry), restarted gracefully 4 times, 2.5 s apart (5 starts stay
	// within systemd's default start limit): no request fails (issue 21
	// item 13).
	t.Run("socket under load", func(t *testing.T) {
		c := boot(t, `
install /opt/socket
systemctl start mysvc.socket; fact socket_rc $?
DAEMONGEN_TEST_HTTPLOAD=127.0.0.1:8080 DAEMONGEN_TEST_HTTPLOAD_CLIENTS=8 /opt/httpload >/tmp/load 2>&1 &
load=$!
wait_for 20 grep -q ready /tmp/load; fact load_ready $?
restarted=0
for i in 1 2 3 4; do
	sleep 2.5
	systemctl restart mysvc.service && restarted=$((restarted+1))
done
fact restarted $restarted
sleep 1
kill -TERM $load; wait $load
cat /tmp/load
fact starts "$(journalctl -u mysvc --no-pager -o cat | grep -c 'mysvc listening')"
fact result "$(show mysvc.service Result)"
journalctl -u mysvc --no-pager -o short-monotonic | tail -20
`)
		c.is("socket_rc", "0", "systemctl start mysvc.socket")
		c.is("load_ready", "0", "the load's first answer")
		c.is("restarted", "4", "systemctl restart mysvc.service that succeeded, of 4")
		c.is("starts", "5", "times the service started (its Init's line in the journal)")
		t.Logf("4 restarts under load: %s", c.facts["load"])
		if c.num("load_ok") <= 0 {
			t.Errorf("load: %q; want answered requests", c.facts["load"])
		}
		c.is("load_failed", "0", "requests unanswered across the restarts")
		c.is("load_refused", "0", "connections refused across the restarts")
		c.is("load_reset", "0", "new connections reset across the restarts")
		c.is("result", "success", "Result")
	})

	// The HTTP example upgraded under an httpLoad of 8 clients (issue 20):
	// first listening itself (no mysvc.socket), then on the socket
	// systemd passes. The unit stays active with the new MainPID, no
	// restart, and the watchdog (WatchdogSec=2s here) keeps being pinged
	// by the new daemon long after the old one is gone.
	t.Run("upgrade", func(t *testing.T) {
		c := boot(t, `
mkdir -p /srv/mysvc && cp /opt/socket/mysvc /srv/mysvc/mysvc
sed -e "s|/usr/local/bin/mysvc|/srv/mysvc/mysvc|g" -e "s|^WatchdogSec=.*|WatchdogSec=2s|" -e "/^Requires=mysvc.socket/d" \
	/opt/socket/init/systemd/mysvc.service >/etc/systemd/system/mysvc.service
sed "s|/usr/local/bin/mysvc|/srv/mysvc/mysvc|g" /opt/socket/init/systemd/mysvc.socket >/etc/systemd/system/mysvc.socket
systemctl daemon-reload
upgrade() { # NAME: a rebuilt binary (a copy, put in place with mv), then mysvc upgrade
	cp /opt/socket/mysvc /srv/mysvc/mysvc.new && mv /srv/mysvc/mysvc.new /srv/mysvc/mysvc
	local pid=$(show mysvc MainPID)
	/srv/mysvc/mysvc upgrade; fact $1_rc $?
	local new=$(show mysvc MainPID)
	fact $1_mainpid_changed $([ "$new" != "$pid" ] && [ "$new" = "$(cat /run/mysvc/mysvc.pid)" ] && echo yes || echo no)
	fact $1_active "$(show mysvc ActiveState)"
}
for mode in own socket; do
	[ $mode = socket ] && { systemctl start mysvc.socket; fact socket_rc $?; }
	systemctl start mysvc.service; fact ${mode}_start_rc $?
	DAEMONGEN_TEST_HTTPLOAD=127.0.0.1:8080 DAEMONGEN_TEST_HTTPLOAD_CLIENTS=8 /opt/httpload >/tmp/load 2>&1 &
	load=$!
	wait_for 20 grep -q ready /tmp/load; fact ${mode}_load_ready $?
	for i in 1 2 3; do sleep 0.5; upgrade ${mode}$i; done
	sleep 7 # over three watchdog intervals
	fact ${mode}_still "$(show mysvc ActiveState) $(show mysvc NRestarts) $(show mysvc Result)"
	kill -TERM $load; wait $load
	sed "s/^FACT /FACT ${mode}_/" /tmp/load
	systemctl stop mysvc.service; fact ${mode}_stop_rc $?
	fact ${mode}_result "$(show mysvc Result)"
done
journalctl -u mysvc --no-pager -o short-monotonic | grep -v 'request' | tail -80
`)
		c.is("socket_rc", "0", "systemctl start mysvc.socket")
		for _, mode := range []string{"own", "socket"} {
			c.is(mode+"_start_rc", "0", mode+": systemctl start mysvc")
			c.is(mode+"_load_ready", "0", mode+": the load's first answer")
			for i := 1; i <= 3; i++ {
				n := fmt.Sprintf("%s%d", mode, i)
				c.is(n+"_rc", "0", n+": mysvc upgrade")
				c.is(n+"_mainpid_changed", "yes", n+": MainPID is the new daemon, the pidfile's")
				c.is(n+"_active", "active", n+": the unit after the upgrade")
			}
			c.is(mode+"_still", "active 0 success", mode+": ActiveState, NRestarts and Result 7 s (3 watchdog intervals) after the upgrades")
			t.Logf("%s: 3 upgrades under load: %s", mode, c.facts[mode+"_load"])
			if c.num(mode+"_load_ok") <= 0 {
				t.Errorf("%s: load %q; want answered requests", mode, c.facts[mode+"_load"])
			}
			c.is(mode+"_load_failed", "0", mode+": requests unanswered across the upgrades")
			c.is(mode+"_load_refused", "0", mode+": connections refused across the upgrades")
			c.is(mode+"_load_reset", "0", mode+": new connections reset across the upgrades")
			c.is(mode+"_stop_rc", "0", mode+": systemctl stop")
			c.is(mode+"_result", "success", mode+": Result after stop")
		}
	})

	// The HTTP example without mysvc.socket, restarted 3 times under an
	// httpLoad: the socket daemon.Listen made stays in systemd's file
	// descriptor store (FileDescriptorStoreMax=, FDSTORE=1), so no
	// connection is refused (issue 20's evaluation of the store).
	t.Run("restart without socket", func(t *testing.T) {
		c := boot(t, `
sed -e "s|/usr/local/bin/mysvc|/opt/socket/mysvc|g" -e "/^Requires=mysvc.socket/d" \
	/opt/socket/init/systemd/mysvc.service >/etc/systemd/system/mysvc.service
systemctl daemon-reload
systemctl start mysvc.service; fact start_rc $?
DAEMONGEN_TEST_HTTPLOAD=127.0.0.1:8080 DAEMONGEN_TEST_HTTPLOAD_CLIENTS=8 /opt/httpload >/tmp/load 2>&1 &
load=$!
wait_for 20 grep -q ready /tmp/load; fact load_ready $?
restarted=0
for i in 1 2 3; do sleep 1; systemctl restart mysvc.service && restarted=$((restarted+1)); done
fact restarted $restarted
sleep 1
kill -TERM $load; wait $load
cat /tmp/load
fact store "$(show mysvc NFileDescriptorStore)"
fact starts "$(journalctl -u mysvc --no-pager -o cat | grep -c 'mysvc listening')"
systemctl stop mysvc.service; fact stop_rc $?
`)
		c.is("start_rc", "0", "systemctl start mysvc")
		c.is("load_ready", "0", "the load's first answer")
		c.is("restarted", "3", "systemctl restart that succeeded, of 3")
		c.is("starts", "4", "times the service started")
		c.is("store", "1", "sockets in the file descriptor store")
		t.Logf("3 restarts without mysvc.socket under load: %s", c.facts["load"])
		c.is("load_failed", "0", "requests unanswered across the restarts")
		c.is("load_refused", "0", "connections refused across the restarts")
		c.is("load_reset", "0", "new connections reset across the restarts")
		c.is("stop_rc", "0", "systemctl stop")
	})

	// The probe: reload timing and failure, journal priorities, the
	// watchdog with WatchdogSec=1s, and a hung health hook.
	t.Run("probe", func(t *testing.T) {
		c := boot(t, `
install /opt/probe
mkdir -p /etc/systemd/system/mysvc.service.d
printf '[Service]\nWatchdogSec=1s\n' >/etc/systemd/system/mysvc.service.d/watchdog.conf
printf '[Service]\nExecReload=\nExecReload=/opt/probe/mysvc reload --timeout 4s\n' >/etc/systemd/system/mysvc.service.d/reload.conf
systemctl daemon-reload
systemctl start mysvc; fact start_rc $?
fact active "$(show mysvc ActiveState)"
fact status "$(show mysvc StatusText)"
pid=$(show mysvc MainPID)
printf debug >/run/probe-level
t0=$(now_ms); systemctl reload mysvc; fact reload_rc $?; fact reload_ms $(( $(now_ms) - t0 ))
wait_for 5 journal_has "probe reloaded"
fact debug_lines "$(journalctl -u mysvc --no-pager -o cat -p debug | grep -c 'probe debug')"
journal_has "probe debug after reload" -p debug; fact debug_after_reload $?
touch /run/probe-fail
systemctl reload mysvc; fact failed_reload_rc $?
wait_for 5 journal_has "reload refused" -p err; fact journal_err $?
rm /run/probe-fail
fact err_lines "$(journalctl -u mysvc --no-pager -o cat -p err | grep -c .)"
fact info_in_err "$(journalctl -u mysvc --no-pager -o cat -p err | grep -c 'probe started')"
fact after_failed_reload "$(show mysvc ActiveState)"
# A Reload that hangs past the reload's --timeout 4s: the unit leaves
# "reloading", and the next reload works once it has returned.
touch /run/probe-reload-hang
systemctl reload mysvc; fact hung_reload_rc $?
fact after_hung_reload "$(show mysvc ActiveState)"
fact hung_status "$(show mysvc StatusText)"
rm /run/probe-reload-hang
wait_for 10 journal_has "probe reload hang over"
systemctl reload mysvc; fact reload_after_hang_rc $?
fact after_reload_after_hang "$(show mysvc ActiveState)"
sleep 5
fact restarts_after_5s "$(show mysvc NRestarts)"
fact same_pid_after_5s $([ "$(show mysvc MainPID)" = "$pid" ] && echo yes || echo no)
touch /run/probe-hang
t0=$(now_ms)
restarted() { [ "$(show mysvc NRestarts)" -ge 1 ]; }
wait_for 20 restarted; fact hang_restarted $?
rm /run/probe-hang
fact hang_restart_ms $(( $(now_ms) - t0 ))
journal_has "Watchdog timeout"; fact journal_watchdog $?
active() { [ "$(show mysvc ActiveState)" = active ]; }
wait_for 10 active; fact active_again $?
systemctl stop mysvc; fact stop_rc $?
fact result "$(show mysvc Result)"
journalctl -u mysvc --no-pager -o short-monotonic | tail -30
`)
		c.is("start_rc", "0", "systemctl start mysvc")
		c.is("active", "active", "after start")
		c.is("status", "serving: probing", "status with the service's own line")
		c.is("reload_rc", "0", "systemctl reload mysvc")
		c.is("journal_err", "0", "journalctl -p err shows the service's slog.Error")
		if n := c.num("err_lines"); n < 1 {
			t.Errorf("journalctl -p err: %d lines; want the slog.Error line", n)
		}
		c.is("debug_lines", "1", "debug lines: none before the reload set the level to debug, one after")
		c.is("debug_after_reload", "0", "the debug line after the reload")
		c.is("info_in_err", "0", "slog.Info lines in journalctl -p err")
		c.is("after_failed_reload", "active", "after a failing reload")
		c.is("after_hung_reload", "active", "after a reload whose Reload hangs past --timeout")
		if !strings.Contains(c.facts["hung_status"], "Reload still running") || c.facts["hung_reload_rc"] == "0" {
			t.Errorf("a hung Reload: systemctl reload exit %s, status %q; want non-zero and a status saying Reload still runs", c.facts["hung_reload_rc"], c.facts["hung_status"])
		}
		c.is("reload_after_hang_rc", "0", "systemctl reload once the hung Reload returned")
		c.is("after_reload_after_hang", "active", "after the reload that followed the hung one")
		c.is("restarts_after_5s", "0", "NRestarts after 5 s with WatchdogSec=1s")
		c.is("same_pid_after_5s", "yes", "main pid after 5 s with WatchdogSec=1s")
		c.is("hang_restarted", "0", "restarted once Healthy hangs")
		c.is("journal_watchdog", "0", "journal names the watchdog timeout")
		c.is("active_again", "0", "active again after the watchdog restart")
		c.is("stop_rc", "0", "systemctl stop mysvc")
		c.is("result", "success", "Result after stop (graceful)")
		ms := c.num("reload_ms")
		t.Logf("systemctl reload of a 1 s Reload took %d ms; a failing Reload: systemctl reload exit %s; hung Healthy restarted after %s ms",
			ms, c.facts["failed_reload_rc"], c.facts["hang_restart_ms"])
		if ms < 1000 || ms >= 10000 || c.facts["failed_reload_rc"] == "0" {
			t.Errorf("systemctl reload: %d ms for a 1 s Reload, exit %s for a failing one; want 1 s to 10 s, and non-zero", ms, c.facts["failed_reload_rc"])
		}
	})
}

// httpGet fetches http://addr+path with a 10-second timeout.
func httpGet(addr, path string) (string, error) {
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get("http://" + addr + path)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestSocketActivate serves the HTTP example through the real
// systemd-socket-activate, which listens, passes the socket at the first
// connection and execs the service, and then without activation: the
// service listens itself on its address in start, run and process-1 mode.
func TestSocketActivate(t *testing.T) {
	integration(t)
	activate := needTool(t, "systemd-socket-activate", "systemd")
	project := buildGenerated(t, generator.Config{Name: "mysvc", Module: "example.com/mysvc", Socket: "127.0.0.1:1"}, nil)
	bin := filepath.Join(project, "mysvc")
	dir := t.TempDir()

	// serve runs cmd, wants a greeting from addr, runs inspect (if not
	// nil), sends SIGTERM to the process that pid names (cmd's by default)
	// and wants cmd to exit 0.
	serve := func(t *testing.T, cmd *exec.Cmd, addr string, pid func() int, inspect func()) string {
		t.Helper()
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		var body string
		await.For(t, "a greeting from "+addr, func() bool {
			var err error
			body, err = httpGet(addr, "/")
			return err == nil
		})
		if !strings.HasPrefix(body, "hello from mysvc") {
			t.Errorf("GET http://%s/ = %q; want the greeting", addr, body)
		}
		if inspect != nil {
			inspect()
		}
		target := cmd.Process.Pid
		if pid != nil {
			target = pid()
		}
		if target <= 0 { // never kill(0) or kill(-1)
			t.Fatalf("no process to stop for %s", strings.Join(cmd.Args, " "))
		}
		syscall.Kill(target, syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s after SIGTERM: %v; want exit 0\n%s", strings.Join(cmd.Args, " "), err, stderr.String())
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("%s did not exit after SIGTERM\n%s", strings.Join(cmd.Args, " "), stderr.String())
		}
		return stderr.String()
	}

	t.Run("systemd-socket-activate", func(t *testing.T) {
		addr := freeAddr(t)
		// MYSVC_ADDR names a port nobody can listen on: the service
		// must use the passed socket.
		cmd := svcCommand(activate, []string{"MYSVC_ADDR=127.0.0.1:1"}, "-l", addr, "--fdname=http", bin, "run")
		log := serve(t, cmd, addr, nil, func() { wantCloseOnExec(t, cmd.Process.Pid) })
		if !strings.Contains(log, "mysvc listening addr="+addr) {
			t.Errorf("log %q; want the service listening on the passed socket %s", log, addr)
		}
	})
	t.Run("run", func(t *testing.T) {
		addr := freeAddr(t)
		serve(t, svcCommand(bin, []string{"MYSVC_ADDR=" + addr}, "run"), addr, nil, nil)
	})
	t.Run("start", func(t *testing.T) {
		addr := freeAddr(t)
		env := []string{"MYSVC_ADDR=" + addr, "MYSVC_PIDFILE=" + filepath.Join(dir, "mysvc.pid"), "MYSVC_LOG=" + filepath.Join(dir, "mysvc.log")}
		if out, code := runCode(t, svcCommand(bin, env, "start")); code != 0 {
			t.Fatalf("mysvc start = exit %d, %q", code, out)
		}
		t.Cleanup(func() { svcCommand(bin, env, "stop").Run() })
		if body, err := httpGet(addr, "/"); err != nil || !strings.HasPrefix(body, "hello from mysvc") {
			t.Errorf("GET http://%s/ after start = %q, %v; want the greeting", addr, body, err)
		}
		if out, code := runCode(t, svcCommand(bin, env, "stop")); code != 0 {
			t.Fatalf("mysvc stop = exit %d, %q", code, out)
		}
	})
	t.Run("process 1", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("a PID namespace needs root")
		}
		unshare, err := exec.LookPath("unshare")
		if err != nil {
			t.Skip("no unshare (util-linux)")
		}
		addr := freeAddr(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// unshare forks mysvc as process 1 of a new PID namespace, and
		// exits with its status; the SIGTERM goes to mysvc, unshare's
		// only child.
		cmd := exec.CommandContext(ctx, unshare, "--pid", "--fork", "--kill-child=SIGKILL", bin, "run")
		cmd.Env = append(os.Environ(), "MYSVC_ADDR="+addr)
		log := serve(t, cmd, addr, func() int {
			data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", cmd.Process.Pid, cmd.Process.Pid))
			pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
			return pid
		}, nil)
		if !strings.Contains(log, fmt.Sprintf("mysvc listening addr=%s", addr)) {
			t.Errorf("log %q; want the service listening on %s", log, addr)
		}
	})
}

// wantCloseOnExec wants every descriptor of process pid above 2 to be
// close-on-exec: the socket systemd-socket-activate passed as descriptor 3
// among them, so that no program the service starts inherits it.
func wantCloseOnExec(t *testing.T, pid int) {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range fds {
		fd, _ := strconv.Atoi(e.Name())
		if fd <= 2 {
			continue
		}
		info, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", pid, fd))
		m := regexp.MustCompile(`(?m)^flags:\s*([0-7]+)$`).FindSubmatch(info)
		if err != nil || m == nil {
			continue // closed meanwhile
		}
		flags, _ := strconv.ParseUint(string(m[1]), 8, 64)
		if flags&syscall.O_CLOEXEC == 0 {
			target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%d", pid, fd))
			t.Errorf("descriptor %d (%s) of the activated service is not close-on-exec", fd, target)
		}
	}
}

// TestSystemdAnalyzeSecurity wants systemd-analyze security --offline=true
// to rate the generated unit, with and without --socket, 2.0 or better
// ("OK"); it was 7.0 before the unit was hardened.
func TestSystemdAnalyzeSecurity(t *testing.T) {
	integration(t)
	sa := needTool(t, "systemd-analyze", "systemd")
	for _, cfg := range []generator.Config{
		{Name: "mysvc", Module: "example.com/mysvc"},
		{Name: "mysvc", Module: "example.com/mysvc", Socket: "127.0.0.1:8080"},
	} {
		files, err := generator.Render(cfg, templates.FS)
		if err != nil {
			t.Fatalf("Render(%+v) = %v", cfg, err)
		}
		dir := t.TempDir()
		for _, f := range files {
			if f.Path == "init/systemd/mysvc.service" {
				if err := os.WriteFile(filepath.Join(dir, "mysvc.service"), f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		out, code := runCode(t, exec.Command(sa, "security", "--offline=true", filepath.Join(dir, "mysvc.service")))
		m := regexp.MustCompile(`Overall exposure level for mysvc.service: ([0-9.]+) (\w+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("systemd-analyze security --offline=true mysvc.service (socket %q) = exit %d, no overall exposure level:\n%s", cfg.Socket, code, out)
		}
		score, _ := strconv.ParseFloat(m[1], 64)
		if score > 2.0 {
			t.Errorf("systemd-analyze security (socket %q): exposure %s %s; want 2.0 or less (OK)\n%s", cfg.Socket, m[1], m[2], out)
		}
		t.Logf("systemd-analyze security --offline=true mysvc.service (socket %q): %s %s", cfg.Socket, m[1], m[2])
	}
}
