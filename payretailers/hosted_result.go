package payretailers

import (
	"errors"
	"net/http"

	"github.com/pasarela/pasarela/checkout"
	"github.com/pasarela/pasarela/payment"
)

// resultPage is the data of hosted_result.html: checkout's Result (its
// outcome, icon and texts, and the signed link back to the merchant) plus
// why a payment failed and the transaction id, which the payer quotes to
// the merchant's support.
type resultPage struct {
	checkout.Result
	// ReasonKey explains a failure ("" when there is nothing to add).
	ReasonKey     string
	TransactionID string
}

// Icon is checkout's status icon, except for an expired payment: the
// clock, as on checkout's own 410 page, since nothing went wrong that the
// payer should fix.
func (p resultPage) Icon() string {
	if p.Outcome == checkout.Expired {
		return "pending.svg"
	}
	return p.Result.Icon()
}

// reasons are the failure details the result page explains; each has the
// message "payretailers.reason.<detail>".
var reasons = map[string]bool{
	"card_declined": true, "expired_card": true, "incorrect_cvc": true, "insufficient_funds": true,
	"processing_error": true, "rejected": true, detailTooManyAttempts: true,
}

// renderResult shows where a payment ended (or that it is pending), with
// a plain link to the merchant's signed return URL. The link, not a
// redirect: the payer reads the outcome first and leaves by choice.
func (a *API) renderResult(w http.ResponseWriter, r *http.Request, h hosted) {
	status := http.StatusOK
	if h.p.Status == payment.StatusExpired {
		status = http.StatusGone
	}
	page := resultPage{Result: checkout.Result{Order: a.order(h), Outcome: outcome(h.p.Status)}, TransactionID: h.p.Ref}
	page.ReturnURL = a.returnURL(r, h)
	if h.p.Status == payment.StatusFailed && reasons[h.p.StatusDetail] {
		page.ReasonKey = "payretailers.reason." + h.p.StatusDetail
	}
	a.pages.Render(w, r, status, "hosted_result", page)
}

// detailExpired is the status detail of an expiry, the sweeper's word.
const detailExpired = "expired"

// renderExpired answers a payer who came too late: 410 with the expired
// result in the payment's language and a link back to the merchant. A
// payment past its expiry that the sweeper has not reached yet is expired
// here and now, with the sweeper's detail and its IPN, so the status in
// that link is already true when the merchant asks.
func (a *API) renderExpired(w http.ResponseWriter, r *http.Request, h hosted) {
	if h.p.Status.Open() {
		p, err := a.payments.Transition(r.Context(), h.p.ID, payment.StatusExpired, detailExpired, payment.ActorSweeper)
		var te *payment.TransitionError
		if errors.As(err, &te) {
			p, err = a.payments.Get(r.Context(), h.p.ID) // the sweeper or a last-second payment won
		}
		if err != nil {
			a.log.ErrorContext(r.Context(), "payretailers: hosted page: expiring payment", "payment", h.p.ID, "err", err)
			a.pages.Error(w, r, http.StatusGone)
			return
		}
		h.p = p
	}
	a.renderResult(w, r, h)
}

// outcome is how the result page words a status. A refunded payment was
// paid; the payer reads that, and the merchant reads "refunded" in the
// return URL.
func outcome(s payment.Status) checkout.Outcome {
	switch s {
	case payment.StatusCompleted, payment.StatusRefunded:
		return checkout.Approved
	case payment.StatusCanceled:
		return checkout.Cancelled
	case payment.StatusExpired:
		return checkout.Expired
	case payment.StatusFailed:
		return checkout.Rejected
	}
	return checkout.Pending
}

// successBase and cancelBase are where the payer goes back to: the
// payment's pg_return_url / pg_cancel_url, else the merchant's current
// default (createOrder copied the default of that time; a merchant may
// have set one since).
func (a *API) successBase(h hosted) string {
	return firstNonEmpty(h.p.URLs.Success, h.merchant.SuccessURL)
}

func (a *API) cancelBase(h hosted) string {
	return firstNonEmpty(h.p.URLs.Cancel, h.merchant.CancelURL)
}

// returnURL is the signed URL the payer goes back to (WIRE.md "Payer
// return"): pg_return_url for a completed payment, pg_cancel_url for
// every other status, pending included (the status parameter tells the
// merchant which). "" when the merchant gave neither URL nor a default,
// or when the secret cannot be opened (logged; the page then tells the
// payer to close the window rather than failing).
func (a *API) returnURL(r *http.Request, h hosted) string {
	base := a.cancelBase(h)
	if h.p.Status == payment.StatusCompleted {
		base = a.successBase(h)
	}
	if !isWebURL(base) {
		return ""
	}
	secret, err := a.merchants.SecretKey(h.merchant)
	if err != nil {
		a.log.ErrorContext(r.Context(), "payretailers: hosted page: opening merchant secret", "merchant", h.merchant.ID, "err", err)
		return ""
	}
	u, err := ReturnURL(base, string(secret), h.p.Ref, WireStatus(h.p.Status), h.p.Extra[ExtraCustom])
	if err != nil {
		a.log.ErrorContext(r.Context(), "payretailers: hosted page: building return URL", "payment", h.p.ID, "err", err)
		return ""
	}
	return u
}

// finish answers a POST that moved the payment to p. A completed or
// canceled payment goes straight back to the merchant, as the provider
// does: the payer has nothing more to read here. A failure or a pending
// outcome goes to the page, which explains it and links back.
func (a *API) finish(w http.ResponseWriter, r *http.Request, h hosted, p payment.Payment) {
	h.p = p
	if p.Status == payment.StatusCompleted || p.Status == payment.StatusCanceled {
		if u := a.returnURL(r, h); u != "" {
			http.Redirect(w, r, u, http.StatusSeeOther)
			return
		}
	}
	http.Redirect(w, r, a.pagePath(p.Ref), http.StatusSeeOther)
}

// detailCancelled is the status detail of a payment its payer canceled
// (the ETpay dialect's word for the same thing).
const detailCancelled = "cancelled"

// cancel serves POST /pay-direct/{id}/cancel: the payer gives up before
// paying. Any created payment may be canceled, whatever its method.
func (a *API) cancel(w http.ResponseWriter, r *http.Request) {
	h, ok := a.startPost(w, r, "")
	if !ok {
		return
	}
	a.clearBankSession(w, r, h)
	p, err := a.payments.Transition(r.Context(), h.p.ID, payment.StatusCanceled, detailCancelled, payment.ActorPayer)
	if err != nil {
		a.transitionFailed(w, r, h, err)
		return
	}
	a.finish(w, r, h, p)
}
