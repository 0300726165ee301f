// Package server is the HTTP wiring of the gateway: routing, and the
// middleware every request passes (request id, logging, metrics, panic
// recovery, body limits, timeouts).
package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MaxBodyBytes bounds every request body; payment API calls are a few KiB.
const MaxBodyBytes = 1 << 20

// Checker answers readiness: nil when the gateway can serve.
type Checker func(ctx context.Context) error

// Server routes requests to the gateway's handlers.
type Server struct {
	log     *slog.Logger
	metrics *httpMetrics
	mux     *http.ServeMux
	reg     *prometheus.Registry
}

// New returns a Server with /healthz, /readyz and /metrics mounted.
func New(log *slog.Logger, reg *prometheus.Registry, ready Checker) *Server {
	s := &Server{log: log, metrics: newHTTPMetrics(reg), mux: http.NewServeMux(), reg: reg}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := ready(ctx); err != nil {
			log.WarnContext(r.Context(), "not ready", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"}) // the cause is logged, not shown
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return s
}

// Handle mounts h at a Go 1.22 routing pattern.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Handler is the whole gateway with its middleware.
func (s *Server) Handler() http.Handler {
	// recoverer inside logRequests: a panic's 500 is logged and counted.
	return requestID(s.logRequests(s.recoverer(limitBody(s.mux))))
}

// HTTPServer wraps Handler in an http.Server with timeouts that keep slow
// or hostile clients from holding connections.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
