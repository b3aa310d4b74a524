//go:build unix && !aix && !solaris

package daemon

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The daemon's own sockets are made with syscall, not net, which would link
// the C library's resolver: non-blocking descriptors in *os.Files, which
// the runtime's poller serves, so deadlines work and Close wakes an accept.

// listenBacklog is asked of listen; the kernel caps it (net.core.somaxconn).
const listenBacklog = 4096

// cloexec runs open, which makes a descriptor, under ForkLock and marks
// the descriptor close-on-exec: no exec inherits it meanwhile.
func cloexec(open func() (int, error)) (int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	fd, err := open()
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	return fd, err
}

// socket returns a new close-on-exec, non-blocking stream socket.
func socket(family int) (int, error) {
	fd, err := cloexec(func() (int, error) { return syscall.Socket(family, syscall.SOCK_STREAM, 0) })
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return -1, os.NewSyscallError("setnonblock", err)
	}
	return fd, nil
}

// listenSocket binds a new stream socket of family to sa and listens, with
// net.Listen's SO_REUSEADDR for TCP, and IPv4 too on IPv6's "::".
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

// accept returns the next connection on l, non-blocking and close-on-exec;
// once l is closed, an error that wraps os.ErrClosed.
func accept(l *os.File) (*os.File, error) {
	rc, err := l.SyscallConn()
	if err != nil {
		return nil, err
	}
	nfd, aerr := -1, error(nil)
	err = rc.Read(func(fd uintptr) bool {
		nfd, aerr = cloexec(func() (int, error) { n, _, err := syscall.Accept(int(fd)); return n, err })
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

// dialUnix connects to the Unix stream socket at path ('@' abstract), with
// deadline set for every read and write.
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

// listenAddr listens on addr as Listen documents it; it looks up no names.
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

// The control socket, the pidfile's path with ctlSuffix, mode 0600, its
// peer's uid checked where the kernel tells it: a client sends "reload MS",
// "upgrade MS MS" or a control's name, and reads "ok" or "error MESSAGE".

// maxSocketPath is the longest socket path every supported system takes.
const maxSocketPath = 103

// requestWait bounds how long the daemon waits for a client's request line.
const requestWait = 5 * time.Second

// maxRequest bounds a request line, far longer than any request.
const maxRequest = 64

// controlPath is the control socket's path for a pidfile.
func controlPath(pidfile string) string { return pidfile + ctlSuffix }

// A controlServer accepts requests and hands them to the server's loop.
type controlServer struct {
	l         *os.File // listening
	path      string
	requests  chan request
	accepting chan struct{} // closed when accept has returned
	closed    chan struct{} // closed by close
	handlers  sync.WaitGroup
}

// closeWait bounds how long close waits for answers still being written.
const closeWait = time.Second

// listenControl creates the control socket for pidfile and starts
// accepting. The caller holds the pidfile's lock.
func listenControl(pidfile string) (*controlServer, error) {
	path := controlPath(pidfile)
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("control socket %s: path longer than %d bytes (choose a shorter --pidfile)", path, maxSocketPath)
	}
	if fi, err := os.Lstat(path); err == nil {
		if st := fi.Sys().(*syscall.Stat_t); fi.Mode().Type() != os.ModeSocket && (int(st.Uid) == os.Geteuid() || !sharedDir(path)) {
			return nil, fmt.Errorf("control socket %s: %s is in the way (remove it or choose another --pidfile)", path, kindOf(fi.Mode()))
		}
		os.Remove(path) // a dead daemon's, or another user's in a shared directory: we hold the pidfile's lock
	}
	// 0600 from the start; nothing else runs yet in this process.
	old := syscall.Umask(0o177)
	l, err := listenSocket(syscall.AF_UNIX, &syscall.SockaddrUnix{Name: path}, path)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w (choose a writable --pidfile directory)", path, err)
	}
	return serveControl(l, path), nil
}

// serveControl starts accepting on the control socket l at path: one it
// made, or one an upgrade handed over.
func serveControl(l *os.File, path string) *controlServer {
	c := &controlServer{l: l, path: path, requests: make(chan request), accepting: make(chan struct{}), closed: make(chan struct{})}
	go c.accept()
	return c
}

// close stops accepting, answers requests the loop did not take with
// errStopping, waits up to closeWait for every answer to be written, and
// if unlink removes the socket.
func (c *controlServer) close(unlink bool) {
	if c == nil {
		return
	}
	c.l.Close()
	<-c.accepting
	close(c.closed)
	written := make(chan struct{})
	go func() { c.handlers.Wait(); close(written) }()
	select {
	case <-written:
	case <-time.After(closeWait):
	}
	if unlink {
		os.Remove(c.path)
	}
}

func (c *controlServer) accept() {
	defer close(c.accepting)
	for {
		conn, err := accept(c.l)
		if errors.Is(err, os.ErrClosed) {
			return
		}
		if err != nil {
			time.Sleep(10 * time.Millisecond) // out of descriptors, say
			continue
		}
		c.handlers.Add(1)
		go func() {
			defer c.handlers.Done()
			c.handle(conn)
		}()
	}
}

// handle answers one connection.
func (c *controlServer) handle(conn *os.File) {
	owned := false // an upgrade keeps the connection, see upgrade_unix.go
	defer func() {
		if !owned {
			conn.Close()
		}
	}()
	if err := peerAllowed(conn); err != nil {
		fmt.Fprintf(conn, "error %s\n", oneLine(err))
		return
	}
	conn.SetReadDeadline(time.Now().Add(requestWait))
	line, err := bufio.NewReader(io.LimitReader(conn, maxRequest)).ReadString('\n')
	if err != nil {
		return // no line, or one longer than any request
	}
	// "reload MS", "upgrade MS MS" or a control's name.
	f := append(strings.Fields(line), "", "", "")
	ms := func(s string) time.Duration { // at most ten years, for the bound's arithmetic
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return 0
		}
		return time.Duration(min(n, int64(10*365*24*time.Hour/time.Millisecond))) * time.Millisecond
	}
	req := request{verb: f[0], reply: make(chan error, 1), limit: ms(f[1]), drain: ms(f[2])}
	_, isControl := findControl(f[0])
	switch args := len(f) - 3; {
	case f[0] == "reload" && args == 2 && req.limit > 0, isControl && args == 1:
	case f[0] == "upgrade" && args == 3 && req.limit > 0 && req.drain > 0:
		req.conn = conn
	default:
		fmt.Fprintf(conn, "error unknown request %q\n", strings.TrimSpace(line))
		return
	}
	select {
	case c.requests <- req:
		if owned = req.conn != nil; owned {
			return
		}
		err = <-req.reply
	case <-c.closed:
		err = errStopping
	}
	if err != nil {
		fmt.Fprintf(conn, "error %s\n", oneLine(err))
		return
	}
	fmt.Fprintln(conn, "ok")
}

