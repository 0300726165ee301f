package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ConsoleRecorder keeps every console message and browser log entry of a
// tab: script errors, failed loads and Content-Security-Policy violations
// (Chromium reports those as log entries, "Refused to load ... because it
// violates the following Content Security Policy directive").
type ConsoleRecorder struct {
	mu       sync.Mutex
	messages []chromedp.ConsoleMessage
	seq      int
}

// RecordConsole starts recording the console of the tab in ctx. Call it
// before navigating: messages written before it are lost.
func RecordConsole(t testing.TB, ctx context.Context) *ConsoleRecorder {
	t.Helper()
	r := &ConsoleRecorder{}
	messages := chromedp.Console(ctx) // subscribes now, before anything runs
	go func() {
		for m, err := range messages {
			if err != nil {
				return // the tab closed at the end of the test
			}
			r.mu.Lock()
			r.messages = append(r.messages, m)
			r.mu.Unlock()
		}
	}()
	return r
}

// Messages waits until every message the page wrote so far has arrived,
// then returns them. The wait matters: messages come on their own event
// stream, so right after a navigation some may still be in flight. It
// writes a marker through the debugger and waits to see it; events arrive
// in order, so everything before the marker is there too.
func (r *ConsoleRecorder) Messages(t testing.TB, ctx context.Context) []chromedp.ConsoleMessage {
	t.Helper()
	r.mu.Lock()
	r.seq++
	marker := fmt.Sprintf("e2e-console-marker-%d", r.seq)
	r.mu.Unlock()
	// A frame first: some reports (inline style attributes) are only made
	// when styles are computed for rendering.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void]("new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))", chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("waiting for a frame: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("console.debug(%q)", marker))); err != nil {
		t.Fatalf("writing console marker: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.mu.Lock()
		var out []chromedp.ConsoleMessage
		found := false
		for _, m := range r.messages {
			if strings.HasPrefix(m.Text, "e2e-console-marker-") {
				found = found || m.Text == marker
				continue
			}
			out = append(out, m)
		}
		r.mu.Unlock()
		if found {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("console marker %s never arrived", marker)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// CSPViolations returns the messages that report a Content-Security-Policy
// violation.
func (r *ConsoleRecorder) CSPViolations(t testing.TB, ctx context.Context) []string {
	t.Helper()
	var out []string
	for _, m := range r.Messages(t, ctx) {
		if strings.Contains(m.Text, "Content Security Policy") {
			out = append(out, m.String())
		}
	}
	return out
}
