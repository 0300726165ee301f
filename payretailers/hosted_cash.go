package payretailers

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/pasarela/pasarela/checkout"
	"github.com/pasarela/pasarela/payment"
)

// Cash vouchers (FamilyCash). Opening the page of a created cash payment
// issues its voucher: the cash network gives a reference and barcode,
// kept in Extra, the payment's expiry moves to now + CashTTL (the payer
// goes to a counter, days later) and the payment moves to pending, which
// the merchant hears as a pending IPN. Every later visit shows the same
// voucher. It is paid through the sandbox helper
// (POST /sandbox/payments/{transaction_id}/complete) in sandbox, and
// expires with the payment otherwise.
//
// Issuing on GET is deliberate: the provider's payment_method_url shows
// the voucher at once, with no button to press. It is idempotent (one
// voucher per payment, every step a compare-and-set): a reload, a second
// tab, or a link preview that fetched the page first all show the one
// voucher issued.

// Keys of Extra for the voucher.
const (
	extraVoucherBarcode   = "voucher_barcode"
	extraVoucherReference = "voucher_reference"
)

// detailVoucherIssued is the detail of the move to pending.
const detailVoucherIssued = "voucher_issued"

// voucherPage is the data of hosted_voucher.html.
type voucherPage struct {
	checkout.Order
	Barcode   template.HTML // inline SVG drawn from BarcodeDigits
	Digits    string
	ExpiresAt string
	// HelperPath is the sandbox helper that pays it; "" outside sandbox.
	HelperPath    string
	Network       string
	Reference     string
	ReturnURL     string
	TransactionID string
}

// showVoucher issues the voucher if need be and shows it.
func (a *API) showVoucher(w http.ResponseWriter, r *http.Request, h hosted) {
	p, err := a.issueVoucher(r.Context(), h.p)
	if err != nil {
		a.log.ErrorContext(r.Context(), "payretailers: issuing voucher", "payment", h.p.ID, "err", err)
		a.pages.Error(w, r, http.StatusServiceUnavailable)
		return
	}
	h.p = p
	if p.Status != payment.StatusPending || p.Extra[extraVoucherReference] == "" {
		// Paid, canceled or expired meanwhile, or moved to pending by the
		// sandbox helper without a voucher: the page says where it stands.
		a.renderResult(w, r, h)
		return
	}
	digits := p.Extra[extraVoucherBarcode]
	barcode, err := barcodeSVG(digits)
	if err != nil {
		a.log.ErrorContext(r.Context(), "payretailers: drawing voucher barcode", "payment", p.ID, "err", err)
		a.pages.Error(w, r, http.StatusInternalServerError)
		return
	}
	page := voucherPage{
		Order: a.order(h), Barcode: barcode, Digits: digits,
		ExpiresAt: formatLocal(p.ExpiresAt, p.Country), Network: h.method.Name,
		Reference: p.Extra[extraVoucherReference], ReturnURL: a.returnURL(r, h), TransactionID: p.Ref,
	}
	if a.sandbox {
		page.HelperPath = a.publicPath + "/sandbox/payments/" + url.PathEscape(p.Ref) + "/complete"
	}
	a.pages.Render(w, r, http.StatusOK, "hosted_voucher", page)
}

// issueVoucher brings a cash payment to pending with its voucher, doing
// only the steps not yet done, and returns the payment as it now is.
// Losing a race to another request is not an error: the winner's voucher
// is the one shown.
func (a *API) issueVoucher(ctx context.Context, p payment.Payment) (payment.Payment, error) {
	for range 5 {
		var next payment.Payment
		var err error
		switch {
		case p.Status != payment.StatusCreated:
			return p, nil
		case p.Extra[extraVoucherReference] == "":
			next, err = a.recordVoucher(ctx, p)
		default:
			next, err = a.payments.Transition(ctx, p.ID, payment.StatusPending, detailVoucherIssued, payment.ActorRail)
		}
		var te *payment.TransitionError
		switch {
		case err == nil:
			p = next
		case errors.As(err, &te) || errors.Is(err, payment.ErrConflict):
			if p, err = a.payments.Get(ctx, p.ID); err != nil {
				return p, err
			}
		default:
			return p, err
		}
	}
	if p.Status == payment.StatusCreated {
		return p, errors.New("voucher: payment keeps changing under us")
	}
	return p, nil
}

// recordVoucher asks the cash network for a voucher valid until now +
// CashTTL and stores it with that expiry.
func (a *API) recordVoucher(ctx context.Context, p payment.Payment) (payment.Payment, error) {
	issuing := p
	issuing.ExpiresAt = a.now().Add(a.cashTTL)
	if issuing.ExpiresAt.Before(p.ExpiresAt) {
		issuing.ExpiresAt = p.ExpiresAt // never shorten what the payer was given
	}
	v, err := a.rails.Cash.Issue(ctx, issuing)
	if err != nil {
		return p, fmt.Errorf("cash network: %w", err)
	}
	if v.ExpiresAt.IsZero() || v.ExpiresAt.After(issuing.ExpiresAt) {
		v.ExpiresAt = issuing.ExpiresAt // the payment must not outlive its voucher, nor the reverse
	}
	if !allDigits(v.Barcode) || len(v.Barcode)%2 != 0 || v.Reference == "" {
		return p, fmt.Errorf("cash network issued a voucher this page cannot print (barcode of %d characters)", len(v.Barcode))
	}
	return a.payments.UpdateDetails(ctx, p.ID, payment.Details{
		ExpiresAt: v.ExpiresAt,
		Extra:     map[string]string{extraVoucherBarcode: v.Barcode, extraVoucherReference: v.Reference},
	}, payment.ActorRail)
}

// zones are the time zones of the countries with cash methods: a voucher
// says until when to pay in the payer's local time. Elsewhere, or where
// the host has no time zone database, UTC.
var zones = map[string]string{
	"BR": "America/Sao_Paulo", "CL": "America/Santiago", "MX": "America/Mexico_City",
}

// formatLocal writes t as the payer reads it: "24/11/2025 23:59 (UTC-03:00)".
// The offset is spelled out because a bare local time is ambiguous to a
// payer abroad and zone abbreviations are not universal.
func formatLocal(t time.Time, country string) string {
	loc := time.UTC
	if name, ok := zones[country]; ok {
		if l, err := time.LoadLocation(name); err == nil {
			loc = l
		}
	}
	return t.In(loc).Format("02/01/2006 15:04 (UTC-07:00)")
}
