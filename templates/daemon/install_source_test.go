package daemon

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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
		probe:   func(args []string) bool { return args[len(args)-1] == "daemon-reload" }, // a manager answers
		running: func(string) (int, bool) { return 0, false },
		stdout:  stdout,
		stderr:  stdout,
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
		if err != nil || got.name != tc.want {
			t.Errorf("detect() on %s, euid %d, with %v = %v, %v; want %q", tc.goos, tc.euid, tc.exists, got, err, tc.want)
		}
	}
	in, _, _, _ := fakeInstaller(t, "windows", -1)
	if got, err := in.detect(); err == nil || !strings.Contains(err.Error(), "--init") {
		t.Errorf("detect() on windows = %v, %v; want an error that names --init", got, err)
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
	if (*ran)[0] != "systemctl daemon-reload" || slices.Contains(*ran, "systemctl restart mysvc.service") {
		t.Errorf("install over a changed unit, no daemon running, ran %q; want a reload and no restart (TestInstallRestartsStale has the running one)", *ran)
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

// TestInitTable checks initSystems against itself and against the service
// files a new project has: each row's folder exists, each folder is a row's,
// every placeholder is one install replaces, and auto can reach every row.
func TestInitTable(t *testing.T) {
	folders, err := os.ReadDir("../project/init")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	placeholder := regexp.MustCompile(`\{[^}]*\}`)
	for i, s := range initSystems {
		if s.name == "" || s.title == "" || s.goos == "" || s.files == "" || s.enable == "" {
			t.Errorf("initSystems[%d] = %+v; want a name, title, goos, files and an enable command", i, s)
		}
		if !strings.HasPrefix(s.dir, "/") && !(s.user && strings.HasPrefix(s.dir, "~/")) {
			t.Errorf("%s: dir %q; want an absolute path, or ~/... for a user's own", s.title, s.dir)
		}
		if _, err := os.Stat(filepath.Join("../project/init", s.files)); err != nil {
			t.Errorf("%s: no service files: %v", s.title, err)
		}
		used[s.files] = true
		if p := placeholder.FindString(strings.NewReplacer("{name}", "", "{var}", "", "{uid}", "").Replace(s.dir)); p != "" {
			t.Errorf("%s: dir %q has %s, which install does not replace in a directory", s.title, s.dir, p)
		}
		for _, text := range []string{s.reload, s.enable, s.start, s.stop, s.disable, s.loaded, s.log, s.note, s.unenabled} {
			for _, p := range placeholder.FindAllString(text, -1) {
				if !slices.Contains([]string{"{name}", "{var}", "{unit}", "{units}", "{file}", "{uid}"}, p) {
					t.Errorf("%s: %q has the unknown placeholder %s", s.title, text, p)
				}
			}
		}
		if strings.Contains(s.enable, " || ") != (s.unenabled != "") {
			t.Errorf("%s: enable %q, unenabled %q; want a warning exactly when enable has alternatives", s.title, s.enable, s.unenabled)
		}
		for _, earlier := range initSystems[:i] {
			if earlier.detect == "" && earlier.user == s.user && earlier.goos == s.goos {
				t.Errorf("%s: --init auto never reaches it: %s, earlier, is taken on %s whatever the machine", s.title, earlier.title, s.goos)
			}
		}
	}
	for _, f := range folders {
		if !used[f.Name()] {
			t.Errorf("../project/init/%s is no row's files; add its init system to initSystems", f.Name())
		}
	}
}

// TestInstallEach installs and uninstalls for every row of initSystems
// and checks where the file went and the commands that ran.
func TestInstallEach(t *testing.T) {
	tests := []struct {
		title     string
		goos      string
		euid      int
		exists    []string
		file      string
		install   string
		uninstall string
	}{
		{"systemd", "linux", 0, []string{"/run/systemd/system"}, "/etc/systemd/system/mysvc.service",
			"systemctl daemon-reload; systemctl enable mysvc.service; systemctl start mysvc.service",
			"systemctl stop mysvc.service; systemctl disable mysvc.service; systemctl daemon-reload"},
		{"systemd, a user's manager", "linux", 1000, []string{"/run/systemd/system"}, "/home/u/.config/systemd/user/mysvc.service",
			"systemctl --user daemon-reload; systemctl --user enable mysvc.service; systemctl --user start mysvc.service",
			"systemctl --user stop mysvc.service; systemctl --user disable mysvc.service; systemctl --user daemon-reload"},
		{"OpenRC", "linux", 0, []string{"/run/openrc/softlevel"}, "/etc/init.d/mysvc",
			"rc-update add mysvc default; rc-service mysvc start",
			"rc-service mysvc stop; rc-update del mysvc default"},
		{"SysV/LSB", "linux", 0, nil, "/etc/init.d/mysvc",
			"update-rc.d mysvc defaults; /etc/init.d/mysvc start",
			"/etc/init.d/mysvc stop; update-rc.d -f mysvc remove"},
		{"launchd, a LaunchDaemon", "darwin", 0, nil, "/Library/LaunchDaemons/mysvc.plist",
			"launchctl enable system/mysvc; launchctl bootstrap system /Library/LaunchDaemons/mysvc.plist",
			"launchctl bootout system/mysvc"},
		{"launchd, a user's LaunchAgent", "darwin", 501, nil, "/home/u/Library/LaunchAgents/mysvc.plist",
			"launchctl enable gui/501/mysvc; launchctl bootstrap gui/501 /home/u/Library/LaunchAgents/mysvc.plist",
			"launchctl bootout gui/501/mysvc"},
		{"FreeBSD rc.d", "freebsd", 0, nil, "/usr/local/etc/rc.d/mysvc",
			"sysrc mysvc_enable=YES; service mysvc start",
			"service mysvc onestop; sysrc -x mysvc_enable"},
	}
	covered := map[string]bool{}
	for _, tc := range tests {
		covered[tc.title] = true
	}
	for _, s := range initSystems {
		if !covered[s.title] {
			t.Errorf("TestInstallEach has no case for %s; add one", s.title)
		}
	}
	for _, tc := range tests {
		in, ran, _, bin := fakeInstaller(t, tc.goos, tc.euid, tc.exists...)
		if err := in.install("auto", bin, true, false); err != nil {
			t.Errorf("%s: install = %v", tc.title, err)
			continue
		}
		if _, err := os.Stat(filepath.Join(in.root, tc.file)); err != nil {
			t.Errorf("%s: install wrote no %s: %v", tc.title, tc.file, err)
		}
		if got := strings.Join(*ran, "; "); got != tc.install {
			t.Errorf("%s: install ran %q; want %q", tc.title, got, tc.install)
		}
		*ran = nil
		if err := in.uninstall("auto", false); err != nil {
			t.Errorf("%s: uninstall = %v", tc.title, err)
		}
		if got := strings.Join(*ran, "; "); got != tc.uninstall {
			t.Errorf("%s: uninstall ran %q; want %q", tc.title, got, tc.uninstall)
		}
		if _, err := os.Stat(filepath.Join(in.root, tc.file)); !os.IsNotExist(err) {
			t.Errorf("%s: uninstall left %s: %v", tc.title, tc.file, err)
		}
	}
}

// SysV's enable and disable run update-rc.d, else chkconfig; with neither,
// install warns that the service will not start at boot.
func TestInstallSysVAlternatives(t *testing.T) {
	for _, tc := range []struct {
		installed []string
		want      string
		warns     bool
	}{
		{[]string{"update-rc.d", "chkconfig"}, "$ update-rc.d mysvc defaults\n", false},
		{[]string{"chkconfig"}, "$ chkconfig --add mysvc\n", false},
		{nil, "", true},
	} {
		in, _, stdout, bin := fakeInstaller(t, "linux", 0)
		stderr := new(bytes.Buffer)
		in.stderr = stderr
		in.lookPath = func(file string) (string, error) {
			if slices.Contains(tc.installed, file) {
				return "/usr/sbin/" + file, nil
			}
			return "", errors.New("not found")
		}
		if err := in.install("sysv", bin, false, true); err != nil {
			t.Fatalf("install --init sysv with %v = %v", tc.installed, err)
		}
		_, cmds, _ := strings.Cut(stdout.String(), "DAEMON="+bin+"\n")
		warning := ""
		if tc.warns {
			warning = "mysvc: neither update-rc.d nor chkconfig is installed: mysvc will not start at boot until you link /etc/init.d/mysvc into /etc/rc?.d\n"
		}
		if cmds != tc.want || stderr.String() != warning {
			t.Errorf("install --init sysv --no-start --dry-run with %v printed %q and warned %q; want %q and %q", tc.installed, cmds, stderr, tc.want, warning)
		}
	}
}

// Issue 21, item 10: install brings a running service onto a rebuilt
// binary or a changed service file with a restart, and with --no-start
// says how instead; a service already as installed is not restarted.
func TestInstallRestartsStale(t *testing.T) {
	for _, tc := range []struct {
		name         string
		other, edit  bool
		start        bool
		want, notRan string
	}{
		{"new binary", true, false, true, "systemctl restart mysvc.service", ""},
		{"new service file", false, true, true, "systemctl restart mysvc.service", ""},
		{"current", false, false, true, "", "systemctl restart mysvc.service"},
		{"no start", true, false, false, "", "systemctl restart mysvc.service"},
	} {
		in, ran, stdout, bin := fakeInstaller(t, "linux", 0, "/run/systemd/system")
		in.install("systemd", bin, tc.start, false)
		*ran = nil
		if tc.edit {
			unit := filepath.Join(in.root, "/etc/systemd/system/mysvc.service")
			data, _ := os.ReadFile(unit)
			os.WriteFile(unit, append([]byte("# edited\n"), data...), 0o644)
		}
		in.running = func(string) (int, bool) { return 42, tc.other }
		stdout.Reset()
		if err := in.install("systemd", bin, tc.start, false); err != nil {
			t.Fatalf("%s: install: %v", tc.name, err)
		}
		got := strings.Join(*ran, "\n")
		if tc.want != "" && !strings.Contains(got, tc.want) || tc.notRan != "" && strings.Contains(got, tc.notRan) {
			t.Errorf("%s: install ran %q; want %q, not %q", tc.name, got, tc.want, tc.notRan)
		}
		if !tc.start && !strings.Contains(stdout.String(), "mysvc: the running service (pid 42) keeps an older binary (--no-start); to bring it onto the new one: systemctl restart mysvc.service") {
			t.Errorf("%s: install --no-start printed %q; want how to restart", tc.name, stdout)
		}
	}
}

// Issue 21, item 16: with no user manager to answer, install --init
// systemd-user names the cause and the fixes, and writes nothing.
func TestInstallNoUserManager(t *testing.T) {
	in, ran, _, bin := fakeInstaller(t, "linux", 1000, "/run/systemd/system")
	in.probe = func([]string) bool { return false }
	t.Setenv("XDG_RUNTIME_DIR", "")
	err := in.install("systemd-user", bin, true, false)
	if err == nil || !strings.Contains(err.Error(), "no user manager runs for you here (if $XDG_RUNTIME_DIR is not set, export XDG_RUNTIME_DIR=/run/user/1000)") || !strings.Contains(err.Error(), "loginctl enable-linger") || !strings.Contains(err.Error(), "Nothing was written") {
		t.Errorf("install --init systemd-user without a user manager = %v; want the cause and the fixes", err)
	}
	filepath.WalkDir(in.root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("install without a user manager wrote %s", p)
		}
		return nil
	})
	if len(*ran) != 0 {
		t.Errorf("install without a user manager ran %q", *ran)
	}
}
