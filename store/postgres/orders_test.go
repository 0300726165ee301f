package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/store/storetest"
	"github.com/pasarela/pasarela/token"
)

// A new session racing the completion of another session of the same order
// is either refused (the completion came first) or wholly before it: the
// order lock serialises the two, so the "already paid" check never misses a
// completion that commits while the new session is being stored.
func TestCreateRacingCompletion(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	st := openTemp(t)
	m := storetest.NewMerchant(t, st)
	refused := 0
	for i := range 40 {
		order := "OC-RACE-" + token.Alnum(6)
		a := storetest.NewPayment(t, st, m, order)
		now := time.Now().UTC().Truncate(time.Millisecond)
		b := payment.Payment{ID: token.ID("pay"), MerchantID: m.ID, Dialect: payment.DialectETpay, Ref: token.Alnum(64),
			OrderID: order, Amount: payment.Money{Amount: 100, Currency: "CLP"}, Status: payment.StatusCreated,
			Version: 1, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)}
		var createErr, completeErr error
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			createErr = st.CreatePayment(ctx, b, payment.Event{PaymentID: b.ID, Type: payment.EventCreated,
				To: payment.StatusCreated, Actor: payment.ActorAPI, CreatedAt: now})
		}()
		go func() {
			defer wg.Done()
			completeErr = st.ApplyChange(ctx, storetest.Change(a, payment.StatusCompleted))
		}()
		wg.Wait()
		require.NoError(t, completeErr, i)
		if createErr != nil {
			require.ErrorIs(t, createErr, payment.ErrOrderPaid, i)
			refused++
			continue
		}
		// Stored: then it was stored wholly before the completion, so its
		// creation event precedes the completion event.
		created, err := st.ListEvents(ctx, b.ID)
		require.NoError(t, err)
		completed, err := st.ListEvents(ctx, a.ID)
		require.NoError(t, err)
		require.Less(t, created[0].ID, completed[len(completed)-1].ID, "iteration %d: a session was opened while its order was being paid", i)
	}
	t.Logf("%d of 40 racing sessions refused as paid", refused)
}
