package gomod

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFindModule(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module example.com/repo\n\ngo 1.22\n")
	root, mod, err := FindModule(filepath.Join(dir, "a", "not", "there"))
	if err != nil || root != dir || mod != "example.com/repo" {
		t.Errorf("FindModule(a/not/there) = %q, %q, %v; want %q, example.com/repo, nil", root, mod, err, dir)
	}
	if _, _, err := FindModule(t.TempDir()); !errors.Is(err, ErrNoModule) {
		t.Errorf("FindModule(no go.mod) = %v; want ErrNoModule", err)
	}
}

func TestFindWorkAndAddUse(t *testing.T) {
	t.Setenv("GOWORK", "")
	dir := t.TempDir()
	work := filepath.Join(dir, "go.work")
	write(t, work, "go 1.22\n\nuse .\n")
	got, err := FindWork(filepath.Join(dir, "services", "mysvc"))
	if err != nil || got != work {
		t.Fatalf("FindWork = %q, %v; want %q", got, err, work)
	}
	for i, want := range []bool{true, false} {
		added, err := AddUse(work, filepath.Join(dir, "services", "mysvc"), "1.23")
		if err != nil || added != want {
			t.Errorf("AddUse #%d = %v, %v; want %v, nil", i+1, added, err, want)
		}
	}
	data, _ := os.ReadFile(work)
	if !strings.Contains(string(data), "./services/mysvc") || !strings.Contains(string(data), "go 1.23") {
		t.Errorf("go.work after AddUse = %q; want a use of ./services/mysvc and go 1.23", data)
	}

	t.Setenv("GOWORK", "off")
	if got, err := FindWork(dir); got != "" || err != nil {
		t.Errorf("FindWork with GOWORK=off = %q, %v; want \"\", nil", got, err)
	}
}

func TestGoOlder(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"1.22", "1.23", true},
		{"1.23", "1.23", false},
		{"1.23.1", "1.23", false},
		{"1.23", "1.23.1", true},
		{"1.9", "1.23", true},
		{"2.0", "1.23", false},
	} {
		if got := goOlder(c.a, c.b); got != c.want {
			t.Errorf("goOlder(%q, %q) = %v; want %v", c.a, c.b, got, c.want)
		}
	}
}
