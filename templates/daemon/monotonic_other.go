//go:build !linux

package daemon

// monotonicUsec is unknown off Linux, where no systemd runs: the reload
// announcement goes without MONOTONIC_USEC=.
func monotonicUsec() (int64, bool) { return 0, false }
