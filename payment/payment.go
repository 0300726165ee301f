// Package payment is the domain core of pasarela: one Payment for both wire
// dialects, its status machine, its event history and the service that moves
// it. It knows nothing of HTTP, SQL or either dialect.
package payment

import (
	"maps"
	"slices"
	"time"
)

// Dialect names the merchant API a payment was created through; it decides
// the notification format and how the merchant authenticates.
type Dialect string

// The wire dialects pasarela speaks.
const (
	DialectETpay        Dialect = "etpay"
	DialectPayRetailers Dialect = "payretailers"
)

// Payment is one attempt by a payer to pay a merchant.
type Payment struct {
	// AttemptRef is a second public handle some dialects need (ETpay's
	// payment_token); empty when the dialect has none.
	AttemptRef  string
	Amount      Money
	CompletedAt *time.Time
	Country     string
	CreatedAt   time.Time
	Description string
	Dialect     Dialect
	ExpiresAt   time.Time
	// Extra keeps dialect wire facts the domain does not interpret
	// (ETpay concat, is_rut_block; PayRetailers custom, language, …).
	Extra map[string]string
	ID    string
	// Metadata is what the merchant asked to show the payer.
	Metadata   []Metadata
	MerchantID string
	Method     string
	OrderID    string
	Payer      Payer
	// Ref is the public handle the dialect gives the merchant: the ETpay
	// session token or the PayRetailers transaction_id.
	Ref string
	// SealedSecret is a per-payment secret (ETpay's signature_token),
	// encrypted by the keyring; never stored in clear.
	SealedSecret []byte
	Status       Status
	// StatusDetail says why a payment failed, was canceled or expired.
	StatusDetail string
	UpdatedAt    time.Time
	URLs         URLs
	// Version increases with every status change; it is what compare-and-set
	// compares together with the status.
	Version int64
}

// Clone returns a copy of p that shares no memory with it: changing one's
// map, slices or completion time leaves the other as it was.
func (p Payment) Clone() Payment {
	if p.CompletedAt != nil {
		t := *p.CompletedAt
		p.CompletedAt = &t
	}
	p.Extra = maps.Clone(p.Extra)
	p.Metadata = slices.Clone(p.Metadata)
	p.SealedSecret = slices.Clone(p.SealedSecret)
	return p
}

// Metadata is one name/value shown (or not) to the payer.
type Metadata struct {
	Name  string `json:"name"`
	Show  bool   `json:"show"`
	Value string `json:"value"`
}

// Payer is what the merchant told us about who pays.
type Payer struct {
	Address    string `json:"address,omitempty"`
	City       string `json:"city,omitempty"`
	DocumentID string `json:"document_id,omitempty"`
	Email      string `json:"email,omitempty"`
	FirstName  string `json:"first_name,omitempty"`
	IP         string `json:"ip,omitempty"`
	LastName   string `json:"last_name,omitempty"`
	Phone      string `json:"phone,omitempty"`
}

// URLs are where the payer returns and where the merchant is notified; empty
// ones fall back to the merchant's defaults.
type URLs struct {
	Cancel       string `json:"cancel,omitempty"`
	Notification string `json:"notification,omitempty"`
	Success      string `json:"success,omitempty"`
}

// Event is one entry of a payment's append-only history.
type Event struct {
	// Actor says who caused the change: api, payer, rail, sandbox, sweeper.
	Actor     string
	CreatedAt time.Time
	Detail    string
	From      Status
	ID        int64
	PaymentID string
	To        Status
	Type      string
}

// Event types.
const (
	EventCreated       = "payment.created"
	EventStatusChanged = "payment.status_changed"
	EventUpdated       = "payment.updated"
)

// Notice is a message to the merchant caused by a status change, rendered by
// the payment's dialect and stored with the change; the notify engine
// delivers it without knowing its format.
type Notice struct {
	Body        []byte
	ContentType string
	// Headers are the dialect's own headers (X-Pg-Sig), sent verbatim.
	Headers map[string]string
	ID      string
	Method  string
	URL     string
}
