package payretailers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/pasarela/pasarela/checkout"
	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/rail"
	"github.com/pasarela/pasarela/rail/sandbox"
	"github.com/pasarela/pasarela/vault"
)

// The OneClick enrollment page, where oneclick/register's redirect_url
// sends the payer (the path is the seed's):
//
//	GET  /oneclick/session/{token}        the card form, or where the
//	                                      enrollment stands (saved, expired)
//	POST /oneclick/session/{token}/card   card data → zero-amount
//	                                      verification → vault
//	GET  /oneclick/session/{token}/…      back to the page (a reloaded 422)
//
// The page follows the hosted payment pages: no JavaScript, the CSRF token
// bound to the enrollment token, the CSP (with the merchant's return and
// cancel origins as form targets, since the POST ends in a 303 to the
// return URL), es/en/pt. Card data is handled as on the card form
// (hosted_card.go): read, checked, verified with the acquirer, sealed into
// the vault and dropped; the CVC and the holder's name only ever reach
// the acquirer.
const (
	// OneClickSessionPattern is the payer's enrollment page.
	OneClickSessionPattern = "/oneclick/session/{token}"
	actionEnrollCard       = "/card"
)

// oneClickRoutes are the payer's enrollment routes, behind the same
// headers and cross-origin guard as the hosted payment pages.
func (a *API) oneClickRoutes() map[string]http.Handler {
	page := func(h http.HandlerFunc) http.Handler {
		return checkout.SecureHeaders(a.pages.CrossOriginGuard(h))
	}
	return map[string]http.Handler{
		"GET " + OneClickSessionPattern:                     page(a.enrollPage),
		"GET " + OneClickSessionPattern + "/{rest...}":      page(a.backToEnrollPage),
		"POST " + OneClickSessionPattern + actionEnrollCard: page(a.enrollCard),
		"GET /oneclick/session/{$}":                         page(a.notFound),
	}
}

// enrollPath is the enrollment page's path as the payer's browser sees it.
func (a *API) enrollPath(tok string) string {
	return a.publicPath + "/oneclick/session/" + url.PathEscape(tok)
}

// session is the enrollment a page request is about.
type session struct {
	e        enrollment
	merchant merchant.Merchant
	token    string
}

// enrollPage is the data of oneclick_enroll.html.
type enrollPage struct {
	checkout.Order
	Action string
	// CancelURL is pg_cancel_url with pg_token, the cancel link.
	CancelURL string
	// Errors maps a field (number, expiry, cvc, holder) to the message key
	// of what is wrong with it.
	Errors map[string]string
	Holder string
	// ReasonKey says why the acquirer refused the card.
	ReasonKey string
	// TestCards are the sandbox's documented cards; nil outside sandbox.
	TestCards []testCard
}

// enrollStatusPage is the data of oneclick_status.html.
type enrollStatusPage struct {
	checkout.Order
	BodyKey   string
	Icon      string
	ReturnURL string
	TitleKey  string
}

// loadSession opens the token of the request's URL. An unknown or forged
// token, or OneClick being off, gets the 404 page; a database failure the
// 503 page; both return false.
func (a *API) loadSession(w http.ResponseWriter, r *http.Request) (session, bool) {
	tok := r.PathValue("token")
	e, ok := a.enrollments.open(tok)
	if !ok || !a.oneClickOn() {
		a.pages.Error(w, r, http.StatusNotFound)
		return session{}, false
	}
	m, err := a.merchants.Get(r.Context(), e.MerchantID)
	if errors.Is(err, merchant.ErrNotFound) {
		a.pages.Error(w, r, http.StatusNotFound)
		return session{}, false
	}
	if err != nil {
		a.log.ErrorContext(r.Context(), "payretailers: enrollment page: reading merchant", "merchant", e.MerchantID, "err", err)
		a.pages.Error(w, r, http.StatusServiceUnavailable)
		return session{}, false
	}
	return session{e: e, merchant: m, token: tok}, true
}

// order is what the layout shows above the enrollment pages: the
// merchant, no amount. Both forms' redirects end at the merchant's
// return or cancel URL, so both origins are form targets.
func (a *API) enrollOrder(s session) checkout.Order {
	o := checkout.Order{Binding: s.token, Merchant: s.merchant.Name}
	for _, u := range []string{s.e.ReturnURL, s.e.CancelURL} {
		if isWebURL(u) {
			o.FormTargets = append(o.FormTargets, u)
		}
	}
	return o
}

// backURL is base (pg_return_url or pg_cancel_url) with pg_token
// appended, as the seed says; "" if base is not a web URL.
func backURL(base, tok string) string {
	if !isWebURL(base) {
		return ""
	}
	u, err := appendQuery(base, "pg_token="+url.QueryEscape(tok))
	if err != nil {
		return ""
	}
	return u
}

