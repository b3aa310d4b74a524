package daemon

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"strings"
	"sync"
)

// logLevel is the level below which the default slog logger drops records.
var logLevel slog.LevelVar

// SetLogLevel changes the level below which log records are dropped, as a
// Reload may. The daemon starts at $NAME_LOG_LEVEL (debug, info, warn,
// error, or what slog.Level reads; default info); log.Printf is info.
func SetLogLevel(l slog.Level) { logLevel.Set(l) }

// setupLogging makes slog's default logger, and so package log's, write to
// stderr, and returns the logger for the daemon's own messages, prefixed
// with its name. To the journal each line starts with its syslog priority
// ("<3>" for errors); elsewhere with the time and the level, or it is JSON
// with $NAME_LOG_FORMAT=json.
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
		h = newLineHandler(os.Stderr, true)
	case format == "json":
		h = slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: &logLevel})
	default:
		if format != "" && format != "text" {
			fmt.Fprintf(os.Stderr, "%s: invalid %s_LOG_FORMAT %q (use text or json); logging text\n", p.Name, prefix, format)
		}
		h = newLineHandler(os.Stderr, false)
	}
	slog.SetDefault(slog.New(h))
	logger := slog.NewLogLogger(h, slog.LevelInfo)
	logger.SetPrefix(p.Name + ": ")
	logger.SetFlags(log.Lmsgprefix)
	return logger
}

// A lineHandler writes each record as one line, as setupLogging says; the
// journal's priority prefix is sd-daemon(3)'s. A TextHandler, told to
// leave out the time, level and message, formats the attributes.
type lineHandler struct {
	w       io.Writer
	journal bool
	mu      *sync.Mutex   // shared by the handlers derived from one, for buf
	buf     *bytes.Buffer // attrs' output
	attrs   slog.Handler
}

func newLineHandler(w io.Writer, journal bool) *lineHandler {
	buf := new(bytes.Buffer)
	drop := func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey || a.Key == slog.MessageKey) {
			return slog.Attr{}
		}
		return a
	}
	return &lineHandler{w: w, journal: journal, mu: new(sync.Mutex), buf: buf,
		attrs: slog.NewTextHandler(buf, &slog.HandlerOptions{Level: &logLevel, ReplaceAttr: drop})}
}

func (h *lineHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.attrs.Enabled(ctx, l) }

func (h *lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	h2 := *h
	h2.attrs = h.attrs.WithAttrs(attrs)
	return &h2
}

func (h *lineHandler) WithGroup(name string) slog.Handler {
	h2 := *h
	h2.attrs = h.attrs.WithGroup(name)
	return &h2
}

func (h *lineHandler) Handle(ctx context.Context, r slog.Record) error {
	line := fmt.Sprintf("<%d>", priority(r.Level))
	if !h.journal {
		line = r.Level.String() + " "
		if !r.Time.IsZero() {
			line = r.Time.Format("2006-01-02T15:04:05.000Z07:00 ") + line
		}
	}
	// One record, one line: the journal would take the rest of a
	// multi-line message for separate entries without a priority.
	line += strings.ReplaceAll(r.Message, "\n", `\n`)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.buf.Reset()
	if err := h.attrs.Handle(ctx, r); err != nil {
		return err
	}
	if attrs := h.buf.String(); attrs != "\n" {
		line += " " + attrs
	} else {
		line += attrs
	}
	_, err := io.WriteString(h.w, line)
	return err
}

// priority is the syslog priority of a level; between two, the more urgent.
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
