package etpay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Result is the verified content of a result JWT.
type Result struct {
	SessionToken string
	// PaymentStatus is "success" or "error".
	PaymentStatus   string
	PaymentToken    string
	UserRUT         string
	MerchantOrderID string
	// MerchantCode, OrderAmount (whole pesos), UserBankCode, StatusDetail
	// and IssuedAt are sent by pasarela; the real ETpay may leave them
	// empty.
	MerchantCode string
	OrderAmount  int64
	UserBankCode string
	// StatusDetail says why a payment is "error": rejected,
	// insufficient_funds, cancelled or expired.
	StatusDetail string
	IssuedAt     time.Time
}

// Success reports a paid order. Compare OrderAmount and MerchantOrderID
// with your own order too.
func (r Result) Success() bool { return r.PaymentStatus == StatusSuccess }

// resultClaims is the JWT payload, decoded leniently. It duplicates the
// server's claim struct on purpose: the SDK imports nothing of the gateway.
type resultClaims struct {
	SessionToken    text   `json:"session_token"`
	PaymentStatus   text   `json:"payment_status"`
	PaymentToken    text   `json:"payment_token"`
	UserRUT         text   `json:"user_rut"`
	MerchantOrderID text   `json:"merchant_order_id"`
	MerchantCode    text   `json:"merchant_code"`
	OrderAmount     amount `json:"order_amount"`
	UserBankCode    text   `json:"user_bank_code"`
	StatusDetail    text   `json:"status_detail"`
	// IssuedAt is decoded by hand: Python signers send a float.
	IssuedAt timestamp `json:"iat"`
}

// jwt.Claims. A result JWT has no exp (merchants verify stored results
// later), so no time claim is checked.
func (*resultClaims) GetExpirationTime() (*jwt.NumericDate, error) { return nil, nil }
func (*resultClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return nil, nil }
func (*resultClaims) GetNotBefore() (*jwt.NumericDate, error)      { return nil, nil }
func (*resultClaims) GetIssuer() (string, error)                   { return "", nil }
func (*resultClaims) GetSubject() (string, error)                  { return "", nil }
func (*resultClaims) GetAudience() (jwt.ClaimStrings, error)       { return nil, nil }

// Errors of result verification.
var (
	// ErrInvalidJWT: a result that is malformed, not HS256, or whose
	// signature does not verify with the session's signature token. Never
	// trust its content.
	ErrInvalidJWT = errors.New("etpay: invalid result JWT")
	// ErrEmptyKey: no signature token was given. HMAC would accept an
	// empty key, which would accept forged results.
	ErrEmptyKey = errors.New("etpay: empty signature token")
)

// maxJWT bounds a result JWT; real ones are well under 2 KiB.
const maxJWT = 16 << 10

// VerifyResult verifies a result JWT with the session's signature token
// (the signature_token InitializeSession returned, used as raw bytes) and
// returns its content. Only HS256 is accepted, so a forged token cannot
// pick "none" or another algorithm.
func VerifyResult(token, signatureToken string) (Result, error) {
	if signatureToken == "" {
		return Result{}, ErrEmptyKey
	}
	token = strings.TrimSpace(token)
	if len(token) > maxJWT {
		return Result{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidJWT, maxJWT)
	}
	var c resultClaims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) {
		return []byte(signatureToken), nil
	}, jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}))
	if err != nil {
		return Result{}, fmt.Errorf("%w: %w", ErrInvalidJWT, err)
	}
	return Result{
		SessionToken:    string(c.SessionToken),
		PaymentStatus:   string(c.PaymentStatus),
		PaymentToken:    string(c.PaymentToken),
		UserRUT:         string(c.UserRUT),
		MerchantOrderID: string(c.MerchantOrderID),
		MerchantCode:    string(c.MerchantCode),
		OrderAmount:     int64(c.OrderAmount),
		UserBankCode:    string(c.UserBankCode),
		StatusDetail:    string(c.StatusDetail),
		IssuedAt:        time.Time(c.IssuedAt),
	}, nil
}

// maxWebhookBody bounds the webhook body ParseWebhook reads.
const maxWebhookBody = 64 << 10

// ParseWebhook reads the result notification POSTed to the webhook URL,
// {"payment": "<JWT>"}, and returns the JWT with its session_token claim
// read WITHOUT verification, so the merchant can look up that session's
// signature token and then call VerifyResult. Trust nothing until
// VerifyResult succeeds. A form-encoded payment=<JWT> body is accepted
// too. The body is limited to 64 KiB.
func ParseWebhook(r *http.Request) (jwtString string, sessionToken string, err error) {
	if r.Body == nil {
		return "", "", fmt.Errorf("%w: empty webhook body", ErrMalformed)
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
	if err != nil {
		return "", "", fmt.Errorf("etpay: reading webhook body: %w", err)
	}
	if len(data) > maxWebhookBody {
		return "", "", fmt.Errorf("%w: webhook body larger than %d bytes", ErrMalformed, maxWebhookBody)
	}
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '{' {
		var body struct {
			Payment string `json:"payment"`
		}
		if err := json.Unmarshal(data, &body); err != nil {
			return "", "", fmt.Errorf("%w: webhook body: %w", ErrMalformed, err)
		}
		jwtString = body.Payment
	} else if form, err := url.ParseQuery(string(data)); err == nil {
		jwtString = form.Get("payment")
	}
	jwtString = strings.TrimSpace(jwtString)
	if jwtString == "" {
		return "", "", fmt.Errorf(`%w: webhook body has no "payment"`, ErrMalformed)
	}
	if len(jwtString) > maxJWT {
		return "", "", fmt.Errorf("%w: payment longer than %d bytes", ErrMalformed, maxJWT)
	}
	var c resultClaims
	if _, _, err := jwt.NewParser().ParseUnverified(jwtString, &c); err != nil {
		return "", "", fmt.Errorf("%w: payment is not a JWT: %w", ErrMalformed, err)
	}
	if c.SessionToken == "" {
		return "", "", fmt.Errorf("%w: payment JWT has no session_token", ErrMalformed)
	}
	return jwtString, string(c.SessionToken), nil
}
