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
	m, err := FindModule(filepath.Join(dir, "a", "not", "there"))
	if want := (Module{Root: dir, Path: "example.com/repo", Go: "1.22"}); err != nil || m != want {
		t.Errorf("FindModule(a/not/there) = %+v, %v; want %+v, nil", m, err, want)
	}
	if _, err := FindModule(t.TempDir()); !errors.Is(err, ErrNoModule) {
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
	edit, err := AddUse(work, filepath.Join(dir, "services", "mysvc"), "example.com/mysvc", "1.23")
	if err != nil || edit == nil || edit.Mode != 0o644 || edit.OldGo != "1.22" || edit.NewGo != "1.23" {
		t.Fatalf("AddUse = %+v, %v; want an edit of mode 0644 raising go 1.22 to 1.23, nil error", edit, err)
	}
	if before, _ := os.ReadFile(work); string(before) != "go 1.22\n\nuse .\n" {
		t.Errorf("AddUse changed go.work to %q; want it untouched", before)
	}
	if data := string(edit.Data); !strings.Contains(data, "./services/mysvc") || !strings.Contains(data, "go 1.23") {
		t.Errorf("go.work after AddUse = %q; want a use of ./services/mysvc and go 1.23", data)
	}
	write(t, work, string(edit.Data))
	write(t, filepath.Join(dir, "services", "mysvc", "go.mod"), "module example.com/mysvc\n\ngo 1.23\n")
	if again, err := AddUse(work, filepath.Join(dir, "services", "mysvc"), "example.com/mysvc", "1.23"); again != nil || err != nil {
		t.Errorf("AddUse of a used module = %+v, %v; want nil, nil", again, err)
	}
	other := filepath.Join(dir, "other", "mysvc")
	_, err = AddUse(work, other, "example.com/mysvc", "1.23")
	var dup *DuplicateError
	if !errors.As(err, &dup) || dup.Dir != filepath.Join(dir, "services", "mysvc") || dup.Module != "example.com/mysvc" {
		t.Errorf("AddUse of a second module example.com/mysvc = %v; want a *DuplicateError naming services/mysvc", err)
	}
	if edit, err := AddUse(work, other, "example.com/other", "1.23"); err != nil || edit == nil || edit.NewGo != "" {
		t.Errorf("AddUse of example.com/other = %+v, %v; want an edit keeping go 1.23", edit, err)
	}

	t.Setenv("GOWORK", "off")
	if got, err := FindWork(dir); got != "" || err != nil {
		t.Errorf("FindWork with GOWORK=off = %q, %v; want \"\", nil", got, err)
	}
}

func TestOlder(t *testing.T) {
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
		{"", "1.23", true},
		{"1.24rc1", "1.23", false},
	} {
		if got := Older(c.a, c.b); got != c.want {
			t.Errorf("Older(%q, %q) = %v; want %v", c.a, c.b, got, c.want)
		}
	}
}
