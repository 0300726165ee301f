package etpay

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/sandboxapi"
)

// Notices implements payment.Renderer: a payment that reached its result
// (success, failure, cancel, expiry) is announced to the session's
// payment_webhook_url, or the merchant's default, as {"payment":"<JWT>"}.
// Pending and refunds are not announced: ETpay's result has no such states.
func (a *API) Notices(ctx context.Context, p payment.Payment) ([]payment.Notice, error) {
	switch p.Status {
	case payment.StatusCompleted, payment.StatusFailed, payment.StatusCanceled, payment.StatusExpired:
	default:
		return nil, nil
	}
	url := p.URLs.Notification
	if url == "" {
		m, err := a.d.Merchants.Get(ctx, p.MerchantID)
		if err != nil {
			return nil, err
		}
		url = m.NotificationURL
	}
	if url == "" {
		return nil, nil // the merchant polls check_payment_status instead
	}
	jwt, err := a.ResultJWT(ctx, p)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(map[string]string{"payment": jwt})
	if err != nil {
		return nil, err
	}
	return []payment.Notice{{Body: body, ContentType: "application/json", Method: http.MethodPost, URL: url}}, nil
}

// SandboxAuthenticator checks sandbox helper requests for ETpay payments:
// merchant_code and merchant_api_token in the JSON body.
type SandboxAuthenticator struct{ api *API }

// SandboxAuthenticator returns the helper authenticator of this dialect.
func (a *API) SandboxAuthenticator() SandboxAuthenticator { return SandboxAuthenticator{a} }

// Authenticate implements sandboxapi.Authenticator.
func (s SandboxAuthenticator) Authenticate(r *http.Request, body []byte, p payment.Payment) error {
	var creds struct {
		MerchantCode     string `json:"merchant_code"`
		MerchantAPIToken string `json:"merchant_api_token"`
	}
	if err := json.Unmarshal(body, &creds); err != nil {
		return errors.New("body is not JSON")
	}
	m, err := s.api.d.Merchants.AuthenticateETpay(r.Context(), creds.MerchantCode, creds.MerchantAPIToken)
	if err != nil {
		return err
	}
	if m.ID != p.MerchantID {
		return sandboxapi.ErrForeign
	}
	return nil
}

// WriteError implements sandboxapi.Authenticator in ETpay's error shape.
func (SandboxAuthenticator) WriteError(w http.ResponseWriter, status int, code, message string) {
	WriteError(w, &Error{Status: status, Code: code, Message: message})
}
