//go:build !linux

package daemon

import "io"

// holdGuard does nothing where there are no abstract Unix sockets: see
// doc.go for the window in which two daemons can run for one pidfile path.
func holdGuard(path string) (io.Closer, error) { return nil, nil }
