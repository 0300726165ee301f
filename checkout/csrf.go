package checkout

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
)

// CSRFField is the name of the hidden form field that carries the token.
const CSRFField = "csrf_token"

// Cookie names. Over TLS the cookie takes the __Host- prefix, which makes
// the browser refuse it unless it is Secure, host-only and for Path=/: a
// sibling subdomain or a network attacker on plain HTTP cannot plant one
// ("cookie tossing") to pair with a token of their own. Plain HTTP (the
// sandbox on localhost) cannot use the prefix.
const (
	csrfCookie       = "pasarela_csrf"
	csrfCookieSecure = "__Host-pasarela_csrf"
)

const (
	csrfCookieBytes = 32 // 256 random bits (DESIGN invariant 7 asks ≥128)
	csrfMinKeyBytes = 32
	csrfDomain      = "pasarela/checkout/csrf/v1" // separates these MACs from other uses of the key
)

var b64 = base64.RawURLEncoding

// CSRF protects the payer's forms without JavaScript: a signed
// double-submit cookie.
//
// Each browser gets a random cookie (HttpOnly, SameSite=Strict, Secure over
// TLS). A form carries HMAC-SHA256(key, cookie, binding) in a hidden field,
// where binding names what the form acts on (the payment's token from the
// URL). A POST is accepted only when the field matches the request's own
// cookie and the binding the handler expects. A cross-site attacker can
// make the browser send the cookie but can neither read it nor compute the
// MAC without the server key, and a token taken from one payment page is
// useless for another payment.
//
// SameSite=Strict already keeps the cookie off cross-site POSTs in current
// browsers; the token is what protects older ones, and the binding is what
// stops a token being replayed against a different payment. See
// CrossOriginGuard for the third layer.
type CSRF struct {
	alwaysSecure bool
	key          []byte
}

// NewCSRF returns a CSRF protector keyed by key (at least 32 bytes, from
// the gateway's key material, the same on every node so any node verifies
// what another issued). alwaysSecure makes cookies Secure and __Host-
// prefixed even when the request came over plain HTTP, for gateways behind
// a TLS-terminating proxy (where r.TLS is nil although the payer uses
// HTTPS).
func NewCSRF(key []byte, alwaysSecure bool) (*CSRF, error) {
	if len(key) < csrfMinKeyBytes {
		return nil, errors.New("checkout: CSRF key must be at least 32 bytes")
	}
	return &CSRF{key: append([]byte(nil), key...), alwaysSecure: alwaysSecure}, nil
}

// Token returns the token to put in a form's CSRFField, bound to binding.
// When the browser has no valid cookie yet it sets one on w (so call Token
// before writing the response) and remembers it on r, so further tokens in
// the same request pair with the same cookie.
func (c *CSRF) Token(w http.ResponseWriter, r *http.Request, binding string) string {
	secret, ok := c.cookie(r)
	if !ok {
		raw := make([]byte, csrfCookieBytes)
		if _, err := rand.Read(raw); err != nil {
			panic("crypto/rand failed: " + err.Error()) // nothing safe to do without entropy
		}
		secret = b64.EncodeToString(raw)
		ck := &http.Cookie{
			Name:     c.cookieName(r),
			Value:    secret,
			Path:     "/",
			HttpOnly: true,
			Secure:   c.secure(r),
			SameSite: http.SameSiteStrictMode,
			// No Max-Age: a browser-session cookie. Payment pages live
			// minutes; nothing is gained by keeping it on disk.
		}
		http.SetCookie(w, ck)
		r.AddCookie(ck)
	}
	return b64.EncodeToString(c.mac(secret, binding))
}

// Verify reports whether r carries, in its form field CSRFField, a token
// made by Token for this browser's cookie and this binding. It reads the
// form (r.PostFormValue); call it before any other use of the body. The
// comparison is constant-time.
func (c *CSRF) Verify(r *http.Request, binding string) bool {
	secret, ok := c.cookie(r)
	if !ok {
		return false
	}
	got, err := b64.DecodeString(r.PostFormValue(CSRFField))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	return hmac.Equal(got, c.mac(secret, binding))
}

func (c *CSRF) mac(secret, binding string) []byte {
	m := hmac.New(sha256.New, c.key)
	// Length-free framing is safe here: the domain and the secret have fixed
	// contents/lengths, so the binding is everything after the second NUL.
	m.Write([]byte(csrfDomain))
	m.Write([]byte{0})
	m.Write([]byte(secret))
	m.Write([]byte{0})
	m.Write([]byte(binding))
	return m.Sum(nil)
}

// cookie returns the first well-formed CSRF cookie of the request. Only
// the name that fits the request's security is read: over TLS a cookie
// without the __Host- prefix may have been planted and is ignored.
func (c *CSRF) cookie(r *http.Request) (string, bool) {
	for _, ck := range r.CookiesNamed(c.cookieName(r)) {
		if raw, err := b64.DecodeString(ck.Value); err == nil && len(raw) == csrfCookieBytes {
			return ck.Value, true
		}
	}
	return "", false
}

func (c *CSRF) secure(r *http.Request) bool { return c.alwaysSecure || r.TLS != nil }

func (c *CSRF) cookieName(r *http.Request) string {
	if c.secure(r) {
		return csrfCookieSecure
	}
	return csrfCookie
}
