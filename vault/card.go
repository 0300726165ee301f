package vault

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/pasarela/pasarela/rail"
)

// Card is what the vault tells about an enrolled card: never the number,
// its expiry or anything that opens them, so a Card is safe to log, return
// to a merchant or put in an event.
type Card struct {
	// ID is "card_", its creation time and random alphanumerics (token.ID).
	ID         string `json:"id"`
	MerchantID string `json:"merchant_id"`
	// CustomerEmail is the customer the card belongs to at MerchantID,
	// normalised (trimmed, lower-case).
	CustomerEmail string `json:"customer_email"`
	Brand         Brand  `json:"brand"`
	// Masked is Mask of the number: the first six and last four digits at
	// most, like 424242XXXXXX4242. Last4Masked gives the shorter form.
	Masked    string    `json:"masked"`
	CreatedAt time.Time `json:"created_at"`
}

// Last4Masked is the number with only its last four digits, like
// XXXXXXXXXXXX4242: the form Transbank OneClick shows for card_number.
func (c Card) Last4Masked() string {
	n := len(c.Masked)
	if n < 4 {
		return c.Masked
	}
	return strings.Repeat("X", n-4) + c.Masked[n-4:]
}

// Record is a card as its Store keeps it: the Card plus the sealed number
// and expiry, the card's wrapped data key and the fingerprint. None of
// these bytes reveals anything without the vault's keys.
type Record struct {
	Card
	// Fingerprint is the keyed HMAC that finds the same card enrolled twice
	// by one customer (see Vault).
	Fingerprint []byte
	// WrappedKey is the card's own data key, sealed by the vault keyset.
	WrappedKey []byte
	// Sealed is the number and expiry, sealed by the card's data key.
	Sealed []byte
	// DeletedAt is set once the card is deleted; Fingerprint, WrappedKey and
	// Sealed are then gone.
	DeletedAt time.Time
}

// Brand is the card network, from the number's leading digits.
type Brand string

// The brands the vault recognises; any other valid number is BrandUnknown.
const (
	BrandVisa       Brand = "visa"
	BrandMastercard Brand = "mastercard"
	BrandAmex       Brand = "amex"
	BrandDiners     Brand = "diners"
	BrandDiscover   Brand = "discover"
	BrandJCB        Brand = "jcb"
	BrandUnknown    Brand = "unknown"
)

// ErrInvalidNumber is returned for a card number that is not 12 to 19
// digits (spaces and hyphens allowed between them) with a valid Luhn check
// digit. Like every vault error, it never contains the number.
var ErrInvalidNumber = errors.New("vault: invalid card number")

// ErrInvalidExpiry is returned for an impossible or past expiry date.
var ErrInvalidExpiry = errors.New("vault: invalid or past card expiry date")

// NormalizePAN returns the digits of a card number as people type it:
// spaces and hyphens are dropped, anything else is refused, and the result
// must be 12 to 19 ASCII digits passing the Luhn check. The error is always
// ErrInvalidNumber, whatever the input, so it cannot carry the input along.
func NormalizePAN(s string) (PAN, error) {
	if len(s) > 64 { // no reason to walk a long string to refuse it
		return "", ErrInvalidNumber
	}
	digits := make([]byte, 0, 19)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if len(digits) == 19 {
				return "", ErrInvalidNumber
			}
			digits = append(digits, c)
		case c == ' ' || c == '-':
		default:
			return "", ErrInvalidNumber
		}
	}
	if len(digits) < 12 || !luhn(digits) {
		return "", ErrInvalidNumber
	}
	return PAN(digits), nil
}

// luhn reports whether the last digit of digits is their Luhn check digit.
func luhn(digits []byte) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
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

