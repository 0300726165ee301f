package payretailers

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/payment"
)

func TestParsePrice(t *testing.T) {
	t.Parallel()

	tests := []struct {
		price    string
		currency string
		want     int64
		code     string
	}{
		{"1000.00", "USD", 100000, ""},
		{"10.50", "USD", 1050, ""},
		{"0.01", "USD", 1, ""},
		{"3500.00", "CLP", 3500, ""},
		{"3500.50", "CLP", 0, CodeInvalidPrice},
		{"3500.50", "COP", 350050, ""},
		{"0010.00", "USD", 1000, ""},
		{"1000000000000.00", "USD", 100_000_000_000_000, ""},
		{"1000000000000.01", "USD", 0, CodeInvalidPrice},
		{"99999999999999999999999.00", "USD", 0, CodeInvalidPrice},
		{"0.00", "USD", 0, CodeInvalidPrice},
		{"10", "USD", 0, CodeInvalidPrice},
		{"10.5", "USD", 0, CodeInvalidPrice},
		{"10.500", "USD", 0, CodeInvalidPrice},
		{".50", "USD", 0, CodeInvalidPrice},
		{"-1.00", "USD", 0, CodeInvalidPrice},
		{"+1.00", "USD", 0, CodeInvalidPrice},
		{"1,00", "USD", 0, CodeInvalidPrice},
		{"1.0a", "USD", 0, CodeInvalidPrice},
		{" 1.00", "USD", 0, CodeInvalidPrice},
		{"1e3", "USD", 0, CodeInvalidPrice},
		{"", "USD", 0, CodeInvalidPrice},
		{"1.00", "XXX", 0, CodeInvalidCurrency},
	}
	for _, tt := range tests {
		t.Run(tt.price+" "+tt.currency, func(t *testing.T) {
			t.Parallel()

			got, err := ParsePrice("pg_price", tt.price, tt.currency)
			if tt.code != "" {
				requireCode(t, err, tt.code)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParsePriceNumber(t *testing.T) {
	t.Parallel()

	tests := []struct {
		lit      string
		currency string
		want     int64
		code     string
	}{
		{"10", "USD", 1000, ""},
		{"10.5", "USD", 1050, ""},
		{"10.0", "USD", 1000, ""},
		{"10.00", "USD", 1000, ""},
		{"10.500", "USD", 1050, ""},
		{"1e3", "USD", 100000, ""},
		{"1.5E+1", "USD", 1500, ""},
		{"1250e-2", "USD", 1250, ""},
		{"3500", "CLP", 3500, ""},
		{"3500.0", "CLP", 3500, ""},
		{"3500.5", "CLP", 0, CodeInvalidPrice},
		{"10.555", "USD", 0, CodeInvalidPrice},
		{"1e-3", "USD", 0, CodeInvalidPrice},
		{"0", "USD", 0, CodeInvalidPrice},
		{"0.0", "USD", 0, CodeInvalidPrice},
		{"-10", "USD", 0, CodeInvalidPrice},
		{"010", "USD", 0, CodeInvalidPrice},
		{"1e", "USD", 0, CodeInvalidPrice},
		{"1e+", "USD", 0, CodeInvalidPrice},
		{"1e999999999", "USD", 0, CodeInvalidPrice},
		{"1e30", "USD", 0, CodeInvalidPrice},
		{"1.0e+25", "USD", 0, CodeInvalidPrice},
		{"1.", "USD", 0, CodeInvalidPrice},
		{".5", "USD", 0, CodeInvalidPrice},
	}
	for _, tt := range tests {
		t.Run(tt.lit+" "+tt.currency, func(t *testing.T) {
			t.Parallel()

			got, err := ParsePriceNumber("pg_price", tt.lit, tt.currency)
			if tt.code != "" {
				requireCode(t, err, tt.code)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParsePriceLoose(t *testing.T) {
	t.Parallel()

	tests := []struct {
		s        string
		currency string
		want     int64
		ok       bool
	}{
		{"3500", "CLP", 3500, true},
		{"3500.00", "CLP", 3500, true},
		{"10.5", "USD", 1050, true},
		{"10.50", "USD", 1050, true},
		{"010", "USD", 1000, true},
		{"10.505", "USD", 0, false},
		{"1e3", "USD", 0, false},
		{"10,50", "USD", 0, false},
		{"", "USD", 0, false},
	}
	for _, tt := range tests {
		got, err := ParsePriceLoose("pg_price", tt.s, tt.currency)
		if !tt.ok {
			requireCode(t, err, CodeInvalidPrice)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tt.want, got, tt.s)
	}
}

func TestFormatPrice(t *testing.T) {
	t.Parallel()

	tests := []struct {
		minor    int64
		currency string
		want     string
		number   string
	}{
		{3500, "CLP", "3500.00", "3500"},
		{1050, "USD", "10.50", "10.50"},
		{1, "USD", "0.01", "0.01"},
		{0, "USD", "0.00", "0.00"},
		{-1050, "USD", "-10.50", "-10.50"},
		{MaxMinorUnits, "PYG", "100000000000000.00", "100000000000000"},
	}
	for _, tt := range tests {
		got, err := FormatPrice(tt.minor, tt.currency)
		require.NoError(t, err)
		require.Equal(t, tt.want, got)
		num, err := FormatAmountNumber(tt.minor, tt.currency)
		require.NoError(t, err)
		require.Equal(t, tt.number, num)
		if tt.minor > 0 {
			back, err := ParsePrice("pg_price", got, tt.currency)
			require.NoError(t, err)
			require.Equal(t, tt.minor, back)
		}
	}
	_, err := FormatPrice(1, "XXX")
	requireCode(t, err, CodeInvalidCurrency)
}

// TestCurrenciesAgreeWithDomain pins that a minor unit here is a minor unit
// in the payment package, and that the bounds agree.
func TestCurrenciesAgreeWithDomain(t *testing.T) {
	t.Parallel()

	for _, c := range Currencies() {
		d, ok := payment.Decimals(c)
		require.True(t, ok, c)
		mine, _ := Decimals(c)
		require.Equal(t, d, mine, c)

		_, err := payment.NewMoney(MaxMinorUnits, c)
		require.NoError(t, err, c)
		_, err = payment.NewMoney(MaxMinorUnits+1, c)
		require.Error(t, err, c)
	}
}

// requireCode asserts err is an *Error with code.
func requireCode(t *testing.T, err error, code string) {
	t.Helper()
	require.Error(t, err)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, code, e.Code, e.Message)
	text, ok := strings.CutPrefix(e.Message, code+": ")
	require.True(t, ok, e.Message)
	// The PHP SDK shows explode(':', $message)[1]: a colon in the text
	// would cut it short.
	require.NotContains(t, text, ":")
}
