package main

// Tests of "NAME install" and "NAME uninstall" and of the service files in
// a project's init/ folder, under the real programs this machine has:
//
//   - TestInstallBoot: systemd 252 as process 1 of a throwaway container
//     (the trick of ../shared/tools/systemd-boot): the system unit, the user
//     unit under a real user manager, the SysV script through update-rc.d
//     and systemd's SysV generator, and the OpenRC script under the real
//     openrc-run and supervise-daemon (Debian's openrc, beside systemd);
//   - TestInitSysV: the SysV/LSB script run for real from a temporary path,
//     with Debian's /lib/lsb/init-functions;
//   - TestInitScriptsShellcheck: sh -n and shellcheck on the SysV, OpenRC and
//     FreeBSD rc.d scripts of a project with a hyphenated NAME;
//   - TestLaunchdPlists: both launchd plists parsed by Python's plistlib and
//     checked key by key against launchd.plist(5);
//   - TestSystemdAnalyzeVerifyUser: systemd-analyze verify --user on the user
//     unit;
//   - TestMakefileInstall: make install runs "NAME install" (here with
//     --dry-run) and make uninstall "NAME uninstall".

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/templates"
)

// buildInstallProject renders the project name into a temporary directory
// that others may read (the container's services run as other users) and
// builds it. It returns the project directory, which holds the binary.
func buildInstallProject(t *testing.T, name string) string {
	t.Helper()
	cfg := generator.Config{Name: name, Module: "example.com/" + name}
	files, err := generator.Render(cfg, templates.FS)
	if err != nil {
		t.Fatalf("Render(%+v) = %v", cfg, err)
	}
	project := filepath.Join(t.TempDir(), name)
	if _, err := generator.Write(context.Background(), project, files, generator.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(project), 0o755); err != nil {
		t.Fatal(err)
	}
	goCommandEnv(t, project, []string{"CGO_ENABLED=0"}, "build")
	return project
}

// installBootScript is the start of the script TestInstallBoot runs in the
// container: helpers that print "ok ..." or "FAIL ..." and remember a
// failure in $fail.
const installBootScript = `set -u
fail=0
B=/opt/mysvc/mysvc
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
# run CMD...: run CMD with a time limit, its output in $out (through a file:
# a daemon that kept a pipe open would make $(CMD) wait for it), its exit
# status in $code.
run() {
	timeout 60 "$@" >/tmp/out 2>&1; code=$?
	out=$(cat /tmp/out)
}
# expect WANT CMD...: CMD exits 0 and prints WANT (trailing white space trimmed).
expect() {
	want=$1; shift
	run "$@"; got=$out
	if [ "$code" -eq 0 ] && [ "$got" = "$want" ]; then ok "$* = $want"; else bad "$* = exit $code, output:
$got
want exit 0, output:
$want"; fi
}
# exits CODE CMD...: CMD exits CODE; its output is saved in $out.
exits() {
	want=$1; shift
	run "$@"
	if [ "$code" -eq "$want" ]; then ok "$* exits $want"; else bad "$* exits $code, want $want; output:
$out"; fi
}
# has TEXT: the last output contains TEXT.
has() { case $out in *"$1"*) ok "output has $1" ;; *) bad "output lacks $1:
$out" ;; esac; }
# lacks TEXT: the last output does not contain TEXT.
lacks() { case $out in *"$1"*) bad "output has $1:
$out" ;; *) ok "output lacks $1" ;; esac; }
# ours DIR: no file under DIR has mysvc in its name.
ours() { left=$(find "$1" -name '*mysvc*' 2>/dev/null); if [ -z "$left" ]; then ok "nothing of ours under $1"; else bad "left under $1: $left"; fi; }
`

