package vault_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/vault"
)

func nextYear() int { return time.Now().Year() + 3 }

func TestNormalizePAN(t *testing.T) {
	t.Parallel()

	for in, want := range map[string]string{
		"4242424242424242":      "4242424242424242",
		"4242 4242 4242 4242":   "4242424242424242",
		" 5555-5555-5555-4444 ": "5555555555554444",
		"378282246310005":       "378282246310005",
		"6011111111111117":      "6011111111111117",
		"4051885600446623":      "4051885600446623", // Transbank's test Visa
		"4111111111111111110":   "4111111111111111110",
		"5018 0000 0009":        "501800000009", // 12-digit Maestro shape
		"4242424242424241":      "",             // Luhn
		"42424242424":           "",             // too short
		"42424242424242424242":  "",             // 20 digits
		"4242424242424242\x00":  "",
		"4242.4242.4242.4242":   "",
		"４２４２４２４２４２４２４２４２": "", // full-width digits are not ASCII digits
		"": "",
	} {
		got, err := vault.NormalizePAN(in)
		if want == "" {
			require.ErrorIs(t, err, vault.ErrInvalidNumber, "%q", in)
			require.Equal(t, vault.ErrInvalidNumber.Error(), err.Error())
			continue
		}
		require.NoError(t, err, "%q", in)
		require.Equal(t, want, string(got))
	}
}

func TestMask(t *testing.T) {
	t.Parallel()

	for in, want := range map[string]string{
		"4242424242424242":     "424242XXXXXX4242",
		"4242 4242 4242 4242":  "424242XXXXXX4242",
		"378282246310005":      "378282XXXXX0005",
		"4111111111111111111":  "411111XXXXXXXXX1111",
		"30569309025904":       "XXXXXXXXXX5904", // 14 digits: last four only
		"501800000009":         "XXXXXXXX0009",
		"12345678901":          "",
		"12345678901234567890": "",
		"4242x42424242424242":  "",
		"":                     "",
	} {
		require.Equal(t, want, vault.Mask(in), "%q", in)
	}
	require.Equal(t, "XXXXXXXXXXXX4242", vault.Card{Masked: "424242XXXXXX4242"}.Last4Masked())
}

func TestBrand(t *testing.T) {
	t.Parallel()

	for pan, want := range map[string]vault.Brand{
		"4242424242424242": vault.BrandVisa,
		"5555555555554444": vault.BrandMastercard,
		"2223003122003222": vault.BrandMastercard,
		"378282246310005":  vault.BrandAmex,
		"30569309025904":   vault.BrandDiners,
		"6011111111111117": vault.BrandDiscover,
		"3566002020360505": vault.BrandJCB,
		"9999999999999995": vault.BrandUnknown,
	} {
		p, err := vault.NormalizePAN(pan)
		require.NoError(t, err, pan)
		require.Equal(t, want, vault.BrandOf(p), pan)
	}
}

func TestExpiryValid(t *testing.T) {
	t.Parallel()

	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		e    vault.Expiry
		want bool
	}{
		{vault.Expiry{Month: 11, Year: 2026}, true}, // good through the end of its month
		{vault.Expiry{Month: 10, Year: 2026}, false},
		{vault.Expiry{Month: 12, Year: 2030}, true},
		{vault.Expiry{Month: 0, Year: 2030}, false},
		{vault.Expiry{Month: 13, Year: 2030}, false},
		{vault.Expiry{Month: 1, Year: 30}, false}, // two-digit years are the caller's to expand
		{vault.Expiry{Month: 1, Year: 2099}, false},
	} {
		require.Equal(t, c.want, c.e.Valid(now), "%d/%d", c.e.Month, c.e.Year)
	}
	// The month ends last in UTC-12: on 1 December 11:00 UTC it is still
	// 30 November there.
	require.True(t, vault.Expiry{Month: 11, Year: 2026}.Valid(time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)))
	require.False(t, vault.Expiry{Month: 11, Year: 2026}.Valid(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)))
}

func TestCardDataIsRedactedWhenEncoded(t *testing.T) {
	t.Parallel()

	pan, err := vault.NormalizePAN("4242424242424242")
	require.NoError(t, err)
	b, err := json.Marshal(map[string]any{"pan": pan, "exp": vault.Expiry{Month: 12, Year: 2031}})
	require.NoError(t, err)
	require.JSONEq(t, `{"pan":"424242XXXXXX4242","exp":"[redacted]"}`, string(b))
	require.Equal(t, "424242XXXXXX4242", fmt.Sprint(pan))
	require.Equal(t, "4242424242424242", string(pan), "string(pan) is the deliberate way to the digits")
}
