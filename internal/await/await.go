// Package await is how daemongen's tests wait: for an event, by polling a
// condition, never for a fixed time.
package await

import (
	"testing"
	"time"
)

// For polls cond every 5 ms until it holds, and fails t, naming what it
// waited for, after 10 seconds.
func For(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
