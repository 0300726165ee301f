package etpay

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeAmount(t *testing.T) {
	t.Parallel()
	ok := []struct {
		raw  string
		want int64
	}{
		{`1`, 1}, {`50000`, 50000}, {`50000.0`, 50000}, {`50000.00000`, 50000}, {`5e4`, 50000},
		{`5E+4`, 50000}, {`0.5e1`, 5}, {`500000e-1`, 50000}, {`00050000`, 50000},
		{`1000000000000`, MaxOrderAmount}, {`1e12`, MaxOrderAmount}, {`1000000000000.000`, MaxOrderAmount},
		{`"50000"`, 50000}, {`"50000.0"`, 50000}, {`"50000.00"`, 50000}, {`"\t50000 "`, 50000}, {`"0050"`, 50},
	}
	for _, tc := range ok {
		t.Run(tc.raw, func(t *testing.T) {
			t.Parallel()
			got, present, e := decodeAmount(json.RawMessage(tc.raw))
			require.Nil(t, e)
			require.True(t, present)
			require.Equal(t, tc.want, got)
		})
	}
	bad := []string{
		`0`, `-0`, `0.0`, `0e5`, `-1`, `-50000.0`, `1.5`, `50000.01`, `1e-1`, `15e-1`, `1000000000001`,
		`1e13`, `10000000000000000000000`, `1e10000`, `1e-10000`, `true`, `false`, `{}`, `[]`,
		`""`, `" "`, `"50.000"`, `"50.000,00"`, `"50000.5"`, `"50000.000"`, `"1e3"`, `"-5"`, `"+5"`,
		`"5 000"`, `"0"`, `"0.00"`, `".5"`, `"5."`, `"１０"`, `"0x10"`, `"Infinity"`,
	}
	for _, raw := range bad {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			_, present, e := decodeAmount(json.RawMessage(raw))
			require.NotNil(t, e)
			require.True(t, present)
			require.Equal(t, CodeInvalidOrderAmount, e.Code)
			require.Equal(t, "order_amount", e.Field)
		})
	}
	t.Run("absent", func(t *testing.T) {
		t.Parallel()
		for _, raw := range []string{``, `null`, ` null `} {
			got, present, e := decodeAmount(json.RawMessage(raw))
			require.Nil(t, e)
			require.False(t, present)
			require.Zero(t, got)
		}
	})
}
