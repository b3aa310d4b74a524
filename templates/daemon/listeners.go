package daemon

import (
	"fmt"
	"os"
	"slices"
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

// Listen returns the listening stream socket the service calls name, such
// as "http", as a file: the service makes its listener of it with
// net.FileListener (which takes a descriptor of its own) and then closes
// the file. Under socket activation (systemd's NAME.socket units, or
// systemd-socket-activate) it is the socket the manager passed under that
// name (FileDescriptorName=, --fdname), already listening, and connections
// that queued on it before the service started are there to accept; if the
// manager passed exactly one socket, that socket serves any name. Otherwise
// Listen listens itself on addr: a path (starting with '/', or '@' for an
// abstract socket on Linux) for a Unix socket, or HOST:PORT for TCP, where
// HOST is empty (every address), localhost, or an IP address (IPv6 in
// brackets); other host names are refused, as the daemon looks up no
// names. So the service works the same under systemd, started by the start
// command, in run mode and as process 1.
//
// Listen returns a file, not a net.Listener, so that the daemon package
// does not import net: a service without sockets stays a static binary.
// Each socket the manager passed is handed out once; a second Listen for
// the same name listens on addr.
func Listen(name, addr string) (*os.File, error) {
	if f := activatedListener(name); f != nil {
		return f, nil
	}
	f, err := listenAddr(addr)
	if err != nil {
		return nil, fmt.Errorf("listen for %s: %w", name, err)
	}
	return f, nil
}

// activatedListener returns the socket passed for name, nil if there is
// none.
func activatedListener(name string) *os.File {
	takeSockets()
	sockets.Lock()
	defer sockets.Unlock()
	i := slices.IndexFunc(sockets.fds, func(s *inherited) bool { return s.name == name && !s.used })
	if i < 0 && len(sockets.fds) == 1 && !sockets.fds[0].used {
		i = 0
	}
	if i < 0 {
		return nil
	}
	pick := sockets.fds[i]
	pick.used = true
	return os.NewFile(uintptr(pick.fd), name)
}
