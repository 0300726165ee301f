package checkout

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// ContentSecurityPolicy is the policy of every payer page. Pages carry no
// script at all and no inline style, so nothing needs 'unsafe-inline',
// nonces or hashes: an injected <script> or style="" simply does not run.
//
//   - default-src 'none': anything not listed below is refused (scripts,
//     fonts, frames, connections, media).
//   - style-src 'self' and img-src 'self' data:: the one stylesheet and the
//     icons from /assets/; data: for small inline images a page may embed
//     (a voucher barcode).
//   - form-action 'self': forms post only to the gateway. Chromium also
//     applies form-action to every redirect that follows a form's POST, so
//     a POST answered by "303 See Other" to the merchant's return URL is
//     blocked unless that origin is listed too: see AllowFormTargets.
//   - frame-ancestors 'none': no framing, so no clickjacking of the pay
//     button (X-Frame-Options says the same to older browsers).
//   - base-uri 'none': an injected <base> cannot redirect relative URLs.
const ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// permissionsPolicy turns off the powerful browser features no payer page
// uses, so injected or third-party content could not use them either.
const permissionsPolicy = "accelerometer=(), autoplay=(), camera=(), display-capture=(), " +
	"geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), " +
	"publickey-credentials-get=(), usb=(), xr-spatial-tracking=()"

// SecureHeaders sets the security headers of payer pages and assets before
// calling next. Handlers may still change them: the asset handler replaces
// Cache-Control with a long one, AllowFormTargets widens form-action.
//
// Cross-Origin-Opener-Policy is deliberately not set: some merchants open
// the checkout in a popup and watch it, and COOP would cut that link.
func SecureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer") // payment tokens live in URLs
		h.Set("Permissions-Policy", permissionsPolicy)
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cache-Control", "no-store") // pages show payment details; never keep them
		if r.TLS != nil {
			// Only over TLS: over plain HTTP the header is ignored anyway, and
			// a TLS front sets its own.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// AllowFormTargets adds the origins of urls to the form-action directive of
// the response's Content-Security-Policy. Call it (or set
// Order.FormTargets, which Render passes here) for a page whose form POST
// is answered with a redirect off the gateway: the merchant's return and
// cancel URLs, a bank's page. Chromium checks every hop of the redirect
// chain of a form submission against form-action and stops at the first
// origin not listed (checked by the browser tests in e2e/).
//
// Only scheme://host[:port] is added: a CSP source with a path stops
// matching after a redirect anyway. A URL that is not absolute http(s) is
// an error and nothing is changed. Without a CSP header (SecureHeaders not
// in front) there is nothing to widen and it does nothing.
func AllowFormTargets(w http.ResponseWriter, urls ...string) error {
	origins := make([]string, 0, len(urls))
	for _, raw := range urls {
		o, err := origin(raw)
		if err != nil {
			return err
		}
		origins = append(origins, o)
	}
	h := w.Header()
	csp := h.Get("Content-Security-Policy")
	if csp == "" || len(origins) == 0 {
		return nil
	}
	directives := strings.Split(csp, ";")
	for i, d := range directives {
		fields := strings.Fields(d)
		if len(fields) > 0 && strings.EqualFold(fields[0], "form-action") {
			// 'none' is only valid alone; it cannot stay beside an origin.
			fields = slices.DeleteFunc(fields, func(f string) bool { return f == "'none'" })
			for _, o := range origins {
				if !slices.Contains(fields[1:], o) {
					fields = append(fields, o)
				}
			}
		}
		directives[i] = strings.Join(fields, " ")
	}
	h.Set("Content-Security-Policy", strings.Join(slices.DeleteFunc(directives, func(d string) bool { return d == "" }), "; "))
	return nil
}

// origin returns "scheme://host[:port]" of an absolute http(s) URL. The
// checks keep anything that could break out of a CSP source list (spaces,
// ";", ",", quotes) from reaching the header.
func origin(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("checkout: form target %q: %w", raw, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("checkout: form target %q is not an absolute http(s) URL", raw)
	}
	if strings.ContainsAny(u.Host, " \t\r\n;,'\"*") {
		return "", fmt.Errorf("checkout: form target %q has an invalid host", raw)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}
