package payretailers

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFormatPrice(t *testing.T) {
	t.Parallel()

	for _, tt := range []struct {
		minor    int64
		currency string
		want     string
	}{
		{3500, "CLP", "3500.00"},
		{1050, "USD", "10.50"},
		{1, "BRL", "0.01"},
		{100, "PYG", "100.00"},
	} {
		got, err := formatPrice(tt.minor, tt.currency)
		require.NoError(t, err)
		require.Equal(t, tt.want, got)
	}
	for _, bad := range []struct {
		minor    int64
		currency string
	}{{0, "USD"}, {-1, "USD"}, {1, "XXX"}, {1, "usd"}} {
		_, err := formatPrice(bad.minor, bad.currency)
		require.Error(t, err)
	}
}

func TestDecimal(t *testing.T) {
	t.Parallel()

	tests := []struct {
		json     string
		currency string
		want     int64
		ok       bool
	}{
		{`"3500.00"`, "CLP", 3500, true},
		{`5000`, "CLP", 5000, true},
		{`"10.50"`, "USD", 1050, true},
		{`10.5`, "USD", 1050, true},
		{`10`, "USD", 1000, true},
		{`"10.500"`, "USD", 1050, true},
		{`"3500.50"`, "CLP", 0, false},
		{`"10.555"`, "USD", 0, false},
		{`1e3`, "USD", 0, false},
		{`"-1.00"`, "USD", 0, false},
		{`"10."`, "USD", 0, false},
		{`""`, "USD", 0, false},
		{`null`, "USD", 0, false},
		{`"1.00"`, "XXX", 0, false},
		{`"99999999999999999999.00"`, "USD", 0, false},
	}
	for _, tt := range tests {
		var d Decimal
		require.NoError(t, json.Unmarshal([]byte(tt.json), &d), tt.json)
		got, err := d.Minor(tt.currency)
		if !tt.ok {
			require.Error(t, err, tt.json)
			continue
		}
		require.NoError(t, err, tt.json)
		require.Equal(t, tt.want, got, tt.json)
	}
}
