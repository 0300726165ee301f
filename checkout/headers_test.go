package checkout

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSecureHeaders(t *testing.T) {
	t.Parallel()
	h := SecureHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/pay/x", nil))
	got := w.Header()
	require.Equal(t, "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", got.Get("Content-Security-Policy"))
	require.Equal(t, "nosniff", got.Get("X-Content-Type-Options"))
	require.Equal(t, "DENY", got.Get("X-Frame-Options"))
	require.Equal(t, "no-referrer", got.Get("Referrer-Policy"))
	require.Equal(t, "no-store", got.Get("Cache-Control"))
	require.Contains(t, got.Get("Permissions-Policy"), "camera=()")
	require.Contains(t, got.Get("Permissions-Policy"), "payment=()")
	require.Equal(t, "same-origin", got.Get("Cross-Origin-Resource-Policy"))
	require.Empty(t, got.Get("Strict-Transport-Security"), "no HSTS over plain HTTP")

	r := httptest.NewRequest(http.MethodGet, "/pay/x", nil)
	r.TLS = &tls.ConnectionState{}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, "max-age=31536000", w.Header().Get("Strict-Transport-Security"))
}

func TestAllowFormTargets(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	w.Header().Set("Content-Security-Policy", ContentSecurityPolicy)
	require.NoError(t, AllowFormTargets(w,
		"https://Shop.example/return?order=1#x",
		"https://shop.example/cancel", // same origin: listed once
		"http://127.0.0.1:8081/back",
	))
	require.Equal(t, "default-src 'none'; style-src 'self'; img-src 'self' data:; "+
		"form-action 'self' https://shop.example http://127.0.0.1:8081; frame-ancestors 'none'; base-uri 'none'",
		w.Header().Get("Content-Security-Policy"))

	for _, bad := range []string{
		"/relative", "javascript:alert(1)", "ftp://shop.example/", "https://user:pw@shop.example/",
		"https://shop.example;script-src *", "https://a b/", "https://*.shop.example/", "",
	} {
		w := httptest.NewRecorder()
		w.Header().Set("Content-Security-Policy", ContentSecurityPolicy)
		require.Error(t, AllowFormTargets(w, bad), bad)
		require.Equal(t, ContentSecurityPolicy, w.Header().Get("Content-Security-Policy"), bad)
	}

	// 'none' cannot stand beside a source.
	w = httptest.NewRecorder()
	w.Header().Set("Content-Security-Policy", "form-action 'none'")
	require.NoError(t, AllowFormTargets(w, "https://shop.example"))
	require.Equal(t, "form-action https://shop.example", w.Header().Get("Content-Security-Policy"))

	// Without a policy there is nothing to widen.
	w = httptest.NewRecorder()
	require.NoError(t, AllowFormTargets(w, "https://shop.example"))
	require.Empty(t, w.Header().Get("Content-Security-Policy"))
}
