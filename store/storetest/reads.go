package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/store"
)

// readers are the four ways the gateway reads one payment; an engine may
// answer any of them from memory (store/sqlite keeps recent payments), and
// each must see every committed write at once.
func readers(st store.Store, p payment.Payment) map[string]func(context.Context) (payment.Payment, error) {
	one := func(f payment.Filter) func(context.Context) (payment.Payment, error) {
		return func(ctx context.Context) (payment.Payment, error) {
			list, err := st.ListPayments(ctx, f)
			if err != nil {
				return payment.Payment{}, err
			}
			if len(list) != 1 {
				return payment.Payment{}, fmt.Errorf("listed %d payments, want 1", len(list))
			}
			return list[0], nil
		}
	}
	return map[string]func(context.Context) (payment.Payment, error){
		"id":         func(ctx context.Context) (payment.Payment, error) { return st.GetPayment(ctx, p.ID) },
		"ref":        func(ctx context.Context) (payment.Payment, error) { return st.GetPaymentByRef(ctx, p.Ref) },
		"attempt":    func(ctx context.Context) (payment.Payment, error) { return st.GetPaymentByRef(ctx, p.AttemptRef) },
		"list ref":   one(payment.Filter{MerchantID: p.MerchantID, Ref: p.Ref}),
		"list token": one(payment.Filter{MerchantID: p.MerchantID, AttemptRef: p.AttemptRef}),
	}
}

func testReadsFollowWrites(t *testing.T, open Open) {
	ctx := context.Background()
	st := open(t)
	m := NewMerchant(t, st)
	p := NewPayment(t, st, m, "OC-R")
	expect := func(want payment.Payment, why string) {
		t.Helper()
		for name, read := range readers(st, p) {
			got, err := read(ctx)
			require.NoError(t, err, "%s: %s", why, name)
			require.Equal(t, want, got, "%s: read by %s", why, name)
		}
	}
	expect(p, "created")
	expect(p, "read again") // an engine that keeps payments answers from memory now

	got, err := st.GetPayment(ctx, p.ID)
	require.NoError(t, err)
	got.Extra["concat"] = "changed by a caller"
	got.Metadata[0].Value = "changed by a caller"
	got.SealedSecret[0] = 9
	expect(p, "a caller changing what it read changes nothing stored")

	next := p
	next.Method, next.Version = "servipag", 2
	next.Extra = map[string]string{"voucher": "1234"}
	ev := Updated(p)
	require.NoError(t, st.UpdateDetails(ctx, next, 1, ev))
	expect(next, "details updated")
	require.ErrorIs(t, st.UpdateDetails(ctx, next, 1, ev), payment.ErrConflict)
	expect(next, "a refused update")

	done := Change(next, payment.StatusCompleted)
	require.NoError(t, st.ApplyChange(ctx, done))
	expect(done.Payment, "completed")
	require.ErrorIs(t, st.ApplyChange(ctx, Change(next, payment.StatusFailed)), payment.ErrConflict)
	expect(done.Payment, "a refused change")

	// Lists by ref still apply every other filter.
	other := NewMerchant(t, st)
	for _, f := range []payment.Filter{
		{MerchantID: other.ID, Ref: p.Ref}, {MerchantID: other.ID, AttemptRef: p.AttemptRef},
		{Ref: p.Ref, Status: payment.StatusPending}, {Ref: p.Ref, OrderID: "OC-other"},
		{Ref: p.Ref, AttemptRef: "not-its-token"}, {Ref: "no-such-ref"}, {AttemptRef: "no-such-token"},
	} {
		list, err := st.ListPayments(ctx, f)
		require.NoError(t, err)
		require.Empty(t, list, "%+v", f)
	}
	list, err := st.ListPayments(ctx, payment.Filter{MerchantID: m.ID, OrderID: "OC-R", Ref: p.Ref, AttemptRef: p.AttemptRef, Status: payment.StatusCompleted})
	require.NoError(t, err)
	require.Equal(t, []payment.Payment{done.Payment}, list)
}

// testReadsNeverGoBack: once any read has returned a version, no read that
// starts later returns an older one, while a payment changes under many
// readers (the hazard of a cache filled from a read that raced a write).
func testReadsNeverGoBack(t *testing.T, open Open) {
	ctx := context.Background()
	st := open(t)
	m := NewMerchant(t, st)
	p := NewPayment(t, st, m, "OC-M")
	const updates = 60
	var seen atomic.Int64  // highest version any finished read returned
	var raced atomic.Int64 // reads made by the racing readers
	see := func(v int64) {
		for cur := seen.Load(); v > cur && !seen.CompareAndSwap(cur, v); cur = seen.Load() {
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for name, read := range readers(st, p) {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					floor := seen.Load()
					got, err := read(ctx)
					if err == nil && got.Version < floor {
						err = fmt.Errorf("read by %s returned version %d after version %d had been read", name, got.Version, floor)
					}
					if err != nil {
						errs <- err
						return
					}
					raced.Add(1)
					see(got.Version)
				}
			}()
		}
	}
	cur := p
	for i := range updates {
		next := cur
		next.Version++
		next.Extra = map[string]string{"step": fmt.Sprint(i)}
		require.NoError(t, st.UpdateDetails(ctx, next, cur.Version, Updated(p)))
		cur = next
		for name, read := range readers(st, p) {
			got, err := read(ctx)
			require.NoError(t, err)
			require.Equal(t, cur.Version, got.Version, "read by %s right after the write", name)
			see(got.Version) // the racing readers must not go below it either
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, int64(updates+1), seen.Load())
	require.Greater(t, raced.Load(), int64(updates), "the racing readers hardly ran")
}
