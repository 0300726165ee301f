package checkout

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// issue runs Token on a GET as a browser would and returns the token and
// the cookie the browser keeps.
func issue(t *testing.T, c *CSRF, binding string, tlsOn bool) (string, *http.Cookie) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/pay/x", nil)
	if tlsOn {
		r.TLS = &tls.ConnectionState{}
	}
	w := httptest.NewRecorder()
	tok := c.Token(w, r, binding)
	cookies := w.Result().Cookies()
	require.Len(t, cookies, 1)
	return tok, cookies[0]
}

func post(token string, cookie *http.Cookie, tlsOn bool) *http.Request {
	form := url.Values{}
	if token != "" {
		form.Set(CSRFField, token)
	}
	r := httptest.NewRequest(http.MethodPost, "/pay/x", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != nil {
		r.AddCookie(cookie)
	}
	if tlsOn {
		r.TLS = &tls.ConnectionState{}
	}
	return r
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	c, err := NewCSRF(testKey, false)
	require.NoError(t, err)
	tok, ck := issue(t, c, "pay_A", false)

	t.Run("valid", func(t *testing.T) {
		t.Parallel()
		require.True(t, c.Verify(post(tok, ck, false), "pay_A"))
	})
	t.Run("missing cookie", func(t *testing.T) {
		t.Parallel()
		require.False(t, c.Verify(post(tok, nil, false), "pay_A"))
	})
	t.Run("missing token", func(t *testing.T) {
		t.Parallel()
		require.False(t, c.Verify(post("", ck, false), "pay_A"))
	})
	t.Run("wrong binding", func(t *testing.T) {
		t.Parallel()
		require.False(t, c.Verify(post(tok, ck, false), "pay_B"))
		require.False(t, c.Verify(post(tok, ck, false), ""))
	})
	t.Run("tampered token", func(t *testing.T) {
		t.Parallel()
		mac, err := b64.DecodeString(tok)
		require.NoError(t, err)
		mac[5] ^= 1 // a well-formed token with one bit of the MAC changed
		require.False(t, c.Verify(post(b64.EncodeToString(mac), ck, false), "pay_A"))
		require.False(t, c.Verify(post(tok[:len(tok)-2], ck, false), "pay_A"))
		require.False(t, c.Verify(post(tok+"AA", ck, false), "pay_A"))
		require.False(t, c.Verify(post("!!"+tok[2:], ck, false), "pay_A"))
	})
	t.Run("another browser's cookie", func(t *testing.T) {
		t.Parallel()
		_, other := issue(t, c, "pay_A", false)
		require.False(t, c.Verify(post(tok, other, false), "pay_A"))
	})
	t.Run("another key", func(t *testing.T) {
		t.Parallel()
		c2, err := NewCSRF([]byte("another key that is long enough!!"), false)
		require.NoError(t, err)
		require.False(t, c2.Verify(post(tok, ck, false), "pay_A"))
	})
	t.Run("malformed cookie", func(t *testing.T) {
		t.Parallel()
		bad := &http.Cookie{Name: ck.Name, Value: "short"}
		require.False(t, c.Verify(post(tok, bad, false), "pay_A"))
	})
}

func TestCSRFCookieAttributes(t *testing.T) {
	t.Parallel()
	c, err := NewCSRF(testKey, false)
	require.NoError(t, err)

	_, plain := issue(t, c, "b", false)
	require.Equal(t, "pasarela_csrf", plain.Name)
	require.True(t, plain.HttpOnly)
	require.False(t, plain.Secure)
	require.Equal(t, http.SameSiteStrictMode, plain.SameSite)
	require.Equal(t, "/", plain.Path)
	require.Len(t, plain.Value, 43) // 32 random bytes, base64url

	tok, secure := issue(t, c, "b", true)
	require.Equal(t, "__Host-pasarela_csrf", secure.Name)
	require.True(t, secure.Secure)
	require.Empty(t, secure.Domain)
	require.True(t, c.Verify(post(tok, secure, true), "b"))

	// Over TLS a cookie without the __Host- prefix could have been tossed
	// in by a sibling domain: it is not accepted.
	tossed := &http.Cookie{Name: "pasarela_csrf", Value: secure.Value}
	require.False(t, c.Verify(post(tok, tossed, true), "b"))

	always, err := NewCSRF(testKey, true)
	require.NoError(t, err)
	_, proxied := issue(t, always, "b", false)
	require.Equal(t, "__Host-pasarela_csrf", proxied.Name)
	require.True(t, proxied.Secure)
}

func TestCSRFReusesCookie(t *testing.T) {
	t.Parallel()
	c, err := NewCSRF(testKey, false)
	require.NoError(t, err)
	_, ck := issue(t, c, "b", false)

	// A browser that has a cookie gets no new one.
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(ck)
	w := httptest.NewRecorder()
	tok := c.Token(w, r, "b")
	require.Empty(t, w.Result().Cookies())
	require.True(t, c.Verify(post(tok, ck, false), "b"))

	// Two tokens in one request without a cookie pair with one cookie.
	r = httptest.NewRequest(http.MethodGet, "/", nil)
	w = httptest.NewRecorder()
	t1, t2 := c.Token(w, r, "one"), c.Token(w, r, "two")
	cookies := w.Result().Cookies()
	require.Len(t, cookies, 1)
	require.True(t, c.Verify(post(t1, cookies[0], false), "one"))
	require.True(t, c.Verify(post(t2, cookies[0], false), "two"))

	// A malformed cookie is replaced.
	r = httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: "pasarela_csrf", Value: "garbage"})
	w = httptest.NewRecorder()
	c.Token(w, r, "b")
	require.Len(t, w.Result().Cookies(), 1)
}

func TestNewCSRFShortKey(t *testing.T) {
	t.Parallel()
	_, err := NewCSRF(make([]byte, 31), false)
	require.Error(t, err)
}
