package payretailers

import "net/http"

// Error is a business error in the dialect's own shape. Message is
// "CODE: human text": the official SDK shows what follows the first colon
// (explode(':', ...)[1]), so the human text never contains a colon of its
// own. Field names the offending request field, if any.
type Error struct {
	Code    string
	Field   string
	Message string
}

// Error returns Message.
func (e *Error) Error() string { return e.Message }

// HTTPStatus is the status the error is answered with. The PHP SDK treats
// any 4xx/5xx as "connection error" and never reads the body, so business
// errors are 200 with a non-zero result; only a request that cannot be
// authenticated (bad signature, unknown service) gets 401 (WIRE.md).
func (e *Error) HTTPStatus() int {
	switch e.Code {
	case CodeInvalidSignature, CodeUnknownService:
		return http.StatusUnauthorized
	}
	return http.StatusOK
}

// Result is the non-zero top-level "result" the error is answered with.
func (e *Error) Result() int {
	switch e.Code {
	case CodeInvalidSignature, CodeUnknownService, CodeInvalidToken:
		return ResultUnauthorized
	case CodeNotFound:
		return ResultNotFound
	case CodeConflict:
		return ResultConflict
	case CodeInvalidMethod:
		return ResultMethodUnavailable
	case CodeInternal:
		return ResultInternal
	}
	return ResultInvalidRequest
}

// Top-level "result" values. The provider documents only 0 = success; the
// non-zero values are pasarela's and group errors by what a merchant does
// about them, the code in "error" says exactly what went wrong.
const (
	// ResultOK is success.
	ResultOK = 0
	// ResultInvalidRequest: malformed body, missing or invalid field; fix
	// the request.
	ResultInvalidRequest = 1
	// ResultUnauthorized: bad signature, unknown pg_serviceid, missing,
	// expired or foreign pg_token; authenticate again.
	ResultUnauthorized = 2
	// ResultNotFound: no such transaction, card or enrollment for this
	// service.
	ResultNotFound = 3
	// ResultConflict: the object exists but its state forbids the call
	// (for example a card already removed, an enrollment already confirmed).
	ResultConflict = 4
	// ResultMethodUnavailable: the payment method is unknown or does not
	// serve that country and currency.
	ResultMethodUnavailable = 5
	// ResultInternal: pasarela failed; retrying later may work.
	ResultInternal = 9
)

// Error codes, the "code" of an error response and the prefix of its
// message.
const (
	CodeBodyTooLarge     = "BODY_TOO_LARGE"
	CodeConflict         = "CONFLICT"
	CodeFieldTooLong     = "FIELD_TOO_LONG"
	CodeInternal         = "INTERNAL_ERROR"
	CodeInvalidCountry   = "INVALID_COUNTRY"
	CodeInvalidCurrency  = "INVALID_CURRENCY"
	CodeInvalidEmail     = "INVALID_EMAIL"
	CodeInvalidField     = "INVALID_FIELD"
	CodeInvalidIP        = "INVALID_IP"
	CodeInvalidJSON      = "INVALID_JSON"
	CodeInvalidLanguage  = "INVALID_LANGUAGE"
	CodeInvalidMethod    = "INVALID_METHOD"
	CodeInvalidPrice     = "INVALID_PRICE"
	CodeInvalidSignature = "INVALID_SIGNATURE"
	CodeInvalidToken     = "INVALID_TOKEN"
	CodeInvalidURL       = "INVALID_URL"
	CodeMissingField     = "MISSING_FIELD"
	CodeNotFound         = "NOT_FOUND"
	CodeUnknownService   = "UNKNOWN_SERVICE"
)

// NewError builds an *Error; text must not contain a colon (see Error).
func NewError(code, field, text string) *Error {
	return &Error{Code: code, Field: field, Message: code + ": " + text}
}

// newError is NewError for this package's own checks.
func newError(code, field, text string) *Error { return NewError(code, field, text) }

// Errors the HTTP layer needs and this package cannot detect by itself.
var (
	// ErrInvalidSignature answers a request whose X-PG-SIG does not verify.
	ErrInvalidSignature = NewError(CodeInvalidSignature, "", "the request signature is invalid")
	// ErrUnknownService answers a pg_serviceid no merchant has. Service ids
	// are public (they sit in merchants' HTML forms), so saying so costs
	// nothing and saves merchants from debugging their HMAC.
	ErrUnknownService = NewError(CodeUnknownService, "pg_serviceid", "no service has this pg_serviceid")
	// ErrInvalidToken answers a missing, expired or foreign pg_token.
	ErrInvalidToken = NewError(CodeInvalidToken, "pg_token", "the token is missing, expired or not valid for this service")
	// ErrInternal answers any failure that is pasarela's; it says nothing
	// about the cause, which belongs in the server log only.
	ErrInternal = NewError(CodeInternal, "", "the request could not be processed, try again later")
)
