// Package sandbox holds the simulated rails pasarela runs in sandbox mode:
// banks whose password decides the outcome, a card acquirer driven by the
// test card numbers merchants know from other gateways, and a cash network
// whose vouchers are paid through the test helper.
package sandbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/rail"
)

// Passwords that decide a sandbox bank transfer's outcome; any other
// password is a wrong password. Documented in the README and shown on the
// sandbox login page.
const (
	PasswordApprove = "approve"
	PasswordNoFunds = "nofunds"
	PasswordPending = "pending"
	PasswordReject  = "reject"
)

// Bank is the simulated bank behind every bank code in sandbox mode.
type Bank struct {
	key []byte
}

// NewBank returns a sandbox bank that signs its authorizations with key, so
// a payer cannot forge an outcome the password did not choose.
func NewBank(key []byte) *Bank { return &Bank{key: key} }

var outcomes = map[string]rail.Outcome{
	PasswordApprove: {Status: payment.StatusCompleted},
	PasswordNoFunds: {Status: payment.StatusFailed, Detail: rail.DetailInsufficientFunds},
	PasswordPending: {Status: payment.StatusPending},
	PasswordReject:  {Status: payment.StatusFailed, Detail: rail.DetailRejected},
}

// Login implements rail.Bank: any RUT logs in (the funnel validated its
// check digit); the password picks the outcome.
func (b *Bank) Login(_ context.Context, bankCode, rut, password, paymentID string) (string, error) {
	if _, ok := outcomes[password]; !ok {
		return "", rail.ErrWrongPassword
	}
	msg := password + "|" + paymentID
	return password + "." + b.sign(msg), nil
}

// Approve implements rail.Bank.
func (b *Bank) Approve(_ context.Context, authorization, paymentID string, _ payment.Money) (rail.Outcome, error) {
	word, sig, ok := strings.Cut(authorization, ".")
	out, known := outcomes[word]
	if !ok || !known || !hmac.Equal([]byte(sig), []byte(b.sign(word+"|"+paymentID))) {
		return rail.Outcome{}, errors.New("invalid bank authorization")
	}
	return out, nil
}

func (b *Bank) sign(msg string) string {
	m := hmac.New(sha256.New, b.key)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
