package payretailers

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIsCountry(t *testing.T) {
	t.Parallel()

	require.Len(t, countries, 249)
	for _, c := range []string{"AD", "CL", "BR", "ZW", "AX", "SS", "CW"} {
		require.True(t, IsCountry(c), c)
	}
	for _, c := range []string{"", "cl", "XX", "UK", "EU", "CHL", "C"} {
		require.False(t, IsCountry(c), c)
	}
}