// Mask shows at most the first six and the last four digits of a card
// number, every other digit an X, keeping its length: 4242424242424242
// becomes 424242XXXXXX4242. The first six (the issuer's BIN) are shown only
// when at least five digits stay hidden, that is for numbers of 15 digits or
// more; shorter ones show the last four only. The number is normalised as
// NormalizePAN does, without the Luhn check; anything that is not 12 to 19
// digits masks to "", so Mask never echoes what it does not understand.
func Mask(pan string) string {
	var digits []byte
	for i := 0; i < len(pan) && len(digits) <= 19; i++ {
		c := pan[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == ' ' || c == '-':
		default:
			return ""
		}
	}
	n := len(digits)
	if n < 12 || n > 19 {
		return ""
	}
	shown := 0
	if n >= 15 {
		shown = 6
	}
	out := []byte(strings.Repeat("X", n))
	copy(out, digits[:shown])
	copy(out[n-4:], digits[n-4:])
	return string(out)
}

// BrandOf names the network of a normalised number by its leading digits
// (IIN ranges); numbers of no network it knows are BrandUnknown.
func BrandOf(p PAN) Brand {
	s := string(p)
	if s == "" {
		return BrandUnknown
	}
	prefix := func(n int) int {
		v := 0
		for i := 0; i < n && i < len(s); i++ {
			v = v*10 + int(s[i]-'0')
		}
		return v
	}
	p2, p3, p4, p6 := prefix(2), prefix(3), prefix(4), prefix(6)
	switch {
	case s[0] == '4':
		return BrandVisa
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		return BrandMastercard
	case p2 == 34 || p2 == 37:
		return BrandAmex
	case p3 >= 300 && p3 <= 305, p2 == 36, p2 == 38, p2 == 39:
		return BrandDiners
	case p4 == 6011, p2 == 65, p3 >= 644 && p3 <= 649, p6 >= 622126 && p6 <= 622925:
		return BrandDiscover
	case p4 >= 3528 && p4 <= 3589:
		return BrandJCB
	default:
		return BrandUnknown
	}
}

// PAN is a normalised card number (what NormalizePAN returns). Printing or
// logging one shows only Mask of it, whatever the verb or handler, so a PAN
// that reaches fmt, slog or an encoder by mistake does not leak; string(p)
// is the only way to its digits, and should appear only where the number is
// handed to the card network.
type PAN string

// String is Mask of the number.
func (p PAN) String() string { return Mask(string(p)) }

// Format masks the number for every verb, including %q, %x and %#v.
func (p PAN) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, p.String()) }

// LogValue masks the number for slog.
func (p PAN) LogValue() slog.Value { return slog.StringValue(p.String()) }

// MarshalText masks the number for encoding/json and friends: sending a
// number on the wire must be a deliberate string(p).
func (p PAN) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// Expiry is a card's expiry month (1–12) and four-digit year. Like PAN, it
// prints and logs redacted: the issue counts the expiry as card data.
type Expiry struct {
	Month int
	Year  int
}

const redacted = "[redacted]"

// String hides the date.
func (Expiry) String() string { return redacted }

// Format hides the date for every verb.
func (Expiry) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue hides the date from slog.
func (Expiry) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText hides the date from encoders.
func (Expiry) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Valid reports whether e is a real month that has not ended at now
// (rail.ExpiryEnd).
func (e Expiry) Valid(now time.Time) bool {
	if e.Month < 1 || e.Month > 12 || e.Year < 2000 || e.Year > 2099 {
		return false
	}
	if !now.Before(rail.ExpiryEnd(e.Month, e.Year)) {
		return false
	}
	// Issuers print at most about 20 years ahead; later is a typo.
	return e.Year <= now.Year()+25
}

// normalizeEmail trims and lower-cases a customer's email and refuses what
// cannot be one. NUL and other control characters are refused because the
// fingerprint and associated data separate fields with NUL.
func normalizeEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	at := strings.LastIndexByte(e, '@')
	if e == "" || len(e) > 254 || at < 1 || at == len(e)-1 {
		return "", ErrInvalidEmail
	}
	for _, r := range e {
		if r < 0x20 || r == 0x7f || r == ' ' {
			return "", ErrInvalidEmail
		}
	}
	return e, nil
}

// ErrInvalidEmail is returned for a customer email that cannot be one.
var ErrInvalidEmail = errors.New("vault: invalid customer email")
