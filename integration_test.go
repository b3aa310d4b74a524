package main

import (
	"os"
	"testing"
)

// The tests come in two tiers. The default one, what "go test ./..."
// runs, proves the product with Go alone: the goldens rendered and
// compared, golden/mysvc and every case that differs from it in Go built,
// vetted and tested, the daemon's lifecycle end to end, go generate end to
// end and the CLI. The integration tier adds the tests that drive the
// systems and toolchains around a generated project: systemd booted in a
// container, systemd-analyze, logrotate, start-stop-daemon, make, the SysV,
// OpenRC and launchd files, staticcheck, the Go release a go.mod names,
// the walk of "go list std" and the other platforms' type checks. It runs
// with DAEMONGEN_INTEGRATION=1, as .ci/run sets, so CI runs every test.

// integrationVar is the environment variable that turns the integration
// tier on.
const integrationVar = "DAEMONGEN_INTEGRATION"

// integration skips the test unless DAEMONGEN_INTEGRATION=1: it belongs to
// the integration tier. Under DAEMONGEN_REQUIRE_TOOLS=1 (CI) without it,
// the test fails instead, so that CI cannot pass by skipping the tier.
func integration(t *testing.T) {
	t.Helper()
	if os.Getenv(integrationVar) == "1" {
		return
	}
	if requireTools() {
		t.Fatalf("an integration test, and DAEMONGEN_REQUIRE_TOOLS=1 without %s=1: set %s=1 to run it", integrationVar, integrationVar)
	}
	t.Skipf("integration test: runs with %s=1 (as .ci/run sets)", integrationVar)
}

// requireTools reports whether a missing program fails a test rather than
// skipping it.
func requireTools() bool { return os.Getenv("DAEMONGEN_REQUIRE_TOOLS") == "1" }
