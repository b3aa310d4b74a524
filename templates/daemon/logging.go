package daemon

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// logLevel is the level below which the default slog logger drops records.
var logLevel slog.LevelVar

// SetLogLevel changes the level below which log records are dropped, for
// example from a Reload that has read a new configuration. The daemon
// starts at the level in $NAME_LOG_LEVEL (debug, info, warn or error, or a
// number such as info+2 that slog.Level reads; default info). Plain
// log.Printf lines count as info.
func SetLogLevel(l slog.Level) { logLevel.Set(l) }

// setupLogging makes slog's default logger, and so package log's, write to
// stderr, and returns the logger for the daemon's own messages, prefixed
// with the program's name. To the journal ($JOURNAL_STREAM is our stderr)
// each line starts with its syslog priority ("<3>" for errors, for
// journalctl -p err); elsewhere with the time and the level
// ("2006-01-02T15:04:05.000Z07:00 INFO message key=value"), or it is JSON
// with $NAME_LOG_FORMAT=json. An unknown level or format is reported.
func (p *Program) setupLogging() *log.Logger {
	prefix := envPrefix(p.Name)
	var h slog.Handler
	if v := os.Getenv(prefix + "_LOG_LEVEL"); v != "" {
		var l slog.Level
		if err := l.UnmarshalText([]byte(v)); err != nil {
			fmt.Fprintf(os.Stderr, "%s: invalid %s_LOG_LEVEL %q (use debug, info, warn or error); logging at info\n", p.Name, prefix, v)
		} else {
			logLevel.Set(l)
		}
	}
	switch format := os.Getenv(prefix + "_LOG_FORMAT"); {
	case journalStream():
		h = &lineHandler{w: os.Stderr, journal: true, mu: new(sync.Mutex)}
	case format == "json":
		h = slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: &logLevel})
	default:
		if format != "" && format != "text" {
			fmt.Fprintf(os.Stderr, "%s: invalid %s_LOG_FORMAT %q (use text or json); logging text\n", p.Name, prefix, format)
		}
		h = &lineHandler{w: os.Stderr, mu: new(sync.Mutex)}
	}
	slog.SetDefault(slog.New(h))
	logger := slog.NewLogLogger(h, slog.LevelInfo)
	logger.SetPrefix(p.Name + ": ")
	logger.SetFlags(log.Lmsgprefix)
	return logger
}

// A lineHandler writes each record as one line, as setupLogging says; the
// journal's priority prefix is sd-daemon(3)'s.
type lineHandler struct {
	w       io.Writer
	journal bool
	mu      *sync.Mutex // shared by the handlers derived from one
	attrs   string      // preformatted " key=value" pairs from WithAttrs
	group   string      // "a.b." from WithGroup
}

func (h *lineHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= logLevel.Level()
}

func (h *lineHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	if h.journal {
		fmt.Fprintf(&b, "<%d>", priority(r.Level))
	} else {
		if !r.Time.IsZero() {
			b.WriteString(r.Time.Format("2006-01-02T15:04:05.000Z07:00 "))
		}
		b.WriteString(r.Level.String())
		b.WriteByte(' ')
	}
	// One record, one line: the journal would take the rest of a
	// multi-line message for separate entries without a priority.
	b.WriteString(strings.ReplaceAll(r.Message, "\n", `\n`))
	b.WriteString(h.attrs)
	r.Attrs(func(a slog.Attr) bool {
		appendAttr(&b, h.group, a)
		return true
	})
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	h2 := *h
	var b strings.Builder
	for _, a := range attrs {
		appendAttr(&b, h.group, a)
	}
	h2.attrs += b.String()
	return &h2
}

func (h *lineHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.group += name + "."
	return &h2
}

// appendAttr writes " key=value", with group's prefix on the key; a group
// attribute writes each of its members.
func appendAttr(b *strings.Builder, group string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		if a.Key != "" {
			group += a.Key + "."
		}
		for _, m := range a.Value.Group() {
			appendAttr(b, group, m)
		}
		return
	}
	v := a.Value.String()
	if a.Value.Kind() == slog.KindTime {
		v = a.Value.Time().Format(time.RFC3339Nano)
	}
	b.WriteByte(' ')
	b.WriteString(quoteIfNeeded(group + a.Key))
	b.WriteByte('=')
	b.WriteString(quoteIfNeeded(v))
}

// quoteIfNeeded quotes s as Go would when it is empty or holds a space, a
// quote, '=' or a character that is not printable.
func quoteIfNeeded(s string) string {
	if s == "" || strings.IndexFunc(s, func(r rune) bool {
		return r == ' ' || r == '"' || r == '=' || !unicode.IsPrint(r)
	}) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// priority is the syslog priority of a level: debug 7, info 6, warn 4,
// error 3, and levels between round down to the more urgent one.
func priority(l slog.Level) int {
	switch {
	case l >= slog.LevelError:
		return 3
	case l >= slog.LevelWarn:
		return 4
	case l >= slog.LevelInfo:
		return 6
	default:
		return 7
	}
}
