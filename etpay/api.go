package etpay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pasarela/pasarela/checkout"
	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/rail"
	"github.com/pasarela/pasarela/rail/sandbox"
	"github.com/pasarela/pasarela/token"
)

// Sealer encrypts per-session signature tokens at rest; the keyring does.
type Sealer interface {
	Open(ciphertext, associatedData []byte) ([]byte, error)
	Seal(plaintext, associatedData []byte) ([]byte, error)
}

// Deps are what the ETpay dialect needs from the gateway.
type Deps struct {
	// Bank is the pay-by-bank network behind the payer's funnel. When nil
	// in sandbox mode, the simulated bank keyed by SandboxBankKey serves
	// every bank code; when nil in production the funnel stops at the bank
	// login with a clean 503 page (no real bank is connected yet).
	Bank rail.Bank
	// CSRFKey keys the funnel's form tokens: at least 32 bytes, the same on
	// every node (the gateway derives it as Keys.Derive("etpay/csrf")).
	CSRFKey   []byte
	Log       *slog.Logger
	Merchants *merchant.Service
	// Now is the funnel's clock, for expiry and bank authorizations;
	// default time.Now.
	Now      func() time.Time
	Payments *payment.Service
	// PendingDelay is how long the sandbox bank takes to confirm a transfer
	// approved with the "pending" password: what the gateway's sweeper
	// passes to ConfirmPendingBankTransfers. Default 10 seconds.
	PendingDelay time.Duration
	// Prefix is the path prefix of every route ("" or like "/sandbox"), so
	// api_url and pmt_url may carry one.
	Prefix string
	// PublicURL is the gateway's base URL (scheme, host, optional path).
	PublicURL string
	Sandbox   bool
	// SandboxBankKey keys the simulated bank's authorizations in sandbox
	// mode (the gateway derives it as Keys.Derive("sandbox/bank")).
	SandboxBankKey []byte
	Sealer         Sealer
	SessionTTL     time.Duration
	// TermsURL is what terms_url answers; default the gateway's own page.
	TermsURL string
}

// API serves ETpay: the merchant side (session creation and status
// queries) and the payer's funnel (funnel.go). It keeps no state between
// requests, so any node can serve any request.
type API struct {
	d Deps
	// pages renders the funnel in checkout's layout.
	pages *checkout.Renderer
	// publicPath is the path of PublicURL ("" or like "/pay"): the payer's
	// browser sees it before Prefix when a proxy strips it.
	publicPath string
}

