//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The daemon's own sockets (the control socket, the guard and Listen's)
// are made with the syscall package, not net: importing net links the C
// library's resolver into every binary, which then is neither static nor
// small. Each socket is a non-blocking descriptor in an *os.File, which
// the runtime's poller serves, so reads honour deadlines and Close wakes
// a blocked accept.

// listenBacklog is the queue length asked of listen; the kernel caps it
// at its own limit (net.core.somaxconn on Linux).
const listenBacklog = 4096

// socket returns a new close-on-exec, non-blocking stream socket.
func socket(family int) (int, error) {
	syscall.ForkLock.RLock() // no exec may inherit it before CloseOnExec
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return -1, os.NewSyscallError("setnonblock", err)
	}
	return fd, nil
}

// listenSocket binds a new stream socket of family to sa and listens on
// it. A TCP socket gets SO_REUSEADDR, as net.Listen gives it, and one on
// IPv6's unspecified address also takes IPv4 connections.
func listenSocket(family int, sa syscall.Sockaddr, name string) (*os.File, error) {
	fd, err := socket(family)
	if err != nil {
		return nil, err
	}
	err = nil
	if family != syscall.AF_UNIX {
		err = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	}
	if v6, ok := sa.(*syscall.SockaddrInet6); ok && err == nil && v6.Addr == [16]byte{} {
		err = syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, 0)
	}
	if err != nil {
		err = os.NewSyscallError("setsockopt", err)
	} else if err = syscall.Bind(fd, sa); err != nil {
		err = os.NewSyscallError("bind", err)
	} else if err = syscall.Listen(fd, listenBacklog); err != nil {
		err = os.NewSyscallError("listen", err)
	}
	if err != nil {
		syscall.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}

// accept waits for a connection on the listening socket l and returns it,
// non-blocking, close-on-exec, with deadlines that work. Once l is closed
// it returns an error that wraps os.ErrClosed.
func accept(l *os.File) (*os.File, error) {
	rc, err := l.SyscallConn()
	if err != nil {
		return nil, err
	}
	nfd, aerr := -1, error(nil)
	err = rc.Read(func(fd uintptr) bool {
		syscall.ForkLock.RLock()
		nfd, _, aerr = syscall.Accept(int(fd))
		if aerr == nil {
			syscall.CloseOnExec(nfd)
		}
		syscall.ForkLock.RUnlock()
		return aerr != syscall.EAGAIN
	})
	if err != nil {
		return nil, fmt.Errorf("accept on %s: %w", l.Name(), os.ErrClosed)
	}
	if aerr != nil {
		return nil, os.NewSyscallError("accept", aerr)
	}
	if err := syscall.SetNonblock(nfd, true); err != nil {
		syscall.Close(nfd)
		return nil, os.NewSyscallError("setnonblock", err)
	}
	return os.NewFile(uintptr(nfd), l.Name()), nil
}

// dialUnix connects to the Unix stream socket at path (a leading '@' names
// an abstract one, on Linux) and returns the connection with deadline set
// for every read and write on it.
func dialUnix(path string, deadline time.Time) (*os.File, error) {
	fd, err := socket(syscall.AF_UNIX)
	if err != nil {
		return nil, err
	}
	sa := &syscall.SockaddrUnix{Name: path}
	err = syscall.Connect(fd, sa)
	for err == syscall.EAGAIN && time.Now().Before(deadline) { // a full queue, on Linux
		time.Sleep(time.Millisecond)
		err = syscall.Connect(fd, sa)
	}
	if err != nil { // a Unix socket connects at once, or not at all
		syscall.Close(fd)
		return nil, os.NewSyscallError("connect", err)
	}
	f := os.NewFile(uintptr(fd), path)
	f.SetDeadline(deadline)
	return f, nil
}

// listenAddr listens on addr, the way Listen documents it: a path (starting
// with '/', or '@' for an abstract socket) for a Unix socket, or HOST:PORT
// for TCP, where HOST is empty (every address), localhost, or an IPv4 or
// IPv6 address (in brackets). Names other than localhost are not looked
// up: the daemon does not resolve names.
func listenAddr(addr string) (*os.File, error) {
	if strings.HasPrefix(addr, "/") || strings.HasPrefix(addr, "@") {
		return listenSocket(syscall.AF_UNIX, &syscall.SockaddrUnix{Name: addr}, addr)
	}
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return nil, fmt.Errorf("address %q is neither HOST:PORT nor a socket path", addr)
	}
	host, p := addr[:i], addr[i+1:]
	port, err := strconv.ParseUint(p, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("address %q: port %q is not a number from 0 to 65535", addr, p)
	}
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	switch host {
	case "":
		f, err := listenSocket(syscall.AF_INET6, &syscall.SockaddrInet6{Port: int(port)}, addr)
		if !errors.Is(err, syscall.EAFNOSUPPORT) {
			return f, err
		}
		return listenSocket(syscall.AF_INET, &syscall.SockaddrInet4{Port: int(port)}, addr)
	case "localhost":
		host = "127.0.0.1"
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.Zone() != "" {
		return nil, fmt.Errorf("address %q: host %q is not an IP address (use an IP address, localhost, or an empty host for every address)", addr, host)
	}
	if ip.Is4() {
		return listenSocket(syscall.AF_INET, &syscall.SockaddrInet4{Port: int(port), Addr: ip.As4()}, addr)
	}
	return listenSocket(syscall.AF_INET6, &syscall.SockaddrInet6{Port: int(port), Addr: ip.As16()}, addr)
}
