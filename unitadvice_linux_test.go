package main

// Issue 21, items 11, 12, 14 and 17, under the real systemd 252 (see
// bootSystemd): each piece of advice in the unit's comments works as
// written, the hardened unit alone refuses what it loosens, rapid restarts
// and a crash loop do not take a socket-activated service down, a stop
// during a request that never ends is a clean one (exit 0), and a kill
// -TERM from outside is a clean stop that Restart=on-failure leaves stopped.

import (
	"strings"
	"testing"
	"time"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/templates"
)

// adviceService does, in Init, what $ADVICE names, and fails to start if
// it cannot: bind port 80, write to its state directory, see another
// user's process (systemd-journald) with pgrep, or set its CPU affinity in
// a helper (taskset: sched_setaffinity, of @resources).
const adviceService = `package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
)

type Service struct{}

// Flags defines no flags: it is here for a main.go that asks for them.
func (*Service) Flags(*flag.FlagSet) {}

func (*Service) Init(ctx context.Context) error {
	switch os.Getenv("ADVICE") {
	case "bind":
		l, err := net.Listen("tcp", "127.0.0.1:80")
		if err != nil {
			return err
		}
		return l.Close()
	case "state":
		return os.WriteFile("/var/lib/mysvc/state", []byte("ok\n"), 0o600)
	case "ps":
		if out, err := exec.Command("pgrep", "-x", "systemd-journal").CombinedOutput(); err != nil {
			return fmt.Errorf("pgrep: %v %s", err, out)
		}
	case "helper":
		if out, err := exec.Command("taskset", "-c", "0", "true").CombinedOutput(); err != nil {
			return fmt.Errorf("taskset: %v %s", err, out)
		}
	}
	return nil
}

func (*Service) Run(ctx context.Context) error {
	<-ctx.Done()
	return nil
}
`

