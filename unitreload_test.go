package main

import (
	"os"
	"regexp"
	"testing"
	"time"
)

// The systemd unit gives "NAME reload" an explicit --timeout, shorter than
// the TimeoutStartSec= systemd allows ExecReload=: a slow Reload is then
// reported by reload, not cut short by its default 10 s or killed by
// systemd.
func TestUnitReloadTimeout(t *testing.T) {
	data, err := os.ReadFile("golden/mysvc/init/systemd/mysvc.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := string(data)
	start := regexp.MustCompile(`(?m)^TimeoutStartSec=(\S+)$`).FindStringSubmatch(unit)
	reload := regexp.MustCompile(`(?m)^ExecReload=\S+ reload --timeout (\S+)$`).FindStringSubmatch(unit)
	if start == nil || reload == nil {
		t.Fatalf("unit lacks TimeoutStartSec= or ExecReload=... reload --timeout:\n%s", unit)
	}
	s, err1 := time.ParseDuration(start[1])
	r, err2 := time.ParseDuration(reload[1])
	if err1 != nil || err2 != nil || r >= s {
		t.Fatalf("reload --timeout %s, TimeoutStartSec=%s; want the first shorter", reload[1], start[1])
	}
}
