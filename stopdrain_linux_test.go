package main

// Issue 21 item 14: a stop during a request longer than the HTTP example's
// drain ends with exit 0, within the daemon's StopTimeout, in start/stop
// and in run mode (as systemd runs it). TestUnitAdvice checks the unit.

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daemongen/daemongen/generator"
	"github.com/daemongen/daemongen/internal/await"
)

// stopTimeout is the generated daemon's StopTimeout.
const stopTimeout = 10 * time.Second

// slowUpload sends addr a POST whose body never arrives in full, and
// returns once the service has taken it in: the HTTP server then waits for
// the rest of the body, and so does a graceful shutdown, for ever. asked
// counts the greetings fetched so far; the greeting numbers every request.
func slowUpload(t *testing.T, addr string, asked *int) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Length: 1000\r\n\r\npart of it", addr)
	n := regexp.MustCompile(`request (\d+)`)
	await.For(t, "the service to take in the upload", func() bool {
		body, err := httpGet(addr, "/")
		*asked++
		m := n.FindStringSubmatch(body)
		if err != nil || m == nil {
			t.Fatalf("GET http://%s/ = %q, %v; want a numbered greeting", addr, body, err)
		}
		got, _ := strconv.Atoi(m[1])
		return got > *asked // the upload's request came in between
	})
	return conn
}

// wantClosed wants the service to have closed conn, unanswered.
func wantClosed(t *testing.T, conn net.Conn) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(time.Second))
	if n, err := conn.Read(make([]byte, 1)); n != 0 || err == nil || os.IsTimeout(err) {
		t.Errorf("the upload's connection after the stop: read %d bytes, %v; want it closed", n, err)
	}
}

func TestStopDuringLongRequest(t *testing.T) {
	integration(t)
	project := buildGenerated(t, generator.Config{Name: "mysvc", Module: "example.com/mysvc", Socket: "127.0.0.1:1"}, nil)
	bin := filepath.Join(project, "mysvc")

	t.Run("stop", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		addr, log := freeAddr(t), filepath.Join(dir, "mysvc.log")
		env := []string{"MYSVC_ADDR=" + addr, "MYSVC_PIDFILE=" + filepath.Join(dir, "mysvc.pid"), "MYSVC_LOG=" + log}
		if out, code := runCode(t, svcCommand(bin, env, "start")); code != 0 {
			t.Fatalf("mysvc start = exit %d, %q", code, out)
		}
		t.Cleanup(func() { svcCommand(bin, env, "stop").Run() })
		asked := 0
		conn := slowUpload(t, addr, &asked)
		begun := time.Now()
		out, code := runCode(t, svcCommand(bin, env, "stop"))
		took := time.Since(begun)
		data, _ := os.ReadFile(log)
		if code != 0 || took >= stopTimeout || strings.Contains(string(data), "run:") || !strings.HasSuffix(string(data), "stopped\n") {
			t.Errorf("mysvc stop during a slow upload = exit %d after %v, %q; want exit 0 within %v, the log ending in a clean stop; log:\n%s", code, took.Round(time.Millisecond), out, stopTimeout, data)
		}
		wantClosed(t, conn)
	})
	t.Run("run", func(t *testing.T) {
		t.Parallel()
		addr := freeAddr(t)
		cmd := svcCommand(bin, []string{"MYSVC_ADDR=" + addr}, "run")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		await.For(t, "a greeting from "+addr, func() bool {
			_, err := httpGet(addr, "/")
			return err == nil
		})
		asked := 1
		conn := slowUpload(t, addr, &asked)
		begun := time.Now()
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if took := time.Since(begun); err != nil || took >= stopTimeout {
				t.Errorf("mysvc run, SIGTERM during a slow upload: %v after %v; want exit 0 within %v\n%s", err, took.Round(time.Millisecond), stopTimeout, stderr.String())
			}
		case <-time.After(3 * stopTimeout):
			t.Fatalf("mysvc run did not exit within %v of SIGTERM\n%s", 3*stopTimeout, stderr.String())
		}
		wantClosed(t, conn)
	})
}
