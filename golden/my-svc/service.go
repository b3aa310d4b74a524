package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"
)

// Service is the work my-svc does; it is yours to edit. Init prepares, Run
// serves until its context is cancelled, Reload rereads configuration on
// SIGHUP. The daemon package calls them; its documentation has the contract.
type Service struct {
	// Interval is the time between heartbeats. Zero means the duration in
	// $MY_SVC_HEARTBEAT (such as "500ms"), or 5 seconds without it.
	Interval time.Duration
}

// Init runs before "my-svc start" reports success: its log lines are in the
// log by the time start returns, and an error here makes start fail with it.
func (s *Service) Init(ctx context.Context) error {
	if s.Interval == 0 {
		s.Interval = 5 * time.Second
		if v := os.Getenv("MY_SVC_HEARTBEAT"); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("invalid MY_SVC_HEARTBEAT %q: use a positive duration such as 500ms", v)
			}
			s.Interval = d
		}
	}
	log.Printf("my-svc started with pid %d", os.Getpid())
	return nil
}

// Run logs a heartbeat until ctx is cancelled.
func (s *Service) Run(ctx context.Context) error {
	tick := time.NewTicker(s.Interval)
	defer tick.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			log.Print("my-svc stopping")
			return nil
		case <-tick.C:
			log.Printf("heartbeat %d", n)
		}
	}
}

// Reload is called on SIGHUP ("my-svc reload").
func (s *Service) Reload(ctx context.Context) error {
	log.Print("my-svc reloading configuration")
	return nil
}
