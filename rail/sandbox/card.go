package sandbox

import (
	"context"
	"errors"
	"time"

	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/rail"
)

// TestCards are the sandbox card numbers and what they do; any other valid
// number is approved. Expiry must be in the future; any CVC works except on
// the incorrect-CVC card.
var TestCards = map[string]rail.Outcome{
	"4242424242424242": {Status: payment.StatusCompleted},
	"5555555555554444": {Status: payment.StatusCompleted},
	"4000000000000002": {Status: payment.StatusFailed, Detail: rail.DetailCardDeclined},
	"4000000000009995": {Status: payment.StatusFailed, Detail: rail.DetailInsufficientFunds},
	"4000000000000069": {Status: payment.StatusFailed, Detail: rail.DetailExpiredCard},
	"4000000000000127": {Status: payment.StatusFailed, Detail: rail.DetailIncorrectCVC},
	"4000000000000119": {Status: payment.StatusFailed, Detail: rail.DetailProcessingError},
}

// Acquirer is the simulated card acquirer.
type Acquirer struct {
	Now func() time.Time
}

// ErrInvalidCard means the card data is malformed: bad number, past expiry,
// bad CVC format. The page shows it; no payment status changes.
var ErrInvalidCard = errors.New("invalid card data")

// Authorize implements rail.Acquirer.
func (a Acquirer) Authorize(_ context.Context, c rail.Card, _ payment.Money) (rail.Outcome, error) {
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	if err := ValidateCard(c, now()); err != nil {
		return rail.Outcome{}, err
	}
	if out, ok := TestCards[c.Number]; ok {
		return out, nil
	}
	return rail.Outcome{Status: payment.StatusCompleted}, nil
}

// ValidateCard checks what a real acquirer would refuse before authorising:
// Luhn, length, a future expiry and a 3–4 digit CVC.
func ValidateCard(c rail.Card, now time.Time) error {
	if len(c.Number) < 12 || len(c.Number) > 19 || !Luhn(c.Number) {
		return errors.Join(ErrInvalidCard, errors.New("card number"))
	}
	if c.ExpMonth < 1 || c.ExpMonth > 12 || c.ExpYear < 2000 || c.ExpYear > 2100 {
		return errors.Join(ErrInvalidCard, errors.New("expiry"))
	}
	if !now.Before(rail.ExpiryEnd(c.ExpMonth, c.ExpYear)) {
		return errors.Join(ErrInvalidCard, errors.New("expiry"))
	}
	if len(c.CVC) < 3 || len(c.CVC) > 4 || !digits(c.CVC) {
		return errors.Join(ErrInvalidCard, errors.New("cvc"))
	}
	return nil
}

// Luhn reports whether number (digits only) passes the Luhn check.
func Luhn(number string) bool {
	if number == "" || !digits(number) {
		return false
	}
	sum := 0
	double := false
	for i := len(number) - 1; i >= 0; i-- {
		d := int(number[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// Brand names the card network by its number's prefix.
func Brand(number string) string {
	switch {
	case len(number) > 0 && number[0] == '4':
		return "visa"
	case len(number) >= 2 && number[0] == '5' && number[1] >= '1' && number[1] <= '5',
		len(number) >= 4 && number[:4] >= "2221" && number[:4] <= "2720":
		return "mastercard"
	case len(number) >= 2 && (number[:2] == "34" || number[:2] == "37"):
		return "amex"
	}
	return "card"
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
