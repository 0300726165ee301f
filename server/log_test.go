package server

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// An error logged for a request whose client has gone is a warning.
func TestErrorsOfAbandonedRequestsAreWarnings(t *testing.T) {
	t.Parallel()

	var buf bytes.Buffer
	log := NewLogger(&buf, "text", slog.LevelInfo)
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), requestIDKey, "req_abandoned1"))
	log.ErrorContext(ctx, "reading payment", "err", "boom")
	cancel()
	log.ErrorContext(ctx, "reading payment", "err", "context canceled")
	log.ErrorContext(context.Background(), "no request") // not a request: stays an error
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 3)
	require.Contains(t, lines[0], "level=ERROR")
	require.Contains(t, lines[1], "level=WARN")
	require.Contains(t, lines[1], "client_gone=true")
	require.Contains(t, lines[2], "level=ERROR")

	buf.Reset()
	quiet := NewLogger(&buf, "text", slog.LevelError)
	quiet.ErrorContext(ctx, "reading payment")
	require.Empty(t, buf.String(), "a warning is below --log-level error")
}
