package etpay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The answers of a real ETpay server are documented only in part, so what
// the SDK reads is decoded leniently: a field of an unexpected type must
// not make a merchant lose a payment result. Money is the exception: an
// amount that is not a whole number is an error, never rounded.

// text decodes a JSON string, number or boolean as its text; null and any
// other type as "".
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		*t = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9') || string(b) == "true" || string(b) == "false":
		*t = text(b)
	default:
		*t = ""
	}
	return nil
}

// amount decodes a whole amount sent as a JSON integer (50000), an
// integral number (50000.0, 5e4) or a numeric string ("50000"). It reads
// the literal as a decimal, never through a float.
type amount int64

func (a *amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*a = 0
		return nil
	}
	lit := string(b)
	if b[0] == '"' {
		if err := json.Unmarshal(b, &lit); err != nil {
			return err
		}
		lit = strings.TrimSpace(lit)
	}
	n, err := parseWhole(lit)
	if err != nil {
		return fmt.Errorf("order_amount %q: %w", lit, err)
	}
	*a = amount(n)
	return nil
}

// parseWhole reads a decimal literal (optional sign, digits, optional
// fraction, optional exponent) that must be a whole number fitting 15
// digits, far above any payment.
func parseWhole(lit string) (int64, error) {
	neg := strings.HasPrefix(lit, "-")
	lit = strings.TrimPrefix(lit, "-")
	mant, expText, hasExp := strings.Cut(strings.ToLower(lit), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	if !digitsOnly(intPart) || !digitsOnly(frac) || intPart+frac == "" {
		return 0, fmt.Errorf("not a number")
	}
	exp := 0
	if hasExp {
		e, err := strconv.Atoi(strings.TrimPrefix(expText, "+"))
		if err != nil || e > 99 || e < -99 {
			return 0, fmt.Errorf("exponent out of range")
		}
		exp = e
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	exp -= len(frac)
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits, exp = digits[:len(digits)-1], exp+1
	}
	if digits == "" {
		return 0, nil
	}
	if exp < 0 {
		return 0, fmt.Errorf("not a whole number")
	}
	if len(digits)+exp > 15 {
		return 0, fmt.Errorf("too large")
	}
	n, err := strconv.ParseInt(digits+strings.Repeat("0", exp), 10, 64)
	if err != nil {
		return 0, err
	}
	if neg {
		n = -n
	}
	return n, nil
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// timestamp decodes RFC 3339, "2006-01-02 15:04:05" (UTC assumed) or Unix
// seconds; anything else is the zero time rather than an error, because a
// timestamp is never worth losing a status answer over.
type timestamp time.Time

func (t *timestamp) UnmarshalJSON(b []byte) error {
	*t = timestamp(parseTime(bytes.TrimSpace(b)))
	return nil
}

func parseTime(b []byte) time.Time {
	if len(b) == 0 {
		return time.Time{}
	}
	if b[0] != '"' {
		secs, _, _ := strings.Cut(string(b), ".")
		if n, err := strconv.ParseInt(secs, 10, 64); err == nil && n > 0 {
			return time.Unix(n, 0).UTC()
		}
		return time.Time{}
	}
	var s string
	if json.Unmarshal(b, &s) != nil {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if v, err := time.Parse(layout, s); err == nil {
			return v.UTC()
		}
	}
	return time.Time{}
}
