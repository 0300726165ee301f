package etpay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// MaxOrderAmount is the largest order_amount accepted (a trillion pesos).
// Anything above is a bug on the merchant's side, and the bound keeps the
// MXN conversion to centavos (×100) inside the payment domain's limit.
const MaxOrderAmount int64 = 1_000_000_000_000

// maxAmountDigits is len("1000000000000"): longer integers are too large
// whatever they say, so they are rejected before any arithmetic.
const maxAmountDigits = 13

// amountHint ends every order_amount error: what a good value looks like.
const amountHint = "; send the amount as a whole number of pesos, such as 50000"

// decodeAmount reads order_amount as sent by real clients (WIRE.md): a
// JSON integer (50000), an integral JSON number (50000.0, 5e4, as Python
// floats serialise) or a numeric string ("50000", "50000.0", "50000.00").
// The literal text is read as a decimal and never converted to a float, so
// no amount is ever rounded. present is false when the field is absent or
// null.
//
// Strings are stricter than numbers on purpose: in Chile "50.000" is fifty
// thousand written with a thousands dot, so a string whose fraction is not
// one or two zeros is rejected instead of being read as 50. A JSON number
// has no such ambiguity.
func decodeAmount(raw json.RawMessage) (amount int64, present bool, e *Error) {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return 0, false, nil
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, true, amountError("order_amount must be a number")
		}
		a, e := parseAmountString(strings.TrimSpace(s))
		return a, true, e
	case c == '-' || (c >= '0' && c <= '9'):
		a, e := parseAmountNumber(string(raw))
		return a, true, e
	}
	return 0, true, amountError("order_amount must be a number")
}

// parseAmountString reads the string form: digits, optionally ".0" or
// ".00".
func parseAmountString(s string) (int64, *Error) {
	intPart, frac, hasDot := strings.Cut(s, ".")
	if !allDigits(intPart) || (hasDot && !allDigits(frac)) {
		return 0, amountError(fmt.Sprintf("order_amount must be a number, not %s", quoteShort(s)))
	}
	if hasDot && strings.Trim(frac, "0") != "" {
		return 0, amountError(fmt.Sprintf("order_amount must be a whole number without decimals (CLP has none), not %s", quoteShort(s)))
	}
	if hasDot && len(frac) > 2 {
		return 0, amountError(fmt.Sprintf("order_amount must not use a thousands separator, not %s", quoteShort(s)))
	}
	return wholeAmount(intPart, s)
}

// parseAmountNumber reads a JSON number literal exactly: its digits and
// exponent are combined as a decimal, and any non-zero digit after the
// decimal point is an error.
func parseAmountNumber(lit string) (int64, *Error) {
	if strings.HasPrefix(lit, "-") {
		return 0, amountError(fmt.Sprintf("order_amount must be positive, not %s", quoteShort(lit)))
	}
	mant, expText, hasExp := strings.Cut(strings.ToLower(lit), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	exp := 0
	if hasExp {
		expText = strings.TrimPrefix(expText, "+")
		// Four digits of exponent are far more than any valid amount needs;
		// bounding them keeps the arithmetic below trivially safe.
		e, err := strconv.Atoi(expText)
		if err != nil || e > 9999 || e < -9999 {
			return 0, amountError(fmt.Sprintf("order_amount %s is out of range", quoteShort(lit)))
		}
		exp = e
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	exp -= len(frac)
	// Trailing zeros move into the exponent: 1000.0 is 10000e-1 is 1e3.
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		exp++
	}
	if digits == "" {
		return wholeAmount("0", lit)
	}
	if exp < 0 {
		return 0, amountError(fmt.Sprintf("order_amount must be a whole number without decimals (CLP has none), not %s", quoteShort(lit)))
	}
	if len(digits)+exp > maxAmountDigits {
		return 0, amountError(fmt.Sprintf("order_amount %s is larger than %d", quoteShort(lit), MaxOrderAmount))
	}
	return wholeAmount(digits+strings.Repeat("0", exp), lit)
}

// wholeAmount converts a string of decimal digits and checks the range;
// orig is the value as sent, for the message.
func wholeAmount(digits, orig string) (int64, *Error) {
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return 0, amountError("order_amount must be positive, not 0")
	}
	if len(digits) > maxAmountDigits {
		return 0, amountError(fmt.Sprintf("order_amount %s is larger than %d", quoteShort(orig), MaxOrderAmount))
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > MaxOrderAmount {
		return 0, amountError(fmt.Sprintf("order_amount %s is larger than %d", quoteShort(orig), MaxOrderAmount))
	}
	return n, nil
}

func amountError(text string) *Error {
	return NewInvalid(CodeInvalidOrderAmount, "order_amount", text+amountHint)
}

// allDigits reports a non-empty run of ASCII digits.
func allDigits(s string) bool {
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

// quoteShort quotes a client value for an error message, cut to a length
// that keeps messages readable whatever was sent.
func quoteShort(s string) string {
	const max = 40
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}
