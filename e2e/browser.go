// Package e2e drives a real headless Chromium against the gateway's pages.
//
// It is a test helper package: every function takes a testing.TB and fails
// the test on error, so a browser test reads as a list of steps.
//
//	func TestPayPage(t *testing.T) {
//		t.Parallel()
//		ctx := e2e.NewBrowser(t)              // skips (or fails under CI) without chromium
//		e2e.SetViewport(t, ctx, e2e.Phone)
//		e2e.Navigate(t, ctx, srv.URL+"/pay/abc")
//		e2e.Screenshot(t, ctx, "phone")       // e2e/screenshots/TestPayPage-phone.png
//	}
//
// The browser is Debian's chromium from PATH (or PASARELA_CHROMIUM). When it
// is missing a test skips, unless PASARELA_REQUIRE_BROWSER=1 or CI is set:
// then it fails, so a CI machine without a browser cannot pass by skipping.
// Pages are requested in Spanish (Accept-Language es-CL) unless a test
// says otherwise.
//
// Screenshots go to e2e/screenshots/ (ignored by git) or to the directory
// in PASARELA_SCREENSHOTS; each test logs the paths it wrote (go test -v).
// Look at them after changing a template or the stylesheet:
//
//	go test -run TestCheckoutPages -v ./e2e/ && xdg-open e2e/screenshots/
package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Timeout bounds everything one browser does in one test, start-up
// included. Generous because CI runs tests with -race on two cores, where
// Chromium alone can take seconds to start.
const Timeout = 2 * time.Minute

// RequireChromium returns the path of the browser to drive. When there is
// none it skips the test with a message that says how to install one, or
// fails it when PASARELA_REQUIRE_BROWSER=1 or CI is set, because there a
// skipped browser test would be a silent hole in the suite.
func RequireChromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("PASARELA_CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("PASARELA_CHROMIUM=%q is not an executable: %v", p, err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "no chromium on PATH: install it (apt-get install chromium) or set PASARELA_CHROMIUM"
	if browserRequired() {
		t.Fatal(msg + " (failing, not skipping: PASARELA_REQUIRE_BROWSER or CI is set)")
	}
	t.Skip(msg + "; set PASARELA_REQUIRE_BROWSER=1 to make this a failure")
	return ""
}

// guardedLog forwards chromedp's error log to the test until the test's
// cleanup, because t.Logf panics once a test has completed and chromedp's
// goroutines may still be reporting a closing connection.
type guardedLog struct {
	mu   sync.Mutex
	done bool
	t    testing.TB
}

func (l *guardedLog) Logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.t.Logf("chromedp: "+format, args...)
	}
}

func (l *guardedLog) stop() {
	l.mu.Lock()
	l.done = true
	l.mu.Unlock()
}

func browserRequired() bool {
	return os.Getenv("PASARELA_REQUIRE_BROWSER") == "1" || os.Getenv("CI") != ""
}

// NewBrowser starts a headless Chromium for this test alone and returns the
// context of its first tab. The browser is stopped and its profile removed
// when the test ends; everything it does must finish within Timeout.
func NewBrowser(t testing.TB) context.Context {
	t.Helper()
	path := RequireChromium(t)
	// Made before the cleanups below are registered, so that it is removed
	// after the browser has exited (cleanups run last-in, first-out).
	profile := t.TempDir()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.DisableGPU,
		// This machine's network is closed: without these Chromium keeps
		// calling home (updates, sync, QUIC probes) and those refused
		// connections slow or break page loads.
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Payers are mostly in Chile: pages come in Spanish unless a test
		// asks otherwise (?lang=, or an Accept-Language of its own).
		chromedp.Flag("lang", "es-CL"),
		chromedp.Flag("accept-lang", "es-CL,es"),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTimeout := context.WithTimeout(allocCtx, Timeout)
	logf := &guardedLog{t: t}
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithErrorf(logf.Logf))
	t.Cleanup(func() {
		cancelTab()
		cancelTimeout()
		cancelAlloc() // waits for the browser process to exit
		logf.stop()
	})
	// Start now, so a browser that cannot start fails here with its own
	// message rather than in the first step of the test.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium (%s): %v", path, err)
	}
	return ctx
}

// Viewport is a screen to emulate.
type Viewport struct {
	Name          string
	Width, Height int64
	Mobile        bool // a phone: touch, mobile meta viewport handling
}

// Phone is a common modern phone in portrait (iPhone 12 to 15 size).
var Phone = Viewport{Name: "phone", Width: 390, Height: 844, Mobile: true}

// Desktop is a common laptop screen.
var Desktop = Viewport{Name: "desktop", Width: 1280, Height: 800}

// SetViewport makes the tab emulate v. Scale stays 1 so that screenshots
// are small enough to look at and to keep.
func SetViewport(t testing.TB, ctx context.Context, v Viewport) {
	t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulatePortrait}
	if v.Mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(v.Width, v.Height, opts...)); err != nil {
		t.Fatalf("setting viewport %s: %v", v.Name, err)
	}
}

// EmulatePrint switches CSS media to print (on) or back to screen, to look
// at what a payer's printer or "save as PDF" will get.
func EmulatePrint(t testing.TB, ctx context.Context, on bool) {
	t.Helper()
	media := ""
	if on {
		media = "print"
	}
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
		return err
	}))
	if err != nil {
		t.Fatalf("emulating media %q: %v", media, err)
	}
}

// Navigate loads url and waits for the load event. It fails the test when
// the page does not load at all; an HTTP error status is a page like any
// other (tests of error pages need them).
func Navigate(t testing.TB, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		var le *chromedp.LoadError
		if errors.As(err, &le) {
			t.Fatalf("loading %s: %s", url, le.ErrorText)
		}
		t.Fatalf("loading %s: %v", url, err)
	}
}

// Text returns the visible text of the first element matching the CSS
// selector, with runs of white space collapsed as a reader sees them.
func Text(t testing.TB, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("reading text of %q: %v", css, err)
	}
	return strings.Join(strings.Fields(s), " ")
}

// Eval evaluates a JavaScript expression in the page through the DevTools
// protocol. The page's CSP does not apply to it (it is the debugger, not a
// page script), so tests can inspect pages that forbid scripts.
func Eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}
