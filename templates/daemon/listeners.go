package daemon

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
)

// An inherited listening socket, passed by the service manager.
type inherited struct {
	name string // from $LISTEN_FDNAMES; "" if it gave none
	fd   int
	used bool
}

// sockets are the sockets the service manager passed, taken once, by
// takeSockets, as the service starts.
var sockets struct {
	sync.Mutex
	once sync.Once
	fds  []*inherited
}

// Listen returns the stream listener the service calls name, such as
// "http". Under socket activation (systemd's NAME.socket units, or
// systemd-socket-activate) it is the socket the manager passed under that
// name (FileDescriptorName=, --fdname), already listening, and connections
// that queued on it before the service started are there to accept; if the
// manager passed exactly one socket, that socket serves any name. Otherwise
// Listen listens itself on addr: "host:port" for TCP, or a path (starting
// with '/' or '@') for a Unix socket. So the service works the same under
// systemd, started by the start command, in run mode and as process 1.
//
// Each socket the manager passed is handed out once; a second Listen for
// the same name listens on addr. The caller closes the listener.
func Listen(name, addr string) (net.Listener, error) {
	if ln, err := activatedListener(name); ln != nil || err != nil {
		return ln, err
	}
	network := "tcp"
	if strings.HasPrefix(addr, "/") || strings.HasPrefix(addr, "@") {
		network = "unix"
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		return nil, fmt.Errorf("listen for %s: %w", name, err)
	}
	return ln, nil
}

// activatedListener returns the socket passed for name, nil if there is
// none.
func activatedListener(name string) (net.Listener, error) {
	takeSockets()
	sockets.Lock()
	defer sockets.Unlock()
	i := slices.IndexFunc(sockets.fds, func(s *inherited) bool { return s.name == name && !s.used })
	if i < 0 && len(sockets.fds) == 1 && !sockets.fds[0].used {
		i = 0
	}
	if i < 0 {
		return nil, nil
	}
	pick := sockets.fds[i]
	pick.used = true
	ln, err := fileListener(pick.fd, name)
	if err != nil {
		return nil, fmt.Errorf("use socket %d passed by the service manager for %s: %w", pick.fd, name, err)
	}
	return ln, nil
}
