package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"sync"
	"time"

	"example.com/mysvc/internal/daemon"
)

// Service is the work mysvc does; it is yours to edit. Init prepares, Run
// serves until its context is cancelled, Reload rereads the configuration
// ("mysvc reload"). The daemon package calls them; its documentation has
// the contract.
type Service struct {
	// Interval is the time between heartbeats. Zero means the duration in
	// $MYSVC_HEARTBEAT (such as "500ms"), or 5 seconds without it. The
	// configuration file's heartbeat, if it sets one, wins.
	Interval time.Duration

	// ConfigFile is the configuration file given with --config, as an
	// absolute path; "" for none.
	ConfigFile string

	mu     sync.Mutex
	config Config // what Run uses; Reload replaces it whole
}

// Config is the service's configuration. The file holds "key = value"
// lines; blank lines and lines starting with # are ignored.
type Config struct {
	// Heartbeat is the time between heartbeats ("heartbeat = 2s"); zero
	// leaves Service.Interval in force.
	Heartbeat time.Duration
}

// Flags defines the service's own flags. main.go passes it to the daemon
// package as Program.Flags, which hands them on to the daemon through every
// re-exec; daemon.PathVar makes the path absolute first, since the daemon
// runs in "/".
func (s *Service) Flags(fs *flag.FlagSet) {
	daemon.PathVar(fs, &s.ConfigFile, "config", "", "configuration `FILE`, reread by reload")
}

// Init runs before "mysvc start" reports success: its log lines are in the
// log by the time start returns, and an error here (a bad configuration
// file, say) makes start fail with it.
func (s *Service) Init(ctx context.Context) error {
	if s.Interval == 0 {
		s.Interval = 5 * time.Second
		if v := os.Getenv("MYSVC_HEARTBEAT"); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("invalid MYSVC_HEARTBEAT %q: use a positive duration such as 500ms", v)
			}
			s.Interval = d
		}
	}
	if s.ConfigFile != "" {
		c, err := ParseConfig(s.ConfigFile)
		if err != nil {
			return err
		}
		s.config = c
	}
	log.Printf("mysvc started with pid %d", os.Getpid())
	return nil
}

// Run logs a heartbeat until ctx is cancelled.
func (s *Service) Run(ctx context.Context) error {
	for n := 1; ; n++ {
		t := time.NewTimer(s.heartbeat())
		select {
		case <-ctx.Done():
			t.Stop()
			log.Print("mysvc stopping")
			return nil
		case <-t.C:
			log.Printf("heartbeat %d", n)
		}
	}
}

// Reload rereads the configuration file. If the file is bad, it returns the
// error ("mysvc reload" prints it and exits 1) and the old configuration
// stays in force.
func (s *Service) Reload(ctx context.Context) error {
	if s.ConfigFile == "" {
		log.Print("mysvc: no --config, nothing to reload")
		return nil
	}
	c, err := ParseConfig(s.ConfigFile)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.config = c
	s.mu.Unlock()
	log.Printf("mysvc reloaded %s", s.ConfigFile)
	return nil
}

// heartbeat is the current time between heartbeats.
func (s *Service) heartbeat() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.config.Heartbeat > 0 {
		return s.config.Heartbeat
	}
	return s.Interval
}

// ParseConfig reads a configuration file. Its errors name the file and
// line: "parse config /etc/mysvc.conf:3: unknown key \"hartbeat\"".
func ParseConfig(path string) (Config, error) {
	var c Config
	f, err := os.Open(path)
	if err != nil {
		return c, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch {
		case !ok:
			return c, fmt.Errorf("parse config %s:%d: want key = value, got %q", path, n, line)
		case key == "heartbeat":
			d, err := time.ParseDuration(value)
			if err != nil || d <= 0 {
				return c, fmt.Errorf("parse config %s:%d: heartbeat %q: use a positive duration such as 2s", path, n, value)
			}
			c.Heartbeat = d
		default:
			return c, fmt.Errorf("parse config %s:%d: unknown key %q (the only key is heartbeat)", path, n, key)
		}
	}
	if err := sc.Err(); err != nil {
		return c, fmt.Errorf("read config %s: %w", path, err)
	}
	return c, nil
}
