package payretailers

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMethodsFor(t *testing.T) {
	t.Parallel()

	codes := func(ms []Method) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Code)
		}
		return out
	}
	tests := []struct {
		country string
		want    []string
	}{
		{"CL", []string{"creditcard", "webpay", "khipu", "servipag"}},
		{"cl", []string{"creditcard", "webpay", "khipu", "servipag"}},
		{"BR", []string{"creditcard", "pix", "boleto"}},
		{"MX", []string{"creditcard", "oxxo", "spei"}},
		{"CO", []string{"creditcard", "pse"}},
		{"PE", []string{"creditcard"}},
		{"FR", nil},
		{"", nil},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, codes(MethodsFor(tt.country)), tt.country)
	}
}

func TestMethodCatalogue(t *testing.T) {
	t.Parallel()

	families := map[string]Family{
		"creditcard": FamilyCard, "webpay": FamilyBank, "khipu": FamilyBank,
		"servipag": FamilyCash, "pix": FamilyBank, "boleto": FamilyCash,
		"oxxo": FamilyCash, "spei": FamilyBank, "pse": FamilyBank,
	}
	all := Methods()
	require.Len(t, all, len(families))
	for _, m := range all {
		require.Equal(t, families[m.Code], m.Family, m.Code)
		require.Equal(t, "/static/methods/"+m.Code+".svg", m.Image)
		require.NotEmpty(t, m.Name)
		require.NotEmpty(t, m.Countries(), m.Code)
		for _, c := range m.Countries() {
			require.True(t, IsCountry(c), c)
			for _, cur := range m.Currencies(c) {
				_, ok := Decimals(cur)
				require.True(t, ok, "%s takes unsupported %s", m.Code, cur)
				require.True(t, m.Serves(c, cur))
			}
		}
	}

	card, ok := LookupMethod("CreditCard")
	require.True(t, ok)
	require.True(t, card.Serves("CL", "CLP"))
	require.True(t, card.Serves("CL", "USD"))
	require.True(t, card.Serves("EC", "USD"))
	require.False(t, card.Serves("CL", "BRL"))
	require.Equal(t, []string{"CLP", "USD"}, card.Currencies("CL"))

	webpay, _ := LookupMethod("webpay")
	require.Equal(t, []string{"CL"}, webpay.Countries())
	require.False(t, webpay.Serves("CL", "USD"))

	_, ok = LookupMethod("bitcoin")
	require.False(t, ok)

	// Callers cannot change the catalogue through what they are given.
	cs := card.Currencies("CL")
	cs[0] = "XXX"
	all[0].Code = "changed"
	again, _ := LookupMethod("creditcard")
	require.Equal(t, []string{"CLP", "USD"}, again.Currencies("CL"))
	require.Equal(t, "creditcard", Methods()[0].Code)
}
