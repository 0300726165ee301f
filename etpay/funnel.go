package etpay

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/pasarela/pasarela/checkout"
	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/payment"
)

// The payer's funnel, {pmt_url}/session/{token}. GET on the session shows
// whatever the session needs next; each step's form posts to its own
// action below it and is answered with 303 See Other, so a reload never
// posts twice:
//
//	GET  {Prefix}/session/{token}          bank choice, bank login, review, result; 404 and 410 pages
//	POST {Prefix}/session/{token}/bank     the payer picks a bank
//	POST {Prefix}/session/{token}/login    RUT and password → the bank
//	POST {Prefix}/session/{token}/approve  the logged-in payer approves the transfer
//	POST {Prefix}/session/{token}/cancel   the payer gives up
//	GET  {Prefix}/session/{token}/{step}   back to the session (a reloaded error answer)
//	GET  {Prefix}/terms                    the terms page terms_url points to
//
// Everything sits behind checkout.SecureHeaders (strict CSP, no framing)
// and the cross-origin guard: nothing here is ever posted from another
// site. Pages carry no script, so the funnel works without JavaScript.
const (
	actionApprove = "/approve"
	actionBank    = "/bank"
	actionCancel  = "/cancel"
	actionLogin   = "/login"
)

// maxFormBytes bounds a funnel form's body; the biggest, the login, is a
// few hundred bytes.
const maxFormBytes = 8 << 10

// maxTokenLen bounds the token of a funnel URL before any database read;
// session tokens have 64 characters.
const maxTokenLen = 128

func (a *API) mountFunnel(m interface{ Handle(string, http.Handler) }) {
	page := func(h http.HandlerFunc) http.Handler {
		return checkout.SecureHeaders(a.pages.CrossOriginGuard(h))
	}
	s := a.d.Prefix + "/session/{token}"
	m.Handle("GET "+s, page(a.showSession))
	m.Handle("GET "+s+"/{step...}", page(a.backToSession))
	m.Handle("GET "+a.d.Prefix+"/session/{$}", page(a.notFound))
	m.Handle("POST "+s+actionBank, page(a.chooseBank))
	m.Handle("POST "+s+actionLogin, page(a.login))
	m.Handle("POST "+s+actionApprove, page(a.approve))
	m.Handle("POST "+s+actionCancel, page(a.cancel))
	m.Handle("GET "+a.d.Prefix+"/terms", page(a.terms))
}

// session is the payment a funnel request is about, with what every page
// needs of it.
type session struct {
	bank     Bank // zero while the payer has not chosen one
	merchant merchant.Merchant
	p        payment.Payment
}

// preloaded reports whether the merchant chose the bank (user_bank_code):
// the payer goes straight to its login and cannot pick another.
func (s session) preloaded() bool { return s.p.Extra[ExtraBankPreloaded] != "" }

// rutLocked reports whether the merchant's user_rut may not be changed
// (is_rut_block). It is enforced on the server, not only by the read-only
// field: a payer could edit the form.
func (s session) rutLocked() bool {
	return s.p.Extra[ExtraRUTBlocked] == "true" && s.p.Payer.DocumentID != ""
}

// chilean reports whether the payer logs in with a RUT; the Mexican
// variant's banks use a customer id with no check digit.
func (s session) chilean() bool { return s.p.Country != CountryMX }

// successURL and cancelURL are where the payer's browser returns: the
// session's own URLs, else the merchant's defaults (WIRE.md).
func (s session) successURL() string {
	if s.p.URLs.Success != "" {
		return s.p.URLs.Success
	}
	return s.merchant.SuccessURL
}

func (s session) cancelURL() string {
	if s.p.URLs.Cancel != "" {
		return s.p.URLs.Cancel
	}
	return s.merchant.CancelURL
}

// sessionPath is the session's path as the payer's browser sees it (the
// public URL's path and Prefix included). Forms and redirects use paths,
// not absolute URLs, so they stay on the host the payer came in by.
func (a *API) sessionPath(token string) string {
	return a.publicPath + a.d.Prefix + "/session/" + url.PathEscape(token)
}

// load finds the session of the request's URL. It answers the 404 page for
// an unknown token, for another dialect's payment and for a payment_token
// (GetByRef also finds those: only the session token opens the funnel),
// and a clean 503 page when the database fails.
func (a *API) load(w http.ResponseWriter, r *http.Request) (session, bool) {
	token := r.PathValue("token")
	if token == "" || len(token) > maxTokenLen {
		a.pages.Error(w, r, http.StatusNotFound)
		return session{}, false
	}
	ctx := r.Context()
	p, err := a.d.Payments.GetByRef(ctx, token)
	if errors.Is(err, payment.ErrNotFound) || (err == nil && (p.Dialect != payment.DialectETpay || p.Ref != token)) {
		a.pages.Error(w, r, http.StatusNotFound)
		return session{}, false
	}
	if err != nil {
		a.d.Log.ErrorContext(ctx, "etpay: funnel: reading payment", "err", err)
		a.pages.Error(w, r, http.StatusServiceUnavailable)
		return session{}, false
	}
	m, err := a.d.Merchants.Get(ctx, p.MerchantID)
	if err != nil {
		a.d.Log.ErrorContext(ctx, "etpay: funnel: reading merchant", "payment", p.ID, "err", err)
		a.pages.Error(w, r, http.StatusServiceUnavailable)
		return session{}, false
	}
	s := session{merchant: m, p: p}
	if p.Method != "" {
		if b, ok := LookupBank(p.Method); ok {
			s.bank = b
		} else {
			s.bank = Bank{Code: p.Method, Name: p.Method} // validated on the way in; show what there is
		}
	}
	return s, true
}

