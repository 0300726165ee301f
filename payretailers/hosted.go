package payretailers

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/pasarela/pasarela/checkout"
	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/payment"
)

// The hosted payer pages live under HostedPagePattern. GET on the page
// shows whatever the payment needs next; each form posts to its own
// action below the page and is answered with 303 See Other, so a reload
// never posts twice:
//
//	GET  /pay-direct/{id}              method choice, card form, bank login or
//	                                   approval, voucher, result, 404 or 410
//	POST /pay-direct/{id}/method       the payer picks a method
//	POST /pay-direct/{id}/card         card data → acquirer
//	POST /pay-direct/{id}/bank/login   document + password → bank
//	POST /pay-direct/{id}/bank/approve the logged-in payer approves
//	POST /pay-direct/{id}/cancel       the payer gives up
//	GET  /pay-direct/{id}/…            back to the page (a reloaded 422)
const (
	actionBankApprove = "/bank/approve"
	actionBankLogin   = "/bank/login"
	actionCancel      = "/cancel"
	actionCard        = "/card"
	actionMethod      = "/method"
)

// maxPageFormBytes bounds the body of a payer form: the biggest, the card
// form, is a few hundred bytes.
const maxPageFormBytes = 8 << 10

// hostedRoutes are the payer's routes. All sit behind SecureHeaders and
// the cross-origin guard: unlike POST /pay, nothing here is ever posted
// from another site.
func (a *API) hostedRoutes() map[string]http.Handler {
	page := func(h http.HandlerFunc) http.Handler {
		return checkout.SecureHeaders(a.pages.CrossOriginGuard(h))
	}
	return map[string]http.Handler{
		"GET " + HostedPagePattern:                      page(a.showPage),
		"GET " + HostedPagePattern + "/{rest...}":       page(a.backToPage),
		"GET /pay-direct/{$}":                           page(a.notFound),
		"POST " + HostedPagePattern + actionMethod:      page(a.chooseMethod),
		"POST " + HostedPagePattern + actionCard:        page(a.submitCard),
		"POST " + HostedPagePattern + actionBankLogin:   page(a.bankLogin),
		"POST " + HostedPagePattern + actionBankApprove: page(a.bankApprove),
		"POST " + HostedPagePattern + actionCancel:      page(a.cancel),
	}
}

// hosted is the payment a page request is about, with what every page
// needs of it.
type hosted struct {
	merchant merchant.Merchant
	method   Method // zero while the payer has not chosen one
	p        payment.Payment
}

// pagePath is the page's path as the payer's browser sees it (the public
// URL's path prefix included). Forms and redirects use paths, not
// absolute URLs, so they stay on the host the payer came in by.
func (a *API) pagePath(ref string) string {
	return a.publicPath + "/pay-direct/" + url.PathEscape(ref)
}

// load finds the payment of the request's URL. It answers the 404 page
// for an unknown id and for another dialect's payment (an ETpay session
// token is no PayRetailers transaction), a clean 503 when the database
// fails, and returns false then.
func (a *API) load(w http.ResponseWriter, r *http.Request) (hosted, bool) {
	ref := r.PathValue("transaction_id")
	if ref == "" || len(ref) > maxID {
		a.pages.Error(w, r, http.StatusNotFound)
		return hosted{}, false
	}
	ctx := r.Context()
	p, err := a.payments.GetByRef(ctx, ref)
	if errors.Is(err, payment.ErrNotFound) || (err == nil && (p.Dialect != payment.DialectPayRetailers || p.Ref != ref)) {
		a.pages.Error(w, r, http.StatusNotFound)
		return hosted{}, false
	}
	if err != nil {
		a.log.ErrorContext(ctx, "payretailers: hosted page: reading payment", "err", err)
		a.pages.Error(w, r, http.StatusServiceUnavailable)
		return hosted{}, false
	}
	m, err := a.merchants.Get(ctx, p.MerchantID)
	if err != nil {
		a.log.ErrorContext(ctx, "payretailers: hosted page: reading merchant", "payment", p.ID, "err", err)
		a.pages.Error(w, r, http.StatusServiceUnavailable)
		return hosted{}, false
	}
	h := hosted{merchant: m, p: p}
	// A OneClick payment has no page of its own (the merchant charged a
	// stored card, no payer was here): it is shown as its result.
	if p.Method != "" && p.Method != MethodOneClick {
		meth, ok := LookupMethod(p.Method)
		if !ok {
			// Methods are validated on the way in; this is a bug or a
			// catalogue that lost a method under a live payment.
			a.log.ErrorContext(ctx, "payretailers: hosted page: payment has an unknown method", "payment", p.ID, "method", p.Method)
			a.pages.Error(w, r, http.StatusInternalServerError)
			return hosted{}, false
		}
		h.method = meth
	}
	return h, true
}

