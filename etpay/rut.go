package etpay

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// RUT is a Chilean Rol Único Tributario: a number and its modulo-11 check
// digit ('0'–'9' or 'K').
type RUT struct {
	// Number is the RUT without its check digit, 1 to 99.999.999.
	Number int
	// CheckDigit is '0'–'9' or 'K' (upper case).
	CheckDigit byte
}

// maxRUTNumber bounds the number part: RUTs have at most eight digits
// (companies reach the 99 millions, people the 20s).
const maxRUTNumber = 99_999_999

// ErrInvalidRUT is returned by ParseRUT; the wrapped text says why.
var ErrInvalidRUT = errors.New("invalid RUT")

// rutError wraps ErrInvalidRUT with the reason.
func rutError(reason string) error { return fmt.Errorf("%w: %s", ErrInvalidRUT, reason) }

// ParseRUT reads a RUT written with or without thousands dots and with or
// without the dash before the check digit: "11.111.111-1", "11111111-1" and
// "111111111" are the same RUT. A lower-case 'k' is accepted. Surrounding
// spaces are ignored; anything else must be a digit. The check digit must
// match the number.
func ParseRUT(s string) (RUT, error) {
	s = strings.TrimSpace(s)
	if len(s) > 16 { // "99.999.999-9" is 12; do not work on junk
		return RUT{}, rutError("too long")
	}
	if len(s) < 2 {
		return RUT{}, rutError("too short")
	}
	body, dv := s[:len(s)-1], s[len(s)-1]
	body = strings.TrimSuffix(body, "-")
	if strings.Contains(body, "-") {
		return RUT{}, rutError("the dash must come right before the check digit")
	}
	if strings.Contains(body, "..") || strings.HasPrefix(body, ".") || strings.HasSuffix(body, ".") {
		return RUT{}, rutError("misplaced dot")
	}
	body = strings.ReplaceAll(body, ".", "")
	for i := 0; i < len(body); i++ {
		if body[i] < '0' || body[i] > '9' {
			return RUT{}, rutError("only digits, dots, a dash and the check digit are allowed")
		}
	}
	if dv == 'k' {
		dv = 'K'
	}
	if (dv < '0' || dv > '9') && dv != 'K' {
		return RUT{}, rutError("the check digit must be 0-9 or K")
	}
	body = strings.TrimLeft(body, "0")
	if len(body) == 0 || len(body) > 8 {
		return RUT{}, rutError("the number must have 1 to 8 digits")
	}
	n, err := strconv.Atoi(body)
	if err != nil || n < 1 || n > maxRUTNumber {
		return RUT{}, rutError("number out of range")
	}
	if RUTCheckDigit(n) != dv {
		return RUT{}, rutError("wrong check digit")
	}
	return RUT{Number: n, CheckDigit: dv}, nil
}

// RUTCheckDigit computes the modulo-11 check digit of a RUT number: the
// digits from the right are weighted 2, 3, 4, 5, 6, 7, 2, 3, …; the digit
// is 11 minus the weighted sum modulo 11, with 11 written '0' and 10 'K'.
func RUTCheckDigit(n int) byte {
	sum, w := 0, 2
	for ; n > 0; n /= 10 {
		sum += (n % 10) * w
		w++
		if w > 7 {
			w = 2
		}
	}
	switch d := 11 - sum%11; d {
	case 11:
		return '0'
	case 10:
		return 'K'
	default:
		return byte('0' + d)
	}
}

// String is the canonical form pasarela stores and puts in JWTs:
// number, dash, check digit, no dots ("11111111-1").
func (r RUT) String() string {
	return strconv.Itoa(r.Number) + "-" + string(r.CheckDigit)
}

// Dotted is the form Chileans read: "11.111.111-1".
func (r RUT) Dotted() string {
	digits := strconv.Itoa(r.Number)
	var b strings.Builder
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteByte(digits[i])
	}
	return b.String() + "-" + string(r.CheckDigit)
}

// NormalizeRUT returns the canonical form of a valid RUT ("11111111-1"),
// or s unchanged and false when s is not a valid RUT.
func NormalizeRUT(s string) (string, bool) {
	if s == "" {
		return s, false // most sessions carry no RUT: skip building the error
	}
	r, err := ParseRUT(s)
	if err != nil {
		return s, false
	}
	return r.String(), true
}
