package etpay

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLookupBank(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code     string
		want     string
		currency string
		sandbox  bool
	}{
		{"cl_bch", "cl_bch", CurrencyCL, false},
		{"CL_BCH", "cl_bch", CurrencyCL, false},
		{" Cl_Estado ", "cl_estado", CurrencyCL, false},
		{"cl_mach", "cl_mach", CurrencyCL, false},
		{"cl_test", "cl_test", CurrencyCL, true},
		{"MX_BBVA", "mx_bbva", CurrencyMX, false},
		{"mx_test", "mx_test", CurrencyMX, true},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			t.Parallel()
			b, ok := LookupBank(tc.code)
			require.True(t, ok)
			require.Equal(t, tc.want, b.Code)
			require.Equal(t, tc.currency, b.Currency)
			require.Equal(t, tc.sandbox, b.SandboxOnly)
			require.True(t, b.Allowed(true))
			require.Equal(t, !tc.sandbox, b.Allowed(false))
			require.NotEmpty(t, b.Name)
		})
	}
	for _, code := range []string{"", "cl", "cl_", "bch", "cl_bch_", "us_chase", "cl_bch\x00"} {
		_, ok := LookupBank(code)
		require.False(t, ok, code)
	}
}

func TestBankCatalogue(t *testing.T) {
	t.Parallel()
	all := Banks()
	seen := map[string]bool{}
	for _, b := range all {
		require.False(t, seen[b.Code], "duplicate %s", b.Code)
		seen[b.Code] = true
		require.Equal(t, strings.ToLower(b.Code), b.Code)
		prefix := strings.ToLower(b.Country) + "_"
		require.True(t, strings.HasPrefix(b.Code, prefix), b.Code)
	}
	// Every code WIRE.md names is in the catalogue.
	for _, code := range strings.Fields("cl_estado cl_santander cl_bch cl_bci cl_itau cl_scotiabank cl_falabella cl_mach cl_test " +
		"mx_azteca mx_banamex mx_banorte mx_banregio mx_bbva mx_santander mx_scotiabank mx_test") {
		require.True(t, seen[code], code)
	}
	// Banks returns a copy.
	all[0].Code = "changed"
	require.Equal(t, "cl_estado", Banks()[0].Code)

	prod := ChileanBanks(false)
	require.Len(t, prod, 8)
	for _, b := range prod {
		require.Equal(t, CountryCL, b.Country)
		require.False(t, b.SandboxOnly)
	}
	sb := ChileanBanks(true)
	require.Len(t, sb, 9)
	require.Equal(t, "cl_test", sb[len(sb)-1].Code)
	require.Len(t, BanksFor(CountryMX, false), 7)
	require.Empty(t, BanksFor("AR", true))
}
