package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/server"
)

func start(t *testing.T, ready server.Checker) (*httptest.Server, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	s := server.New(server.NewLogger(&logs, "json", 0), prometheus.NewRegistry(), ready)
	s.Handle("POST /echo", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		w.Write(b)
	}))
	s.Handle("GET /panic", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom secret-value") }))
	s.Handle("GET /id", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, server.RequestID(r.Context()))
	}))
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, &logs
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()

	failing := errors.New("database down")
	ok, _ := start(t, func(context.Context) error { return nil })
	bad, _ := start(t, func(context.Context) error { return failing })
	for _, tc := range []struct {
		url  string
		code int
	}{{ok.URL + "/healthz", 200}, {ok.URL + "/readyz", 200}, {bad.URL + "/healthz", 200}, {bad.URL + "/readyz", 503}} {
		resp, err := http.Get(tc.url)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, tc.code, resp.StatusCode, tc.url)
	}
}

func TestRequestIDs(t *testing.T) {
	t.Parallel()

	srv, logs := start(t, func(context.Context) error { return nil })
	resp, err := http.Get(srv.URL + "/id")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Regexp(t, `^req_[A-Za-z0-9]{20}$`, string(body))
	require.Equal(t, string(body), resp.Header.Get("X-Request-Id"))
	require.Contains(t, logs.String(), `"request_id":"`+string(body)+`"`, "the log line carries the id")

	// A well-formed caller id is kept; a hostile one is replaced.
	for in, keep := range map[string]bool{"lb-1234567890": true, "bad id\nwith newline": false, "x": false} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/id", nil)
		req.Header.Set("X-Request-Id", in)
		resp, err := http.DefaultClient.Do(req)
		if err != nil { // net/http refuses the newline itself: fine
			continue
		}
		got := resp.Header.Get("X-Request-Id")
		resp.Body.Close()
		require.Equal(t, keep, got == in, in)
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()

	srv, _ := start(t, func(context.Context) error { return nil })
	resp, err := http.Post(srv.URL+"/echo", "application/json", strings.NewReader(strings.Repeat("x", server.MaxBodyBytes+1)))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)

	// Without a Content-Length (chunked) the limit still holds while reading.
	pr, pw := io.Pipe()
	go func() {
		pw.Write(bytes.Repeat([]byte("x"), server.MaxBodyBytes+10))
		pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/echo", pr)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
}

func TestPanicBecomes500WithoutDetails(t *testing.T) {
	t.Parallel()

	srv, _ := start(t, func(context.Context) error { return nil })
	resp, err := http.Get(srv.URL + "/panic")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	require.NotContains(t, string(body), "secret-value")
	require.JSONEq(t, `{"message":"internal error","code":"internal_error"}`, string(body))
}

func TestMetricsByRoutePattern(t *testing.T) {
	t.Parallel()

	srv, _ := start(t, func(context.Context) error { return nil })
	for range 3 {
		resp, err := http.Get(srv.URL + "/id")
		require.NoError(t, err)
		resp.Body.Close()
	}
	resp, err := http.Get(srv.URL + "/nope/some-token-value")
	require.NoError(t, err)
	resp.Body.Close()
	resp, err = http.Get(srv.URL + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(body), `pasarela_http_requests_total{method="GET",route="GET /id",status="200"} 3`)
	require.NotContains(t, string(body), "some-token-value", "raw paths (which carry tokens) never become labels")
}