func TestUnitAdvice(t *testing.T) {
	// The drop-ins below are the unit's advice, word for word.
	files, err := generator.Render(generator.Config{Name: "mysvc"}, templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	var comments string
	for _, f := range files {
		if f.Path == "init/systemd/mysvc.service" {
			for _, l := range strings.SplitAfter(string(f.Data), "\n") {
				if strings.HasPrefix(l, "#") {
					comments += l
				}
			}
		}
	}
	for _, d := range []string{"AmbientCapabilities=CAP_NET_BIND_SERVICE", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE and PrivateUsers=no", "StateDirectory=mysvc",
		"ProcSubset=all and ProtectProc=default", "SystemCallFilter= and MemoryDenyWriteExecute=no", "Restart=on-failure does not restart it"} {
		if !strings.Contains(comments, d) {
			t.Errorf("the unit's comments do not say %q, which this test applies", d)
		}
	}
	integration(t)
	nspawn := needSystemdBoot(t)
	needTool(t, "curl", "curl")
	projects := map[string]string{
		buildGenerated(t, generator.Config{Name: "mysvc", Module: "example.com/mysvc"}, map[string]string{"service.go": adviceService, "service_test.go": ""}): "/opt/advice",
		buildGenerated(t, generator.Config{Name: "mysvc", Module: "example.com/mysvc", Socket: "127.0.0.1:8080"}, nil):                                         "/opt/socket",
	}
	out, code := bootSystemd(t, nspawn, projects, scriptLib+`
try() { # NAME ADVICE DIRECTIVE...: start with a drop-in, report, clean up
	local name=$1 advice=$2; shift 2
	mkdir -p /etc/systemd/system/mysvc.service.d
	{ echo '[Service]'; echo "Environment=ADVICE=$advice"; printf '%s\n' "$@"; } >/etc/systemd/system/mysvc.service.d/advice.conf
	systemctl daemon-reload
	systemctl start mysvc; fact $name $?
	systemctl stop mysvc; systemctl reset-failed mysvc 2>/dev/null
}
install /opt/advice
try bind_hardened bind
try bind_without_privateusers bind AmbientCapabilities=CAP_NET_BIND_SERVICE CapabilityBoundingSet=CAP_NET_BIND_SERVICE
try bind_advised bind AmbientCapabilities=CAP_NET_BIND_SERVICE CapabilityBoundingSet=CAP_NET_BIND_SERVICE PrivateUsers=no
try state_hardened state
try state_advised state StateDirectory=mysvc
try ps_hardened ps
try ps_advised ps ProcSubset=all ProtectProc=default
try helper_hardened helper
try helper_advised helper SystemCallFilter= MemoryDenyWriteExecute=no
rm -r /etc/systemd/system/mysvc.service.d; systemctl daemon-reload

# Item 17: kill -TERM from outside is a clean stop, which
# Restart=on-failure does not restart.
systemctl start mysvc
pid=$(show mysvc MainPID)
kill -TERM "$pid"
wait_for 10 sh -c '[ "$(systemctl show -p ActiveState --value mysvc)" = inactive ]'; fact term_inactive $?
sleep 2
fact term_state "$(show mysvc ActiveState)"
fact term_result "$(show mysvc Result)"

# Item 12, a crash loop (Init fails) with connections waiting: the
# socket starts the service only every RestartSec=, and keeps listening.
mkdir -p /etc/systemd/system/mysvc.service.d
printf '[Service]\nEnvironment=ADVICE=bind\n' >/etc/systemd/system/mysvc.service.d/advice.conf
printf '[Socket]\nListenStream=127.0.0.1:8081\nFileDescriptorName=http\n' >/etc/systemd/system/mysvc.socket
systemctl daemon-reload
systemctl start mysvc.socket
for i in 1 2 3; do curl -sS --max-time 10 -o /dev/null http://127.0.0.1:8081/ 2>/dev/null & done
sleep 10; wait
fact crashloop_socket "$(show mysvc.socket ActiveState)"
fact crashloop_restarts "$(show mysvc.service NRestarts)"
systemctl stop mysvc.socket mysvc.service; systemctl reset-failed mysvc.socket mysvc.service 2>/dev/null
rm -r /etc/systemd/system/mysvc.service.d /etc/systemd/system/mysvc.socket

# Item 12: ten restarts within 10 s of the socket-activated service, then
# the socket still listens and every request is answered.
install /opt/socket
systemctl start mysvc.socket
curl -sS --max-time 10 -o /dev/null http://127.0.0.1:8080/
for i in $(seq 10); do systemctl restart mysvc.service; done
fact restarts_rc $?
fact socket_state "$(show mysvc.socket ActiveState)"
ok=0
for i in $(seq 50); do curl -sS --max-time 10 -o /dev/null http://127.0.0.1:8080/ && ok=$((ok + 1)); done
fact answered $ok
fact service_state "$(show mysvc.service ActiveState)"

# Item 14: a stop during an upload that never ends, which the example
# drains for half of TimeoutStopSec=, then cuts: exit 0, not failed.
greeting() { curl -sS --max-time 10 http://127.0.0.1:8080/ | sed -n 's/.*request \([0-9]*\).*/\1/p'; }
before=$(greeting)
exec 3<>/dev/tcp/127.0.0.1/8080
printf 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\npart of it' >&3
taken=1
for i in $(seq 50); do [ "$(greeting)" -gt $((before + i)) ] && { taken=0; break; }; done
fact upload_taken $taken
begun=$(now_ms)
systemctl stop mysvc.service; fact drain_stop_rc $?
fact drain_ms $(( $(now_ms) - begun ))
fact drain_result "$(show mysvc.service Result)"
fact drain_status "$(show mysvc.service ExecMainStatus)"
exec 3>&-
`, 3*time.Minute, true)
	t.Logf("script output:\n%s", out)
	if code != 0 {
		t.Errorf("script exit %d; want 0", code)
	}
	c := checker{t, facts(out)}
	for name, want := range map[string]string{
		"bind_hardened": "1", "bind_without_privateusers": "1", "bind_advised": "0",
		"state_hardened": "1", "state_advised": "0",
		"ps_hardened": "1", "ps_advised": "0",
		"helper_hardened": "1", "helper_advised": "0",
	} {
		c.is(name, want, "systemctl start with the advice's drop-in (0 started, 1 failed)")
	}
	c.is("term_inactive", "0", "kill -TERM of the main pid stops the service")
	c.is("term_state", "inactive", "after kill -TERM and RestartSec=, the service stays stopped")
	c.is("term_result", "success", "Result after kill -TERM")
	c.is("restarts_rc", "0", "ten systemctl restart in a row")
	c.is("socket_state", "active", "mysvc.socket after ten restarts")
	c.is("answered", "50", "requests answered after ten restarts")
	c.is("service_state", "active", "mysvc.service after ten restarts")
	c.is("crashloop_socket", "active", "mysvc.socket after 10 s of a crash loop with connections waiting")
	if n := c.num("crashloop_restarts"); n < 4 || n > 10 {
		t.Errorf("NRestarts after 10 s of a crash loop = %d; want about one every RestartSec=1s", n)
	}
	c.is("upload_taken", "0", "the service took in the endless upload")
	c.is("drain_stop_rc", "0", "systemctl stop during the upload")
	c.is("drain_result", "success", "Result after a stop during the upload")
	c.is("drain_status", "0", "ExecMainStatus after a stop during the upload")
	if ms := c.num("drain_ms"); ms >= 10000 {
		t.Errorf("systemctl stop during the upload took %d ms; want it within TimeoutStopSec=10s", ms)
	}
}
