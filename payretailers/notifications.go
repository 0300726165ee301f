package payretailers

import (
	"context"
	"errors"
	"net/url"
	"time"
)

// NotificationLister is the notification storage notification/status
// reads. The notify store implements it (through a small adapter if its
// own types differ).
type NotificationLister interface {
	// ListNotifications returns every notification stored for payment
	// paymentID of merchant merchantID, oldest first; none (and no error)
	// when there are none. Filtering by merchant as well as payment is
	// defence in depth: the handler already checked the payment's owner.
	ListNotifications(ctx context.Context, merchantID, paymentID string) ([]NotificationRecord, error)
}

// NotificationRecord is one stored notification and how its delivery went.
type NotificationRecord struct {
	// Attempts is how many delivery attempts were made (0 before the
	// first).
	Attempts int
	// Body is the exact body sent (empty for a legacy GET).
	Body      []byte
	CreatedAt time.Time
	// Headers are the notice's headers as stored; the signature is read
	// from HeaderNotificationSignature.
	Headers map[string]string
	ID      string
	// LastStatusCode is the HTTP status of the last attempt's answer; 0
	// before the first attempt or when none arrived.
	LastStatusCode int
	// NextAttemptAt is when the next attempt is due; zero when none is
	// scheduled.
	NextAttemptAt time.Time
	// Status is notify's delivery status: "pending" (not tried yet),
	// "failed" (a retry is scheduled), "delivered", "dead" (given up) or
	// "gone" (the merchant answered 410).
	Status string
	URL    string
}

// The states notification/status reports: whether the merchant still
// has to wait, got it, or must look at its endpoint.
const (
	NotificationDelivered = "delivered"
	NotificationFailed    = "failed"
	NotificationPending   = "pending"
)

// notificationStatus answers notification/status: every IPN of one of the
// merchant's payments, with its body and how delivery went.
func (a *API) notificationStatus(ctx context.Context, c *call) (any, error) {
	var req NotificationStatusRequest
	if err := c.fields.Decode(&req); err != nil {
		return nil, err
	}
	if err := a.checkToken(c, req.Token, true); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	p, err := a.ownPayment(ctx, c, req.TransactionID)
	if err != nil {
		return nil, err
	}
	if a.notifications == nil {
		return nil, errors.New("notification/status: no notification store configured")
	}
	recs, err := a.notifications.ListNotifications(ctx, c.merchant.ID, p.ID)
	if err != nil {
		return nil, err
	}
	out := make([]NotificationInfo, 0, len(recs))
	for _, rec := range recs {
		out = append(out, notificationInfo(rec))
	}
	return NotificationStatusResponse{Notifications: out}, nil
}

func notificationInfo(rec NotificationRecord) NotificationInfo {
	info := NotificationInfo{
		Attempts: rec.Attempts, Body: string(rec.Body), CreatedAt: FormatTime(rec.CreatedAt),
		ID: rec.ID, Signature: rec.Headers[HeaderNotificationSignature],
		State: notificationState(rec.Status), URL: redactLegacyKey(rec.URL),
	}
	if rec.LastStatusCode != 0 {
		code := rec.LastStatusCode
		info.LastHTTPStatus = &code
	}
	if info.State == NotificationPending && !rec.NextAttemptAt.IsZero() {
		at := FormatTime(rec.NextAttemptAt)
		info.NextRetryAt = &at
	}
	return info
}

// notificationState folds notify's statuses into the three a merchant acts
// on. An unknown status is reported as pending: never claim a delivery
// that did not happen, nor a give-up that may not have.
func notificationState(status string) string {
	switch status {
	case "delivered":
		return NotificationDelivered
	case "dead", "gone":
		return NotificationFailed
	}
	return NotificationPending
}

// redactLegacyKey hides the key parameter of a legacy v1 IPN URL: it is
// the merchant's secret itself, and this answer may end up in the
// merchant's logs or support tickets.
func redactLegacyKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	q := u.Query()
	if !q.Has("key") {
		return raw
	}
	q.Set("key", "REDACTED")
	u.RawQuery = q.Encode()
	return u.String()
}
