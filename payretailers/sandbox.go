package payretailers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/sandboxapi"
)

// SandboxAuthenticator lets a merchant's CI drive its PayRetailers payments
// through the sandbox helper (POST /sandbox/payments/{ref}/{action}) the
// way it calls the API: a JSON body with pg_serviceid (and an optional
// "reason"), signed in X-PG-SIG with its secret. No pg_token: the helper
// is one call, and the signature already proves the secret.
type SandboxAuthenticator struct {
	merchants *merchant.Service
}

// NewSandboxAuthenticator returns the dialect's sandboxapi.Authenticator.
func NewSandboxAuthenticator(merchants *merchant.Service) *SandboxAuthenticator {
	return &SandboxAuthenticator{merchants: merchants}
}

var _ sandboxapi.Authenticator = (*SandboxAuthenticator)(nil)

// errSandboxCredentials is what Authenticate returns for anything short of
// a valid signature by a known service; the helper answers 401 without
// saying which part failed.
var errSandboxCredentials = errors.New("payretailers: sandbox helper: invalid credentials")

// Authenticate implements sandboxapi.Authenticator: the body must be
// signed by a known service, and that service must own p, else
// sandboxapi.ErrForeign (the helper then answers as if p did not exist).
func (s *SandboxAuthenticator) Authenticate(r *http.Request, body []byte, p payment.Payment) error {
	serviceID, err := ServiceIDOf(body)
	if err != nil {
		return errSandboxCredentials
	}
	m, err := s.merchants.ByServiceID(r.Context(), serviceID)
	if errors.Is(err, merchant.ErrNotFound) {
		return errSandboxCredentials
	}
	if err != nil {
		return err
	}
	secret, err := s.merchants.SecretKey(m)
	if err != nil {
		return err
	}
	if !Verify(secret, body, r.Header.Get(HeaderRequestSignature)) {
		return errSandboxCredentials
	}
	if m.ID != p.MerchantID {
		return sandboxapi.ErrForeign
	}
	return nil
}

// WriteError implements sandboxapi.Authenticator: the dialect's error
// shape (result non-zero, error{code, message "CODE: text"}) with the
// helper's HTTP status. Unsigned, as the helper does not pass the merchant
// along; the helper is a test tool and its callers read the status.
func (s *SandboxAuthenticator) WriteError(w http.ResponseWriter, status int, code, message string) {
	code = strings.ToUpper(code)
	// The SDK shows what follows the first colon, so the text has none.
	e := NewError(code, "", strings.ReplaceAll(message, ":", " -"))
	resp := NewErrorResponse(e)
	resp.Result = sandboxResult(status, code)
	WriteSigned(w, nil, status, resp)
}

// sandboxResult maps the helper's errors onto the dialect's result
// groups.
func sandboxResult(status int, code string) int {
	switch {
	case status == http.StatusUnauthorized:
		return ResultUnauthorized
	case status == http.StatusNotFound || code == CodeNotFound:
		return ResultNotFound
	case status == http.StatusConflict:
		return ResultConflict
	case status >= 500:
		return ResultInternal
	}
	return ResultInvalidRequest
}