// expired reports whether the payer is too late: the session expired, or
// its expiry passed and the sweeper has not announced it yet. A transfer
// the bank is still confirming is not the payer's to lose: it shows as
// pending until the bank (or the sweeper) decides.
func (a *API) expired(p payment.Payment) bool {
	return p.Status == payment.StatusExpired ||
		(p.Status == payment.StatusCreated && !a.d.Now().Before(p.ExpiresAt))
}

// showSession serves GET {Prefix}/session/{token}: the page the session's
// state calls for.
func (a *API) showSession(w http.ResponseWriter, r *http.Request) {
	s, ok := a.load(w, r)
	if !ok {
		return
	}
	switch {
	case a.expired(s.p):
		a.pages.Error(w, r, http.StatusGone)
	case s.p.Status != payment.StatusCreated:
		a.renderOutcome(w, r, s)
	case s.p.Method == "" || (r.URL.Query().Get("change") == "bank" && !s.preloaded()):
		a.renderBanks(w, r, s, http.StatusOK, "")
	default:
		if _, ok := a.authorization(r, s); ok {
			a.renderReview(w, r, s)
			return
		}
		a.renderLogin(w, r, s, http.StatusOK, loginForm{})
	}
}

// backToSession answers a GET on a form action (a reload or bookmark of a
// page that answered a POST) with the session's page.
func (a *API) backToSession(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, a.sessionPath(r.PathValue("token")), http.StatusSeeOther)
}

func (a *API) notFound(w http.ResponseWriter, r *http.Request) {
	a.pages.Error(w, r, http.StatusNotFound)
}

// startPost runs the checks every funnel POST shares, in this order: the
// body is bounded; the CSRF token must be this browser's and bound to this
// session (403, before anything is read); the session must exist (404)
// and not be expired (410). A session no longer open to the payer's
// choices (another tab or a double click moved it on) sends the payer to
// its page, which shows where it stands. Only when it returns true may the
// handler act.
func (a *API) startPost(w http.ResponseWriter, r *http.Request) (session, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if !a.pages.CSRF().Verify(r, r.PathValue("token")) {
		a.pages.Error(w, r, http.StatusForbidden)
		return session{}, false
	}
	s, ok := a.load(w, r)
	if !ok {
		return session{}, false
	}
	if a.expired(s.p) {
		a.pages.Error(w, r, http.StatusGone)
		return session{}, false
	}
	if s.p.Status != payment.StatusCreated {
		a.toSession(w, r, s)
		return session{}, false
	}
	return s, true
}

// toSession sends the browser to the session's page.
func (a *API) toSession(w http.ResponseWriter, r *http.Request, s session) {
	http.Redirect(w, r, a.sessionPath(s.p.Ref), http.StatusSeeOther)
}

// changeFailed handles a failed UpdateDetails or Transition: when another
// request moved the session first the payer is sent to its page (which
// shows the winner); anything else is the database's fault, a 503 page.
func (a *API) changeFailed(w http.ResponseWriter, r *http.Request, s session, err error) {
	var te *payment.TransitionError
	if errors.As(err, &te) || errors.Is(err, payment.ErrConflict) {
		a.toSession(w, r, s)
		return
	}
	a.d.Log.ErrorContext(r.Context(), "etpay: funnel: changing payment", "payment", s.p.ID, "err", err)
	a.pages.Error(w, r, http.StatusServiceUnavailable)
}

// finish sends the payer on after a change: to the merchant's completed
// URL (success) or cancellation URL (anything else) with the result JWT,
// as the redirect of WIRE.md; to the session's result page when the
// merchant gave no such URL, or while the bank has not decided (a pending
// transfer has no result to carry yet).
func (a *API) finish(w http.ResponseWriter, r *http.Request, s session, p payment.Payment) {
	s.p = p
	if u := a.returnURL(r, s); u != "" {
		http.Redirect(w, r, u, http.StatusSeeOther)
		return
	}
	a.toSession(w, r, s)
}

// returnURL is the merchant URL with ?jwt= for a final session, or "" when
// there is none to go to. A JWT that cannot be signed is logged and the
// payer stays on the result page: the webhook still tells the merchant.
func (a *API) returnURL(r *http.Request, s session) string {
	if !s.p.Status.Final() {
		return ""
	}
	target := s.cancelURL()
	if s.p.Status == payment.StatusCompleted {
		target = s.successURL()
	}
	if !isWebURL(target) {
		return ""
	}
	jwt, err := a.ResultJWT(r.Context(), s.p)
	if err != nil {
		a.d.Log.WarnContext(r.Context(), "etpay: funnel: signing the result for the redirect", "payment", s.p.ID, "err", err)
		return ""
	}
	return ResultURL(target, s.p.Extra[ExtraConcat], jwt)
}

// isWebURL reports whether u is an absolute http(s) URL: the only kind the
// funnel redirects to or lists in the CSP form-action.
func isWebURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != "" && p.User == nil
}