// NewAPI returns the ETpay API.
func NewAPI(d Deps) (*API, error) {
	if d.Payments == nil || d.Merchants == nil || d.Sealer == nil || d.Log == nil {
		return nil, errors.New("etpay: payments, merchants, sealer and log are required")
	}
	if d.SessionTTL <= 0 {
		d.SessionTTL = 30 * time.Minute
	}
	if d.TermsURL == "" {
		d.TermsURL = d.PublicURL + d.Prefix + "/terms"
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.PendingDelay <= 0 {
		d.PendingDelay = 10 * time.Second
	}
	if d.Bank == nil && d.Sandbox && len(d.SandboxBankKey) > 0 {
		d.Bank = sandbox.NewBank(d.SandboxBankKey)
	}
	u, err := url.Parse(d.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("etpay: public URL: %w", err)
	}
	pages, err := newPages(d.CSRFKey, d.Log, d.Sandbox, strings.HasPrefix(d.PublicURL, "https://"))
	if err != nil {
		return nil, fmt.Errorf("etpay: funnel pages: %w", err)
	}
	return &API{d: d, pages: pages, publicPath: strings.TrimSuffix(u.Path, "/")}, nil
}

// Mount registers the API routes and the payer's funnel on m.
func (a *API) Mount(m interface{ Handle(string, http.Handler) }) {
	m.Handle("POST "+a.d.Prefix+"/session/initialize", http.HandlerFunc(a.initialize))
	m.Handle("POST "+a.d.Prefix+"/merchant/check_payment_status", http.HandlerFunc(a.checkStatus))
	a.mountFunnel(m)
}

// FunnelURL is where the payer goes for a session: {pmt_url}/session/{token}.
func (a *API) FunnelURL(sessionToken string) string {
	return a.d.PublicURL + a.d.Prefix + "/session/" + sessionToken
}

// Extra keys this dialect keeps on a payment.
const (
	ExtraConcat        = "etpay.concat"
	ExtraRUTBlocked    = "etpay.is_rut_block"
	ExtraTargetFlow    = "etpay.target_flow"
	ExtraBankPreloaded = "etpay.user_bank_code"
)

// signatureAAD binds a sealed signature token to its session.
func signatureAAD(sessionToken string) []byte { return []byte("etpay/signature_token/" + sessionToken) }

func (a *API) initialize(w http.ResponseWriter, r *http.Request) {
	body, e := ReadBody(r, 0)
	if e != nil {
		WriteError(w, e)
		return
	}
	req, err := ParseInitialize(body)
	if err != nil {
		WriteError(w, asError(err))
		return
	}
	m, ok := a.authenticate(w, r, req.MerchantCode, req.MerchantAPIToken)
	if !ok {
		return
	}
	if err := req.Validate(a.d.Sandbox); err != nil {
		WriteError(w, asError(err))
		return
	}
	sessionToken, signatureToken := token.Sortable(64), token.Alnum(48)
	sealed, err := a.d.Sealer.Seal([]byte(signatureToken), signatureAAD(sessionToken))
	if err != nil {
		a.internal(w, r, "sealing signature token", err)
		return
	}
	p := payment.Payment{
		AttemptRef:   token.Sortable(40),
		Amount:       payment.Money{Amount: req.AmountMinor(), Currency: req.Currency()},
		Country:      req.Country(),
		Dialect:      payment.DialectETpay,
		ExpiresAt:    a.d.Now().Add(a.d.SessionTTL),
		Extra:        map[string]string{},
		MerchantID:   m.ID,
		Method:       req.UserBankCode,
		OrderID:      req.MerchantOrderID,
		Payer:        payment.Payer{DocumentID: req.UserRUT, Email: req.CustomerEmail, Phone: req.CustomerPhone},
		Ref:          sessionToken,
		SealedSecret: sealed,
		URLs: payment.URLs{Cancel: req.PaymentCancellationURL, Notification: req.PaymentWebhookURL,
			Success: req.PaymentCompletedURL},
	}
	for _, md := range req.Metadata {
		p.Metadata = append(p.Metadata, payment.Metadata{Name: md.Name, Show: md.Show, Value: md.Value})
	}
	if req.Concat != "" {
		p.Extra[ExtraConcat] = req.Concat
	}
	if req.IsRUTBlock && req.UserRUT != "" {
		p.Extra[ExtraRUTBlocked] = "true"
	}
	if req.TargetFlow != "" {
		p.Extra[ExtraTargetFlow] = req.TargetFlow
	}
	if req.UserBankCode != "" {
		p.Extra[ExtraBankPreloaded] = req.UserBankCode
	}
	if _, err := a.d.Payments.Create(r.Context(), p); err != nil {
		if errors.Is(err, payment.ErrOrderPaid) {
			WriteError(w, NewOrderAlreadyPaid(req.MerchantOrderID))
			return
		}
		a.internal(w, r, "creating session", err)
		return
	}
	WriteJSON(w, http.StatusOK, InitializeResponse{Token: sessionToken, SignatureToken: signatureToken, TermsURL: a.d.TermsURL})
}

func (a *API) checkStatus(w http.ResponseWriter, r *http.Request) {
	body, e := ReadBody(r, 0)
	if e != nil {
		WriteError(w, e)
		return
	}
	req, err := ParseStatus(body)
	if err != nil {
		WriteError(w, asError(err))
		return
	}
	m, ok := a.authenticate(w, r, req.MerchantCode, req.MerchantAPIToken)
	if !ok {
		return
	}
	if err := req.Validate(); err != nil {
		WriteError(w, asError(err))
		return
	}
	f := payment.Filter{MerchantID: m.ID, OrderID: req.MerchantOrderID, Ref: req.SessionToken, AttemptRef: req.PaymentToken, Limit: 100}
	ps, err := a.d.Payments.List(r.Context(), f)
	if err != nil {
		a.internal(w, r, "listing payments", err)
		return
	}
	if len(ps) == 0 {
		WriteError(w, NewSessionNotFound())
		return
	}
	out := make([]StatusRecord, len(ps))
	for i, p := range ps {
		out[i] = statusRecord(p)
	}
	WriteJSON(w, http.StatusOK, out)
}

func statusRecord(p payment.Payment) StatusRecord {
	st, detail := PaymentStatusOf(string(p.Status), p.StatusDetail)
	return StatusRecord{
		CompletedAt: p.CompletedAt, CreatedAt: p.CreatedAt, Currency: p.Amount.Currency,
		MerchantOrderID: p.OrderID, OrderAmount: WireAmount(p.Amount.Amount, p.Amount.Currency),
		PaymentStatus: st, PaymentToken: p.AttemptRef, SessionToken: p.Ref, StatusDetail: detail,
		UpdatedAt: p.UpdatedAt, UserBankCode: p.Method, UserRUT: p.Payer.DocumentID,
	}
}

// authenticate checks the merchant's credentials; a merchant_code, when
// given, must belong to the token.
func (a *API) authenticate(w http.ResponseWriter, r *http.Request, code, apiToken string) (merchant.Merchant, bool) {
	m, err := a.d.Merchants.AuthenticateETpay(r.Context(), code, apiToken)
	if errors.Is(err, merchant.ErrUnauthorized) {
		WriteError(w, NewUnauthorized())
		return merchant.Merchant{}, false
	}
	if err != nil {
		a.internal(w, r, "authenticating merchant", err)
		return merchant.Merchant{}, false
	}
	return m, true
}

// internal answers a 500 in the dialect's shape; the logger makes the error
// a warning when the client had gone (server.NewLogger).
func (a *API) internal(w http.ResponseWriter, r *http.Request, what string, err error) {
	a.d.Log.ErrorContext(r.Context(), "etpay: "+what, "err", err)
	WriteError(w, NewInternal())
}

func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return NewInvalid(CodeInvalidJSON, "", "invalid request")
}

