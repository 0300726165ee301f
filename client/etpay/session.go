package etpay

import (
	"context"
	"fmt"
)

// SessionRequest is an order to pay. Only MerchantOrderID and OrderAmount
// are required; the credentials come from the Client.
type SessionRequest struct {
	// MerchantOrderID is the merchant's own order id, 1 to 64 characters;
	// it comes back in every result for reconciliation.
	MerchantOrderID string
	// OrderAmount is the amount in whole pesos (CLP has no decimals; the
	// Mexican variant also takes whole pesos). Sent as a JSON integer.
	OrderAmount int64
	// CustomerEmail is optional.
	CustomerEmail string
	// Metadata is shown to the payer when Show is true (3 or 4 entries are
	// plenty; pasarela accepts up to 20).
	Metadata []Metadata
	// UserBankCode preselects a bank ("cl_bch", …) and skips the bank step.
	UserBankCode string
	// UserRUT prefills the payer's RUT ("11.111.111-1" or "111111111").
	UserRUT string
	// IsRUTBlock stops the payer from editing the prefilled RUT.
	IsRUTBlock bool
	// PaymentCompletedURL and PaymentCancellationURL are where the payer's
	// browser returns, with ?jwt=…; empty uses the merchant's defaults.
	PaymentCompletedURL    string
	PaymentCancellationURL string
	// PaymentWebhookURL receives the authoritative result as a POST of
	// {"payment": "<JWT>"}; empty uses the merchant's default.
	PaymentWebhookURL string
	// Concat is the character put before "jwt=" in the return URLs instead
	// of the automatic "?" or "&".
	Concat string
	// TargetFlow ("codi" or "spei") and CustomerPhone (10 digits) are for
	// the Mexican variant only.
	TargetFlow    string
	CustomerPhone string
}

// Metadata is one name/value pair shown to the payer.
type Metadata struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Show  bool   `json:"show"`
}

// Session is the answer to InitializeSession.
type Session struct {
	// Token is the session token: the funnel URL's last segment and the
	// session_token claim of the result.
	Token string `json:"token"`
	// SignatureToken is the key of this session's result JWT. Store it
	// with the order; it is unique per session.
	SignatureToken string `json:"signature_token"`
	// TermsURL is the terms and conditions document; optional to show.
	TermsURL string `json:"terms_url"`
}

// initializeBody is the wire body: the documented fields only, optional
// ones omitted when empty so a strict server sees nothing unexpected.
type initializeBody struct {
	MerchantCode           string     `json:"merchant_code"`
	MerchantAPIToken       string     `json:"merchant_api_token"`
	MerchantOrderID        string     `json:"merchant_order_id"`
	OrderAmount            int64      `json:"order_amount"`
	CustomerEmail          string     `json:"customer_email,omitempty"`
	Metadata               []Metadata `json:"metadata,omitempty"`
	UserBankCode           string     `json:"user_bank_code,omitempty"`
	UserRUT                string     `json:"user_rut,omitempty"`
	IsRUTBlock             bool       `json:"is_rut_block,omitempty"`
	PaymentCompletedURL    string     `json:"payment_completed_url,omitempty"`
	PaymentCancellationURL string     `json:"payment_cancellation_url,omitempty"`
	PaymentWebhookURL      string     `json:"payment_webhook_url,omitempty"`
	Concat                 string     `json:"concat,omitempty"`
	TargetFlow             string     `json:"target_flow,omitempty"`
	CustomerPhone          string     `json:"customer_phone,omitempty"`
}

// InitializeSession creates a payment session (POST /session/initialize).
// The gateway validates every field; the SDK only refuses what can never
// work (no credentials, no order id, an amount below 1).
func (c *Client) InitializeSession(ctx context.Context, req SessionRequest) (Session, error) {
	switch {
	case c.MerchantCode == "" || c.APIToken == "":
		return Session{}, fmt.Errorf("%w: Client.MerchantCode and Client.APIToken are required", ErrInvalidRequest)
	case req.MerchantOrderID == "":
		return Session{}, fmt.Errorf("%w: MerchantOrderID is required", ErrInvalidRequest)
	case req.OrderAmount < 1:
		return Session{}, fmt.Errorf("%w: OrderAmount must be at least 1, not %d", ErrInvalidRequest, req.OrderAmount)
	}
	body := initializeBody{
		MerchantCode:           c.MerchantCode,
		MerchantAPIToken:       c.APIToken,
		MerchantOrderID:        req.MerchantOrderID,
		OrderAmount:            req.OrderAmount,
		CustomerEmail:          req.CustomerEmail,
		Metadata:               req.Metadata,
		UserBankCode:           req.UserBankCode,
		UserRUT:                req.UserRUT,
		IsRUTBlock:             req.IsRUTBlock,
		PaymentCompletedURL:    req.PaymentCompletedURL,
		PaymentCancellationURL: req.PaymentCancellationURL,
		PaymentWebhookURL:      req.PaymentWebhookURL,
		Concat:                 req.Concat,
		TargetFlow:             req.TargetFlow,
		CustomerPhone:          req.CustomerPhone,
	}
	var s Session
	if err := c.post(ctx, "/session/initialize", body, &s); err != nil {
		return Session{}, err
	}
	if s.Token == "" || s.SignatureToken == "" {
		return Session{}, fmt.Errorf("%w: session/initialize answered without token or signature_token", ErrMalformed)
	}
	return s, nil
}
