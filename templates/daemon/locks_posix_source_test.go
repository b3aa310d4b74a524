//go:build linux && daemongen_posixlocks

package daemon

// posixLocksOnly says which lock code path this test binary has: true, the
// POSIX record locks of lock_posix.go (the macOS and BSD path), built on
// Linux with -tags daemongen_posixlocks. flock(1) takes a lock that this
// path does not see at all.
const posixLocksOnly = true
