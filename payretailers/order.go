package payretailers

import (
	"context"
	"time"

	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/token"
)

// Keys of payment.Payment.Extra for the wire facts of this dialect that
// the domain does not interpret. The hosted pages read Language; IPNs and
// return URLs carry Custom back byte for byte.
const (
	ExtraCustom         = "custom"
	ExtraLanguage       = "language"
	ExtraSubMerchantID  = "sub_merchant_id"
	ExtraSubMerchantURL = "sub_merchant_url"
)

// order is a validated payment request in one shape, whichever call or
// form it came from.
type order struct {
	Address, City, CancelURL, Country, Currency, Custom, Email  string
	FirstName, IP, Language, LastName, Method, Name             string
	PersonalID, Phone, ReturnURL, SubMerchantID, SubMerchantURL string
	Amount                                                      int64
	// OneClickCard is the enrolled card a OneClick charge uses (its id).
	OneClickCard string
}

func (r *CreatePaymentRequest) order() order {
	return order{
		Address: r.Address, Amount: r.Amount, CancelURL: r.CancelURL, City: r.City, Country: r.Country,
		Currency: r.Currency, Custom: r.Custom, Email: r.Email, FirstName: r.FirstName, IP: r.IP,
		Language: r.Language, LastName: r.LastName, Method: r.Method, Name: r.Name,
		PersonalID: r.PersonalID, Phone: r.Phone, ReturnURL: r.ReturnURL,
		SubMerchantID: r.SubMerchantID, SubMerchantURL: r.SubMerchantURL,
	}
}

func (r *WebcheckoutRequest) order() order {
	return order{
		Amount: r.Amount, CancelURL: r.CancelURL, Country: r.Country, Currency: r.Currency,
		Custom: r.Custom, Email: r.Email, FirstName: r.FirstName, IP: r.IP, Language: r.Language,
		LastName: r.LastName, Method: r.Method, Name: r.Name, PersonalID: r.PersonalID,
		Phone: r.Phone, ReturnURL: r.ReturnURL, SubMerchantID: r.SubMerchantID,
		SubMerchantURL: r.SubMerchantURL,
	}
}

// createOrder stores a new payment for m.
//
// PayRetailers has no merchant order id, so OrderID stays empty (and the
// one-paid-payment-per-order rule does not apply); merchants correlate by
// pg_custom, kept in Extra. pg_name is the domain's Description, what the
// payer sees. Return and cancel URLs fall back to the merchant's defaults
// now, so the payment records where its payer will go. The notification
// URL is deliberately left empty: the Renderer uses the merchant's current
// one when it notifies, so a merchant that moves its endpoint (the
// panel's "Notifications" setting, per the seed) is notified there for
// payments already open.
func (a *API) createOrder(ctx context.Context, m merchant.Merchant, in order) (payment.Payment, error) {
	now := a.now()
	ttl := a.sessionTTL
	if meth, ok := LookupMethod(in.Method); ok && meth.Family == FamilyCash {
		ttl = a.cashTTL
	}
	extra := map[string]string{}
	for _, kv := range [...][2]string{
		{ExtraCustom, in.Custom}, {ExtraLanguage, in.Language}, {ExtraOneClickCard, in.OneClickCard},
		{ExtraSubMerchantID, in.SubMerchantID}, {ExtraSubMerchantURL, in.SubMerchantURL},
	} {
		if kv[1] != "" {
			extra[kv[0]] = kv[1]
		}
	}
	p := payment.Payment{
		Amount:      payment.Money{Amount: in.Amount, Currency: in.Currency},
		Country:     in.Country,
		Description: in.Name,
		Dialect:     payment.DialectPayRetailers,
		ExpiresAt:   now.Add(ttl),
		Extra:       extra,
		MerchantID:  m.ID,
		Method:      in.Method,
		Payer: payment.Payer{
			Address: in.Address, City: in.City, DocumentID: in.PersonalID, Email: in.Email,
			FirstName: in.FirstName, IP: in.IP, LastName: in.LastName, Phone: in.Phone,
		},
		Ref: token.UUIDShaped(),
		URLs: payment.URLs{
			Cancel:  firstNonEmpty(in.CancelURL, m.CancelURL),
			Success: firstNonEmpty(in.ReturnURL, m.SuccessURL),
		},
	}
	return a.payments.Create(ctx, p)
}

// createdPayment is the data of payment/create.
func (a *API) createdPayment(serviceID string, p payment.Payment) CreatedPayment {
	amount, _ := FormatPrice(p.Amount.Amount, p.Amount.Currency) // validated on the way in
	return CreatedPayment{
		Amount: amount, Currency: p.Amount.Currency, Custom: p.Extra[ExtraCustom],
		Customer: customer(p), PaymentMethod: p.Method,
		PaymentMethodURL: HostedPageURL(a.publicURL, p.Ref),
		RedirectURLs:     RedirectURLs{CancelURL: p.URLs.Cancel, SuccessURL: p.URLs.Success},
		ServiceID:        serviceID, Status: WireStatus(p.Status), TransactionID: p.Ref,
	}
}

// paymentInfo is the payment of payment/status.
func paymentInfo(serviceID string, p payment.Payment) PaymentInfo {
	amount, _ := FormatPrice(p.Amount.Amount, p.Amount.Currency)
	info := PaymentInfo{
		Amount: amount, CreatedAt: FormatTime(p.CreatedAt), Currency: p.Amount.Currency,
		Custom: p.Extra[ExtraCustom], Customer: customer(p), PaymentMethod: p.Method,
		ServiceID: serviceID, Status: WireStatus(p.Status), TransactionID: p.Ref,
	}
	if p.CompletedAt != nil {
		at := FormatTime(*p.CompletedAt)
		info.Completed = &at
	}
	return info
}

func customer(p payment.Payment) Customer {
	return Customer{
		Country: p.Country, Email: p.Payer.Email, FirstName: p.Payer.FirstName,
		LastName: p.Payer.LastName, PersonalID: p.Payer.DocumentID, Phone: p.Payer.Phone,
	}
}

// WireStatus is a domain status as the dialect writes it. The names are
// the same on both sides (WIRE.md "Decided": created, pending, completed,
// failed, canceled with one l, expired, refunded); the switch keeps the
// wire stable should a domain name ever change.
func WireStatus(s payment.Status) string {
	switch s {
	case payment.StatusCreated:
		return "created"
	case payment.StatusPending:
		return "pending"
	case payment.StatusCompleted:
		return StatusCompleted
	case payment.StatusFailed:
		return "failed"
	case payment.StatusCanceled:
		return "canceled"
	case payment.StatusExpired:
		return "expired"
	case payment.StatusRefunded:
		return "refunded"
	}
	return string(s)
}

// location is the time zone of every time the dialect writes (TimeLayout
// carries none): UTC. The provider's own examples use Chilean time, but a
// zone-less Santiago time is ambiguous for the hour that repeats when
// daylight saving ends, and UTC needs no tz database on the host.
var location = time.UTC

// FormatTime writes t in UTC (see location) with TimeLayout; the zero time is "".
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(location).Format(TimeLayout)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
