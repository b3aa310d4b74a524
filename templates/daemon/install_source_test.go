package daemon

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// These tests run install and uninstall against a temporary root with the
// init system's commands recorded instead of run. The real init systems are
// exercised by daemongen's install_linux_test.go.

var testInitFiles = fstest.MapFS{
	"init/systemd/mysvc.service":      {Data: []byte("[Service]\nExecStart=/usr/local/bin/mysvc run\nProtectHome=yes\n")},
	"init/systemd-user/mysvc.service": {Data: []byte("[Service]\nExecStart=/usr/local/bin/mysvc run\n# ~/.config\n")},
	"init/sysv/mysvc":                 {Data: []byte("#!/bin/sh\nDAEMON=/usr/local/bin/mysvc\n")},
	"init/openrc/mysvc":               {Data: []byte("#!/sbin/openrc-run\ncommand=/usr/local/bin/mysvc\n")},
	"init/launchd/mysvc.plist":        {Data: []byte("<string>/usr/local/bin/mysvc</string><string>/var/log/mysvc.log</string>\n")},
	"init/launchd-agent/mysvc.plist":  {Data: []byte("<string>/usr/local/bin/mysvc</string><string>~/Library/Logs/mysvc.log</string>\n")},
	"init/rc.d/mysvc":                 {Data: []byte("#!/bin/sh\ncommand=/usr/local/bin/mysvc\n")},
}

// fakeInstaller returns an installer for "mysvc" on goos as euid, whose
// paths all lie below a temporary root, on which the paths in exists
// exist, and which records the commands it would run. It also returns an
// executable file to install.
func fakeInstaller(t *testing.T, goos string, euid int, exists ...string) (in *installer, ran *[]string, stdout *bytes.Buffer, bin string) {
	t.Helper()
	root := t.TempDir()
	bin = filepath.Join(t.TempDir(), "mysvc")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ran = new([]string)
	stdout = new(bytes.Buffer)
	in = &installer{
		name:  "mysvc",
		files: testInitFiles,
		goos:  goos,
		euid:  euid,
		home:  "/home/u",
		root:  root,
		exists: func(p string) bool {
			for _, e := range exists {
				if e == p {
					return true
				}
			}
			return false
		},
		lookPath: func(file string) (string, error) { return "/usr/sbin/" + file, nil },
		run: func(args []string) error {
			*ran = append(*ran, strings.Join(args, " "))
			return nil
		},
		probe:  func([]string) bool { return false },
		stdout: stdout,
		stderr: stdout,
	}
	return in, ran, stdout, bin
}

func TestDetectInit(t *testing.T) {
	for _, tc := range []struct {
		goos   string
		euid   int
		exists []string
		want   string
	}{
		{"linux", 0, []string{"/run/systemd/system", "/run/openrc"}, "systemd"},
		{"linux", 1000, []string{"/run/systemd/system"}, "systemd-user"},
		{"linux", 0, []string{"/run/openrc", "/run/openrc/softlevel"}, "openrc"},
		{"linux", 1000, []string{"/run/openrc", "/run/openrc/softlevel"}, "openrc"},
		{"linux", 0, []string{"/run/openrc"}, "sysv"}, // left by an openrc-run, not an OpenRC boot
		{"linux", 0, nil, "sysv"},
		{"darwin", 0, nil, "launchd"},
		{"darwin", 501, nil, "launchd"},
		{"freebsd", 0, nil, "rc.d"},
	} {
		in, _, _, _ := fakeInstaller(t, tc.goos, tc.euid, tc.exists...)
		got, err := in.detect()
		if got != tc.want || err != nil {
			t.Errorf("detect() on %s, euid %d, with %v = %q, %v; want %q", tc.goos, tc.euid, tc.exists, got, err, tc.want)
		}
	}
	in, _, _, _ := fakeInstaller(t, "windows", -1)
	if got, err := in.detect(); err == nil || !strings.Contains(err.Error(), "--init") {
		t.Errorf("detect() on windows = %q, %v; want an error that names --init", got, err)
	}
}

