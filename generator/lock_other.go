//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package generator

import "context"

// LockProject is a no-op where flock(2) is not at hand: two runs of update
// at once there are the owner's to avoid.
func LockProject(context.Context, string, func()) (func(), error) { return func() {}, nil }
