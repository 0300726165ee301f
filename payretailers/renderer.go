package payretailers

import (
	"context"
	"fmt"
	"net/http"

	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/payment"
)

// Renderer turns a status change of a PayRetailers payment into the IPN
// its merchant receives; register it with
// payments.SetRenderer(payment.DialectPayRetailers, r).
//
// Which changes are announced:
//   - completed, failed, canceled, expired and refunded: always, these
//     are outcomes a merchant acts on;
//   - pending: only for cash vouchers (FamilyCash methods). There it means
//     "voucher issued, waiting for the payer at the counter", possibly for
//     days, and the provider's IPNs report it so the merchant can hold the
//     order. For cards and banks pending lasts the seconds the payer spends
//     at the bank, and an IPN would only race the outcome that follows;
//   - created: never (the merchant made it and knows).
//
// The IPN is a POST of BuildIPN's body to the payment's notification URL
// or, if it has none, the merchant's current one; no URL, no notice. A
// merchant with LegacyIPN gets the v1 GET instead, and only for completed
// payments: v1 has no status, and its plugins treat any IPN as "paid".
type Renderer struct {
	merchants *merchant.Service
}

// NewRenderer returns the dialect's notice renderer.
func NewRenderer(merchants *merchant.Service) *Renderer {
	return &Renderer{merchants: merchants}
}

var _ payment.Renderer = (*Renderer)(nil)

// Notices implements payment.Renderer; p is the payment as it is after the
// change.
func (rd *Renderer) Notices(ctx context.Context, p payment.Payment) ([]payment.Notice, error) {
	if !announced(p) {
		return nil, nil
	}
	m, err := rd.merchants.Get(ctx, p.MerchantID)
	if err != nil {
		return nil, fmt.Errorf("notifying payment %s: merchant: %w", p.ID, err)
	}
	target := firstNonEmpty(p.URLs.Notification, m.NotificationURL)
	if target == "" {
		return nil, nil
	}
	if m.LegacyIPN && p.Status != payment.StatusCompleted {
		return nil, nil
	}
	secret, err := rd.merchants.SecretKey(m)
	if err != nil {
		return nil, fmt.Errorf("notifying payment %s: opening secret: %w", p.ID, err)
	}
	n := notification(m.ServiceID, p)
	if m.LegacyIPN {
		u, err := LegacyIPNURL(target, string(secret), n)
		if err != nil {
			return nil, fmt.Errorf("notifying payment %s: legacy IPN: %w", p.ID, err)
		}
		return []payment.Notice{{Method: http.MethodGet, URL: u}}, nil
	}
	ipn, err := BuildIPN(secret, n)
	if err != nil {
		return nil, fmt.Errorf("notifying payment %s: %w", p.ID, err)
	}
	// Only the signature goes in Headers: the notify engine sets
	// Content-Type from ContentType and refuses a notice that also names it
	// among the dialect's headers (IPN.Headers has both).
	return []payment.Notice{{
		Body: ipn.Body, ContentType: "application/json",
		Headers: map[string]string{HeaderNotificationSignature: ipn.Signature},
		Method:  http.MethodPost, URL: target,
	}}, nil
}

// announced reports whether the merchant hears about p's new status.
func announced(p payment.Payment) bool {
	switch p.Status {
	case payment.StatusCompleted, payment.StatusFailed, payment.StatusCanceled,
		payment.StatusExpired, payment.StatusRefunded:
		return true
	case payment.StatusPending:
		m, ok := LookupMethod(p.Method)
		return ok && m.Family == FamilyCash
	}
	return false
}

// notification is p as the IPN describes it, times in UTC (see location).
func notification(serviceID string, p payment.Payment) Notification {
	n := Notification{
		Amount: p.Amount.Amount, Country: p.Country, CreatedAt: p.CreatedAt.In(location),
		Currency: p.Amount.Currency, Custom: p.Extra[ExtraCustom], Method: p.Method,
		ServiceID: serviceID, Status: WireStatus(p.Status), TransactionID: p.Ref,
	}
	if p.CompletedAt != nil {
		n.CompletedAt = p.CompletedAt.In(location)
	}
	return n
}