// enrollPage serves GET /oneclick/session/{token}.
func (a *API) enrollPage(w http.ResponseWriter, r *http.Request) {
	s, ok := a.loadSession(w, r)
	if !ok {
		return
	}
	if a.enrollmentExpired(s.e) {
		a.renderEnrollExpired(w, r, s)
		return
	}
	st, err := a.enrollmentState(r.Context(), s.e)
	if err != nil {
		a.log.ErrorContext(r.Context(), "payretailers: enrollment page: reading enrollment", "merchant", s.e.MerchantID, "err", err)
		a.pages.Error(w, r, http.StatusServiceUnavailable)
		return
	}
	if st != enrollmentOpen {
		a.renderEnrollDone(w, r, s)
		return
	}
	if a.refusals.count(s.e) >= maxEnrollRefusals {
		a.renderEnrollLocked(w, r, s)
		return
	}
	a.renderEnrollForm(w, r, s, http.StatusOK, cardForm{}, "")
}

// backToEnrollPage answers a GET on a form action with the page.
func (a *API) backToEnrollPage(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, a.enrollPath(r.PathValue("token")), http.StatusSeeOther)
}

func (a *API) renderEnrollForm(w http.ResponseWriter, r *http.Request, s session, status int, f cardForm, reasonKey string) {
	page := enrollPage{
		Order: a.enrollOrder(s), Action: a.enrollPath(s.token) + actionEnrollCard,
		CancelURL: backURL(s.e.CancelURL, s.token), Errors: f.Errors, Holder: f.Card.Holder,
		ReasonKey: reasonKey,
	}
	if a.sandbox {
		page.TestCards = sandboxCards
	}
	a.pages.Render(w, r, status, "oneclick_enroll", page)
}

// renderEnrollDone tells the payer the card is saved and links back to
// pg_return_url, for a reload or a second tab after the form succeeded.
func (a *API) renderEnrollDone(w http.ResponseWriter, r *http.Request, s session) {
	a.pages.Render(w, r, http.StatusOK, "oneclick_status", enrollStatusPage{
		Order: a.enrollOrder(s), BodyKey: "payretailers.oneclick.done.body", Icon: "success.svg",
		ReturnURL: backURL(s.e.ReturnURL, s.token), TitleKey: "payretailers.oneclick.done.title",
	})
}

// renderEnrollExpired answers 410 with a link to pg_cancel_url: nothing
// was saved, the merchant must register again.
func (a *API) renderEnrollExpired(w http.ResponseWriter, r *http.Request, s session) {
	a.pages.Render(w, r, http.StatusGone, "oneclick_status", enrollStatusPage{
		Order: a.enrollOrder(s), BodyKey: "payretailers.oneclick.expired.body", Icon: "pending.svg",
		ReturnURL: backURL(s.e.CancelURL, s.token), TitleKey: "payretailers.oneclick.expired.title",
	})
}

// enrollCard serves POST /oneclick/session/{token}/card. In order: the
// body is bounded, the CSRF token must be this browser's and bound to
// this enrollment (403), the enrollment must be genuine (404) and not
// expired (410). An enrollment whose card was already entered (a double
// submit, another tab) sends the payer to the page, which says so.
// Invalid card data gets the form back (422). Then the acquirer verifies
// the card with a zero amount, the only time its CVC is used; a refusal
// gets the form back with the reason (422) and stores nothing; after
// maxEnrollRefusals of them the enrollment takes no more cards. A verified
// card is sealed into the vault under the enrollment's pending customer
// and the payer goes back to pg_return_url with pg_token.
func (a *API) enrollCard(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxPageFormBytes)
	if !a.pages.CSRF().Verify(r, r.PathValue("token")) {
		a.pages.Error(w, r, http.StatusForbidden)
		return
	}
	s, ok := a.loadSession(w, r)
	if !ok {
		return
	}
	if a.enrollmentExpired(s.e) {
		a.renderEnrollExpired(w, r, s)
		return
	}
	ctx := r.Context()
	st, err := a.enrollmentState(ctx, s.e)
	if err != nil {
		a.log.ErrorContext(ctx, "payretailers: enrollment page: reading enrollment", "merchant", s.e.MerchantID, "err", err)
		a.pages.Error(w, r, http.StatusServiceUnavailable)
		return
	}
	if st != enrollmentOpen {
		http.Redirect(w, r, a.enrollPath(s.token), http.StatusSeeOther)
		return
	}
	if a.refusals.count(s.e) >= maxEnrollRefusals {
		a.renderEnrollLocked(w, r, s)
		return
	}
	f := parseCardForm(r, a.now())
	if len(f.Errors) > 0 {
		a.renderEnrollForm(w, r, s, http.StatusUnprocessableEntity, f, "")
		return
	}
	// The attempt counts before it reaches the acquirer, so parallel
	// posts cannot all slip under the limit; a verified card gives it back.
	n, ok := a.refusals.reserve(s.e, a.now())
	if !ok {
		a.renderEnrollLocked(w, r, s)
		return
	}
	out, err := a.rails.Acquirer.Authorize(ctx, f.Card, payment.Money{})
	if reason := a.verificationFailure(ctx, out, err); reason != "" {
		if n >= maxEnrollRefusals {
			a.renderEnrollLocked(w, r, s)
			return
		}
		a.renderEnrollForm(w, r, s, http.StatusUnprocessableEntity, cardForm{Card: rail.Card{Holder: f.Card.Holder}}, "payretailers.reason."+reason)
		return
	}
	a.refusals.release(s.e)
	// The card's last use: from here on only the vault has it.
	_, err = a.vault.Enroll(ctx, s.e.MerchantID, a.enrollments.pendingEmail(s.e), f.Card.Number, f.Card.ExpMonth, f.Card.ExpYear)
	switch {
	case err == nil, errors.Is(err, vault.ErrDuplicate):
		// A duplicate is the same card entered twice for this enrollment.
	case errors.Is(err, vault.ErrInvalidNumber):
		f.Errors["number"] = "payretailers.card.error.number"
	case errors.Is(err, vault.ErrInvalidExpiry):
		// The vault also refuses dates decades ahead, which are typos.
		f.Errors["expiry"] = "payretailers.card.error.expiry"
	default:
		a.log.ErrorContext(ctx, "payretailers: enrollment page: storing card", "merchant", s.e.MerchantID, "err", err)
		a.pages.Error(w, r, http.StatusServiceUnavailable)
		return
	}
	if len(f.Errors) > 0 {
		a.renderEnrollForm(w, r, s, http.StatusUnprocessableEntity, f, "")
		return
	}
	// A confirm that ran between the state check above and the enrollment
	// closed the enrollment: the card just stored could never be
	// confirmed, so it must not stay.
	if st, err := a.enrollmentState(ctx, s.e); err == nil && st == enrollmentConfirmed {
		a.discardPending(ctx, s.e)
	}
	http.Redirect(w, r, backURL(s.e.ReturnURL, s.token), http.StatusSeeOther)
}