func TestInstallSystemd(t *testing.T) {
	in, ran, stdout, bin := fakeInstaller(t, "linux", 0, "/run/systemd/system")
	unit := filepath.Join(in.root, "etc/systemd/system/mysvc.service")

	if err := in.install("auto", bin, true, false); err != nil {
		t.Fatalf("install = %v", err)
	}
	data, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	if want := "[Service]\nExecStart=" + bin + " run\nProtectHome=yes\n"; string(data) != want {
		t.Errorf("installed unit = %q; want %q", data, want)
	}
	if fi, _ := os.Stat(unit); fi.Mode().Perm() != 0o644 {
		t.Errorf("installed unit mode = %v; want 0644", fi.Mode().Perm())
	}
	want := []string{"systemctl daemon-reload", "systemctl enable mysvc.service", "systemctl start mysvc.service"}
	if strings.Join(*ran, "\n") != strings.Join(want, "\n") {
		t.Errorf("install ran %q; want %q", *ran, want)
	}
	if !strings.Contains(stdout.String(), "wrote /etc/systemd/system/mysvc.service\n$ systemctl daemon-reload\n") {
		t.Errorf("install printed %q; want wrote and $ lines", stdout)
	}

	// Twice: nothing written; the manager is reloaded all the same (a
	// first install may have failed after writing), enable and start are no-ops.
	old := time.Unix(1, 0)
	if err := os.Chtimes(unit, old, old); err != nil {
		t.Fatal(err)
	}
	*ran = nil
	stdout.Reset()
	if err := in.install("systemd", bin, true, false); err != nil {
		t.Fatalf("second install = %v", err)
	}
	if fi, _ := os.Stat(unit); !fi.ModTime().Equal(old) {
		t.Errorf("second install rewrote %s", unit)
	}
	if strings.Join(*ran, "\n") != strings.Join(want, "\n") {
		t.Errorf("second install ran %q; want %q", *ran, want)
	}
	if strings.Contains(stdout.String(), "wrote") {
		t.Errorf("second install printed %q; want no wrote line", stdout)
	}

	// A changed file is rewritten, and the manager reloaded.
	if err := os.WriteFile(unit, []byte("[Service]\nExecStart=/old/mysvc run\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	*ran = nil
	stdout.Reset()
	if err := in.install("systemd", bin, true, false); err != nil {
		t.Fatalf("install over a changed unit = %v", err)
	}
	if data, _ := os.ReadFile(unit); !strings.Contains(string(data), "ExecStart="+bin+" run") {
		t.Errorf("install over a changed unit left %q", data)
	}
	if !strings.Contains(stdout.String(), "until it is restarted") || (*ran)[0] != "systemctl daemon-reload" {
		t.Errorf("install over a changed unit printed %q and ran %q; want a restart hint and a reload", stdout, *ran)
	}

	*ran = nil
	stdout.Reset()
	if err := in.uninstall("systemd", true); err != nil {
		t.Fatalf("uninstall --dry-run = %v", err)
	}
	wantOut := "$ systemctl stop mysvc.service\n$ systemctl disable mysvc.service\n$ rm /etc/systemd/system/mysvc.service\n$ systemctl daemon-reload\n"
	if stdout.String() != wantOut || len(*ran) > 0 {
		t.Errorf("uninstall --dry-run printed %q and ran %q; want %q and nothing", stdout, *ran, wantOut)
	}
	if _, err := os.Stat(unit); err != nil {
		t.Errorf("uninstall --dry-run removed the unit: %v", err)
	}
	if err := in.uninstall("systemd", false); err != nil {
		t.Fatalf("uninstall = %v", err)
	}
	if _, err := os.Lstat(unit); !os.IsNotExist(err) {
		t.Errorf("after uninstall, Lstat(%s) = %v; want not exist", unit, err)
	}
	want = []string{"systemctl stop mysvc.service", "systemctl disable mysvc.service", "systemctl daemon-reload"}
	if strings.Join(*ran, "\n") != strings.Join(want, "\n") {
		t.Errorf("uninstall ran %q; want %q", *ran, want)
	}

	// Nothing installed: uninstall succeeds and runs nothing.
	*ran = nil
	stdout.Reset()
	if err := in.uninstall("systemd", false); err != nil || len(*ran) > 0 {
		t.Errorf("uninstall with nothing installed = %v, ran %q; want nil, nothing", err, *ran)
	}
	if want := "mysvc is not installed for systemd (no /etc/systemd/system/mysvc.service)\n"; stdout.String() != want {
		t.Errorf("uninstall with nothing installed printed %q; want %q", stdout, want)
	}
}

func TestInstallNoStart(t *testing.T) {
	in, ran, _, bin := fakeInstaller(t, "linux", 0)
	if err := in.install("openrc", bin, false, false); err != nil {
		t.Fatalf("install --init openrc --no-start = %v", err)
	}
	if want := "rc-update add mysvc default"; strings.Join(*ran, "\n") != want {
		t.Errorf("install --no-start ran %q; want %q", *ran, want)
	}
	fi, err := os.Stat(filepath.Join(in.root, "etc/init.d/mysvc"))
	if err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("OpenRC script: %v, %v; want mode 0755", fi, err)
	}
}

func TestInstallDryRun(t *testing.T) {
	in, ran, stdout, bin := fakeInstaller(t, "linux", 1000)
	if err := in.install("sysv", bin, true, true); err != nil {
		t.Fatalf("install --init sysv --dry-run as a user = %v", err)
	}
	want := "==> /etc/init.d/mysvc <==\n#!/bin/sh\nDAEMON=" + bin + "\n" +
		"$ update-rc.d mysvc defaults\n$ /etc/init.d/mysvc start\n"
	if stdout.String() != want {
		t.Errorf("dry run printed\n%s\nwant\n%s", stdout, want)
	}
	if len(*ran) > 0 {
		t.Errorf("dry run ran %q", *ran)
	}
	if entries, _ := os.ReadDir(in.root); len(entries) > 0 {
		t.Errorf("dry run wrote %v", entries)
	}
}

func TestInstallNeedsRoot(t *testing.T) {
	in, ran, _, bin := fakeInstaller(t, "linux", 1000, "/run/systemd/system")
	err := in.install("sysv", bin, true, false)
	if want := "sysv needs root; run as root or use --init systemd-user"; err == nil || err.Error() != want {
		t.Errorf("install --init sysv as a user = %v; want %q", err, want)
	}
	in, _, _, _ = fakeInstaller(t, "linux", 1000)
	err = in.install("auto", bin, true, false)
	if want := "sysv needs root; run as root (sudo mysvc ...)"; err == nil || err.Error() != want {
		t.Errorf("install as a user without systemd = %v; want %q", err, want)
	}
	in, _, _, _ = fakeInstaller(t, "linux", 0)
	err = in.install("launchd", bin, true, false)
	if want := "launchd is not an init system of linux (it runs on darwin)"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("install --init launchd on linux = %v; want an error starting %q", err, want)
	}
	if err := in.install("launchd", bin, true, true); err != nil {
		t.Errorf("install --init launchd --dry-run on linux = %v; want a preview", err)
	}
	err = in.install("systemd", bin, true, false)
	if want := "systemd is not running here"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("install --init systemd without systemd = %v; want an error starting %q", err, want)
	}
	if len(*ran) > 0 {
		t.Errorf("refused install ran %q", *ran)
	}
}

