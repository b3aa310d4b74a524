package main

import (
	"bytes"
	"context"
	"log"
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
