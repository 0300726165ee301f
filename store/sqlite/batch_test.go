package sqlite_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/store/sqlite"
	"github.com/pasarela/pasarela/store/storetest"
	"github.com/pasarela/pasarela/token"
)

// One failing write in a group commit must not take the others with it.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	st := openTemp(t)
	m := storetest.NewMerchant(t, st)
	paid := storetest.NewPayment(t, st, m, "PAID")
	require.NoError(t, st.ApplyChange(ctx, storetest.Change(paid, payment.StatusCompleted)))

	const n = 200
	errs := make([]error, n)
	w0, start := st.WriterStats(), time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			order := fmt.Sprintf("OK-%d", i)
			if i%3 == 0 {
				order = "PAID" // refused: the order is paid
			}
			now := time.Now().UTC().Truncate(time.Millisecond)
			p := payment.Payment{ID: token.ID("pay"), MerchantID: m.ID, Dialect: payment.DialectETpay,
				Ref: token.Alnum(64), OrderID: order, Amount: payment.Money{Amount: 100, Currency: "CLP"},
				Status: payment.StatusCreated, Version: 1, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)}
			errs[i] = st.CreatePayment(ctx, p, payment.Event{PaymentID: p.ID, Type: payment.EventCreated,
				To: payment.StatusCreated, Actor: payment.ActorAPI, CreatedAt: now})
		}()
	}
	wg.Wait()
	elapsed, w1 := time.Since(start), st.WriterStats()
	// The writer's counters: every write counted once, refused ones too
	// (each ran in a commit), shared commits, and busy time that is real
	// and cannot exceed the time that passed.
	require.Equal(t, int64(n), w1.Writes-w0.Writes)
	require.Positive(t, w1.Commits-w0.Commits)
	require.Less(t, w1.Commits-w0.Commits, int64(n), "concurrent writes share commits")
	require.Positive(t, w1.Busy-w0.Busy)
	require.LessOrEqual(t, w1.Busy-w0.Busy, elapsed)
	for i, err := range errs {
		if i%3 == 0 {
			require.ErrorIs(t, err, payment.ErrOrderPaid, i)
		} else {
			require.NoError(t, err, i)
		}
	}
	list, err := st.ListPayments(ctx, payment.Filter{MerchantID: m.ID})
	require.NoError(t, err)
	require.Len(t, list, 1+n-(n+2)/3, "every accepted write is stored, no refused one")
	for _, p := range list {
		events, err := st.ListEvents(ctx, p.ID)
		require.NoError(t, err)
		require.NotEmpty(t, events, "payment %s stored without its event", p.ID)
	}
}

func TestCanceledContextDoesNotWrite(t *testing.T) {
	t.Parallel()

	st := openTemp(t)
	m := storetest.NewMerchant(t, st)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	now := time.Now().UTC()
	p := payment.Payment{ID: token.ID("pay"), MerchantID: m.ID, Dialect: payment.DialectETpay, Ref: token.Alnum(64),
		Amount: payment.Money{Amount: 1, Currency: "CLP"}, Status: payment.StatusCreated, Version: 1,
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)}
	require.ErrorIs(t, st.CreatePayment(ctx, p, payment.Event{PaymentID: p.ID, Type: payment.EventCreated,
		To: payment.StatusCreated, Actor: payment.ActorAPI, CreatedAt: now}), context.Canceled)
	_, err := st.GetPayment(context.Background(), p.ID)
	require.ErrorIs(t, err, payment.ErrNotFound)
}

// BenchmarkCreatePaymentParallel measures durable payment creation with
// group commit, with refs shaped as each dialect's:
// go test -bench CreatePayment -run ^$ ./store/sqlite/
func BenchmarkCreatePaymentParallel(b *testing.B) {
	// ETpay tokens begin with their creation time, so their unique index
	// grows at one end; PayRetailers transaction ids are 128 random bits in
	// a UUID's shape, so each one lands on a random page of its index.
	b.Run("time-ordered-ref", func(b *testing.B) { benchmarkCreates(b, func() string { return token.Sortable(64) }) })
	b.Run("random-ref", func(b *testing.B) { benchmarkCreates(b, token.UUIDShaped) })
}

func benchmarkCreates(b *testing.B, ref func() string) {
	ctx := context.Background()
	st := openTempB(b)
	m := storetest.NewMerchantTB(b, st)
	var seq atomic.Int64
	// 128 writers per CPU fill every group commit, as the gateway's writer is
	// under load, so ns/op is the writer's cost per payment.
	b.SetParallelism(128)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			now := time.Now().UTC()
			p := payment.Payment{ID: token.ID("pay"), MerchantID: m.ID, Dialect: payment.DialectETpay,
				Ref: ref(), OrderID: fmt.Sprintf("order-%d", seq.Add(1)), Amount: payment.Money{Amount: 100, Currency: "CLP"},
				Status: payment.StatusCreated, Version: 1, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)}
			if err := st.CreatePayment(ctx, p, payment.Event{PaymentID: p.ID, Type: payment.EventCreated,
				To: payment.StatusCreated, Actor: payment.ActorAPI, CreatedAt: now}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStatusLookup measures the read behind both status queries: one
// payment by merchant and token, from parallel clients, answered by the
// payment cache and by the database:
// go test -bench StatusLookup -run ^$ ./store/sqlite/
func BenchmarkStatusLookup(b *testing.B) {
	st := openTempB(b)
	m := storetest.NewMerchantTB(b, st)
	refs := make([]string, 1000)
	for i := range refs {
		refs[i] = storetest.NewPaymentTB(b, st, m, fmt.Sprintf("S-%d", i)).Ref
	}
	b.Run("cached", func(b *testing.B) { benchmarkLookups(b, st, m.ID, refs) })
	st.KeepNoPayments()
	b.Run("database", func(b *testing.B) { benchmarkLookups(b, st, m.ID, refs) })
}

func benchmarkLookups(b *testing.B, st *sqlite.Store, merchantID string, refs []string) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	var n int64
	var mu sync.Mutex
	b.RunParallel(func(pb *testing.PB) {
		mu.Lock()
		i := n
		n += 7919
		mu.Unlock()
		for pb.Next() {
			i++
			ps, err := st.ListPayments(ctx, payment.Filter{MerchantID: merchantID, Ref: refs[i%int64(len(refs))], Limit: 100})
			if err != nil || len(ps) != 1 {
				b.Fatal(len(ps), err)
			}
		}
	})
}
