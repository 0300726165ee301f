package payretailers

import (
	"slices"
	"strconv"
	"strings"
)

// currencyDecimals is the ISO 4217 minor-unit exponent of every currency the
// dialect accepts. It must agree with the payment package's table (a test
// checks): minor units cross that boundary as plain integers.
//
// COP has exponent 2 in ISO 4217 even though pesos are not split in
// practice, so "3500.50" COP is valid; CLP and PYG have exponent 0.
var currencyDecimals = map[string]int{
	"ARS": 2, "BOB": 2, "BRL": 2, "CLP": 0, "COP": 2, "CRC": 2, "DOP": 2,
	"EUR": 2, "GTQ": 2, "MXN": 2, "PEN": 2, "PYG": 0, "USD": 2, "UYU": 2,
}

// MaxMinorUnits is the largest amount accepted, as the payment domain bounds
// it: far below int64 overflow so sums of payments cannot wrap.
const MaxMinorUnits int64 = 100_000_000_000_000

// maxExponent bounds the exponent of a number-typed price; anything larger
// is over MaxMinorUnits anyway and must not make us build huge strings.
const maxExponent = 40

// Decimals returns the ISO 4217 exponent of a supported currency.
func Decimals(currency string) (int, bool) {
	d, ok := currencyDecimals[currency]
	return d, ok
}

// Currencies lists the supported ISO 4217 codes, sorted.
func Currencies() []string {
	out := make([]string, 0, len(currencyDecimals))
	for c := range currencyDecimals {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// ParsePrice converts pg_price sent as a JSON string to minor units of
// currency. The string must match ^[0-9]+\.[0-9]{2}$ as the provider's
// documentation demands; for a zero-decimal currency the cents must be
// "00" ("3500.00" CLP is 3500, "3500.50" CLP is an error).
func ParsePrice(field, s, currency string) (int64, error) {
	dot := strings.IndexByte(s, '.')
	if dot < 1 || len(s)-dot != 3 || !allDigits(s[:dot]) || !allDigits(s[dot+1:]) {
		return 0, newError(CodeInvalidPrice, field, field+" must look like 1000.00 (digits, a dot, two decimals)")
	}
	return toMinor(field, s[:dot]+s[dot+1:], -2, currency)
}

// ParsePriceNumber converts pg_price sent as a JSON number (the official SDK
// sends a PHP int or float: 10, 10.5, 10.0) to minor units. lit is the
// number's literal text (a json.Number); it is parsed as a decimal, never as
// a float, and must be exact in the currency's minor units.
func ParsePriceNumber(field, lit, currency string) (int64, error) {
	digits, exp, ok := splitDecimal(lit, true)
	if !ok {
		return 0, newError(CodeInvalidPrice, field, field+" must be a positive amount such as 1000.00")
	}
	return toMinor(field, digits, exp, currency)
}

// ParsePriceLoose converts pg_price from the HTML form of POST /pay, where
// shop plugins send their order total as the shop formats it ("3500",
// "10.5", "10.50"): plain decimal digits with an optional fraction, exact in
// the currency's minor units.
func ParsePriceLoose(field, s, currency string) (int64, error) {
	digits, exp, ok := splitDecimal(s, false)
	if !ok {
		return 0, newError(CodeInvalidPrice, field, field+" must be a positive amount such as 1000.00")
	}
	return toMinor(field, digits, exp, currency)
}

// FormatPrice renders minor units as the wire's two-decimal price:
// 3500 CLP is "3500.00", 1050 USD is "10.50".
func FormatPrice(minor int64, currency string) (string, error) {
	d, ok := currencyDecimals[currency]
	if !ok {
		return "", newError(CodeInvalidCurrency, "pg_currency", "pg_currency must be one of "+strings.Join(Currencies(), ", "))
	}
	neg := minor < 0
	u := uint64(minor)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u, 10)
	if d == 0 {
		s += ".00"
	} else {
		for len(s) <= d {
			s = "0" + s
		}
		s = s[:len(s)-d] + "." + s[len(s)-d:]
		if d == 1 {
			s += "0"
		}
	}
	if neg {
		s = "-" + s
	}
	return s, nil
}

// FormatAmountNumber renders minor units as a JSON number literal with the
// currency's own decimals (5000 CLP is 5000, 1050 USD is 10.50): the shape
// of "amount" in the OneClick charge response of the seed document.
func FormatAmountNumber(minor int64, currency string) (string, error) {
	s, err := FormatPrice(minor, currency)
	if err != nil {
		return "", err
	}
	if currencyDecimals[currency] == 0 {
		s = strings.TrimSuffix(s, ".00")
	}
	return s, nil
}

// splitDecimal splits a non-negative decimal literal into its significant
// digits and a power of ten: "10.5" is ("105", -1), "1e3" is ("1", 3).
// withExp allows a JSON exponent and requires JSON's integer grammar (no
// leading zeros); the loose form grammar allows leading zeros.
func splitDecimal(s string, withExp bool) (digits string, exp int, ok bool) {
	mant := s
	if withExp {
		if i := strings.IndexAny(s, "eE"); i >= 0 {
			mant = s[:i]
			e := s[i+1:]
			if e != "" && (e[0] == '+' || e[0] == '-') {
				if len(e) == 1 {
					return "", 0, false
				}
				if !allDigits(e[1:]) {
					return "", 0, false
				}
			} else if !allDigits(e) {
				return "", 0, false
			}
			n, err := strconv.Atoi(strings.TrimLeft(e, "+"))
			if err != nil || n > maxExponent || n < -maxExponent {
				return "", 0, false
			}
			exp = n
		}
	}
	intPart, frac, hasDot := strings.Cut(mant, ".")
	if !allDigits(intPart) || (hasDot && !allDigits(frac)) {
		return "", 0, false
	}
	if withExp && len(intPart) > 1 && intPart[0] == '0' {
		return "", 0, false
	}
	return intPart + frac, exp - len(frac), true
}

// toMinor turns digits × 10^exp units of currency into minor units,
// refusing anything inexact, zero, or above MaxMinorUnits.
func toMinor(field, digits string, exp int, currency string) (int64, error) {
	d, ok := currencyDecimals[currency]
	if !ok {
		return 0, newError(CodeInvalidCurrency, "pg_currency", "pg_currency must be one of "+strings.Join(Currencies(), ", "))
	}
	shift := exp + d
	digits = strings.TrimLeft(digits, "0")
	if shift < 0 {
		cut := len(digits) + shift
		if cut < 0 {
			cut = 0
		}
		if strings.Trim(digits[cut:], "0") != "" {
			return 0, newError(CodeInvalidPrice, field, field+" has more decimals than "+currency+" allows")
		}
		digits = digits[:cut]
	}
	if digits == "" {
		return 0, newError(CodeInvalidPrice, field, field+" must be greater than zero")
	}
	tooBig := newError(CodeInvalidPrice, field, field+" is too large")
	if shift > 0 {
		if len(digits)+shift > 19 {
			return 0, tooBig
		}
		digits += strings.Repeat("0", shift)
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > MaxMinorUnits {
		return 0, tooBig
	}
	return n, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isCDigit(s[i]) {
			return false
		}
	}
	return true
}