// installBootChecks is the rest of it.
const installBootChecks = `
echo "== systemd, system manager ($(date +%T))"
exits 0 $B install
has "wrote /etc/systemd/system/mysvc.service"
has '$ systemctl daemon-reload'
expect active systemctl is-active mysvc
expect enabled systemctl is-enabled mysvc
expect "ExecStart=/opt/mysvc/mysvc run" grep '^ExecStart=' /etc/systemd/system/mysvc.service
# From a shell, the binary's default pidfile is the unit's: it sees the
# daemon systemd runs and starts no second one.
exits 0 $B status
exits 0 $B start
has "already running"
before="$(stat -c %y /etc/systemd/system/mysvc.service) $(systemctl show -P MainPID mysvc)"
exits 0 $B install
lacks wrote
# Reloaded all the same, in case a first install failed after writing.
has daemon-reload
after="$(stat -c %y /etc/systemd/system/mysvc.service) $(systemctl show -P MainPID mysvc)"
[ "$before" = "$after" ] && ok "second install changed nothing" || bad "second install: $before became $after"
exits 0 $B install --dry-run
has "==> /etc/systemd/system/mysvc.service <==
# systemd unit for mysvc"
exits 0 $B uninstall
has '$ systemctl stop mysvc.service'
exits 3 systemctl is-active mysvc
ours /etc
exits 0 $B uninstall
has "mysvc is not installed for systemd"

echo "== systemd: install over a running service (issue 21 item 10) ($(date +%T))"
mkdir -p /srv/bin && chmod 0755 /srv /srv/bin && cp /opt/mysvc/mysvc /srv/bin/mysvc
S=/srv/bin/mysvc
exits 0 $S install
pid=$(systemctl show -P MainPID mysvc)
# A new build, put in place as make install does: a new file.
cp /opt/mysvc/mysvc /srv/bin/mysvc.new && mv /srv/bin/mysvc.new /srv/bin/mysvc
exits 0 $S install --no-start
has "mysvc: the running service (pid $pid) keeps an older binary (--no-start); to bring it onto the new one: systemctl restart mysvc.service"
expect "$pid" systemctl show -P MainPID mysvc
exits 0 $S install
has "runs an older binary: restarting it"
new=$(systemctl show -P MainPID mysvc)
[ "$new" != "$pid" ] && [ "$new" != 0 ] && ok "restarted onto the new binary ($pid, then $new)" || bad "not restarted: MainPID $new"
expect /srv/bin/mysvc readlink /proc/$new/exe
sed -i '1i # edited' /etc/systemd/system/mysvc.service
exits 0 $S install
has "runs the old service file: restarting it"
[ "$(systemctl show -P MainPID mysvc)" != "$new" ] && ok "restarted for the changed unit" || bad "not restarted for the changed unit"
exits 0 $S install
lacks restarting
exits 0 $S uninstall
ours /etc

echo "== systemd, user manager ($(date +%T))"
echo 'tuser:x:1001:1001::/home/tuser:/bin/sh' >>/etc/passwd
echo 'tuser:x:1001:' >>/etc/group
mkdir -p /home/tuser && chown 1001:1001 /home/tuser
# Without pam_systemd and logind, the user manager needs its runtime
# directory named; user-runtime-dir@.service creates it.
mkdir -p /etc/systemd/system/user@.service.d
printf '[Service]\nEnvironment=XDG_RUNTIME_DIR=/run/user/%%i\n' >/etc/systemd/system/user@.service.d/runtime-dir.conf
systemctl daemon-reload
exits 0 systemctl start user@1001.service
U="setpriv --reuid=1001 --regid=1001 --clear-groups env HOME=/home/tuser XDG_RUNTIME_DIR=/run/user/1001"
exits 1 $U $B install --init sysv
has "mysvc: sysv needs root; run as root or use --init systemd-user"
exits 0 $U $B install
has "wrote /home/tuser/.config/systemd/user/mysvc.service"
expect active $U systemctl --user is-active mysvc
expect enabled $U systemctl --user is-enabled mysvc
exits 0 $U $B status
exits 0 $U systemctl --user reload mysvc
expect "/home/tuser/.config/systemd/user/default.target.wants/mysvc.service" find /home/tuser/.config/systemd/user/default.target.wants -name mysvc.service
exits 0 $U $B install
lacks wrote
# Issue 21 item 16: a user with no user manager gets the cause, the fixes
# and nothing written.
echo 'tuser2:x:1002:1002::/home/tuser2:/bin/sh' >>/etc/passwd
echo 'tuser2:x:1002:' >>/etc/group
mkdir -p /home/tuser2 && chown 1002:1002 /home/tuser2
exits 1 setpriv --reuid=1002 --regid=1002 --clear-groups env HOME=/home/tuser2 XDG_RUNTIME_DIR=/run/user/1002 $B install --init systemd-user
has "no user manager runs for you here"
has "loginctl enable-linger"
exits 1 setpriv --reuid=1002 --regid=1002 --clear-groups env -u XDG_RUNTIME_DIR HOME=/home/tuser2 $B install --init systemd-user
has 'XDG_RUNTIME_DIR is not set'
ours /home/tuser2
exits 0 $U $B uninstall
exits 3 $U systemctl --user is-active mysvc
ours /home/tuser

echo "== SysV: update-rc.d, then the script (which systemd's SysV generator runs) ($(date +%T))"
exits 0 $B install --init sysv
has '$ update-rc.d mysvc defaults'
expect /etc/init.d/mysvc sh -c 'readlink -f /etc/rc2.d/S*mysvc'
exits 0 /etc/init.d/mysvc status
exits 0 $B status
exits 0 $B install --init sysv
lacks wrote
# Issue 21 item 15: after a kill -9, uninstall still leaves nothing of the
# service but its log, and says so.
echo hello >>/var/log/mysvc.log
kill -KILL "$(cat /run/mysvc/mysvc.pid)"
exits 0 $B uninstall --init sysv
has '$ systemctl daemon-reload'
has 'kept /var/log/mysvc.log'
exits 3 $B status
run systemctl is-active mysvc; [ "$out" != active ] && ok "the LSB unit is not active ($out)" || bad "the LSB unit is still active"
[ ! -e /run/systemd/generator.late/mysvc.service ] && ok "the generator's unit is gone" || bad "the generator's unit is left"
[ ! -e /run/mysvc ] && ok "/run/mysvc is gone" || bad "/run/mysvc is left: $(ls -la /run/mysvc)"
ours /etc

echo "== OpenRC: openrc-run and supervise-daemon ($(date +%T))"
# What "openrc sysinit" would have made on a machine OpenRC booted.
mkdir -p /etc/runlevels/default /etc/conf.d
for d in daemons exclusive failed hotplugged inactive options scheduled started starting stopping tmp wasinactive; do mkdir -p /run/openrc/$d; done
touch /run/openrc/softlevel
exits 0 $B install --init openrc
has '$ rc-update add mysvc default'
expect /etc/init.d/mysvc readlink -f /etc/runlevels/default/mysvc
exits 0 rc-service mysvc status
has started
exits 0 $B status
pid=$(cat /run/mysvc/mysvc.pid)
exits 0 rc-service mysvc reload
exits 0 $B install --init openrc
lacks wrote
expect "$pid" cat /run/mysvc/mysvc.pid
# supervise-daemon restarts a daemon that dies.
kill -KILL "$pid"
for i in $(seq 100); do
	new=$(cat /run/mysvc/mysvc.pid 2>/dev/null)
	[ -n "$new" ] && [ "$new" != "$pid" ] && break
	sleep 0.2
done
[ -n "$new" ] && [ "$new" != "$pid" ] && ok "supervise-daemon restarted the killed daemon ($pid, then $new)" || bad "no new daemon after kill -KILL $pid"
exits 0 $B uninstall --init openrc
exits 3 $B status
exits 0 $B uninstall --init openrc
has "mysvc is not installed for openrc"
ours /etc
echo "== done ($(date +%T))"
exit $fail
`

