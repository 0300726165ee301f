package payretailers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/pasarela/pasarela/internal/phpjson"
)

// MaxNotificationBytes bounds an IPN body. Real ones are well under 1 KiB;
// the bound keeps a hostile sender from making the endpoint read forever.
const MaxNotificationBytes = 64 << 10

// Notification errors, besides ErrBadSignature.
var (
	// ErrNotificationTooLarge: the body is over MaxNotificationBytes.
	ErrNotificationTooLarge = errors.New("payretailers: notification body too large")
	// ErrWrongService: a correctly signed notification for another
	// pg_serviceid (merchants running several services on one secret).
	ErrWrongService = errors.New("payretailers: notification is for another service")
)

// Notification is a verified IPN. Price is "10.00"-shaped (convert with
// Price.Minor(Currency)); times are "2006-01-02 15:04:05" and CompletedAt
// is empty unless Status is "completed". Fields holds every field as
// received, including any this version does not know.
type Notification struct {
	CompletedAt   string
	Country       string
	CreatedAt     string
	Currency      string
	Custom        string
	Fields        map[string]string
	Method        string
	Price         Decimal
	ServiceID     string
	Status        string
	TransactionID string
}

// VerifyNotification reads an IPN request and checks it exactly as the
// official PHP SDK does: decode the JSON body, sort its keys naturally and
// case-insensitively, re-encode it like PHP's json_encode, and compare the
// HMAC-SHA256 of that (lowercase hex) with the X-Pg-Sig header, here in
// constant time. It consumes r.Body. Answer HTTP 200 when it returns no
// error; anything else makes the gateway retry.
//
// Gateways may deliver the same notification more than once: handle it
// idempotently, keyed by TransactionID and Status.
func (c *Client) VerifyNotification(r *http.Request) (Notification, error) {
	if r.Method != http.MethodPost {
		return Notification{}, fmt.Errorf("payretailers: notification must be a POST, got %s", r.Method)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxNotificationBytes+1))
	if err != nil {
		return Notification{}, fmt.Errorf("payretailers: reading notification: %w", err)
	}
	if len(body) > MaxNotificationBytes {
		return Notification{}, ErrNotificationTooLarge
	}
	canonical, err := phpjson.Reencode(body)
	if err != nil {
		return Notification{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !verifyHex(c.Secret, canonical, r.Header.Get("X-Pg-Sig")) {
		return Notification{}, ErrBadSignature
	}
	var fields map[string]string
	if err := json.Unmarshal(body, &fields); err != nil {
		return Notification{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	n := Notification{
		CompletedAt:   fields["completed_at"],
		Country:       fields["country"],
		CreatedAt:     fields["created_at"],
		Currency:      fields["currency"],
		Custom:        fields["custom"],
		Fields:        fields,
		Method:        fields["method"],
		Price:         Decimal(fields["price"]),
		ServiceID:     fields["service_id"],
		Status:        fields["status"],
		TransactionID: fields["transaction_id"],
	}
	if c.ServiceID != "" && n.ServiceID != c.ServiceID {
		return Notification{}, ErrWrongService
	}
	return n, nil
}
