package etpay

import (
	"encoding/json"
	"strings"
	"time"
)

// StatusRequest is the body of POST {api_url}/merchant/check_payment_status.
type StatusRequest struct {
	// MerchantAPIToken authenticates the merchant and alone identifies it
	// (required).
	MerchantAPIToken string `json:"merchant_api_token"`
	// MerchantCode is optional: the official SDK does not send it, other
	// clients do. When given it must match the token's merchant.
	MerchantCode string `json:"merchant_code,omitempty"`
	// At least one of the three selectors is required; when several are
	// given a record must match all of them.
	PaymentToken    string `json:"payment_token,omitempty"`
	MerchantOrderID string `json:"merchant_order_id,omitempty"`
	SessionToken    string `json:"session_token,omitempty"`
}

// rawStatus holds each field's raw JSON for lenient decoding.
type rawStatus struct {
	MerchantAPIToken json.RawMessage `json:"merchant_api_token"`
	MerchantCode     json.RawMessage `json:"merchant_code"`
	PaymentToken     json.RawMessage `json:"payment_token"`
	MerchantOrderID  json.RawMessage `json:"merchant_order_id"`
	SessionToken     json.RawMessage `json:"session_token"`
}

// ParseStatus reads a check_payment_status body with the same leniency as
// ParseInitialize: JSON whatever the content type, numbers accepted where
// text belongs (merchant_order_id is often numeric), unknown fields
// ignored. The token, code and the two tokens are trimmed;
// merchant_order_id is kept exactly. Errors are 400 *Error. Call Validate
// next.
func ParseStatus(body []byte) (StatusRequest, error) {
	body, perr := objectBody(body)
	if perr != nil {
		return StatusRequest{}, perr
	}
	var raw rawStatus
	if err := json.Unmarshal(body, &raw); err != nil {
		return StatusRequest{}, NewInvalid(CodeInvalidJSON, "", "the body must be a JSON object")
	}
	var r StatusRequest
	for _, t := range []struct {
		raw   json.RawMessage
		field string
		dst   *string
		trim  bool
	}{
		{raw.MerchantAPIToken, "merchant_api_token", &r.MerchantAPIToken, true},
		{raw.MerchantCode, "merchant_code", &r.MerchantCode, true},
		{raw.PaymentToken, "payment_token", &r.PaymentToken, true},
		{raw.MerchantOrderID, "merchant_order_id", &r.MerchantOrderID, false},
		{raw.SessionToken, "session_token", &r.SessionToken, true},
	} {
		s, e := decodeText(t.raw, t.field)
		if e != nil {
			return StatusRequest{}, e
		}
		if t.trim {
			s = strings.TrimSpace(s)
		}
		*t.dst = s
	}
	return r, nil
}

// Validate requires the token and at least one selector, and bounds each.
// A selector that is well formed but matches nothing is the handler's 404,
// not a validation error.
func (r StatusRequest) Validate() error {
	if e := r.validate(); e != nil {
		return e
	}
	return nil
}

func (r StatusRequest) validate() *Error {
	if e := checkCredentials(r.MerchantCode, r.MerchantAPIToken, false); e != nil {
		return e
	}
	if r.PaymentToken == "" && r.MerchantOrderID == "" && r.SessionToken == "" {
		return NewInvalid(CodeMissingField, "payment_token",
			"one of payment_token, merchant_order_id or session_token is required")
	}
	if e := checkOrderID(r.MerchantOrderID, false); e != nil {
		return e
	}
	for _, t := range []struct{ value, field string }{
		{r.PaymentToken, "payment_token"},
		{r.SessionToken, "session_token"},
	} {
		if len(t.value) > MaxTokenLen || !printable(t.value) || strings.Contains(t.value, " ") {
			return NewInvalid(CodeInvalidToken, t.field, t.field+" is not a valid token")
		}
	}
	return nil
}

// Values of payment_status, in check_payment_status records and in the
// result JWT. Success is the literal "success" real merchants compare with
// (WIRE.md); failures are "error" with the reason in status_detail;
// "pending" appears only in check_payment_status, for a session still open.
const (
	StatusSuccess = "success"
	StatusError   = "error"
	StatusPending = "pending"
)

// Values of status_detail when payment_status is "error" (decided: the
// provider documents none). DetailRefunded is informational on a "success"
// record, see PaymentStatusOf.
const (
	DetailRejected          = "rejected"
	DetailInsufficientFunds = "insufficient_funds"
	DetailCancelled         = "cancelled"
	DetailExpired           = "expired"
	DetailRefunded          = "refunded"
)

// StatusRecord is one element of the JSON array check_payment_status
// answers. payment_token and payment_status are always present, as real
// merchants read them; payment_token is "" while the payer has not started
// an attempt.
type StatusRecord struct {
	PaymentToken    string `json:"payment_token"`
	PaymentStatus   string `json:"payment_status"`
	StatusDetail    string `json:"status_detail,omitempty"`
	SessionToken    string `json:"session_token"`
	MerchantOrderID string `json:"merchant_order_id"`
	// OrderAmount is in the wire's whole pesos (see WireAmount), a JSON
	// integer.
	OrderAmount int64 `json:"order_amount"`
	// Currency is "CLP" or "MXN"; pasarela's addition, harmless to clients
	// that do not know it.
	Currency     string `json:"currency"`
	UserBankCode string `json:"user_bank_code,omitempty"`
	UserRUT      string `json:"user_rut,omitempty"`
	// CreatedAt, UpdatedAt and CompletedAt are RFC 3339 in UTC.
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
}

// PaymentStatusOf maps a domain status (payment.Status as a string) and its
// detail to the wire's payment_status and status_detail:
//
//	created, pending        → "pending"
//	completed               → "success"
//	failed                  → "error", detail rejected | insufficient_funds
//	                          (any other rail detail becomes rejected)
//	canceled                → "error", cancelled
//	expired                 → "error", expired
//	refunded                → "success", refunded (decided: the payment did
//	                          succeed; the refund is the merchant's own act)
//
// An unknown status maps to "pending", which never tells a merchant to ship.
func PaymentStatusOf(status, detail string) (paymentStatus, statusDetail string) {
	switch status {
	case "completed":
		return StatusSuccess, ""
	case "refunded":
		return StatusSuccess, DetailRefunded
	case "failed":
		if detail == DetailInsufficientFunds {
			return StatusError, DetailInsufficientFunds
		}
		return StatusError, DetailRejected
	case "canceled":
		return StatusError, DetailCancelled
	case "expired":
		return StatusError, DetailExpired
	}
	return StatusPending, ""
}
