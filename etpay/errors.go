package etpay

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Error is an error answered to a merchant in the dialect's shape: HTTP
// status Status and the JSON body {"message": ..., "code": ...}. Field names
// the offending request field, if any; it is sent too (as "field") because
// clients ignore keys they do not know and it saves a merchant from parsing
// the message.
type Error struct {
	// Status is the HTTP status: 400 invalid request, 401 unknown merchant
	// or wrong token, 404 unknown session, 409 order already paid, 413 body
	// too large, 405 wrong method, 500 pasarela's own failure.
	Status int
	// Code is machine-readable and stable, such as "invalid_order_amount".
	Code string
	// Message is for the merchant's developer: it says what was wrong and
	// what is accepted.
	Message string
	// Field is the JSON name of the offending request field, or "".
	Field string
}

// Error returns the code and the message.
func (e *Error) Error() string { return "etpay: " + e.Code + ": " + e.Message }

// Error codes, the "code" of an error body.
const (
	CodeBodyTooLarge         = "body_too_large"
	CodeInternal             = "internal_error"
	CodeInvalidBankCode      = "invalid_bank_code"
	CodeInvalidConcat        = "invalid_concat"
	CodeInvalidCustomerPhone = "invalid_customer_phone"
	CodeInvalidEmail         = "invalid_email"
	CodeInvalidField         = "invalid_field"
	CodeInvalidJSON          = "invalid_json"
	CodeInvalidMerchantCode  = "invalid_merchant_code"
	CodeInvalidMetadata      = "invalid_metadata"
	CodeInvalidOrderAmount   = "invalid_order_amount"
	CodeInvalidOrderID       = "invalid_merchant_order_id"
	CodeInvalidTargetFlow    = "invalid_target_flow"
	CodeInvalidToken         = "invalid_token"
	CodeInvalidURL           = "invalid_url"
	CodeInvalidUserRUT       = "invalid_user_rut"
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeMissingField         = "missing_field"
	CodeOrderAlreadyPaid     = "order_already_paid"
	CodeSessionNotFound      = "session_not_found"
	CodeUnauthorized         = "unauthorized"
)

// NewInvalid is a 400: the request is malformed or a field is invalid.
func NewInvalid(code, field, message string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Field: field, Message: message}
}

// missing is the 400 for a required field that is absent or empty.
func missing(field string) *Error {
	return NewInvalid(CodeMissingField, field, field+" is required")
}

// NewUnauthorized is the 401 for an unknown merchant_code or a wrong
// merchant_api_token. It does not say which of the two was wrong, so it
// cannot be used to find out which merchant codes exist.
func NewUnauthorized() *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized,
		Message: "unknown merchant or wrong merchant_api_token"}
}

// NewSessionNotFound is the 404 for a session (or payment) that does not
// exist or belongs to another merchant; both look the same from outside so
// merchants cannot probe each other's tokens.
func NewSessionNotFound() *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeSessionNotFound,
		Message: "no session matches for this merchant"}
}

// NewOrderAlreadyPaid is the 409 for a new session on a merchant_order_id
// that already has a successful payment.
func NewOrderAlreadyPaid(orderID string) *Error {
	return &Error{Status: http.StatusConflict, Code: CodeOrderAlreadyPaid, Field: "merchant_order_id",
		Message: fmt.Sprintf("merchant_order_id %q is already paid", orderID)}
}

// NewBodyTooLarge is the 413 for a body over limit bytes.
func NewBodyTooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeBodyTooLarge,
		Message: fmt.Sprintf("the request body is larger than %d bytes", limit)}
}

// NewMethodNotAllowed is the 405 for a route called with the wrong method;
// the handler also sets the Allow header.
func NewMethodNotAllowed(allowed string) *Error {
	return &Error{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed,
		Message: "use " + allowed}
}

// NewInternal is the 500 for a failure that is pasarela's. It says nothing
// about the cause, which belongs in the server log only.
func NewInternal() *Error {
	return &Error{Status: http.StatusInternalServerError, Code: CodeInternal,
		Message: "the request could not be processed, try again later"}
}

// errorBody is the JSON error body.
type errorBody struct {
	Message string `json:"message"`
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
}

// WriteError answers e as JSON with e.Status. A nil e, or one without a
// status, is answered as an internal error rather than a misleading 200.
func WriteError(w http.ResponseWriter, e *Error) {
	if e == nil || e.Status < 400 || e.Status > 599 {
		e = NewInternal()
	}
	body, err := json.Marshal(errorBody{Message: e.Message, Code: e.Code, Field: e.Field})
	if err != nil { // cannot happen: three strings
		body = []byte(`{"message":"internal error","code":"internal_error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(e.Status)
	_, _ = w.Write(append(body, '\n'))
}
