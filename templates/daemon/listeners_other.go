//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package daemon

import (
	"errors"
	"net"
)

// takeSockets does nothing where no service manager passes sockets.
func takeSockets() {}

func fileListener(int, string) (net.Listener, error) {
	return nil, errors.New("socket activation is not supported here")
}
