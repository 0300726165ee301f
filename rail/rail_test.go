package rail_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/rail"
)

// A card printed 03/27 is good until March 2027 has ended everywhere:
// 1 April 2027 00:00 in UTC-12, which is 12:00 UTC.
func TestExpiryEndIsTheLastZonesMonthEnd(t *testing.T) {
	t.Parallel()
	end := rail.ExpiryEnd(3, 2027)
	require.True(t, end.Equal(time.Date(2027, 4, 1, 12, 0, 0, 0, time.UTC)), end)
	santiago := time.FixedZone("CLT", -3*3600)
	lastEvening := time.Date(2027, 3, 31, 23, 30, 0, 0, santiago) // 02:30 UTC on 1 April
	require.True(t, lastEvening.Before(end), "still March in Santiago: the card is good")
	require.False(t, time.Date(2027, 4, 1, 12, 0, 0, 0, time.UTC).Before(end))
	// December rolls into the next year.
	require.True(t, rail.ExpiryEnd(12, 2027).Equal(time.Date(2028, 1, 1, 12, 0, 0, 0, time.UTC)))
}
