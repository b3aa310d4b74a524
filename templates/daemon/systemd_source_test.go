//go:build unix

package daemon

// In-process tests of what the daemon does under systemd: the watchdog,
// the journal's line format and the listeners. The generated project is
// run under a real systemd by daemongen's TestSystemd.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// pings runs a watchdog with check as the health hook, serving, and counts
// its pings for the duration d.
func pings(t *testing.T, check func(context.Context) error, d time.Duration) int {
	t.Helper()
	var mu sync.Mutex
	n := 0
	w := &watchdog{
		every: 10 * time.Millisecond,
		check: check,
		send: func(s string) {
			if s != "WATCHDOG=1" {
				t.Errorf("watchdog sent %q; want WATCHDOG=1", s)
			}
			mu.Lock()
			n++
			mu.Unlock()
		},
		warn:    func(string) {}, // the loop may outlive the test
		serving: func() bool { return true },
		done:    make(chan struct{}),
	}
	go w.loop()
	time.Sleep(d)
	w.stop()
	mu.Lock()
	defer mu.Unlock()
	return n
}

// Checklist 32: the watchdog pings while Healthy passes, and a failing or
// hung Healthy stops the pings (after the one at start).
func TestWatchdogGatedOnHealth(t *testing.T) {
	t.Parallel()
	if n := pings(t, func(context.Context) error { return nil }, 300*time.Millisecond); n < 3 {
		t.Errorf("healthy service: %d pings in 300ms at 10ms; want several", n)
	}
	if n := pings(t, nil, 300*time.Millisecond); n < 3 {
		t.Errorf("service without Healthy: %d pings in 300ms at 10ms; want several", n)
	}
	if n := pings(t, func(context.Context) error { return errors.New("db down") }, 300*time.Millisecond); n != 1 {
		t.Errorf("failing Healthy: %d pings; want only the first, before any check", n)
	}
	hang := make(chan struct{})
	defer close(hang)
	if n := pings(t, func(context.Context) error { <-hang; return nil }, 300*time.Millisecond); n != 1 {
		t.Errorf("hung Healthy: %d pings; want only the first, before any check", n)
	}
	// A Healthy that answers after its deadline counts as failing.
	late := func(ctx context.Context) error { <-ctx.Done(); time.Sleep(time.Millisecond); return nil }
	if n := pings(t, late, 300*time.Millisecond); n != 1 {
		t.Errorf("Healthy answering after its deadline: %d pings; want only the first", n)
	}
}

// Checklist 32: WATCHDOG_USEC is ours only when WATCHDOG_PID is our pid or
// unset, and both leave the environment.
func TestWatchdogInterval(t *testing.T) {
	for _, c := range []struct {
		usec, pid string
		want      time.Duration
	}{
		{"", "", 0},
		{"2000000", "", time.Second * 2},
		{"2000000", strconv.Itoa(os.Getpid()), time.Second * 2},
		{"2000000", "1", 0},
		{"garbage", "", 0},
		{"-5", "", 0},
	} {
		t.Setenv("WATCHDOG_USEC", c.usec)
		t.Setenv("WATCHDOG_PID", c.pid)
		if got := watchdogInterval(); got != c.want {
			t.Errorf("WATCHDOG_USEC=%q WATCHDOG_PID=%q: interval %v; want %v", c.usec, c.pid, got, c.want)
		}
		if _, ok := os.LookupEnv("WATCHDOG_USEC"); ok {
			t.Errorf("WATCHDOG_USEC still set after watchdogInterval")
		}
	}
}