// requestControl sends msg to the daemon behind pidfile's control socket
// and returns its answer, the lines it writes until it closes the
// connection, before deadline; an answer "error MESSAGE" is an error. With
// starting, a socket not there yet is tried again until deadline.
func requestControl(pidfile, msg string, starting bool, deadline time.Time) ([]string, error) {
	path := controlPath(pidfile)
	conn, err := dialUnix(path, deadline)
	for starting && err != nil && (errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED)) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		conn, err = dialUnix(path, deadline)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to control socket %s: %w (restart the daemon if its socket was removed)", path, err)
	}
	defer conn.Close()
	if _, err := fmt.Fprintln(conn, msg); err != nil {
		return nil, fmt.Errorf("send to control socket %s: %w", path, err)
	}
	data, err := io.ReadAll(conn)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, errors.New("no answer before --timeout; it may still be under way (see the log)")
	case len(data) == 0:
		return nil, errors.New("the daemon closed the control socket without an answer (did it crash? see the log)")
	}
	if m, ok := strings.CutPrefix(lines[0], "error "); ok {
		return nil, errors.New(m)
	}
	return lines, nil
}

// send sends msg, with fds, to the manager at $NOTIFY_SOCKET, if set; a
// manager that cannot be told is no reason to stop serving.
func send(msg string, fds ...int) {
	addr := os.Getenv("NOTIFY_SOCKET")
	if addr == "" || (addr[0] != '/' && addr[0] != '@') {
		return
	}
	fd, err := cloexec(func() (int, error) { return syscall.Socket(syscall.AF_UNIX, syscall.SOCK_DGRAM, 0) })
	if err != nil {
		return
	}
	defer syscall.Close(fd)
	// A leading '@' names an abstract socket; syscall maps it to NUL.
	var rights []byte
	if len(fds) > 0 {
		rights = syscall.UnixRights(fds...)
	}
	syscall.Sendmsg(fd, []byte(msg), rights, &syscall.SockaddrUnix{Name: addr}, 0)
}

