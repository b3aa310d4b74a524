package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/internal/await"
)

// httpUpgrades is how many upgrades in a row TestHTTPUpgradeUnderLoad makes.
const httpUpgrades = 10

// TestHTTPUpgradeUnderLoad builds the HTTP example (--socket) three times,
// as v1, as v2 (its greeting says "build 2") and as v3 (Init fails), and upgrades a
// daemon running v1 under an httpLoad of 8 clients (issue 20): to v2 with a
// 5-second request in flight, which completes; to v3, which fails with its
// Init's error while the old daemon answers; then back and forth,
// httpUpgrades times in all. No request fails, no connection is refused or
// reset, v2 answers at the end, one process is left with the descriptors
// the first had, and after stop the port is closed.
func TestHTTPUpgradeUnderLoad(t *testing.T) {
	integration(t)
	project := buildGenerated(t, generator.Config{Name: "mysvc", Module: "example.com/mysvc", Socket: "127.0.0.1:1"}, nil)
	source := filepath.Join(project, "httpservice.go")
	data, err := os.ReadFile(source)
	if err != nil {
		t.Fatal(err)
	}
	// Every build answers /?sleep=DUR after DUR.
	slow := strings.Replace(string(data), "\tn := s.requests.Add(1)\n",
		"\tif d, _ := time.ParseDuration(r.URL.Query().Get(\"sleep\")); d > 0 {\n\t\ttime.Sleep(d)\n\t}\n\tn := s.requests.Add(1)\n", 1)
	builds := map[string]string{
		"v1": slow,
		"v2": strings.Replace(slow, "request %d)\\n", "request %d), build 2\\n", 1),
		"v3": strings.Replace(slow, "func (s *Service) Init(ctx context.Context) error {\n",
			"func (s *Service) Init(ctx context.Context) error {\n\tif s != nil {\n\t\treturn fmt.Errorf(\"configuration v3 is broken\")\n\t}\n", 1),
	}
	for v, text := range builds {
		if text == string(data) {
			t.Fatalf("%s: the patch did not apply to httpservice.go", v)
		}
		if err := os.WriteFile(source, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		goCommandEnv(t, project, []string{"CGO_ENABLED=0"}, "build", "-o", "mysvc."+v)
	}

	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "bin"), 0o755)
	bin := filepath.Join(dir, "bin", "mysvc")
	install := func(v string) { // as an operator does: a copy, then mv
		t.Helper()
		if out, err := exec.Command("sh", "-c", `cp "$1" "$2.new" && mv "$2.new" "$2"`, "sh", filepath.Join(project, "mysvc."+v), bin).CombinedOutput(); err != nil {
			t.Fatalf("install %s: %v %s", v, err, out)
		}
	}
	addr := freeAddr(t)
	pidfile := filepath.Join(dir, "mysvc.pid")
	run := func(args ...string) (string, int) {
		cmd := svcCommand(bin, []string{"MYSVC_ADDR=" + addr, "MYSVC_LOG_LEVEL=info"}, append(args, "--pidfile", pidfile, "--log", filepath.Join(dir, "mysvc.log"))...)
		out, _ := cmd.CombinedOutput()
		return string(out), cmd.ProcessState.ExitCode()
	}
	install("v1")
	if out, code := run("start"); code != 0 {
		t.Fatalf("start: exit %d %s", code, out)
	}
	first, _ := os.ReadFile(pidfile)
	fds := countFDs(strings.TrimSpace(string(first)))
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "mysvc.log"))
			t.Logf("mysvc.log:\n%s", log)
		}
		run("stop", "--timeout", "1s")
	})
	load := startHTTPLoad(addr, 8)
	defer load.halt()
	inFlight := make(chan string, 1)
	go func() {
		body, err := httpGet(addr, "/?sleep=5s")
		inFlight <- fmt.Sprint(body, err)
	}()
	time.Sleep(200 * time.Millisecond) // the request is being served

	upgraded := regexp.MustCompile(`mysvc upgraded \(pid (\d+) -> (\d+)\)`)
	pid := ""
	versions := []string{"v2", "v3"} // then v1 and v2 in turn: httpUpgrades succeed
	for n := httpUpgrades - 1; n > 0; n-- {
		versions = append(versions, []string{"v1", "v2"}[n%2])
	}
	for i, v := range versions {
		from := load.ok.Load()
		await.For(t, "100 answers before the upgrade", func() bool { return load.ok.Load() >= from+100 })
		install(v)
		out, code := run("upgrade")
		if v == "v3" {
			if code != 1 || !strings.Contains(out, "configuration v3 is broken") {
				t.Fatalf("upgrade to a build whose Init fails: exit %d %q; want exit 1 with its error", code, out)
			}
			continue
		}
		m := upgraded.FindStringSubmatch(out)
		if code != 0 || m == nil || (pid != "" && m[1] != pid) {
			t.Fatalf("upgrade %d to %s: exit %d %q; want exit 0, \"upgraded (pid %s -> N)\"", i+1, v, code, out, pid)
		}
		pid = m[2]
		if i == 0 {
			if got := <-inFlight; !strings.HasPrefix(got, "hello from mysvc") || !strings.HasSuffix(got, "<nil>") {
				t.Errorf("a 5-second request in flight across the upgrade: %q; want the greeting", got)
			}
		}
	}
	if got, _ := httpGet(addr, "/"); !strings.Contains(got, "hello from mysvc (pid "+pid+",") || !strings.Contains(got, "build 2") {
		t.Errorf("after the upgrades GET / = %q; want v2's answer from pid %s", got, pid)
	}
	load.halt()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections() // httpGet's, kept alive
	t.Logf("%d upgrades under load: %v", httpUpgrades, load)
	if n := load.failures() + int(load.refused.Load()+load.reset.Load()); n != 0 {
		t.Errorf("%d requests failed or connections were refused or reset across the upgrades (%v); want 0", n, load)
	}
	await.For(t, "the last daemon, idle, with the descriptors the first had", func() bool { return countFDs(pid) == fds })
	if live := liveUnder(dir); len(live) != 1 || live[0] != pid {
		t.Errorf("processes running from %s: %v; want only %s", dir, live, pid)
	}
	if out, code := run("stop"); code != 0 {
		t.Fatalf("stop: exit %d %s", code, out)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Errorf("%s accepts connections after stop", addr)
	}
}

// countFDs is the number of descriptors process pid has open, but pipes:
// start's readiness pipe, which the daemon closes as start returns.
func countFDs(pid string) (n int) {
	entries, _ := os.ReadDir("/proc/" + pid + "/fd")
	for _, e := range entries {
		if l, _ := os.Readlink("/proc/" + pid + "/fd/" + e.Name()); !strings.HasPrefix(l, "pipe:") {
			n++
		}
	}
	return n
}

// liveUnder lists the processes, not zombies, whose command line names dir.
func liveUnder(dir string) []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		stat, _ := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err == nil && strings.Contains(string(cmdline), dir) && !strings.Contains(string(stat), ") Z ") {
			pids = append(pids, e.Name())
		}
	}
	return pids
}
