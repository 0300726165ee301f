package etpay

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ResultClaims are the claims of the result JWT sent to the webhook as
// {"payment": "<JWT>"} and to the payer's browser as ?jwt=. Real merchants
// read session_token, payment_status, payment_token, user_rut and
// merchant_order_id (WIRE.md); the others are pasarela's additions.
//
// There is deliberately no exp: merchants verify stored JWTs long after
// the payment, and an expiring result would make a valid payment look
// forged.
type ResultClaims struct {
	SessionToken string `json:"session_token"`
	// PaymentStatus is "success" or "error" (a JWT is only sent for a
	// result, never while pending).
	PaymentStatus   string `json:"payment_status"`
	PaymentToken    string `json:"payment_token"`
	UserRUT         string `json:"user_rut"`
	MerchantOrderID string `json:"merchant_order_id"`
	MerchantCode    string `json:"merchant_code"`
	// OrderAmount is in whole pesos as the merchant sent it, a JSON integer.
	OrderAmount  int64  `json:"order_amount"`
	UserBankCode string `json:"user_bank_code"`
	// StatusDetail says why a payment failed: rejected, insufficient_funds,
	// cancelled or expired.
	StatusDetail string `json:"status_detail,omitempty"`
	// IssuedAt is the Unix time the JWT was signed.
	IssuedAt int64 `json:"iat"`
}

// The jwt.Claims methods. Only iat exists; the library's validator finds no
// exp or nbf and checks nothing time-related, which is intended.

// GetExpirationTime implements jwt.Claims: there is no exp.
func (c *ResultClaims) GetExpirationTime() (*jwt.NumericDate, error) { return nil, nil }

// GetIssuedAt implements jwt.Claims.
func (c *ResultClaims) GetIssuedAt() (*jwt.NumericDate, error) {
	if c.IssuedAt == 0 {
		return nil, nil
	}
	return jwt.NewNumericDate(time.Unix(c.IssuedAt, 0)), nil
}

// GetNotBefore implements jwt.Claims: there is no nbf.
func (c *ResultClaims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }

// GetIssuer implements jwt.Claims: there is no iss.
func (c *ResultClaims) GetIssuer() (string, error) { return "", nil }

// GetSubject implements jwt.Claims: there is no sub.
func (c *ResultClaims) GetSubject() (string, error) { return "", nil }

// GetAudience implements jwt.Claims: there is no aud.
func (c *ResultClaims) GetAudience() (jwt.ClaimStrings, error) { return nil, nil }

// MaxJWTLen bounds a result JWT accepted for verification. Ours are about
// 600 bytes; the bound stops a hostile input from costing base64 and JSON
// work.
const MaxJWTLen = 8 << 10

// Errors of SignResult and VerifyResult.
var (
	// ErrEmptyKey: the signature token is empty. HMAC would accept an
	// empty key, which would let anyone forge results.
	ErrEmptyKey = errors.New("etpay: empty signature token")
	// ErrInvalidResult: a JWT that is malformed, not HS256, or whose
	// signature does not verify with the session's signature token.
	ErrInvalidResult = errors.New("etpay: invalid result JWT")
)

// SignResult signs claims as an HS256 JWT with the session's signature
// token as the key, its raw UTF-8 bytes (not decoded, as merchants verify
// it). payment_status must be "success" or "error". A zero IssuedAt is set
// to now.
func SignResult(claims ResultClaims, signatureToken string) (string, error) {
	if signatureToken == "" {
		return "", ErrEmptyKey
	}
	if claims.PaymentStatus != StatusSuccess && claims.PaymentStatus != StatusError {
		return "", fmt.Errorf("etpay: result payment_status must be %q or %q, not %q", StatusSuccess, StatusError, claims.PaymentStatus)
	}
	if claims.IssuedAt == 0 {
		claims.IssuedAt = time.Now().Unix()
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, &claims).SignedString([]byte(signatureToken))
}

// VerifyResult checks a result JWT with the session's signature token and
// returns its claims. Only HS256 is accepted: "none", other HMAC sizes and
// every asymmetric algorithm are refused, so a token cannot choose how it
// is checked. Errors wrap ErrInvalidResult (or are ErrEmptyKey).
func VerifyResult(token, signatureToken string) (ResultClaims, error) {
	if signatureToken == "" {
		return ResultClaims{}, ErrEmptyKey
	}
	if len(token) > MaxJWTLen {
		return ResultClaims{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidResult, MaxJWTLen)
	}
	var c ResultClaims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) {
		return []byte(signatureToken), nil
	}, jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}))
	if err != nil {
		return ResultClaims{}, fmt.Errorf("%w: %w", ErrInvalidResult, err)
	}
	return c, nil
}