// TestInstallBoot installs, reinstalls and uninstalls the generated mysvc
// in a container whose process 1 is systemd, with each init system that
// can run there.
func TestInstallBoot(t *testing.T) {
	integration(t)
	nspawn := needTool(t, "systemd-nspawn", "systemd-container")
	needTool(t, "openrc-run", "openrc")
	needTool(t, "update-rc.d", "init-system-helpers")
	if os.Geteuid() != 0 {
		if requireTools() {
			t.Fatal("booting systemd in a container needs root, and DAEMONGEN_REQUIRE_TOOLS=1: run the tests as root")
		}
		t.Skip("booting systemd in a container needs root")
	}
	project := buildInstallProject(t, "mysvc")
	// The container's /etc starts empty: what the tests need from the
	// host's is bound in. PAM for the user manager is a minimal stack of
	// its own (the host's needs pam_systemd and logind).
	pam := filepath.Join(t.TempDir(), "pam.d")
	if err := os.Mkdir(pam, 0o755); err != nil {
		t.Fatal(err)
	}
	stack := "auth required pam_permit.so\naccount required pam_permit.so\nsession required pam_permit.so\n"
	for _, f := range []string{"systemd-user", "other"} {
		if err := os.WriteFile(filepath.Join(pam, f), []byte(stack), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	binds := map[string]string{project: "/opt/mysvc", pam: "/etc/pam.d"}
	for _, f := range []string{"/etc/insserv.conf", "/etc/rc.conf"} {
		if _, err := os.Stat(f); err == nil {
			binds[f] = f
		}
	}
	out, code := bootSystemd(t, nspawn, binds, installBootScript+installBootChecks, 4*time.Minute, false)
	t.Logf("in the container:\n%s", out)
	if code != 0 {
		t.Errorf("the container's checks exited %d; see the FAIL lines above", code)
	}
}

// TestInitSysV runs the generated SysV/LSB script from a temporary path,
// with Debian's /lib/lsb/init-functions, through every action, and checks
// the LSB exit codes.
func TestInitSysV(t *testing.T) {
	integration(t)
	needTool(t, "sh", "dash")
	if _, err := os.Stat("/lib/lsb/init-functions"); err != nil {
		if requireTools() {
			t.Fatalf("/lib/lsb/init-functions is missing and DAEMONGEN_REQUIRE_TOOLS=1: apt-get install lsb-base")
		}
		t.Skip("/lib/lsb/init-functions is missing (Debian package lsb-base)")
	}
	// Under systemd, init-functions hands the actions of a script in
	// /etc/init.d to systemctl; this one is not there, so it runs itself.
	setSubreaper(t)
	project := buildInstallProject(t, "mysvc")
	dir := t.TempDir()
	script := filepath.Join(dir, "mysvc")
	text := rewrite(t, filepath.Join(project, "init/sysv/mysvc"), "DAEMON=/usr/local/bin/mysvc", "DAEMON="+filepath.Join(project, "mysvc"))
	if err := os.WriteFile(script, []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### BEGIN INIT INFO\n", "# Provides:          mysvc\n", "# Default-Start:     2 3 4 5\n", "### END INIT INFO\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("init/sysv/mysvc lacks %q", want)
		}
	}
	env := []string{"MYSVC_PIDFILE=" + filepath.Join(dir, "mysvc.pid"), "MYSVC_LOG=" + filepath.Join(dir, "mysvc.log")}
	t.Cleanup(func() { runCode(t, svcCommand(script, env, "stop")) })
	for _, step := range []struct {
		action string
		code   int
	}{
		{"status", 3}, {"reload", 7}, {"start", 0}, {"start", 0}, {"status", 0}, {"reload", 0},
		{"force-reload", 0}, {"restart", 0}, {"status", 0}, {"stop", 0}, {"status", 3}, {"stop", 0}, {"bogus", 2},
	} {
		out, code := runCode(t, svcCommand(script, env, step.action))
		if code != step.code {
			t.Errorf("%s %s = exit %d, output %q; want exit %d", script, step.action, code, out, step.code)
		}
	}
	if log, _ := os.ReadFile(filepath.Join(dir, "mysvc.log")); !strings.Contains(string(log), "reloaded") {
		t.Errorf("log after reload:\n%s\nwant a reload", log)
	}
	missing := strings.Replace(text, "DAEMON="+filepath.Join(project, "mysvc"), "DAEMON=/nonexistent/mysvc", 1)
	if err := os.WriteFile(script, []byte(missing), 0o755); err != nil {
		t.Fatal(err)
	}
	for action, want := range map[string]int{"status": 4, "start": 5} {
		if out, code := runCode(t, svcCommand(script, env, action)); code != want {
			t.Errorf("%s %s without the binary = exit %d, output %q; want %d", script, action, code, out, want)
		}
	}
}

// TestInitScriptsShellcheck parses the generated shell scripts with sh -n
// and runs shellcheck on them, for a NAME with a hyphen, which the rc.d
// script must turn into valid variable names.
func TestInitScriptsShellcheck(t *testing.T) {
	integration(t)
	sh := needTool(t, "sh", "dash")
	shellcheck := needTool(t, "shellcheck", "shellcheck")
	cfg := generator.Config{Name: "my-svc", Module: "my-svc"}
	files, err := generator.Render(cfg, templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	scripts := 0
	for _, f := range files {
		if !strings.HasPrefix(f.Path, "init/") || f.Mode != 0o755 {
			continue
		}
		scripts++
		path := filepath.Join(dir, strings.ReplaceAll(f.Path, "/", "_"))
		if err := os.WriteFile(path, f.Data, 0o755); err != nil {
			t.Fatal(err)
		}
		if out, code := runCode(t, exec.Command(sh, "-n", path)); code != 0 {
			t.Errorf("sh -n %s = exit %d:\n%s", f.Path, code, out)
		}
		if out, code := runCode(t, exec.Command(shellcheck, "--shell=sh", path)); code != 0 {
			t.Errorf("shellcheck %s = exit %d:\n%s", f.Path, code, out)
		}
	}
	if scripts != 3 {
		t.Errorf("found %d executable scripts under init/; want 3 (sysv, openrc, rc.d)", scripts)
	}
	rcd := string(findFile(t, files, "init/rc.d/my-svc"))
	for _, want := range []string{"\n. /etc/rc.subr\n", "\nname=\"my_svc\"\n", "\nrcvar=\"my_svc_enable\"\n", "\nload_rc_config \"$name\"\n",
		": \"${my_svc_enable:=NO}\"", "# PROVIDE: my-svc\n", "\nrun_rc_command \"$1\"\n", "command=\"/usr/local/bin/my-svc\""} {
		if !strings.Contains(rcd, want) {
			t.Errorf("init/rc.d/my-svc lacks %q", want)
		}
	}
	if strings.Contains(rcd, "my-svc_") {
		t.Errorf("init/rc.d/my-svc has a variable name with a hyphen (my-svc_...)")
	}
}

// findFile returns the data of the rendered file at path.
func findFile(t *testing.T, files []generator.File, path string) []byte {
	t.Helper()
	for _, f := range files {
		if f.Path == path {
			return f.Data
		}
	}
	t.Fatalf("no rendered file %s", path)
	return nil
}

// TestLaunchdPlists parses both launchd plists with Python's plistlib and
// checks each key against launchd.plist(5).
func TestLaunchdPlists(t *testing.T) {
	integration(t)
	python := needTool(t, "python3", "python3")
	files, err := generator.Render(generator.Config{Name: "my-svc", Module: "my-svc"}, templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"init/launchd/my-svc.plist", "init/launchd-agent/my-svc.plist"} {
		cmd := exec.Command(python, "-c", `import json, plistlib, sys
print(json.dumps(plistlib.loads(sys.stdin.buffer.read(), fmt=plistlib.FMT_XML)))`)
		cmd.Stdin = strings.NewReader(string(findFile(t, files, p)))
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("plistlib.loads(%s) = %v", p, err)
			continue
		}
		var got map[string]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		log := "/var/log/my-svc.log"
		if strings.Contains(p, "agent") {
			log = "~/Library/Logs/my-svc.log" // install puts the home directory in
		}
		want := map[string]any{
			"Label":             "my-svc",                                // the job's unique name
			"ProgramArguments":  []any{"/usr/local/bin/my-svc", "run"},   // argv; run stays in the foreground
			"RunAtLoad":         true,                                    // start when loaded
			"KeepAlive":         map[string]any{"SuccessfulExit": false}, // restart unless it exited 0
			"ThrottleInterval":  float64(5),                              // seconds between restarts
			"ExitTimeOut":       float64(10),                             // SIGKILL this long after SIGTERM
			"StandardOutPath":   log,
			"StandardErrorPath": log,
		}
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(want)
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("%s parses as\n%s\nwant\n%s", p, gotJSON, wantJSON)
		}
	}
}

