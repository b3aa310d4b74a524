package daemon

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"strings"
	"time"
	"unicode/utf8"
)

// logLevel is the level below which log lines are dropped.
var logLevel slog.LevelVar

// SetLogLevel changes the level below which log lines are dropped, as a
// Reload may. The daemon starts at $NAME_LOG_LEVEL (debug, info, warn,
// error, or what slog.Level reads; default info); log.Printf is info.
func SetLogLevel(l slog.Level) {
	logLevel.Set(l)
	slog.SetLogLoggerLevel(l)
}

// setupLogging makes package log write to stderr through a lineWriter, and
// with it slog's top-level functions (their default handler writes through
// package log: the daemon installs no slog handler, which would link all of
// slog's formatting into every binary). It returns the logger for the
// daemon's own messages, prefixed with its name.
func (p *Program) setupLogging() *log.Logger {
	prefix := envPrefix(p.Name)
	if v := os.Getenv(prefix + "_LOG_LEVEL"); v != "" {
		var l slog.Level
		if err := l.UnmarshalText([]byte(v)); err != nil {
			fmt.Fprintf(os.Stderr, "%s: invalid %s_LOG_LEVEL %q (use debug, info, warn or error); logging at info\n", p.Name, prefix, v)
		} else {
			SetLogLevel(l)
		}
	}
	format := os.Getenv(prefix + "_LOG_FORMAT")
	w := &lineWriter{w: os.Stderr, journal: journalStream(), json: format == "json"}
	if format != "" && format != "text" && format != "json" {
		fmt.Fprintf(os.Stderr, "%s: invalid %s_LOG_FORMAT %q (use text or json); logging text\n", p.Name, prefix, format)
	}
	log.SetOutput(w)
	log.SetFlags(0)
	return log.New(w, p.Name+": ", log.Lmsgprefix)
}

// A lineWriter writes each line package log gives it as one line: to the
// journal it starts with its syslog priority ("<3>" for errors), as
// sd-daemon(3) says; elsewhere with the time and the level, or it is a JSON
// object with $NAME_LOG_FORMAT=json. A line that starts with a level, as
// slog's default handler writes them ("WARN disk full free=2%"), has that
// level; any other is INFO. Lines below the level set are dropped.
type lineWriter struct {
	w             io.Writer
	journal, json bool
}

func (w *lineWriter) Write(b []byte) (int, error) {
	level, name, msg := slog.LevelInfo, "INFO", strings.TrimSuffix(string(b), "\n")
	if word, rest, ok := strings.Cut(msg, " "); ok && word == strings.ToUpper(word) && level.UnmarshalText([]byte(word)) == nil {
		name, msg = word, rest
	}
	if level < logLevel.Level() {
		return len(b), nil
	}
	// One line: the journal would take the rest of a multi-line message
	// for separate entries without a priority.
	msg = strings.ReplaceAll(msg, "\n", `\n`)
	now := time.Now()
	switch {
	case w.journal:
		msg = fmt.Sprintf("<%d>%s\n", priority(level), msg)
	case w.json:
		msg = `{"time":"` + now.Format(time.RFC3339Nano) + `","level":"` + name + `","msg":` + jsonString(msg) + "}\n"
	default:
		msg = now.Format("2006-01-02T15:04:05.000Z07:00 ") + name + " " + msg + "\n"
	}
	_, err := io.WriteString(w.w, msg)
	return len(b), err
}

// jsonString quotes s as a JSON string; invalid UTF-8 becomes U+FFFD.
func jsonString(s string) string {
	b := []byte{'"'}
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if r < 0x20 || r == '"' || r == '\\' {
			b = fmt.Appendf(b, `\u%04x`, r)
		} else {
			b = utf8.AppendRune(b, r)
		}
	}
	return string(append(b, '"'))
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