// expired reports whether the payer is too late: the payment expired, or
// its expiry passed and the sweeper has not announced it yet.
func (a *API) expired(p payment.Payment) bool {
	return p.Status == payment.StatusExpired || (p.Status.Open() && !a.now().Before(p.ExpiresAt))
}

// order is what the layout shows above every page of h. FormTargets
// lists the merchant's return and cancel origins: the approve and cancel
// forms answer with a 303 straight to them, and Chromium checks that
// redirect against the CSP form-action.
func (a *API) order(h hosted) checkout.Order {
	o := checkout.Order{
		Amount: h.p.Amount.Amount, Binding: h.p.Ref, Currency: h.p.Amount.Currency,
		Description: h.p.Description, Language: h.p.Extra[ExtraLanguage], Merchant: h.merchant.Name,
	}
	for _, u := range []string{a.successBase(h), a.cancelBase(h)} {
		if isWebURL(u) {
			o.FormTargets = append(o.FormTargets, u)
		}
	}
	return o
}

// showPage serves GET /pay-direct/{id}: the page the payment's state
// calls for.
func (a *API) showPage(w http.ResponseWriter, r *http.Request) {
	h, ok := a.load(w, r)
	if !ok {
		return
	}
	switch {
	case h.p.Method == MethodOneClick:
		a.renderResult(w, r, h)
	case a.expired(h.p):
		a.renderExpired(w, r, h)
	case h.p.Status == payment.StatusCreated && h.method.Code == "":
		a.renderMethods(w, r, h, http.StatusOK, false)
	case h.p.Status == payment.StatusCreated && !a.rails.has(h.method.Family):
		a.noRail(w, r, h)
	case h.p.Status == payment.StatusCreated && h.method.Family == FamilyCard:
		a.renderCard(w, r, h, http.StatusOK, cardForm{})
	case h.p.Status == payment.StatusCreated && h.method.Family == FamilyBank:
		a.showBank(w, r, h)
	case h.method.Family == FamilyCash && h.p.Status.Open():
		a.showVoucher(w, r, h)
	default:
		a.renderResult(w, r, h)
	}
}

// backToPage answers a GET on a form action (a reload or bookmark of a
// page that answered a POST) with the payment's page.
func (a *API) backToPage(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, a.pagePath(r.PathValue("transaction_id")), http.StatusSeeOther)
}

func (a *API) notFound(w http.ResponseWriter, r *http.Request) {
	a.pages.Error(w, r, http.StatusNotFound)
}

// noRail answers a payment whose method has no network behind it (a
// production gateway without that rail configured).
func (a *API) noRail(w http.ResponseWriter, r *http.Request, h hosted) {
	a.log.ErrorContext(r.Context(), "payretailers: hosted page: no rail for method", "payment", h.p.ID, "method", h.method.Code)
	a.pages.Error(w, r, http.StatusServiceUnavailable)
}

// startPost runs the checks every payer POST shares, in this order: the
// body is bounded; the CSRF token must be this browser's and bound to
// this payment (403); the payment must exist (404) and not be expired
// (410). A payment no longer created, or whose method is not of family
// (when family is set), was moved on by another tab or a double click:
// the payer is sent to the page, which shows where it stands. Only when
// it returns true may the handler act.
func (a *API) startPost(w http.ResponseWriter, r *http.Request, family Family) (hosted, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxPageFormBytes)
	if !a.pages.CSRF().Verify(r, r.PathValue("transaction_id")) {
		a.pages.Error(w, r, http.StatusForbidden)
		return hosted{}, false
	}
	h, ok := a.load(w, r)
	if !ok {
		return hosted{}, false
	}
	if a.expired(h.p) {
		a.renderExpired(w, r, h)
		return hosted{}, false
	}
	if h.p.Status != payment.StatusCreated || h.p.Method == MethodOneClick || (family != "" && h.method.Family != family) {
		http.Redirect(w, r, a.pagePath(h.p.Ref), http.StatusSeeOther)
		return hosted{}, false
	}
	if family != "" && !a.rails.has(family) {
		a.noRail(w, r, h)
		return hosted{}, false
	}
	return h, true
}

// transitionFailed answers an error of payments.Transition or
// UpdateDetails: a lost race (someone else moved the payment first) sends
// the payer to the page, anything else is the 503 page.
func (a *API) transitionFailed(w http.ResponseWriter, r *http.Request, h hosted, err error) {
	var te *payment.TransitionError
	if errors.As(err, &te) || errors.Is(err, payment.ErrConflict) {
		http.Redirect(w, r, a.pagePath(h.p.Ref), http.StatusSeeOther)
		return
	}
	a.log.ErrorContext(r.Context(), "payretailers: hosted page: changing payment", "payment", h.p.ID, "err", err)
	a.pages.Error(w, r, http.StatusServiceUnavailable)
}

// isWebURL reports whether raw is an absolute http(s) URL, the only kind
// a CSP form-action source or a return link may be.
func isWebURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
