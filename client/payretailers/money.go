package payretailers

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// decimals is the ISO 4217 exponent of the currencies the gateway takes.
var decimals = map[string]int{
	"ARS": 2, "BOB": 2, "BRL": 2, "CLP": 0, "COP": 2, "CRC": 2, "DOP": 2,
	"EUR": 2, "GTQ": 2, "MXN": 2, "PEN": 2, "PYG": 0, "USD": 2, "UYU": 2,
}

// formatPrice renders minor units as the API's pg_price: two decimals
// always, 3500 CLP as "3500.00", 1050 USD as "10.50".
func formatPrice(minor int64, currency string) (string, error) {
	d, ok := decimals[currency]
	if !ok {
		return "", fmt.Errorf("payretailers: unsupported currency %q", currency)
	}
	if minor <= 0 {
		return "", fmt.Errorf("payretailers: amount must be positive, got %d", minor)
	}
	s := strconv.FormatInt(minor, 10)
	if d == 0 {
		return s + ".00", nil
	}
	for len(s) <= d {
		s = "0" + s
	}
	return s[:len(s)-d] + "." + s[len(s)-d:], nil
}

// Decimal is an amount as the gateway wrote it: "3500.00" in most answers,
// a JSON number such as 5000 in a OneClick charge. It is kept as text and
// converted exactly, never through a float.
type Decimal string

// UnmarshalJSON accepts a JSON string or number.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*d = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		s, err := strconv.Unquote(string(b))
		if err != nil {
			return err
		}
		*d = Decimal(s)
		return nil
	}
	*d = Decimal(b)
	return nil
}

// Minor converts the amount to minor units of currency, refusing anything
// that is not an exact plain decimal in that currency.
func (d Decimal) Minor(currency string) (int64, error) {
	exp, ok := decimals[currency]
	if !ok {
		return 0, fmt.Errorf("payretailers: unsupported currency %q", currency)
	}
	bad := fmt.Errorf("payretailers: amount %q is not exact in %s", string(d), currency)
	intPart, frac, _ := strings.Cut(string(d), ".")
	if !digits(intPart) || (frac != "" && !digits(frac)) || strings.HasSuffix(string(d), ".") {
		return 0, bad
	}
	if len(frac) > exp {
		if strings.Trim(frac[exp:], "0") != "" {
			return 0, bad
		}
		frac = frac[:exp]
	}
	frac += strings.Repeat("0", exp-len(frac))
	n, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil {
		return 0, bad
	}
	return n, nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