// Checklist 32: under the journal each line starts with its syslog
// priority; elsewhere with the time and the level. slog's top-level
// functions, writing through package log, keep their levels.
func TestLineWriter(t *testing.T) {
	defer SetLogLevel(logLevel.Level())
	defer log.SetOutput(log.Writer())
	defer log.SetFlags(log.Flags())
	SetLogLevel(slog.LevelDebug)
	log.SetFlags(0)
	var buf bytes.Buffer
	log.SetOutput(&lineWriter{w: &buf, journal: true})
	slog.Debug("d")
	slog.Info("i", "k", "v w")
	slog.Warn("w")
	slog.With("a", 1).WithGroup("g").Error("e\nf", "err", errors.New("boom"))
	log.Print("plain")
	log.Printf("%s /x from a client", "ERROR")
	log.Printf("%s /y", "DEBUG")
	log.New(log.Writer(), "x: ", log.Lmsgprefix).Print("ERROR prefixed")
	log.Print("\x1b[2Jcleared\r\x00\ttab")
	want := "<7>d\n<6>i k=\"v w\"\n<4>w\n<3>e\\nf a=1 g.err=boom\n<6>plain\n<6>ERROR /x from a client\n<6>DEBUG /y\n" +
		"<6>x: ERROR prefixed\n<6>\\x1b[2Jcleared\\x0d\\x00\\x09tab\n"
	if buf.String() != want {
		t.Errorf("journal lines:\n%s\nwant:\n%s", buf.String(), want)
	}

	buf.Reset()
	log.SetOutput(&lineWriter{w: &buf})
	SetLogLevel(slog.LevelWarn)
	slog.Info("dropped")
	log.Print("plain dropped")
	log.Print("ERROR a client's word, dropped")
	log.SetPrefix("service: ") // slog's lines are then INFO, but still kept
	slog.Warn("kept")
	log.SetPrefix("")
	slog.Error("failed", "n", 3)
	if got := buf.String(); !strings.Contains(got, " INFO service: WARN kept\n") || !strings.HasSuffix(got, " ERROR failed n=3\n") ||
		strings.Contains(got, "dropped") || !strings.HasPrefix(got, time.Now().Format("2006-01-02T")) || strings.Count(got, "\n") != 2 {
		t.Errorf("text lines at level warn: %q; want the two slog lines, timestamped", got)
	}

	// Only slog's default handler gives a line its level: not a handler of
	// the service's, nor a value's String method, calling log.Printf. The
	// default handler with attributes is still slog's own: debug works.
	buf.Reset()
	SetLogLevel(slog.LevelInfo)
	slog.New(printfHandler{}).Info("ERROR forged")
	slog.Info("value", "v", printfStringer{})
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.Default().With("svc", "x"))
	SetLogLevel(slog.LevelDebug)
	slog.Debug("with attrs")
	for _, want := range []string{" INFO ERROR forged\n", " INFO ERROR from String\n", " INFO value v=s\n", " DEBUG with attrs svc=x\n"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("lines %q; want one ending %q", buf.String(), want)
		}
	}

	// A service that installs its own slog handler gets package log's lines
	// at INFO whatever level the daemon is at.
	var mine bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&mine, &slog.HandlerOptions{Level: slog.LevelDebug})))
	for _, l := range []slog.Level{slog.LevelDebug, slog.LevelError} {
		SetLogLevel(l)
		log.Print("plain")
	}
	if got := mine.String(); strings.Count(got, "level=INFO msg=plain") != 2 {
		t.Errorf("log.Print into the service's own handler, the daemon at debug then error: %q; want two INFO lines", got)
	}
}

// A printfHandler is a service's slog handler that writes with log.Printf.
type printfHandler struct{}

func (printfHandler) Enabled(context.Context, slog.Level) bool      { return true }
func (printfHandler) Handle(_ context.Context, r slog.Record) error { log.Print(r.Message); return nil }
func (h printfHandler) WithAttrs([]slog.Attr) slog.Handler          { return h }
func (h printfHandler) WithGroup(string) slog.Handler               { return h }

// A printfStringer logs while slog formats it.
type printfStringer struct{}

func (printfStringer) String() string { log.Print("ERROR from String"); return "s" }

// Checklist 32: stderr is the journal only when $JOURNAL_STREAM names it.
func TestJournalStream(t *testing.T) {
	var st syscall.Stat_t
	if err := syscall.Fstat(2, &st); err != nil {
		t.Fatal(err)
	}
	t.Setenv("JOURNAL_STREAM", fmt.Sprintf("%d:%d", st.Dev, st.Ino))
	if !journalStream() {
		t.Errorf("JOURNAL_STREAM naming stderr: journalStream() = false")
	}
	t.Setenv("JOURNAL_STREAM", fmt.Sprintf("%d:%d", st.Dev, st.Ino+1))
	if journalStream() {
		t.Errorf("JOURNAL_STREAM naming another file: journalStream() = true")
	}
}

