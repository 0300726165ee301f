package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The baseline is the bench binary itself, started again as a child with
// baselineEnv set. A child rather than a goroutine because that is how the
// gateway runs: its own process, its own Go scheduler, competing with the
// load generator for the same cores through the kernel. An in-process
// server would share the bench's scheduler and heap with vegeta and be
// measured under different rules than the gateway.
const baselineEnv = "PASARELA_BENCH_BASELINE"

// baselineResponse is what the baseline answers on one route: the bytes
// the gateway answered to the same request during preparation.
type baselineResponse struct {
	Body        []byte `json:"body"`
	ContentType string `json:"content_type"`
}

// controlPath sets the responses; the load never touches it.
const controlPath = "/__bench/responses"

// serveBaselineChild runs the baseline server when this process is the
// baseline child, and reports whether it was.
func serveBaselineChild() bool {
	if os.Getenv(baselineEnv) != "1" {
		return false
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
	fmt.Printf("listening %s\n", ln.Addr())
	// The parent holds our stdin; when it goes away, so do we, even if it
	// was killed before it could stop us.
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	srv := &http.Server{Handler: baselineHandler(), ReadHeaderTimeout: 5 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
	return true
}

// baselineHandler routes the gateway's patterns with net/http's own mux,
// so the baseline also pays for routing, reads the whole body under the
// same 1 MiB limit as the gateway, and answers the fixed bytes set for
// the route. Nothing else: no logging, no metrics, no work.
func baselineHandler() http.Handler {
	var responses atomic.Pointer[map[string]baselineResponse]
	responses.Store(&map[string]baselineResponse{})
	mux := http.NewServeMux()
	for _, pattern := range baselineRoutes {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, 1<<20)); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			resp, ok := (*responses.Load())[pattern]
			if !ok {
				resp = baselineResponse{Body: []byte(`{}`), ContentType: "application/json"}
			}
			h := w.Header()
			h.Set("Content-Type", resp.ContentType)
			h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(resp.Body)
		})
	}
	mux.HandleFunc("PUT "+controlPath, func(w http.ResponseWriter, r *http.Request) {
		m := map[string]baselineResponse{}
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		responses.Store(&m)
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

// baselineProc is the running baseline child.
type baselineProc struct {
	cmd   *exec.Cmd
	done  chan error
	stdin io.Closer
	url   string
}

// startBaseline starts the child and reads the address it listens on.
func startBaseline(ctx context.Context) (*baselineProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), baselineEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the baseline: %w", err)
	}
	b := &baselineProc{cmd: cmd, done: make(chan error, 1), stdin: stdin}
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() { b.done <- cmd.Wait() }()
	select {
	case l, ok := <-line:
		addr, found := strings.CutPrefix(l, "listening ")
		if !ok || !found {
			b.stop()
			return nil, fmt.Errorf("baseline child said %q", l)
		}
		b.url = "http://" + addr
	case <-time.After(30 * time.Second):
		b.stop()
		return nil, fmt.Errorf("baseline child did not start")
	case <-ctx.Done():
		b.stop()
		return nil, ctx.Err()
	}
	return b, nil
}

func (b *baselineProc) proc() proc { return proc{pid: b.cmd.Process.Pid} }

// setResponses tells the child what to answer on each route.
func (b *baselineProc) setResponses(ctx context.Context, m map[string]baselineResponse) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, b.url+controlPath, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("baseline control answered %s", resp.Status)
	}
	return nil
}

// stop closes the child's stdin, which ends it, and waits.
func (b *baselineProc) stop() {
	_ = b.stdin.Close()
	select {
	case <-b.done:
	case <-time.After(5 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.done
	}
}
