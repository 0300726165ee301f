package checkout

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/payment"
)

func TestFormatMoney(t *testing.T) {
	t.Parallel()
	cases := []struct {
		minor    int64
		currency string
		want     string
	}{
		{50000, "CLP", "$50.000"},
		{0, "CLP", "$0"},
		{1, "CLP", "$1"},
		{999, "CLP", "$999"},
		{1000, "CLP", "$1.000"},
		{1000000000, "CLP", "$1.000.000.000"},
		{-50000, "CLP", "-$50.000"},
		{123456, "BRL", "R$ 1.234,56"},
		{5, "BRL", "R$ 0,05"},
		{0, "BRL", "R$ 0,00"},
		{123456, "USD", "US$1,234.56"},
		{100000000, "USD", "US$1,000,000.00"},
		{123456, "MXN", "$1,234.56"},
		{123456, "PEN", "S/ 1,234.56"},
		{5000000, "COP", "$50.000,00"},
		{123456, "ARS", "$ 1.234,56"},
		{123456, "EUR", "1.234,56 €"},
		{-123456, "EUR", "-1.234,56 €"},
		{1234567, "PYG", "Gs. 1.234.567"},
		{123456, "GTQ", "Q1,234.56"},
		{123456, "usd", "US$1,234.56"},
		{123456, "XYZ", "XYZ 1,234.56"},
		{math.MaxInt64, "CLP", "$9.223.372.036.854.775.807"},
		{math.MinInt64, "CLP", "-$9.223.372.036.854.775.808"},
		{math.MinInt64, "USD", "-US$92,233,720,368,547,758.08"},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, FormatMoney(tc.minor, tc.currency), "%d %s", tc.minor, tc.currency)
	}
}

// TestCurrenciesMatchPayment keeps the display exponents in step with the
// domain's: a mismatch would show an amount 100 times off.
func TestCurrenciesMatchPayment(t *testing.T) {
	t.Parallel()
	for code, st := range currencies {
		d, ok := payment.Decimals(code)
		require.True(t, ok, "%s is formatted here but unknown to package payment", code)
		require.Equal(t, d, st.exponent, code)
	}
	// And the other way: each currency payment accepts has a format.
	for _, code := range []string{"ARS", "BOB", "BRL", "CLP", "COP", "CRC", "DOP", "EUR", "GTQ", "MXN", "PEN", "PYG", "USD", "UYU"} {
		if _, ok := payment.Decimals(code); ok {
			require.Contains(t, currencies, code)
		}
	}
}
