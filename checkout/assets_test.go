package checkout

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAssetURL(t *testing.T) {
	t.Parallel()
	u, ok := AssetURL("checkout.css")
	require.True(t, ok)
	require.Regexp(t, regexp.MustCompile(`^/assets/checkout\.[0-9a-f]{12}\.css$`), u)
	_, ok = AssetURL("nope.css")
	require.False(t, ok)
	for _, name := range []string{"checkout.css", "lock.svg", "bank.svg", "card.svg", "cash.svg", "success.svg", "failure.svg", "pending.svg"} {
		_, ok := AssetURL(name)
		require.True(t, ok, name)
	}
}

func TestAssets(t *testing.T) {
	t.Parallel()
	h := SecureHeaders(Assets())
	get := func(path string, hdr ...string) *http.Response {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Result()
	}
	css, _ := AssetURL("checkout.css")

	res := get(css)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "text/css; charset=utf-8", res.Header.Get("Content-Type"))
	require.Equal(t, "public, max-age=31536000, immutable", res.Header.Get("Cache-Control"))
	require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
	body, _ := io.ReadAll(res.Body)
	require.Contains(t, string(body), "@media print")

	etag := res.Header.Get("ETag")
	require.NotEmpty(t, etag)
	require.Equal(t, http.StatusNotModified, get(css, "If-None-Match", etag).StatusCode)

	// Another build's hash: current content, but never cached as immutable.
	res = get("/assets/checkout.000000000000.css")
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "no-cache", res.Header.Get("Cache-Control"))
	res = get("/assets/checkout.css")
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "no-cache", res.Header.Get("Cache-Control"))

	svg, _ := AssetURL("lock.svg")
	res = get(svg)
	require.Equal(t, "image/svg+xml", res.Header.Get("Content-Type"))
	body, _ = io.ReadAll(res.Body)
	require.True(t, strings.HasPrefix(string(body), "<svg"))
	require.NotContains(t, strings.ToLower(string(body)), "<script")

	require.Equal(t, http.StatusNotFound, get("/assets/missing.css").StatusCode)
	require.Equal(t, http.StatusNotFound, get("/other/checkout.css").StatusCode)
}

// Browsers ask for /favicon.ico whatever the page declares; it is the lock.
func TestFavicon(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	Favicon().ServeHTTP(w, httptest.NewRequest(http.MethodGet, FaviconPath, nil))
	res := w.Result()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "image/svg+xml", res.Header.Get("Content-Type"))
	body, _ := io.ReadAll(res.Body)
	require.Equal(t, string(assets["lock.svg"].body), string(body))
}
