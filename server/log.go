package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
)

// NewLogger returns the gateway's logger: text or JSON, with the request id
// of the context added to every line logged with one. An error logged for a
// request whose client has gone (its context canceled) is a warning: under
// load clients give up, and that is not a fault of the gateway's that an
// operator must look at.
func NewLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	rh := requestIDHandler{Handler: h}
	if f, ok := w.(interface{ Flush() error }); ok {
		rh.flush = f.Flush // a LogBuffer: warnings and errors go out at once
	}
	return slog.New(rh)
}

type requestIDHandler struct {
	slog.Handler
	flush func() error
}

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	id := RequestID(ctx)
	if id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	if r.Level >= slog.LevelError && id != "" && errors.Is(ctx.Err(), context.Canceled) {
		r.Level = slog.LevelWarn
		r.AddAttrs(slog.Bool("client_gone", true))
		if !h.Handler.Enabled(ctx, r.Level) {
			return nil
		}
	}
	err := h.Handler.Handle(ctx, r)
	if h.flush != nil && r.Level >= slog.LevelWarn {
		err = errors.Join(err, h.flush())
	}
	return err
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs), h.flush}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name), h.flush}
}
