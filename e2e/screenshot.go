package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"

	"github.com/chromedp/chromedp"
)

// ScreenshotDir is where Screenshot writes: $PASARELA_SCREENSHOTS when set,
// else e2e/screenshots/ in the source tree. That directory is in
// .gitignore: screenshots are for people to look at after a run (open the
// PNGs in any image viewer; CI can keep the directory as an artifact by
// setting PASARELA_SCREENSHOTS), never something to commit, because they
// change with every font or browser update.
func ScreenshotDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("PASARELA_SCREENSHOTS"); d != "" {
		return d
	}
	// The source file's own directory: stable however `go test` was started.
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		return filepath.Join(filepath.Dir(file), "screenshots")
	}
	// Built with -trimpath: no source path to go by.
	return t.TempDir()
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Screenshot saves a full-page PNG of the tab as
// <ScreenshotDir>/<TestName>-<name>.png (subtest slashes become "_") and
// logs its path, so a failing run says where to look.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := ScreenshotDir(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot dir: %v", err)
	}
	file := filepath.Join(dir, unsafeFileChars.ReplaceAllString(t.Name()+"-"+name, "_")+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatalf("writing screenshot: %v", err)
	}
	t.Logf("screenshot: %s", file)
	return file
}
