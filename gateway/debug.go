package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// serveDebug runs Go's profiler on Config.DebugListen until ctx ends, so an
// operator (or the load harness) can take CPU and heap profiles of a live
// node. It is a separate listener: never reachable through the public one.
// /debug/pprof/cmdline is left out: the command line can carry secrets
// (--admin-token, a --database-url password).
func (g *Gateway) serveDebug(ctx context.Context) (stop func(), err error) {
	if g.Config.DebugListen == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", g.Config.DebugListen)
	if err != nil {
		return nil, fmt.Errorf("--debug-listen %s: %w", g.Config.DebugListen, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	// A CPU profile or trace runs for as long as asked (seconds=…), so the
	// write timeout is generous; the read side is tiny.
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 5 * time.Minute}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			g.Log.Error("debug listener", "err", err)
		}
	}()
	g.Log.Info("profiler listening", "debug_listen", ln.Addr().String())
	return func() { _ = hs.Close() }, nil
}
