//go:build unix && !aix && !solaris

package daemon

import (
	"strings"
	"testing"

	"github.com/daemongen/daemongen/generator"
)

// The default pidfiles a stamp records (generator.DefaultPidfiles) are the
// ones defaultPaths gives: update's note when they move depends on it.
func TestDefaultPidfilesAgree(t *testing.T) {
	own := func(string) bool { return true }
	env := func(k string) string {
		return map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000", "HOME": "/home/u"}[k]
	}
	want := strings.Fields(generator.DefaultPidfiles("svc"))
	root, user := defaultPaths("svc", 0, env, own).pidfile, defaultPaths("svc", 1000, env, own).pidfile
	if len(want) != 2 || root != want[0] || user != strings.Replace(want[1], "$XDG_RUNTIME_DIR", "/run/user/1000", 1) {
		t.Errorf("defaultPaths gives %s and %s; generator.DefaultPidfiles says %q", root, user, want)
	}
}
