package payretailers

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Parallel verifications of one enrollment cannot exceed the limit: each
// is counted before it reaches the acquirer, and only refusals stay counted.
func TestRefusalCounterReservesBeforeTheAcquirer(t *testing.T) {
	t.Parallel()

	now := time.Now()
	e := enrollment{ID: [enrollIDLen]byte{1}, Expiry: now.Add(time.Hour)}
	var c refusalCounter
	var admitted atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, ok := c.reserve(e, now); ok {
				admitted.Add(1)
			}
		})
	}
	wg.Wait()
	require.Equal(t, int32(maxEnrollRefusals), admitted.Load())
	require.Equal(t, maxEnrollRefusals, c.count(e))

	c.release(e) // that card was verified
	n, ok := c.reserve(e, now)
	require.True(t, ok)
	require.Equal(t, maxEnrollRefusals, n)
	_, ok = c.reserve(e, now)
	require.False(t, ok)

	// Another enrollment has its own count, and expired entries go.
	other := enrollment{ID: [enrollIDLen]byte{2}, Expiry: now.Add(time.Hour)}
	_, ok = c.reserve(other, now.Add(2*time.Hour))
	require.True(t, ok)
	require.Zero(t, c.count(e), "e's token expired")
}