// TestSystemdAnalyzeVerifyUser wants systemd-analyze verify --user to print
// nothing for the user unit, with ExecStart pointed at the built binary,
// and the unit to be wanted by default.target, not multi-user.target.
func TestSystemdAnalyzeVerifyUser(t *testing.T) {
	integration(t)
	sa := needTool(t, "systemd-analyze", "systemd")
	project := buildInstallProject(t, "mysvc")
	unit := rewrite(t, filepath.Join(project, "init/systemd-user/mysvc.service"),
		"/usr/local/bin/mysvc", filepath.Join(project, "mysvc"))
	for _, want := range []string{"\nExecReload=" + filepath.Join(project, "mysvc") + " reload --timeout 80s\nTimeoutStartSec=90s\n", "\nEnvironment=MYSVC_PIDFILE=%t/mysvc/mysvc.pid\n", "\nRuntimeDirectory=mysvc\n", "\nWatchdogSec="} {
		if !strings.Contains(unit, want) {
			t.Errorf("the user unit lacks %q:\n%s", want, unit)
		}
	}
	if !strings.Contains(unit, "\nWantedBy=default.target\n") || strings.Contains(unit, "multi-user") {
		t.Errorf("the user unit's [Install] is not WantedBy=default.target:\n%s", unit)
	}
	path := filepath.Join(t.TempDir(), "mysvc.service")
	if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sa, "verify", "--user", path)
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+t.TempDir())
	if out, code := runCode(t, cmd); code != 0 || out != "" {
		t.Errorf("systemd-analyze verify --user mysvc.service = exit %d, output:\n%s\nwant exit 0 and no output", code, out)
	}
}

