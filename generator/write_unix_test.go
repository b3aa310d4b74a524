//go:build unix

package generator_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/daemongen/daemongen/generator"
)

// TestWriteModes wants exact modes whatever the umask, for a new target and
// for files and directories added to an existing one.
func TestWriteModes(t *testing.T) {
	for _, umask := range []int{0, 0o077, 0o022} {
		t.Run(fmt.Sprintf("umask %03o", umask), func(t *testing.T) {
			old := syscall.Umask(umask)
			defer syscall.Umask(old)

			fresh := filepath.Join(t.TempDir(), "mysvc")
			if _, err := generator.Write(context.Background(), fresh, testFiles(), generator.WriteOptions{}); err != nil {
				t.Fatalf("Write(%s) = %v", fresh, err)
			}
			existing := t.TempDir()
			must(t, os.WriteFile(filepath.Join(existing, "user.txt"), nil, 0o600))
			if _, err := generator.Write(context.Background(), existing, testFiles(), generator.WriteOptions{Force: true}); err != nil {
				t.Fatalf("Write(%s, force) = %v", existing, err)
			}

			wantWritten(t, fresh, testFiles())
			wantWritten(t, existing, testFiles())
			for _, d := range []string{fresh, filepath.Join(fresh, "internal/daemon"), filepath.Join(existing, "internal/daemon"), filepath.Join(existing, "scripts")} {
				info, err := os.Stat(d)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := info.Mode(), fs.ModeDir|0o755; got != want {
					t.Errorf("umask %03o: %s mode = %v; want %v", umask, d, got, want)
				}
			}
		})
	}
}