// SignatureToken returns a payment's signature token in clear.
func (a *API) SignatureToken(p payment.Payment) (string, error) {
	b, err := a.d.Sealer.Open(p.SealedSecret, signatureAAD(p.Ref))
	return string(b), err
}

// ResultJWT is the signed result of a payment, as the webhook and the
// redirect carry it.
func (a *API) ResultJWT(ctx context.Context, p payment.Payment) (string, error) {
	key, err := a.SignatureToken(p)
	if err != nil {
		return "", err
	}
	m, err := a.d.Merchants.Get(ctx, p.MerchantID)
	if err != nil {
		return "", err
	}
	st, detail := PaymentStatusOf(string(p.Status), p.StatusDetail)
	if st == StatusPending {
		st, detail = StatusError, DetailCancelled // a redirect before the end is a cancel
	}
	if detail == DetailRefunded {
		return "", errors.New("a refund has no result JWT")
	}
	return SignResult(ResultClaims{
		IssuedAt: a.d.Now().Unix(), MerchantCode: m.ETpayCode, MerchantOrderID: p.OrderID,
		OrderAmount: WireAmount(p.Amount.Amount, p.Amount.Currency), PaymentStatus: st, PaymentToken: p.AttemptRef,
		SessionToken: p.Ref, StatusDetail: detail, UserBankCode: p.Method, UserRUT: p.Payer.DocumentID,
	}, key)
}
