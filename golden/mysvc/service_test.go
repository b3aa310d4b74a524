package main

import (
	"bytes"
	"context"
	"flag"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServiceRun checks that the service logs its start and heartbeats and
// returns once its context is cancelled.
func TestServiceRun(t *testing.T) {
	var buf bytes.Buffer
	defer log.SetOutput(log.Writer())
	log.SetOutput(&buf)
	s := &Service{Interval: time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Init(ctx); err != nil {
		t.Fatalf("Init() = %v; want nil", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run() = %v; want nil after cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	for _, want := range []string{"mysvc started with pid", "heartbeat 1", "mysvc stopping"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log %q lacks %q", buf.String(), want)
		}
	}
}

// TestServiceHeartbeatEnv checks that MYSVC_HEARTBEAT sets the interval
// and that a bad value makes Init fail.
func TestServiceHeartbeatEnv(t *testing.T) {
	defer log.SetOutput(log.Writer())
	log.SetOutput(&bytes.Buffer{})
	t.Setenv("MYSVC_HEARTBEAT", "250ms")
	s := &Service{}
	if err := s.Init(context.Background()); err != nil || s.Interval != 250*time.Millisecond {
		t.Errorf("Init() with MYSVC_HEARTBEAT=250ms = %v, Interval %v; want nil, 250ms", err, s.Interval)
	}
	for _, bad := range []string{"soon", "0s", "-1s"} {
		t.Setenv("MYSVC_HEARTBEAT", bad)
		if err := (&Service{}).Init(context.Background()); err == nil {
			t.Errorf("Init() with MYSVC_HEARTBEAT=%s = nil; want an error", bad)
		}
	}
}

// TestServiceConfig checks that --config is made absolute, that Init reads
// the file and fails on a bad one, and that Reload rereads it, keeping the
// old configuration when the new one is bad.
func TestServiceConfig(t *testing.T) {
	defer log.SetOutput(log.Writer())
	log.SetOutput(&bytes.Buffer{})
	dir := t.TempDir()
	path := filepath.Join(dir, "mysvc.conf")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := &Service{Interval: time.Hour}
	fs := flag.NewFlagSet("mysvc", flag.ContinueOnError)
	s.Flags(fs)
	if err := fs.Parse([]string{"--config", path}); err != nil || s.ConfigFile != path {
		t.Fatalf("--config %s: %v, ConfigFile %q; want it set", path, err, s.ConfigFile)
	}

	write("heartbeat = 2x\n")
	if err := s.Init(context.Background()); err == nil || !strings.Contains(err.Error(), "parse config "+path+":1") {
		t.Fatalf("Init() with a bad config = %v; want the parse error", err)
	}
	write("# comment\n\nheartbeat = 250ms\n")
	if err := s.Init(context.Background()); err != nil || s.heartbeat() != 250*time.Millisecond {
		t.Fatalf("Init() = %v, heartbeat %v; want nil, 250ms", err, s.heartbeat())
	}
	write("hartbeat = 1s\n")
	if err := s.Reload(context.Background()); err == nil || !strings.Contains(err.Error(), `unknown key "hartbeat"`) {
		t.Errorf("Reload() with a bad config = %v; want the parse error", err)
	}
	if s.heartbeat() != 250*time.Millisecond {
		t.Errorf("heartbeat after a failed reload = %v; want the old 250ms", s.heartbeat())
	}
	write("heartbeat = 1s\n")
	if err := s.Reload(context.Background()); err != nil || s.heartbeat() != time.Second {
		t.Errorf("Reload() = %v, heartbeat %v; want nil, 1s", err, s.heartbeat())
	}
}
