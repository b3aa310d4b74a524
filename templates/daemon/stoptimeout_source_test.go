//go:build unix && !aix && !solaris

package daemon

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/templates"
)

// TestStopTimeoutAgrees holds the service files' stop limits to
// StopTimeout, which is also stop's default --timeout and what the HTTP
// example's Run budgets its drain from (issue 21 item 14): a service that
// returns within it is never killed by one init system and not another.
func TestStopTimeoutAgrees(t *testing.T) {
	files, err := generator.Render(generator.Config{Name: "mysvc", Socket: "127.0.0.1:8080"}, templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	limit := regexp.MustCompile(`TimeoutStopSec=(\S+)|<key>ExitTimeOut</key>\s*<integer>(\d+)<|\bstop --timeout[ =](\S+)`)
	found := map[string]bool{}
	for _, f := range files {
		if !strings.HasPrefix(f.Path, "init/") {
			continue
		}
		for _, m := range limit.FindAllStringSubmatch(string(f.Data), -1) {
			v := m[1] + m[2] + m[3]
			if m[2] != "" {
				v += "s"
			}
			d, err := time.ParseDuration(v)
			if err != nil || d != StopTimeout {
				t.Errorf("%s: %s; want %v, StopTimeout", f.Path, m[0], StopTimeout)
			}
			found[strings.Split(f.Path, "/")[1]] = true
		}
	}
	for _, init := range []string{"systemd", "systemd-user", "launchd", "launchd-agent"} {
		if !found[init] {
			t.Errorf("init/%s: no stop limit found; want one of %v, StopTimeout", init, StopTimeout)
		}
	}
	var example string
	for _, f := range files {
		if f.Path == "httpservice.go" {
			example = string(f.Data)
		}
	}
	if !strings.Contains(example, "time.Now().Add(daemon.StopTimeout / 2)") {
		t.Errorf("httpservice.go does not budget its drain from daemon.StopTimeout:\n%s", example)
	}
}
