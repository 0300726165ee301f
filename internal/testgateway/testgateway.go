// Package testgateway builds the real pasarela binary and runs it as a child
// process on loopback, for tests that need a real process: graceful
// shutdown, kill -9 crash recovery, several nodes on one database.
package testgateway

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/gateway"
	"github.com/pasarela/pasarela/internal/syncbuf"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds ./cmd/pasarela once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pasarela-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "pasarela")
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/pasarela")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

// FreeAddr returns a loopback address with a port that was free just now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// Process is a running gateway.
type Process struct {
	Addr   string
	Cmd    *exec.Cmd
	Data   string
	URL    string
	Output *syncbuf.Buffer
	done   chan error
}

// Start runs `pasarela serve` with a data directory and extra flags and
// waits until /readyz answers 200.
func Start(t testing.TB, data string, extra ...string) *Process {
	t.Helper()
	return StartAt(t, FreeAddr(t), data, extra...)
}

// StartAt is Start on a given address: a node restarted after a crash
// comes back where the load balancer expects it.
func StartAt(t testing.TB, addr, data string, extra ...string) *Process {
	t.Helper()
	args := append([]string{"serve", "--listen", addr, "--data", data}, extra...)
	cmd := exec.Command(Binary(t), args...)
	out := &syncbuf.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	p := &Process{Addr: addr, Cmd: cmd, Data: data, URL: "http://" + addr, Output: out, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { p.Kill() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := readyClient.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case err := <-p.done:
			t.Fatalf("gateway exited before ready: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("gateway not ready after 20s:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Credentials reads the sandbox merchant's credentials from the data dir.
func (p *Process) Credentials(t testing.TB) gateway.CreatedMerchant {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(p.Data, "sandbox-credentials.json"))
	require.NoError(t, err)
	var cm gateway.CreatedMerchant
	require.NoError(t, json.Unmarshal(raw, &cm))
	return cm
}

// Kill sends SIGKILL (a crash) and waits for the process to end.
func (p *Process) Kill() {
	if p.Cmd.ProcessState != nil {
		return
	}
	_ = p.Cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
	}
}

// Stop sends SIGTERM and returns the exit error after a graceful shutdown.
func (p *Process) Stop(t testing.TB) error {
	t.Helper()
	require.NoError(t, p.Cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-p.done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("gateway did not stop within 30s after SIGTERM:\n%s", p.Output.String())
		return nil
	}
}

// readyClient polls /readyz; a stalled connection must not outlast the
// start-up deadline.
var readyClient = &http.Client{Timeout: time.Second}