func TestInstallUser(t *testing.T) {
	in, ran, _, bin := fakeInstaller(t, "linux", 1000, "/run/systemd/system")
	if err := in.install("auto", bin, true, false); err != nil {
		t.Fatalf("install as a user on systemd = %v", err)
	}
	data, err := os.ReadFile(filepath.Join(in.root, "home/u/.config/systemd/user/mysvc.service"))
	if want := "[Service]\nExecStart=" + bin + " run\n# /home/u/.config\n"; err != nil || string(data) != want {
		t.Errorf("user unit = %q, %v; want %q", data, err, want)
	}
	want := "systemctl --user daemon-reload\nsystemctl --user enable mysvc.service\nsystemctl --user start mysvc.service"
	if strings.Join(*ran, "\n") != want {
		t.Errorf("install ran %q; want %q", *ran, want)
	}

	in, ran, _, bin = fakeInstaller(t, "darwin", 501)
	in.probe = func(args []string) bool { return strings.Join(args, " ") == "launchctl print gui/501/mysvc" }
	if err := in.install("auto", bin, true, false); err != nil {
		t.Fatalf("install as a user on darwin = %v", err)
	}
	data, err = os.ReadFile(filepath.Join(in.root, "home/u/Library/LaunchAgents/mysvc.plist"))
	if want := "<string>" + bin + "</string><string>/home/u/Library/Logs/mysvc.log</string>\n"; err != nil || string(data) != want {
		t.Errorf("LaunchAgent = %q, %v; want %q", data, err, want)
	}
	// Already loaded: no second bootstrap.
	if want := "launchctl enable gui/501/mysvc"; strings.Join(*ran, "\n") != want {
		t.Errorf("install ran %q; want %q", *ran, want)
	}
}

