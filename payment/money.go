package payment

import (
	"errors"
	"fmt"
	"strings"
)

// Money is an amount in the currency's minor units plus its ISO 4217 code.
// Amounts are integers end to end: no float ever touches money.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// maxAmount bounds amounts far below int64 overflow so that sums of many
// payments cannot wrap; it is larger than any real single payment.
const maxAmount = 1_000_000_000_000_00

// decimals is the ISO 4217 minor-unit exponent of each supported currency.
var decimals = map[string]int{
	"ARS": 2, "BOB": 2, "BRL": 2, "CLP": 0, "COP": 2, "CRC": 2, "DOP": 2,
	"EUR": 2, "GTQ": 2, "MXN": 2, "PEN": 2, "PYG": 0, "USD": 2, "UYU": 2,
}

// ErrInvalidMoney reports an amount or currency the gateway does not accept.
var ErrInvalidMoney = errors.New("invalid money")

// Decimals returns the currency's minor-unit exponent and whether it is known.
func Decimals(currency string) (int, bool) {
	d, ok := decimals[currency]
	return d, ok
}

// NewMoney validates amount and currency.
func NewMoney(amount int64, currency string) (Money, error) {
	if _, ok := decimals[currency]; !ok {
		return Money{}, fmt.Errorf("%w: unsupported currency %q", ErrInvalidMoney, currency)
	}
	if amount <= 0 || amount > maxAmount {
		return Money{}, fmt.Errorf("%w: amount must be between 1 and %d minor units", ErrInvalidMoney, int64(maxAmount))
	}
	return Money{Amount: amount, Currency: currency}, nil
}

// Decimal renders the amount with the currency's exponent: "35.00" USD,
// "3500" CLP. Dialects with their own formats render them themselves.
func (m Money) Decimal() string {
	d := decimals[m.Currency]
	s := fmt.Sprintf("%0*d", d+1, m.Amount)
	if d == 0 {
		return s
	}
	return s[:len(s)-d] + "." + s[len(s)-d:]
}

// String is for logs and errors: "50000 CLP".
func (m Money) String() string {
	var b strings.Builder
	b.WriteString(m.Decimal())
	b.WriteByte(' ')
	b.WriteString(m.Currency)
	return b.String()
}
