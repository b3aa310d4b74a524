//go:build linux && !daemongen_posixlocks

package daemon

// posixLocksOnly says which lock code path this test binary has: false, the
// flock of lock_flock.go. flock(1) then takes the daemon's kind of lock.
const posixLocksOnly = false
