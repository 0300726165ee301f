package payretailers

import (
	"context"
	"errors"

	"github.com/pasarela/pasarela/payment"
)

// authToken answers auth/token with a fresh token (see authtoken.go).
func (a *API) authToken(_ context.Context, c *call) (any, error) {
	var req AuthTokenRequest
	if err := c.fields.Decode(&req); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	tok := a.tokens.issue(c.merchant.ID, c.merchant.ServiceID, a.now().Add(AuthTokenTTL))
	return TokenResponse{ExpiresIn: int(AuthTokenTTL.Seconds()), Token: tok}, nil
}

// checkToken enforces pg_token. WIRE.md makes it required on
// payment/create, payment/status, notification/status and OneClick; the
// official SDK also sends it on payment/methods and webcheckout, but
// other clients (shop plugins that only build a checkout) do not, and the
// X-PG-SIG already authenticates the call, so there it is optional. A
// token that is sent is always checked: an expired or foreign one is an
// error wherever it appears, never silently ignored.
func (a *API) checkToken(c *call, tok string, required bool) error {
	if tok == "" && !required {
		return nil
	}
	if !a.tokens.valid(tok, c.merchant.ID, c.merchant.ServiceID, a.now()) {
		return ErrInvalidToken
	}
	return nil
}

// paymentMethods answers payment/methods for pg_country; image URLs are
// absolute, under the gateway's public URL.
func (a *API) paymentMethods(_ context.Context, c *call) (any, error) {
	var req MethodsRequest
	if err := c.fields.Decode(&req); err != nil {
		return nil, err
	}
	if err := a.checkToken(c, req.Token, false); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return NewMethodsResponse(req.Country, a.publicURL), nil
}

// createPayment answers payment/create: an API-integration payment with
// its method chosen, paid on the hosted page at payment_method_url.
func (a *API) createPayment(ctx context.Context, c *call) (any, error) {
	var req CreatePaymentRequest
	if err := c.fields.Decode(&req); err != nil {
		return nil, err
	}
	if err := a.checkToken(c, req.Token, true); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	in := req.order()
	if in.ReturnURL == "" && c.merchant.SuccessURL == "" {
		return nil, NewError(CodeMissingField, "pg_return_url", "pg_return_url is required, the merchant has no default")
	}
	if in.CancelURL == "" && c.merchant.CancelURL == "" {
		return nil, NewError(CodeMissingField, "pg_cancel_url", "pg_cancel_url is required, the merchant has no default")
	}
	p, err := a.createOrder(ctx, c.merchant, in)
	if err != nil {
		return nil, err
	}
	return CreateResponse{Data: a.createdPayment(c.merchant.ServiceID, p)}, nil
}

// webcheckout answers payment/webcheckout: a payment whose missing details
// (method, country, payer) the payer gives on the hosted page.
func (a *API) webcheckout(ctx context.Context, c *call) (any, error) {
	var req WebcheckoutRequest
	if err := c.fields.Decode(&req); err != nil {
		return nil, err
	}
	if err := a.checkToken(c, req.Token, false); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	p, err := a.createOrder(ctx, c.merchant, req.order())
	if err != nil {
		return nil, err
	}
	return WebcheckoutResponse{Data: WebcheckoutData{
		RedirectURL: HostedPageURL(a.publicURL, p.Ref), TransactionID: p.Ref,
	}}, nil
}

// errTransactionNotFound is the answer for an unknown transaction and for
// another merchant's alike, so a merchant learns nothing about payments
// that are not its own (DESIGN invariant 4).
var errTransactionNotFound = NewError(CodeNotFound, "transaction_id", "no payment has this transaction_id")

// paymentStatus answers payment/status.
func (a *API) paymentStatus(ctx context.Context, c *call) (any, error) {
	var req PaymentStatusRequest
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
	return StatusResponse{Payment: paymentInfo(c.merchant.ServiceID, p)}, nil
}

// ownPayment finds a PayRetailers payment of the calling merchant by its
// transaction id. The merchant's ETpay payments are not found either: a
// session token is not a transaction id of this API.
func (a *API) ownPayment(ctx context.Context, c *call, transactionID string) (payment.Payment, error) {
	p, err := a.payments.GetForMerchant(ctx, c.merchant.ID, transactionID)
	if errors.Is(err, payment.ErrNotFound) || (err == nil && p.Dialect != payment.DialectPayRetailers) {
		return payment.Payment{}, errTransactionNotFound
	}
	return p, err
}
