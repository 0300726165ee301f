package etpay

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Between login and approval the bank's authorization rides in a cookie
// in the payer's browser, never in the database: it is all that proves
// the login, and the sandbox bank's authorization even names the outcome
// password. The cookie is
//
//   - sealed by the keyring (AEAD) with the payment's id and token as
//     associated data: unreadable in the browser, and a cookie taken from
//     one session opens for no other (a replayed authorization is simply
//     "not logged in"), on top of the bank's own binding to the payment;
//   - stamped with its expiry inside the seal, so an old one is refused
//     by the server whatever the browser keeps;
//   - HttpOnly, SameSite=Strict and scoped to the session's own path, so
//     it never reaches another session's pages, and a second browser with
//     the same link has to log in too.
const (
	authCookie = "pasarela_etpay_bank"
	// authTTL is how long the payer has to approve after logging in.
	authTTL = 10 * time.Minute
	// maxAuthCookie bounds what is unsealed; real ones are ~150 bytes.
	maxAuthCookie = 2048
)

// authAAD binds a sealed authorization to one session.
func authAAD(s session) []byte {
	return []byte("etpay/bank-authorization/" + s.p.ID + "/" + s.p.Ref)
}

// setAuthorization gives the browser the bank's authorization for s.
func (a *API) setAuthorization(w http.ResponseWriter, r *http.Request, s session, auth string) error {
	expires := a.d.Now().Add(authTTL).Unix()
	sealed, err := a.d.Sealer.Seal([]byte(strconv.FormatInt(expires, 10)+"|"+auth), authAAD(s))
	if err != nil {
		return err
	}
	http.SetCookie(w, a.authCookie(r, s, base64.RawURLEncoding.EncodeToString(sealed), int(authTTL/time.Second)))
	return nil
}

// authorization returns the bank authorization this browser holds for s,
// if it has a valid one.
func (a *API) authorization(r *http.Request, s session) (string, bool) {
	for _, c := range r.CookiesNamed(authCookie) {
		if len(c.Value) > maxAuthCookie {
			continue
		}
		sealed, err := base64.RawURLEncoding.DecodeString(c.Value)
		if err != nil {
			continue
		}
		plain, err := a.d.Sealer.Open(sealed, authAAD(s))
		if err != nil {
			continue // another session's, or tampered with
		}
		exp, auth, ok := strings.Cut(string(plain), "|")
		unix, err := strconv.ParseInt(exp, 10, 64)
		if !ok || err != nil || auth == "" || !a.d.Now().Before(time.Unix(unix, 0)) {
			continue
		}
		return auth, true
	}
	return "", false
}

// clearAuthorization removes the browser's authorization for s, if any.
func (a *API) clearAuthorization(w http.ResponseWriter, r *http.Request, s session) {
	if len(r.CookiesNamed(authCookie)) > 0 {
		http.SetCookie(w, a.authCookie(r, s, "", -1))
	}
}

func (a *API) authCookie(r *http.Request, s session, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: authCookie, Value: value, Path: a.sessionPath(s.p.Ref), MaxAge: maxAge,
		HttpOnly: true, Secure: strings.HasPrefix(a.d.PublicURL, "https://") || r.TLS != nil,
		SameSite: http.SameSiteStrictMode,
	}
}