// TestMakefileInstall runs the generated Makefile's install target with
// BINDIR and LOGROTATEDIR in a temporary directory and INSTALLFLAGS=--dry-run:
// it must install the binary there and run "mysvc install", which prints the
// SysV script pointing at that binary and writes nothing under /etc.
func TestMakefileInstall(t *testing.T) {
	integration(t)
	mk := needTool(t, "make", "make")
	if _, err := os.Lstat("/etc/init.d/mysvc"); err == nil {
		t.Skip("/etc/init.d/mysvc exists on this machine; not touching it")
	}
	project := buildInstallProject(t, "mysvc")
	dir := t.TempDir()
	vars := []string{"BINDIR=" + filepath.Join(dir, "bin"), "LOGROTATEDIR=" + filepath.Join(dir, "logrotate.d"), "INIT=sysv"}
	cmd := exec.Command(mk, append([]string{"-s", "install", "INSTALLFLAGS=--dry-run"}, vars...)...)
	cmd.Dir = project
	out, code := runCode(t, cmd)
	bin := filepath.Join(dir, "bin", "mysvc")
	for _, want := range []string{"==> /etc/init.d/mysvc <==\n#!/bin/sh\n", "\nDAEMON=" + bin + "\n", "\n$ /etc/init.d/mysvc start\n"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("make install INSTALLFLAGS=--dry-run = exit %d, output:\n%s\nwant exit 0 and %q", code, out, want)
		}
	}
	if _, err := os.Lstat("/etc/init.d/mysvc"); err == nil {
		t.Errorf("make install INSTALLFLAGS=--dry-run wrote /etc/init.d/mysvc")
	}
	cmd = exec.Command(mk, append([]string{"-s", "uninstall"}, vars...)...)
	cmd.Dir = project
	out, code = runCode(t, cmd)
	if want := "mysvc is not installed for sysv (no /etc/init.d/mysvc)\n"; code != 0 || out != want {
		t.Errorf("make uninstall = exit %d, output %q; want exit 0 and %q", code, out, want)
	}
	if _, err := os.Lstat(bin); err == nil {
		t.Errorf("make uninstall left %s", bin)
	}
}

