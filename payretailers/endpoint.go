package payretailers

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/pasarela/pasarela/merchant"
)

// call is one authenticated API request: its raw body, the merchant whose
// secret signed it, and that secret for signing the answer.
type call struct {
	fields   Fields
	merchant merchant.Merchant
	secret   []byte
}

// handlerFunc does the work of one API call once the request is
// authenticated; it returns the response to sign or an error (an *Error
// for the merchant, anything else is logged and answered INTERNAL_ERROR).
type handlerFunc func(ctx context.Context, c *call) (any, error)

// Errors answered before a merchant is known, so unsigned.
var (
	// ErrBodyTooLarge answers a body over MaxBodyBytes (HTTP 413).
	ErrBodyTooLarge = NewError(CodeBodyTooLarge, "", "the request body is larger than 64 KiB")
	errBadBody      = NewError(CodeInvalidJSON, "", "the request body could not be read")
)

// endpoint wraps fn in the steps every API call shares: bound and read the
// body, find the merchant by pg_serviceid, verify X-PG-SIG over the raw
// bytes, then run fn and sign whatever it answers.
//
// Until the signature is verified nothing can be signed (an unknown
// service has no secret; a bad signature means the caller holds the wrong
// one), so those answers are unsigned: 413 for a body too large, 400 for
// one that is not a JSON object with pg_serviceid, 401 for an unknown
// service or a bad signature, 503 when pasarela itself fails. After it,
// every answer is signed: 200 with result 0, or 200 with a non-zero
// result and the error (WIRE.md).
func (a *API) endpoint(name string, fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		c, ok := a.authenticate(w, r, name)
		if !ok {
			return
		}
		resp, err := fn(ctx, c)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				// Never the body: it holds payer details.
				a.log.ErrorContext(ctx, "payretailers: call failed", "call", name, "service_id", c.merchant.ServiceID, "err", err)
			}
			WriteError(w, c.secret, err)
			return
		}
		WriteSigned(w, c.secret, http.StatusOK, resp)
	})
}

// authenticate answers the request itself and reports false when it
// cannot be attributed to a merchant.
func (a *API) authenticate(w http.ResponseWriter, r *http.Request, name string) (*call, bool) {
	ctx := r.Context()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeUnsigned(w, http.StatusRequestEntityTooLarge, ErrBodyTooLarge)
		} else {
			writeUnsigned(w, http.StatusBadRequest, errBadBody)
		}
		return nil, false
	}
	fields, err := ParseFields(body)
	if err != nil {
		writeUnsigned(w, http.StatusBadRequest, asError(err))
		return nil, false
	}
	serviceID, err := fields.ServiceID()
	if err != nil {
		writeUnsigned(w, http.StatusBadRequest, asError(err))
		return nil, false
	}
	m, err := a.merchants.ByServiceID(ctx, serviceID)
	if errors.Is(err, merchant.ErrNotFound) {
		WriteError(w, nil, ErrUnknownService)
		return nil, false
	}
	if err != nil {
		a.log.ErrorContext(ctx, "payretailers: finding merchant", "call", name, "err", err)
		writeUnsigned(w, http.StatusServiceUnavailable, ErrInternal)
		return nil, false
	}
	secret, err := a.merchants.SecretKey(m)
	if err != nil {
		a.log.ErrorContext(ctx, "payretailers: opening merchant secret", "call", name, "merchant", m.ID, "err", err)
		writeUnsigned(w, http.StatusServiceUnavailable, ErrInternal)
		return nil, false
	}
	if !Verify(secret, body, r.Header.Get(HeaderRequestSignature)) {
		WriteError(w, nil, ErrInvalidSignature)
		return nil, false
	}
	return &call{fields: fields, merchant: m, secret: secret}, true
}

// writeUnsigned answers e with an explicit status and no signature.
func writeUnsigned(w http.ResponseWriter, status int, e *Error) {
	WriteSigned(w, nil, status, NewErrorResponse(e))
}

// asError returns err as an *Error, INTERNAL_ERROR if it is not one.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return ErrInternal
}
