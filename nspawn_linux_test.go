package main

// bootSystemd is the harness of the tests that need a real systemd: it
// boots this machine's own OS in a throwaway container, systemd 252 as
// process 1, runs one script in it and powers off. It is the trick of
// ../shared/tools/systemd-boot: systemd-nspawn --volatile=yes, so the root
// is a tmpfs, /usr is the host's, read-only, and nothing the script does
// survives; --private-network, so the container's loopback is its own and
// the tests may use fixed ports.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// needSystemdBoot skips the test, or fails it under
// DAEMONGEN_REQUIRE_TOOLS=1, unless bootSystemd can work here: as root,
// with systemd-nspawn (Debian package systemd-container) installed.
func needSystemdBoot(t *testing.T) string {
	t.Helper()
	nspawn := needTool(t, "systemd-nspawn", "systemd-container")
	if os.Geteuid() != 0 {
		msg := "booting systemd in a container needs root"
		if requireTools() {
			t.Fatalf("%s and DAEMONGEN_REQUIRE_TOOLS=1: run the tests as root", msg)
		}
		t.Skip(msg)
	}
	return nspawn
}

// The unit that runs the script as the container's only job, then powers
// it off, and the target that boots into it.
const (
	bootTestService = `[Unit]
Description=daemongen test script
After=basic.target
[Service]
Type=oneshot
ExecStart=/bin/sh -c '/boot-test/script >/boot-test/out/log 2>&1; echo $? >/boot-test/out/rc'
ExecStartPost=/bin/systemctl --no-block poweroff
`
	bootTestTarget = `[Unit]
Description=daemongen test
Requires=basic.target boot-test.service
After=basic.target
AllowIsolate=yes
`
)

// With --console=passive, process 1 in the container writes its status
// lines and log to the console, and can block there during a long boot. So
// it logs to the journal and shows no status from the start (quietBoot, on
// its command line), and the scripts say so again (quietConsole).
var quietBoot = []string{"systemd.log_target=journal", "systemd.show_status=no"}

// SIGRTMIN+21 (glibc's SIGRTMIN is 34), numbered for dash: no status lines.
const quietConsole = "systemctl log-target journal 2>/dev/null; kill -55 1 2>/dev/null\n"

// bootSystemd boots systemd in a container with each host path of binds
// bound read-only at its container path (under /opt or /srv: /usr is
// read-only inside), runs script there as root with /bin/bash, and returns
// what it printed and its exit status once the container has powered off.
// The test fails if the script did not finish within timeout. With
// privateNetwork the container has only its own loopback; without it, it
// shares the host's network, which SysV scripts waiting for $network need.
func bootSystemd(t *testing.T, nspawn string, binds map[string]string, script string, timeout time.Duration, privateNetwork bool) (string, int) {
	t.Helper()
	work := t.TempDir()
	for _, d := range []string{"units", "out"} {
		if err := os.Mkdir(filepath.Join(work, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"units/boot-test.service": bootTestService,
		"units/boot-test.target":  bootTestTarget,
		"script":                  "#!/bin/bash\n" + quietConsole + script,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(work, name), []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"-D", "/", "--volatile=yes", "-b", "--register=no", "--keep-unit",
		"--console=passive", "-M", fmt.Sprintf("daemongen-%d", os.Getpid()),
		"--bind-ro=" + filepath.Join(work, "units/boot-test.service") + ":/etc/systemd/system/boot-test.service",
		"--bind-ro=" + filepath.Join(work, "units/boot-test.target") + ":/etc/systemd/system/boot-test.target",
		"--bind-ro=" + filepath.Join(work, "script") + ":/boot-test/script",
		"--bind=" + filepath.Join(work, "out") + ":/boot-test/out",
	}
	if privateNetwork {
		args = append(args, "--private-network")
	}
	var dsts []string
	for src := range binds {
		dsts = append(dsts, src)
	}
	sort.Strings(dsts)
	for _, src := range dsts {
		args = append(args, "--bind-ro="+src+":"+binds[src])
	}
	args = append(args, append([]string{"systemd.firstboot=off", "systemd.unit=boot-test.target"}, quietBoot...)...)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, nspawn, args...)
	// On timeout, SIGTERM asks systemd-nspawn to power the container off
	// in order; SIGKILL would leave its processes behind.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	start := time.Now()
	console, _ := cmd.CombinedOutput() // its exit status says nothing of the script's
	t.Logf("systemd-nspawn: booted, ran the script and powered off in %v", time.Since(start).Round(100*time.Millisecond))
	rc, err := os.ReadFile(filepath.Join(work, "out/rc"))
	if err != nil {
		t.Fatalf("systemd-nspawn: the script did not finish within %v (%v); the container's console:\n%s", timeout, ctx.Err(), tail(string(console), 30))
	}
	var code int
	fmt.Sscan(string(rc), &code)
	log, _ := os.ReadFile(filepath.Join(work, "out/log"))
	return string(log), code
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
