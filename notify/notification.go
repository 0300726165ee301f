// Package notify delivers payment notifications to merchants over HTTP.
//
// A notification is rendered and stored with the status change that caused it
// (see [DeliverArgs]); this package only sends the stored bytes, classifies
// the answer and says when to try again. Merchants learn payment results from
// these requests, so the rules are biased towards never losing one: every
// unclear answer is a retry, and giving up ([StatusDead]) keeps the row.
//
// A job-queue worker delivers one attempt per run: load the notification and
// the merchant's webhook secret, call [Deliverer.Deliver] with the next
// attempt number, then act on the [Outcome]: Deferred sent nothing (snooze
// briefly, record nothing); otherwise store the [Attempt] and the status from
// [StatusAfter], and on Retry wait [Schedule.NextRetry] before the next run.
package notify

import (
	"fmt"
	"time"
)

// Notification is one stored message to a merchant. Every field is fixed when
// it is stored, so every attempt sends the same request apart from the
// per-attempt Standard Webhooks timestamp and signature.
type Notification struct {
	// ID is stable across retries: it is the idempotency key merchants
	// deduplicate on (X-Pasarela-Notification-Id and webhook-id).
	ID         string
	MerchantID string
	PaymentID  string
	URL        string
	// Method is "POST", or "GET" for a legacy variant that carries its data
	// in the URL's query and so has no body. Empty means POST.
	Method      string
	ContentType string
	Body        []byte
	// Headers are the dialect's own headers (such as X-Pg-Sig), already
	// computed and sent with their names exactly as written here.
	Headers   map[string]string
	CreatedAt time.Time
}

// Attempt is the record of one delivery attempt, kept in the attempt log so
// support can answer "what did the merchant's server say, and when".
type Attempt struct {
	NotificationID string
	// Number is 1 for the first attempt.
	Number int
	At     time.Time
	// URL is where the request went, with any password removed.
	URL string
	// StatusCode is 0 when no HTTP response arrived.
	StatusCode int
	Latency    time.Duration
	// Error says why the attempt failed, empty when it was delivered. It
	// never contains a secret.
	Error string
	// ResponseBody is the first 4 KiB of the response, as valid UTF-8
	// without NUL bytes so that any database text column can hold it.
	ResponseBody string
}

// Outcome is what the caller should do after an attempt.
type Outcome int

// Outcomes. The zero value is Retry on purpose: an Outcome left unset by a
// bug must lead to another attempt, never to a lost notification.
const (
	// Retry: the attempt failed (non-2xx other than 410, redirect, timeout,
	// connection or TLS error, refused destination); try again later per
	// the [Schedule].
	Retry Outcome = iota
	// Delivered: the merchant answered 2xx.
	Delivered
	// Gone: the merchant answered 410 Gone, asking us to stop sending to this
	// URL; do not retry.
	Gone
	// Refused: the stored request can never be sent (bad URL scheme, invalid
	// method or header); retrying the same notification cannot help, so mark
	// it dead for a person to look at.
	Refused
	// Deferred: no request was sent because the destination already has
	// [Config.PerHostLimit] requests in flight; run the job again shortly
	// without counting an attempt.
	Deferred
)

// String returns the outcome's name, used as the metrics label.
func (o Outcome) String() string {
	switch o {
	case Retry:
		return "retry"
	case Delivered:
		return "delivered"
	case Gone:
		return "gone"
	case Refused:
		return "refused"
	case Deferred:
		return "deferred"
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// Status is the delivery state of a notification as the store keeps it.
type Status string

// Statuses of a notification.
const (
	// StatusPending: not attempted yet.
	StatusPending Status = "pending"
	// StatusDelivered: the merchant answered 2xx.
	StatusDelivered Status = "delivered"
	// StatusFailed: the last attempt failed and a retry is scheduled.
	StatusFailed Status = "failed"
	// StatusDead: we gave up (schedule exhausted or refused). Dead rows are
	// never deleted so they can be inspected and replayed.
	StatusDead Status = "dead"
	// StatusGone: the merchant answered 410 Gone.
	StatusGone Status = "gone"
)

// Valid reports whether s is one of the statuses above.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusDelivered, StatusFailed, StatusDead, StatusGone:
		return true
	}
	return false
}

// StatusAfter returns the status to store after an attempt with outcome o;
// retryScheduled says whether the [Schedule] allows another attempt (the
// second result of [Schedule.NextRetry]). A Deferred outcome sent nothing
// and leaves the status as it was, so StatusAfter reports ok=false for it.
func StatusAfter(o Outcome, retryScheduled bool) (s Status, ok bool) {
	switch o {
	case Delivered:
		return StatusDelivered, true
	case Gone:
		return StatusGone, true
	case Refused:
		return StatusDead, true
	case Deferred:
		return "", false
	}
	if retryScheduled {
		return StatusFailed, true
	}
	return StatusDead, true
}
