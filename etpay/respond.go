package etpay

import (
	"encoding/json"
	"log/slog"
	"net/http"
)

// InitializeResponse is the answer to a successful session/initialize
// (WIRE.md): token is the session token (the funnel URL's last segment),
// signature_token the key of this session's result JWT, terms_url the
// terms and conditions document.
type InitializeResponse struct {
	Token          string `json:"token"`
	SignatureToken string `json:"signature_token"`
	TermsURL       string `json:"terms_url"`
}

// WriteJSON answers v as JSON with status, with the same headers as
// WriteError: answers carry tokens, so nothing may cache them. A value
// that cannot be encoded is answered as an internal error.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		WriteError(w, NewInternal())
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// LogValue keeps the API token and the payer's personal data (email, RUT,
// phone) out of logs: a handler may log the request as it is.
func (r InitializeRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("merchant_code", r.MerchantCode),
		slog.String("merchant_order_id", r.MerchantOrderID),
		slog.Int64("order_amount", r.OrderAmount),
		slog.String("currency", r.Currency()),
		slog.String("user_bank_code", r.UserBankCode),
		slog.Int("metadata", len(r.Metadata)),
	)
}

// LogValue keeps the API token out of logs.
func (r StatusRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("merchant_code", r.MerchantCode),
		slog.String("payment_token", r.PaymentToken),
		slog.String("merchant_order_id", r.MerchantOrderID),
		slog.String("session_token", r.SessionToken),
	)
}