// Checklist 32: without socket activation, Listen listens itself, with
// the syscall package: each address form gives a socket that net can use
// and that a client reaches.
func TestListenItself(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s")
	for _, tt := range []struct{ addr, network, want string }{
		{"127.0.0.1:0", "tcp", "127.0.0.1:"},
		{"localhost:0", "tcp", "127.0.0.1:"},
		{":0", "tcp", "[::]:"},
		{"[::1]:0", "tcp", "[::1]:"},
		{sock, "unix", sock},
	} {
		f, err := Listen("http", tt.addr)
		if err != nil {
			if strings.Contains(tt.addr, "::") && errors.Is(err, syscall.EADDRNOTAVAIL) {
				continue // no IPv6 here
			}
			t.Errorf("Listen(http, %q) = %v", tt.addr, err)
			continue
		}
		ln, err := net.FileListener(f)
		f.Close()
		if err != nil {
			t.Fatalf("net.FileListener of Listen(http, %q): %v", tt.addr, err)
		}
		got := ln.Addr().String()
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("Listen(http, %q) listens on %s; want %s...", tt.addr, got, tt.want)
		}
		dial := got
		if tt.network == "tcp" {
			dial = "127.0.0.1" + got[strings.LastIndexByte(got, ':'):]
			if strings.HasPrefix(tt.addr, "[::1]") {
				dial = got
			}
		}
		go func() {
			if c, err := ln.Accept(); err == nil {
				c.Write([]byte("hi"))
				c.Close()
			}
		}()
		c, err := net.Dial(tt.network, dial)
		if err != nil {
			t.Errorf("dial %s, listened on by Listen(http, %q): %v", dial, tt.addr, err)
		} else {
			b, _ := io.ReadAll(c)
			c.Close()
			if string(b) != "hi" {
				t.Errorf("read %q from Listen(http, %q)'s socket; want hi", b, tt.addr)
			}
		}
		ln.Close()
	}
	for _, addr := range []string{"256.0.0.1:1", "example.com:80", "127.0.0.1:http", "127.0.0.1:70000", "8080", "[fe80::1%lo]:0"} {
		if f, err := Listen("http", addr); err == nil || !strings.Contains(err.Error(), "listen for http") {
			f.Close()
			t.Errorf("Listen(http, %q) = %v; want an error naming the listener", addr, err)
		}
	}
}

// Checklist 32: SetStatus composes the service's line with the daemon's
// state, on one line.
func TestStatusLine(t *testing.T) {
	status.Lock()
	status.state = "serving"
	status.Unlock()
	SetStatus("42 clients\nok")
	status.Lock()
	got := statusLine()
	status.state, status.service = "", ""
	status.Unlock()
	if got != "serving: 42 clients ok" {
		t.Errorf("status line %q; want %q", got, "serving: 42 clients ok")
	}
}

// Checklist 32: $NAME_LOG_FORMAT=json writes JSON lines, $NAME_LOG_LEVEL
// sets the level, and package log's lines go the same way, at info.
func TestSetupLoggingJSON(t *testing.T) {
	out, err := os.Create(t.TempDir() + "/stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	stderr, flags, level := os.Stderr, log.Flags(), logLevel.Level()
	os.Stderr = out
	defer func() {
		os.Stderr = stderr
		log.SetOutput(os.Stderr)
		log.SetFlags(flags)
		SetLogLevel(level)
	}()
	t.Setenv("JOURNAL_STREAM", "")
	t.Setenv("X_LOG_FORMAT", "json")
	t.Setenv("X_LOG_LEVEL", "warn")
	p := &Program{Name: "x"}
	logger := p.setupLogging()
	slog.Info("dropped")
	log.Print("plain dropped")
	slog.Warn("kept", "n", 1)
	SetLogLevel(slog.LevelDebug)
	slog.Debug("debug \"quoted\"\t\x01\x7f\u009b\xff")
	log.Print("plain kept")
	logger.Print("own line")
	data, _ := os.ReadFile(out.Name())
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	want := [][2]string{{"WARN", "kept n=1"}, {"DEBUG", "debug \"quoted\"\t\x01\x7f\u009b\uFFFD"}, {"INFO", "plain kept"}, {"INFO", "x: own line"}}
	if len(lines) != len(want) {
		t.Fatalf("JSON log at warn, then debug:\n%s\nwant %d lines", data, len(want))
	}
	for i, w := range want {
		var v struct{ Time, Level, Msg string }
		err := json.Unmarshal([]byte(lines[i]), &v)
		if _, terr := time.Parse(time.RFC3339Nano, v.Time); err != nil || terr != nil || v.Level != w[0] || v.Msg != w[1] {
			t.Errorf("line %d = %s (%v); want a time, level %s and msg %q", i+1, lines[i], err, w[0], w[1])
		}
	}

	// An invalid level is warned of in the log's own format.
	t.Setenv("X_LOG_LEVEL", "bogus")
	out.Truncate(0)
	out.Seek(0, 0)
	p.setupLogging()
	data, _ = os.ReadFile(out.Name())
	var v struct{ Level, Msg string }
	if err := json.Unmarshal(data, &v); err != nil || v.Level != "WARN" || !strings.Contains(v.Msg, `invalid X_LOG_LEVEL "bogus"`) {
		t.Errorf("X_LOG_LEVEL=bogus with JSON: %s (%v); want a JSON WARN line", data, err)
	}
}
