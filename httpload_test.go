package main

// An HTTP load for the restarts of the --socket example (issue 21 item 13):
// TestHTTPRestartUnderLoad runs it in this process, TestSystemd's
// "socket under load" as this test binary in a container (TestMain, with
// $DAEMONGEN_TEST_HTTPLOAD). It counts outcomes, not time.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// An httpLoad sends GET / to addr from its clients until stopped: the
// even ones open a new connection per request, the odd ones keep theirs
// alive. A request on a kept-alive connection that the server closed
// before answering is tried once more on a new connection, as HTTP
// clients do.
type httpLoad struct {
	addr string
	stop atomic.Bool
	wg   sync.WaitGroup

	ok, retried atomic.Int64
	refused     atomic.Int64 // connect failed
	reset       atomic.Int64 // a new connection reset before any answer: while queued, if the listener closed
	mu          sync.Mutex
	failed      map[string]int // a request left unanswered otherwise, by how
}

// startHTTPLoad starts clients against addr.
func startHTTPLoad(addr string, clients int) *httpLoad {
	l := &httpLoad{addr: addr, failed: map[string]int{}}
	for i := range clients {
		l.wg.Add(1)
		go l.client(i%2 == 1)
	}
	return l
}

// halt stops the clients and waits for them.
func (l *httpLoad) halt() {
	l.stop.Store(true)
	l.wg.Wait()
}

// failures is the number of requests counted in failed.
func (l *httpLoad) failures() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failuresLocked()
}

// String sums the outcomes up, one "key=value" per word.
func (l *httpLoad) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var how []string
	for k, n := range l.failed {
		how = append(how, fmt.Sprintf("%d %s", n, k))
	}
	sort.Strings(how)
	return fmt.Sprintf("ok=%d retried=%d refused=%d reset=%d failed=%d (%s)", l.ok.Load(), l.retried.Load(),
		l.refused.Load(), l.reset.Load(), l.failuresLocked(), strings.Join(how, ", "))
}

func (l *httpLoad) failuresLocked() int {
	n := 0
	for _, c := range l.failed {
		n += c
	}
	return n
}

// client sends requests until the load stops.
func (l *httpLoad) client(keepAlive bool) {
	defer l.wg.Done()
	var c *loadConn
	for !l.stop.Load() {
		if c == nil {
			if c = l.dial(); c == nil {
				continue
			}
		}
		err := c.get(keepAlive)
		switch {
		case err == nil && keepAlive && !c.closing:
			l.ok.Add(1)
			continue // the next request on the same connection
		case err == nil:
			l.ok.Add(1)
		case c.answered == 0 && c.got == 0:
			l.unanswered(err) // the first request on a new connection
		case c.got == 0: // kept alive, closed by the server: once more
			l.retried.Add(1)
			c.Close()
			if c = l.dial(); c != nil {
				if err := c.get(false); err == nil {
					l.ok.Add(1)
				} else if c.got == 0 {
					l.unanswered(err)
				} else {
					l.fail("retry: partial answer: " + errorKind(err))
				}
			}
		default:
			l.fail("partial answer: " + errorKind(err))
		}
		if c != nil {
			c.Close()
			c = nil
		}
	}
	if c != nil {
		c.Close()
	}
}

// dial opens a new connection; nil, counted as refused, if it fails.
func (l *httpLoad) dial() *loadConn {
	conn, err := net.Dial("tcp", l.addr)
	if err != nil {
		l.refused.Add(1)
		time.Sleep(time.Millisecond) // not a busy loop while nothing listens
		return nil
	}
	c := &loadConn{Conn: conn}
	c.r = bufio.NewReader(readCounter{c})
	return c
}

// unanswered counts a request on a new connection that got no answer: a
// reset (what a connection still queued gets when its listener closes) or
// a failure (an end of file: the server accepted it and closed it).
func (l *httpLoad) unanswered(err error) {
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		l.reset.Add(1)
		return
	}
	l.fail("unanswered on a new connection: " + errorKind(err))
}

func (l *httpLoad) fail(how string) {
	l.mu.Lock()
	l.failed[how]++
	l.mu.Unlock()
}

// errorKind names err without its addresses.
func errorKind(err error) string {
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Op + ": " + op.Err.Error()
	}
	return err.Error()
}

// A loadConn is one client connection.
type loadConn struct {
	net.Conn
	r        *bufio.Reader
	answered int  // complete answers on it
	got      int  // bytes of the current answer
	closing  bool // the last answer said "Connection: close"
}

type readCounter struct{ c *loadConn }

func (rc readCounter) Read(p []byte) (int, error) {
	n, err := rc.c.Conn.Read(p)
	rc.c.got += n
	return n, err
}

// get sends GET / (with "Connection: close" unless keepAlive) and reads the
// whole answer, which must be the example's greeting.
func (c *loadConn) get(keepAlive bool) error {
	c.got = 0
	req := "GET / HTTP/1.1\r\nHost: mysvc\r\n\r\n"
	if !keepAlive {
		req = "GET / HTTP/1.1\r\nHost: mysvc\r\nConnection: close\r\n\r\n"
	}
	c.SetDeadline(time.Now().Add(30 * time.Second)) // a hung server fails the request, not the test run
	if _, err := io.WriteString(c, req); err != nil {
		return err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if !strings.HasPrefix(string(body), "hello from mysvc") {
		return fmt.Errorf("answer %q, not the greeting", body)
	}
	c.answered++
	c.closing = resp.Close
	return nil
}

// httpLoadMain is the test binary as a load client (TestMain, with
// $DAEMONGEN_TEST_HTTPLOAD=ADDR and $DAEMONGEN_TEST_HTTPLOAD_CLIENTS): it
// prints "ready" once a request was answered, runs until SIGTERM and
// prints its counts as the FACT lines of the scripts in systemd_linux_test.go.
func httpLoadMain(addr string) int {
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	clients, _ := strconv.Atoi(os.Getenv("DAEMONGEN_TEST_HTTPLOAD_CLIENTS"))
	l := startHTTPLoad(addr, max(clients, 2))
	for l.ok.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	fmt.Println("ready")
	<-term
	l.halt()
	fmt.Printf("FACT load_ok=%d\nFACT load_retried=%d\nFACT load_refused=%d\nFACT load_reset=%d\nFACT load_failed=%d\nFACT load=%s\n",
		l.ok.Load(), l.retried.Load(), l.refused.Load(), l.reset.Load(), l.failures(), l)
	return 0
}
