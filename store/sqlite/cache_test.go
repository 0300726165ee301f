package sqlite

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/payment"
)

func TestPaymentCacheIsBounded(t *testing.T) {
	t.Parallel()

	c := newPaymentCache(cacheSize)
	for i := range cacheSize + 100 {
		_, gen, ok := c.get(fmt.Sprint("pay_", i), byID)
		require.False(t, ok)
		c.fill(payment.Payment{ID: fmt.Sprint("pay_", i), Ref: fmt.Sprint("ref_", i), AttemptRef: fmt.Sprint("att_", i)}, gen)
	}
	require.Equal(t, cacheSize, c.len())
	require.Len(t, c.byRef, cacheSize, "an evicted payment leaves no ref behind")
	require.Len(t, c.byAtt, cacheSize)
	last := fmt.Sprint("pay_", cacheSize+99)
	got, _, ok := c.get("ref_"+last[4:], byRef)
	require.True(t, ok, "the newest payment is kept")
	require.Equal(t, last, got.ID)
}

// A fill is refused when a write of the payment is in flight or any write
// ended after the reader's get; the entries of payments not written stay.
func TestPaymentCacheFillRules(t *testing.T) {
	t.Parallel()

	c := newPaymentCache(cacheSize)
	a, b := payment.Payment{ID: "pay_a", Ref: "ra"}, payment.Payment{ID: "pay_b", Ref: "rb"}
	_, gen, _ := c.get(a.ID, byID)
	c.fill(b, gen)

	c.begin(a.ID)
	_, gen, ok := c.get(a.ID, byID)
	require.False(t, ok)
	c.fill(a, gen)
	require.Equal(t, 1, c.len(), "no fill while the payment is being written")
	c.end(a.ID)
	c.fill(a, gen)
	require.Equal(t, 1, c.len(), "no fill from a read that may have raced the write")
	_, gen, _ = c.get(a.ID, byID)
	c.fill(a, gen)
	require.Equal(t, 2, c.len())
	_, _, ok = c.get("rb", byRef)
	require.True(t, ok, "a write of another payment left b in place")

	c.begin(a.ID)
	c.begin(a.ID) // two writers of one payment at once
	c.end(a.ID)
	_, gen, ok = c.get("ra", byRef)
	require.False(t, ok)
	c.fill(a, gen)
	require.Equal(t, 1, c.len(), "one write of a is still in flight")
	c.end(a.ID)
	require.Empty(t, c.changing)
}

// A panic in a read run on its own goroutine reaches the caller, where the
// server's recoverer answers it, instead of ending the process.
func TestOnOwnStackRaisesPanicsInTheCaller(t *testing.T) {
	t.Parallel()

	ran := false
	onOwnStack(func() { ran = true })
	require.True(t, ran)
	require.PanicsWithValue(t, "boom", func() { onOwnStack(func() { panic("boom") }) })
}
