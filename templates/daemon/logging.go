package daemon

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// logLevel is the level below which log lines are dropped.
var logLevel slog.LevelVar

// SetLogLevel changes the level below which log lines are dropped, as a
// Reload may. The daemon starts at $NAME_LOG_LEVEL (debug, info, warn,
// error, or what slog.Level reads; default info); log.Printf is info, also
// to a slog handler the service installs. slog's lines keep their levels
// while package log's flags and prefix stay as the daemon sets them.
func SetLogLevel(l slog.Level) {
	logLevel.Set(l)
	if fmt.Sprintf("%T", slog.Default().Handler()) != "*slog.defaultHandler" {
		l = slog.LevelInfo // the level package log's lines enter the service's handler at
	}
	slog.SetLogLoggerLevel(l)
}

// setupLogging makes package log, and so slog's default handler, write to
// stderr through a lineWriter (a slog handler of the daemon's would link
// slog's formatting into every binary). It returns the daemon's own logger.
func (p *Program) setupLogging() *log.Logger {
	prefix := envPrefix(p.Name)
	format := os.Getenv(prefix + "_LOG_FORMAT")
	w := &lineWriter{w: os.Stderr, journal: journalStream(), json: format == "json"}
	if format != "" && format != "text" && format != "json" {
		w.write(slog.LevelWarn, fmt.Sprintf("%s: invalid %s_LOG_FORMAT %q (use text or json); logging text", p.Name, prefix, format))
	}
	var l slog.Level
	if v := os.Getenv(prefix + "_LOG_LEVEL"); v != "" && l.UnmarshalText([]byte(v)) != nil {
		w.write(slog.LevelWarn, fmt.Sprintf("%s: invalid %s_LOG_LEVEL %q (use debug, info, warn or error); logging at info", p.Name, prefix, v))
	} else if v != "" {
		SetLogLevel(l)
	}
	log.SetOutput(w)
	log.SetFlags(0)
	return log.New(w, p.Name+": ", log.Lmsgprefix)
}

// A lineWriter writes each line as one: to the journal after its syslog
// priority ("<3>" for errors, sd-daemon(3)); elsewhere after the time and
// level, or as JSON with $NAME_LOG_FORMAT=json; control characters escaped.
type lineWriter struct {
	w             io.Writer
	journal, json bool
}

// Write writes a line of package log's. Only slog's default handler, which
// drops records below the level itself, starts lines with their level ("WARN
// disk full"); any other is INFO whatever its first word (a client's, say).
func (w *lineWriter) Write(b []byte) (int, error) {
	level, msg := slog.LevelInfo, strings.TrimSuffix(string(b), "\n")
	slogLine := fromSlog()
	if word, rest, ok := strings.Cut(msg, " "); slogLine && ok && level.UnmarshalText([]byte(word)) == nil {
		msg = rest
	} else if !slogLine && level < logLevel.Level() {
		return len(b), nil
	}
	return len(b), w.write(level, msg)
}

// write writes msg as one line at level: the journal would take the rest
// of a multi-line message for separate entries without a priority.
func (w *lineWriter) write(level slog.Level, msg string) error {
	now := time.Now()
	switch {
	case w.journal:
		msg = fmt.Sprintf("<%d>%s\n", priority(level), escape(msg, false))
	case w.json:
		msg = `{"time":"` + now.Format(time.RFC3339Nano) + `","level":"` + level.String() + `","msg":"` + escape(msg, true) + "\"}\n"
	default:
		msg = now.Format("2006-01-02T15:04:05.000Z07:00 ") + level.String() + " " + escape(msg, false) + "\n"
	}
	_, err := io.WriteString(w.w, msg)
	return err
}

// fromSlog reports whether package log writes for slog's default handler:
// whether that is its first caller outside package log.
func fromSlog() bool {
	pcs := make([]uintptr, 8)
	for _, pc := range pcs[:runtime.Callers(3, pcs)] {
		if f := runtime.FuncForPC(pc); f == nil || !strings.HasPrefix(f.Name(), "log.") {
			return f != nil && strings.HasPrefix(f.Name(), "log/slog.(*defaultHandler)")
		}
	}
	return false
}

// escape escapes control characters ("\n", "\x1b"), and in JSON ("\u000a")
// quotes and backslashes: a record stays one line; bad UTF-8 is U+FFFD.
func escape(s string, json bool) string {
	var b []byte
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case json && (unicode.IsControl(r) || r == '"' || r == '\\'):
			b = fmt.Appendf(b, `\u%04x`, r)
		case r == '\n':
			b = append(b, `\n`...)
		case unicode.IsControl(r): // C0, DEL and C1 (U+009B is a CSI)
			b = fmt.Appendf(b, `\x%02x`, r)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return string(b)
}

// priority is the syslog priority of a level, by the level it reaches:
// 7 debug, 6 info, 4 warning, 3 error.
func priority(l slog.Level) int { return [...]int{7, 6, 4, 3}[min(max(int(l)+4, 0)/4, 3)] }