// socketPair returns a connected pair of stream sockets, close-on-exec:
// ours non-blocking in an *os.File, theirs a bare descriptor.
func socketPair() (*os.File, int, error) {
	syscall.ForkLock.RLock()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fds[0])
		syscall.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, -1, os.NewSyscallError("socketpair", err)
	}
	syscall.SetNonblock(fds[0], true)
	return os.NewFile(uintptr(fds[0]), "handover"), fds[1], nil
}

// rawFD returns f's descriptor without setting it blocking, as Fd does.
func rawFD(f *os.File) uintptr {
	var fd uintptr
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(d uintptr) { fd = d })
	}
	return fd
}

// dupFD returns a close-on-exec copy of fd, or -1.
func dupFD(fd int) int {
	nfd, err := cloexec(func() (int, error) { return syscall.Dup(fd) })
	if err != nil {
		return -1
	}
	return nfd
}

// keepSockets(true) takes the manager's sockets and has Listen keep copies
// for an upgrade; (false), as the daemon stops, closes them: refused, not queued.
func keepSockets(keep bool) {
	takeSockets()
	sockets.Lock()
	defer sockets.Unlock()
	for _, s := range sockets.fds {
		if !keep && s.fd >= 0 {
			syscall.Close(s.fd)
			s.fd = -1
		}
	}
	sockets.keep = keep
}

// listenFDsStart is the first descriptor of socket activation (SD_LISTEN_FDS_START).
const listenFDsStart = 3

// takeSockets takes, once, the sockets the manager passed if $LISTEN_PID is
// this process ($LISTEN_FDS from descriptor 3, named by $LISTEN_FDNAMES),
// close-on-exec, and unsets the variables, for no child to take them.
func takeSockets() {
	sockets.once.Do(func() {
		pid, n, names := os.Getenv("LISTEN_PID"), os.Getenv("LISTEN_FDS"), os.Getenv("LISTEN_FDNAMES")
		os.Unsetenv("LISTEN_PID")
		os.Unsetenv("LISTEN_FDS")
		os.Unsetenv("LISTEN_FDNAMES")
		count, err := strconv.Atoi(n)
		if pid != strconv.Itoa(os.Getpid()) || err != nil || count <= 0 {
			return
		}
		split := strings.Split(names, ":")
		for i := 0; i < count; i++ {
			fd := listenFDsStart + i
			syscall.CloseOnExec(fd)
			s := &inherited{fd: fd}
			if i < len(split) {
				s.name = split[i]
			}
			sockets.fds = append(sockets.fds, s)
		}
	})
}

// journalStream reports whether stderr is still the journal's stream,
// whose "DEV:INO" is $JOURNAL_STREAM.
func journalStream() bool {
	v := os.Getenv("JOURNAL_STREAM")
	if v == "" {
		return false
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(2, &st); err != nil {
		return false
	}
	return v == fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}