func TestInstallLaunchdAndRCd(t *testing.T) {
	in, ran, _, bin := fakeInstaller(t, "darwin", 0)
	if err := in.install("auto", bin, true, false); err != nil {
		t.Fatal(err)
	}
	want := "launchctl enable system/mysvc\nlaunchctl bootstrap system /Library/LaunchDaemons/mysvc.plist"
	if strings.Join(*ran, "\n") != want {
		t.Errorf("install on darwin ran %q; want %q", *ran, want)
	}
	in, ran, _, bin = fakeInstaller(t, "freebsd", 0)
	in.name = "my-svc"
	in.files = fstest.MapFS{"init/rc.d/my-svc": {Data: []byte("#!/bin/sh\n")}}
	if err := in.install("auto", bin, true, false); err != nil {
		t.Fatal(err)
	}
	if want := "sysrc my_svc_enable=YES\nservice my-svc start"; strings.Join(*ran, "\n") != want {
		t.Errorf("install on freebsd ran %q; want %q", *ran, want)
	}
	*ran = nil
	if err := in.uninstall("rc.d", false); err != nil {
		t.Fatal(err)
	}
	if want := "service my-svc onestop\nsysrc -x my_svc_enable"; strings.Join(*ran, "\n") != want {
		t.Errorf("uninstall on freebsd ran %q; want %q", *ran, want)
	}
}

func TestInstallRefusesBinPath(t *testing.T) {
	in, ran, _, _ := fakeInstaller(t, "linux", 0, "/run/systemd/system")
	for bin, want := range map[string]string{
		"/opt/my svc/mysvc": `binary path "/opt/my svc/mysvc" has the character ' '`,
		"mysvc":             `binary path "mysvc" is not absolute`,
		"/home/u/mysvc":     "ProtectHome=yes hides the binary /home/u/mysvc from the service",
	} {
		err := in.install("systemd", bin, true, true)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("install --bin %q = %v; want an error containing %q", bin, err, want)
		}
	}
	if err := in.install("systemd", "/opt/mysvc/mysvc", true, false); err == nil || !strings.Contains(err.Error(), "not an executable file") {
		t.Errorf("install --bin of a missing file = %v; want an error", err)
	}
	if err := hiddenFromUnit("PrivateTmp=yes\n", "/tmp/x/mysvc"); err == nil {
		t.Errorf("hiddenFromUnit(PrivateTmp=yes, /tmp/x/mysvc) = nil; want an error")
	}
	if err := hiddenFromUnit("ProtectHome=no\nPrivateTmp=no\n", "/home/u/mysvc"); err != nil {
		t.Errorf("hiddenFromUnit(ProtectHome=no) = %v; want nil", err)
	}
	if len(*ran) > 0 {
		t.Errorf("refused installs ran %q", *ran)
	}
}

func TestInstallUsage(t *testing.T) {
	in, ran, stdout, _ := fakeInstaller(t, "linux", 0)
	for _, args := range [][]string{{"--bogus"}, {"extra"}, {"--init"}} {
		stdout.Reset()
		if code := in.main("install", args); code != exitUsage || !strings.Contains(stdout.String(), "Usage: mysvc install [--init auto|") {
			t.Errorf("install %q = exit %d, output %q; want %d and the usage", args, code, stdout, exitUsage)
		}
	}
	if code := in.main("uninstall", []string{"--no-start"}); code != exitUsage {
		t.Errorf("uninstall --no-start exit = %d; want %d", code, exitUsage)
	}
	stdout.Reset()
	if code := in.main("install", []string{"-h"}); code != exitOK || !strings.Contains(stdout.String(), "  --no-start ") {
		t.Errorf("install -h = exit %d, output %q; want 0 and the flags", code, stdout)
	}
	stdout.Reset()
	code := in.main("install", []string{"--init", "upstart", "--dry-run"})
	if want := "mysvc: unknown init system \"upstart\""; code != exitFailure || !strings.HasPrefix(stdout.String(), want) {
		t.Errorf("install --init upstart = exit %d, output %q; want %d and %q", code, stdout, exitFailure, want)
	}
	if len(*ran) > 0 {
		t.Errorf("usage errors ran %q", *ran)
	}
}

