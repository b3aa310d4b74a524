//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package daemon

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The control socket, its protocol and who may connect: see the package
// doc, # Reload and its answer. The daemon makes it once it holds the
// pidfile's lock, so any socket already there is a dead daemon's.
const ctlSuffix = ".ctl"

// maxSocketPath is the longest socket path every supported system accepts
// (sockaddr_un holds 104 bytes on macOS and the BSDs, with the final NUL).
const maxSocketPath = 103

// requestWait bounds how long the daemon waits for a client's request line.
const requestWait = 5 * time.Second

// maxRequest bounds a request line, so that no client makes the daemon
// read (and hold) more: the longest request, "reload" and a limit, is far
// shorter.
const maxRequest = 64

// controlPath is the control socket's path for a pidfile.
func controlPath(pidfile string) string { return pidfile + ctlSuffix }

// A controlServer accepts reload requests and hands them to the server's
// loop.
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
		if fi.Mode().Type() != os.ModeSocket {
			return nil, fmt.Errorf("control socket %s: %s is in the way (remove it or choose another --pidfile)", path, kindOf(fi.Mode()))
		}
		os.Remove(path) // a dead daemon's: we hold the pidfile's lock
	}
	// The socket file is made with the umask's permissions: 0600 from the
	// start, not after a chmod. Nothing else runs yet in this process.
	old := syscall.Umask(0o177)
	l, err := listenSocket(syscall.AF_UNIX, &syscall.SockaddrUnix{Name: path}, path)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w (choose a writable --pidfile directory)", path, err)
	}
	c := &controlServer{l: l, path: path, requests: make(chan request), accepting: make(chan struct{}), closed: make(chan struct{})}
	go c.accept()
	return c, nil
}

// close stops accepting, answers requests the loop did not take with
// errStopping, waits (up to closeWait) until every answer is written, and
// if unlink removes the socket. The loop has answered every request it
// took before close is called.
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
	defer conn.Close()
	if err := peerAllowed(conn); err != nil {
		fmt.Fprintf(conn, "error %s\n", oneLine(err))
		return
	}
	conn.SetReadDeadline(time.Now().Add(requestWait))
	line, err := bufio.NewReader(io.LimitReader(conn, maxRequest)).ReadString('\n')
	if err != nil {
		return // no line, or one longer than any request
	}
	req := request{reply: make(chan error, 1)}
	line = strings.TrimSpace(line)
	if ms, ok := strings.CutPrefix(line, "reload "); ok {
		n, err := strconv.ParseInt(ms, 10, 64)
		if err != nil || n <= 0 {
			fmt.Fprintf(conn, "error bad limit in request %q\n", line)
			return
		}
		req.limit, line = time.Duration(n)*time.Millisecond, "reload"
	}
	if line != "reload" && line != "reopen" {
		fmt.Fprintf(conn, "error unknown request %q\n", line)
		return
	}
	req.reopen = line == "reopen"
	select {
	case c.requests <- req:
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

// requestControl asks the daemon behind pidfile's control socket to
// reload or reopen its log (verb) and waits, until deadline, for the
// result. A nil error means it succeeded; otherwise it is the error the
// daemon reported (Reload's, or why it kept its old log), or why no answer
// came. With starting, the daemon holds its pidfile but may not have made
// its socket yet: a missing socket is tried again until deadline.
func requestControl(pidfile, verb string, starting bool, deadline time.Time) error {
	path := controlPath(pidfile)
	conn, err := dialUnix(path, deadline)
	for starting && err != nil && (errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED)) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		conn, err = dialUnix(path, deadline)
	}
	if err != nil {
		return fmt.Errorf("connect to control socket %s: %w (restart the daemon if its socket was removed)", path, err)
	}
	defer conn.Close()
	msg := verb
	if verb == "reload" {
		msg = fmt.Sprintf("reload %d", max(time.Until(deadline).Milliseconds(), 1))
	}
	if _, err := fmt.Fprintln(conn, msg); err != nil {
		return fmt.Errorf("send to control socket %s: %w", path, err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("no answer before --timeout; the %s may still be running (see the log)", verb)
	case err != nil:
		return errors.New("the daemon closed the control socket without an answer (did it crash? see the log)")
	}
	line = strings.TrimSuffix(line, "\n")
	if msg, ok := strings.CutPrefix(line, "error "); ok {
		return errors.New(msg)
	}
	if line != "ok" {
		return fmt.Errorf("unexpected answer %q on control socket %s", line, path)
	}
	return nil
}
