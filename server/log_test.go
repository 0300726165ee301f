package server

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/internal/syncbuf"
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

func TestLogBufferHoldsInfoAndFlushesWarnings(t *testing.T) {
	t.Parallel()

	var out syncbuf.Buffer
	lb := NewLogBuffer(&out, time.Hour)
	log := NewLogger(lb, "text", slog.LevelInfo)
	log.Info("request", "status", 200)
	require.Empty(t, out.String(), "an info line waits for the next flush")
	log.Warn("slow receiver")
	require.Contains(t, out.String(), "status=200", "a warning takes the lines before it along")
	require.Contains(t, out.String(), "level=WARN")
	log.Info("last words")
	require.NoError(t, lb.Close())
	require.Contains(t, out.String(), "last words", "Close writes what is left")
}

func TestLogBufferFlushesPeriodically(t *testing.T) {
	t.Parallel()

	var out syncbuf.Buffer
	lb := NewLogBuffer(&out, 10*time.Millisecond)
	defer lb.Close()
	NewLogger(lb, "json", slog.LevelInfo).Info("request", "status", 201)
	require.Eventually(t, func() bool { return strings.Contains(out.String(), `"status":201`) },
		5*time.Second, 5*time.Millisecond)
}

func TestLogBufferKeepsConcurrentLinesWhole(t *testing.T) {
	t.Parallel()

	var out syncbuf.Buffer
	lb := NewLogBuffer(&out, time.Millisecond)
	log := NewLogger(lb, "text", slog.LevelInfo)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 300 {
				log.Info("request", "writer", g, "n", i, "pad", strings.Repeat("x", 200))
			}
		})
	}
	wg.Wait()
	require.NoError(t, lb.Close())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 8*300)
	for _, l := range lines {
		require.True(t, strings.HasPrefix(l, "time=") && strings.HasSuffix(l, strings.Repeat("x", 200)), l)
	}
}