// verificationFailure turns the acquirer's answer to a zero-amount
// verification into the reason the card is refused ("" if verified). A
// verification moves no money, so "insufficient funds" says the card is
// live: it is accepted, and only its charges will be declined. Acquirer
// errors never carry card data (rail's contract), so they can be logged.
func (a *API) verificationFailure(ctx context.Context, out rail.Outcome, err error) string {
	switch {
	case errors.Is(err, sandbox.ErrInvalidCard):
		// The form checks what the sandbox checks; a mismatch between the
		// two is a refusal all the same.
		return rail.DetailCardDeclined
	case err != nil:
		a.log.ErrorContext(ctx, "payretailers: card verification failed", "err", err)
		return rail.DetailProcessingError
	case out.Status == payment.StatusCompleted:
		return ""
	case out.Status == payment.StatusFailed && out.Detail == rail.DetailInsufficientFunds:
		return ""
	case out.Status == payment.StatusFailed && reasons[out.Detail]:
		return out.Detail
	}
	return rail.DetailProcessingError
}

// maxEnrollRefusals is how many cards the acquirer may refuse for one
// enrollment before its page takes no more. A page that verifies cards
// for free is what card testers look for; a payer with a typo is stopped
// by the form's own checks before the acquirer, and one who really has a
// refused card needs a try or two with another.
const maxEnrollRefusals = 5

// refusalCounter counts the refused verifications of each enrollment
// until its token expires. It lives in the node's memory: enrollments
// are stateless and the store has no place for the count, so on a
// cluster the limit is per node, which still caps a tester at a few
// dozen tries per token instead of thousands. Entries go when their
// token expires; a token costs a merchant-signed call, so the map stays
// small.
type refusalCounter struct {
	mu      sync.Mutex
	entries map[[enrollIDLen]byte]refusals
}

type refusals struct {
	count int
	until time.Time
}

// count returns the refusals recorded for e.
func (c *refusalCounter) count(e enrollment) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[e.ID].count
}

// reserve counts one more verification of e, refused or still running,
// and returns the new count; false (nothing counted) when e already has
// maxEnrollRefusals. Expired entries are dropped on the way.
func (c *refusalCounter) reserve(e enrollment, now time.Time) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[[enrollIDLen]byte]refusals{}
	}
	for id, r := range c.entries {
		if !now.Before(r.until) {
			delete(c.entries, id)
		}
	}
	r := c.entries[e.ID]
	if r.count >= maxEnrollRefusals {
		return r.count, false
	}
	r.count++
	r.until = e.Expiry
	c.entries[e.ID] = r
	return r.count, true
}

// release takes back the reservation of a verification the acquirer
// accepted: only refusals count.
func (c *refusalCounter) release(e enrollment) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.entries[e.ID]; ok && r.count > 0 {
		r.count--
		c.entries[e.ID] = r
	}
}

// renderEnrollLocked answers an enrollment that reached
// maxEnrollRefusals: 429 and the way back to pg_cancel_url.
func (a *API) renderEnrollLocked(w http.ResponseWriter, r *http.Request, s session) {
	a.pages.Render(w, r, http.StatusTooManyRequests, "oneclick_status", enrollStatusPage{
		Order: a.enrollOrder(s), BodyKey: "payretailers.oneclick.locked.body", Icon: "failure.svg",
		ReturnURL: backURL(s.e.CancelURL, s.token), TitleKey: "payretailers.oneclick.locked.title",
	})
}
