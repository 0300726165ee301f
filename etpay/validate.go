package etpay

import (
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the request fields. The provider documents only the 64
// characters of merchant_order_id; the others are pasarela's, generous for
// any real use and small enough to store and display.
const (
	MaxOrderIDLen       = 64   // characters of merchant_order_id
	MaxMerchantCodeLen  = 64   // characters of merchant_code
	MaxAPITokenLen      = 256  // bytes of merchant_api_token
	MaxTokenLen         = 128  // bytes of a session_token or payment_token
	MaxURLLen           = 2048 // bytes of each URL
	MaxEmailLen         = 254  // bytes of customer_email (RFC 5321 path)
	MaxMetadata         = 20   // entries of metadata
	MaxMetadataNameLen  = 64   // characters of a metadata name
	MaxMetadataValueLen = 256  // characters of a metadata value
)

// ConcatChars are the characters concat may be. Each is a URL delimiter
// that cannot move the JWT into the URL's host: "?" and "&" start or
// continue a query, "#" puts the JWT in the fragment (single-page apps with
// hash routing), "/" appends it as a path segment and ";" as a matrix
// parameter. Anything else is refused, so a merchant typo cannot produce a
// result URL that points somewhere unexpected.
const ConcatChars = "?&#/;"

// printable reports valid UTF-8 made only of printable characters (letters,
// marks, numbers, punctuation, symbols and the ASCII space): no control or
// formatting characters that would corrupt logs, pages or CSV exports.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// checkText validates a printable field of at most max characters.
func checkText(s, field, code string, max int) *Error {
	if n := utf8.RuneCountInString(s); n > max {
		return NewInvalid(code, field, fmt.Sprintf("%s must have at most %d characters, it has %d", field, max, n))
	}
	if !printable(s) {
		return NewInvalid(code, field, field+" must not contain control characters")
	}
	return nil
}

// checkURL validates a result or webhook URL: absolute http or https, a
// host, no user info (a "https://bank.cl@evil.example" URL is a phishing
// tool, never a merchant's need), no spaces or control characters, at most
// MaxURLLen bytes. Plain http is allowed because sandbox merchants test
// against localhost.
func checkURL(s, field string) *Error {
	bad := func(why string) *Error {
		return NewInvalid(CodeInvalidURL, field, field+" "+why)
	}
	if len(s) > MaxURLLen {
		return bad(fmt.Sprintf("must have at most %d characters", MaxURLLen))
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f || !unicode.IsPrint(r) }) {
		return bad("must not contain spaces or control characters")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Opaque != "" {
		return bad("must be an absolute http or https URL")
	}
	if u.Host == "" || u.Hostname() == "" {
		return bad("must have a host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return bad("has an invalid port")
		}
	}
	if u.User != nil {
		return bad("must not contain a user name or password")
	}
	return nil
}

// checkEmail accepts a plain address (no display name, no angle brackets)
// whose domain has a dot, which is what a payment receipt can be sent to.
func checkEmail(s string) *Error {
	bad := NewInvalid(CodeInvalidEmail, "customer_email", "customer_email must be an address such as payer@example.com")
	if len(s) > MaxEmailLen || !printable(s) {
		return bad
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return bad
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || len(local) > 64 || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, "[") || strings.HasSuffix(domain, ".") || strings.HasPrefix(domain, ".") {
		return bad
	}
	return nil
}

// NormalizePhone returns a Mexican phone as its 10 national digits. It
// accepts the separators people type (spaces, dashes, dots, parentheses)
// and the country code +52 or 52 in front; ok is false when what remains is
// not exactly 10 digits.
func NormalizePhone(s string) (string, bool) {
	var b strings.Builder
	plus := false
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		case r == '+' && b.Len() == 0 && !plus:
			plus = true
		default:
			return s, false
		}
	}
	d := b.String()
	if len(d) == 12 && strings.HasPrefix(d, "52") {
		d = d[2:]
	} else if plus { // "+" must introduce Mexico's country code
		return s, false
	}
	if len(d) != 10 {
		return s, false
	}
	return d, true
}