// TestMakefileDestdir stages "make install DESTDIR=... PREFIX=/usr", as a
// package build does: the unit and the logrotate file must name the binary
// where it was staged to go, /usr/bin, not /usr/local/bin.
func TestMakefileDestdir(t *testing.T) {
	integration(t)
	mk := needTool(t, "make", "make")
	project := buildInstallProject(t, "mysvc")
	dest := t.TempDir()
	cmd := exec.Command(mk, "-s", "install", "DESTDIR="+dest, "PREFIX=/usr")
	cmd.Dir = project
	if out, code := runCode(t, cmd); code != 0 {
		t.Fatalf("make install DESTDIR=%s PREFIX=/usr = exit %d:\n%s", dest, code, out)
	}
	for path, want := range map[string]string{
		"etc/systemd/system/mysvc.service": "\nExecStart=/usr/bin/mysvc run\n",
		"etc/logrotate.d/mysvc":            "\t\t/usr/bin/mysvc reopen",
	} {
		data, err := os.ReadFile(filepath.Join(dest, path))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), want) || strings.Contains(string(data), "/usr/local/bin/mysvc") {
			t.Errorf("staged %s names the binary wrongly; want %q and no /usr/local/bin/mysvc:\n%s", path, want, data)
		}
		if fi, _ := os.Stat(filepath.Join(dest, path)); fi.Mode().Perm() != 0o644 {
			t.Errorf("staged %s has mode %v; want 0644", path, fi.Mode().Perm())
		}
	}
	if fi, err := os.Stat(filepath.Join(dest, "usr/bin/mysvc")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("staged binary: %v, %v; want mode 0755", fi, err)
	}
}
