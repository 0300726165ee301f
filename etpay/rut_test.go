package etpay

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseRUTValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, canonical, dotted string
	}{
		{"11.111.111-1", "11111111-1", "11.111.111-1"},
		{"11111111-1", "11111111-1", "11.111.111-1"},
		{"111111111", "11111111-1", "11.111.111-1"},
		{" 11111111-1 ", "11111111-1", "11.111.111-1"},
		{"76.086.428-5", "76086428-5", "76.086.428-5"},
		{"760864285", "76086428-5", "76.086.428-5"},
		{"12.345.678-5", "12345678-5", "12.345.678-5"},
		{"1.000.005-K", "1000005-K", "1.000.005-K"},
		{"1000005-k", "1000005-K", "1.000.005-K"},
		{"10000013k", "10000013-K", "10.000.013-K"},
		{"10.000.004-0", "10000004-0", "10.000.004-0"},
		{"7.654.321-6", "7654321-6", "7.654.321-6"},
		{"1-9", "1-9", "1-9"},
		{"99.999.999-9", "99999999-9", "99.999.999-9"},
		{"011111111-1", "11111111-1", "11.111.111-1"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			r, err := ParseRUT(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.canonical, r.String())
			require.Equal(t, tc.dotted, r.Dotted())
			again, err := ParseRUT(r.Dotted())
			require.NoError(t, err)
			require.Equal(t, r, again)
			n, ok := NormalizeRUT(tc.in)
			require.True(t, ok)
			require.Equal(t, tc.canonical, n)
		})
	}
}

func TestParseRUTInvalid(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"", "1", "-", "11.111.111-2", "111111112", "76.086.428-4", "1000005-0",
		"11.111.111-", "11111111--1", "1111-1111-1", "11..111.111-1", ".11111111-1",
		"11111111.-1", "11.111.111-X", "abc", "11,111,111-1", "0-0", "000000000",
		"123456789-0", "12 345 678-5", "１１１１１１１１-1", "11111111-11",
		"99999999999999999999999", "-11111111",
	} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			_, err := ParseRUT(in)
			require.ErrorIs(t, err, ErrInvalidRUT)
			n, ok := NormalizeRUT(in)
			require.False(t, ok)
			require.Equal(t, in, n)
		})
	}
}

func TestRUTCheckDigit(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]byte{
		11111111: '1', 76086428: '5', 12345678: '5', 1: '9', 1000005: 'K',
		10000013: 'K', 10000004: '0', 22222222: '2', 99999999: '9',
	} {
		require.Equal(t, string(want), string(RUTCheckDigit(n)), "RUT number %d", n)
	}
}
