// Package rail is the seam between the payer's pages and the networks that
// move money: banks (pay-by-bank transfers), card acquirers and cash
// networks. Rails know nothing of dialects; they answer with an Outcome the
// checkout turns into a payment transition. The sandbox rails in
// rail/sandbox are the only implementations today.
package rail

import (
	"context"
	"errors"
	"time"

	"github.com/pasarela/pasarela/payment"
)

// Outcome is what a rail decided about one payment attempt.
type Outcome struct {
	// Detail is the machine-readable reason of a failure, empty on success:
	// rejected, insufficient_funds, card_declined, expired_card,
	// incorrect_cvc, processing_error.
	Detail string
	// Status is completed, failed or pending (the network answers later).
	Status payment.Status
}

// Failure details shared by every rail.
const (
	DetailCardDeclined      = "card_declined"
	DetailExpiredCard       = "expired_card"
	DetailIncorrectCVC      = "incorrect_cvc"
	DetailInsufficientFunds = "insufficient_funds"
	DetailProcessingError   = "processing_error"
	DetailRejected          = "rejected"
)

// ErrWrongPassword means the bank refused the payer's credentials.
var ErrWrongPassword = errors.New("wrong bank credentials")

// Bank is a pay-by-bank network: the payer logs in, then approves one
// transfer.
type Bank interface {
	// Login checks the payer's credentials for one payment and returns an
	// opaque authorization to present at Approve. The password is never
	// kept.
	Login(ctx context.Context, bankCode, rut, password, paymentID string) (authorization string, err error)
	// Approve executes the transfer the authorization allows.
	Approve(ctx context.Context, authorization, paymentID string, amount payment.Money) (Outcome, error)
}

// Card is a card acquirer.
type Card struct {
	CVC      string
	ExpMonth int
	ExpYear  int
	Holder   string
	Number   string
}

// ExpiryEnd is the instant a card printed with month/year stops being
// valid: it is good through the last day of that month, and the month is
// taken to end in UTC-12, the last time zone to leave it, so a card is
// never refused while its month is still running where its holder is.
// Every expiry check (payer's form, vault, sandbox acquirer) uses it.
func ExpiryEnd(month, year int) time.Time {
	return time.Date(year, time.Month(month)+1, 1, 0, 0, 0, 0, lastZone)
}

var lastZone = time.FixedZone("UTC-12", -12*3600)

// Acquirer authorizes card payments. A zero amount is a verification (used
// when a card is enrolled for OneClick).
type Acquirer interface {
	Authorize(ctx context.Context, card Card, amount payment.Money) (Outcome, error)
}

// Voucher is a cash payment slip the payer pays at an agent.
type Voucher struct {
	// Barcode is the digits the barcode encodes.
	Barcode   string
	ExpiresAt time.Time
	Reference string
}

// CashNetwork issues vouchers; payment is reported back later (in the
// sandbox, through the test helper).
type CashNetwork interface {
	Issue(ctx context.Context, p payment.Payment) (Voucher, error)
}