// A failing stop (the SysV script's binary gone, no user manager) does not
// keep uninstall from removing the files; it is reported, not fatal.
func TestUninstallStopFails(t *testing.T) {
	in, ran, stdout, bin := fakeInstaller(t, "linux", 0)
	script := filepath.Join(in.root, "etc/init.d/mysvc")
	if err := in.install("sysv", bin, false, false); err != nil {
		t.Fatalf("install = %v", err)
	}
	in.run = func(args []string) error {
		*ran = append(*ran, strings.Join(args, " "))
		if args[len(args)-1] == "stop" {
			return errors.New("exit status 5")
		}
		return nil
	}
	*ran = nil
	stdout.Reset()
	if err := in.uninstall("sysv", false); err != nil {
		t.Fatalf("uninstall with a failing stop = %v; want nil", err)
	}
	if _, err := os.Lstat(script); !os.IsNotExist(err) {
		t.Errorf("after uninstall with a failing stop, Lstat(%s) = %v; want not exist", script, err)
	}
	if want := "/etc/init.d/mysvc stop\nupdate-rc.d -f mysvc remove"; strings.Join(*ran, "\n") != want {
		t.Errorf("uninstall ran %q; want %q", *ran, want)
	}
	if !strings.Contains(stdout.String(), "these failed: /etc/init.d/mysvc stop") {
		t.Errorf("uninstall printed %q; want the failed stop reported", stdout)
	}
}

// install resolves a --bin symlink before checking what the unit's sandbox
// hides: a link outside /tmp to a binary in /tmp is refused under PrivateTmp.
func TestInstallResolvesBinSymlink(t *testing.T) {
	in, _, _, bin := fakeInstaller(t, "linux", 0, "/run/systemd/system")
	in.files = fstest.MapFS{"init/systemd/mysvc.service": {Data: []byte("[Service]\nExecStart=/usr/local/bin/mysvc run\nPrivateTmp=yes\n")}}
	if !strings.HasPrefix(bin, "/tmp/") {
		t.Skipf("the temporary directory is not /tmp (binary %s)", bin)
	}
	dir, err := os.MkdirTemp("/dev/shm", "mysvc-link")
	if err != nil {
		t.Skipf("no /dev/shm: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	link := filepath.Join(dir, "mysvc")
	if err := os.Symlink(bin, link); err != nil {
		t.Fatal(err)
	}
	if err := in.install("systemd", link, false, false); err == nil || !strings.Contains(err.Error(), "PrivateTmp=yes hides the binary "+bin) {
		t.Errorf("install --bin %s (a link to %s) = %v; want the PrivateTmp error naming the target", link, bin, err)
	}
}

// A unit that runs as another user needs a binary others can execute, in
// directories others can search.
func TestInstallBinRunnableByOthers(t *testing.T) {
	in, ran, _, _ := fakeInstaller(t, "linux", 0, "/run/systemd/system")
	in.files = fstest.MapFS{"init/systemd/mysvc.service": {Data: []byte("[Service]\nExecStart=/usr/local/bin/mysvc run\nDynamicUser=yes\n")}}
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(filepath.Dir(filepath.Dir(dir))); err != nil || fi.Mode().Perm()&0o001 == 0 {
		t.Skipf("the temporary directory's parent is not searchable by others: %v", err)
	}
	bin := filepath.Join(dir, "mysvc")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := in.install("systemd", bin, false, false); err == nil || !strings.Contains(err.Error(), "cannot execute "+bin) {
		t.Errorf("install of a 0700 binary for DynamicUser=yes = %v; want an error that others cannot execute it", err)
	}
	os.Chmod(bin, 0o755)
	os.Chmod(dir, 0o700)
	if err := in.install("systemd", bin, false, false); err == nil || !strings.Contains(err.Error(), "directory "+dir+" has mode") {
		t.Errorf("install of a binary in a 0700 directory for DynamicUser=yes = %v; want an error naming the directory", err)
	}
	if len(*ran) > 0 {
		t.Errorf("refused installs ran %q", *ran)
	}
	os.Chmod(dir, 0o755)
	if err := in.install("systemd", bin, false, false); err != nil {
		t.Errorf("install of a binary others can run = %v", err)
	}
}

// A failed start stops the service, so that it does not keep restarting,
// and says that it is still installed and enabled.
func TestInstallStartFails(t *testing.T) {
	in, ran, _, bin := fakeInstaller(t, "linux", 0, "/run/systemd/system")
	in.run = func(args []string) error {
		*ran = append(*ran, strings.Join(args, " "))
		if args[1] == "start" {
			return errors.New("exit status 1")
		}
		return nil
	}
	err := in.install("systemd", bin, true, false)
	if err == nil || !strings.Contains(err.Error(), "still installed and enabled") || !strings.Contains(err.Error(), "journalctl -u mysvc.service") {
		t.Errorf("install with a failing start = %v; want an error saying what was left", err)
	}
	want := "systemctl daemon-reload\nsystemctl enable mysvc.service\nsystemctl start mysvc.service\nsystemctl stop mysvc.service"
	if strings.Join(*ran, "\n") != want {
		t.Errorf("install with a failing start ran %q; want %q", *ran, want)
	}
}
