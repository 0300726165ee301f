package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/store/storetest"
	"github.com/pasarela/pasarela/token"
)

func notice() payment.Notice {
	return payment.Notice{ID: token.ID("ntf"), URL: "https://shop.example/n", Method: "POST",
		ContentType: "application/json", Body: []byte(`{}`), Headers: map[string]string{}}
}

// The delivery job commits with the change, in the store's schema, and a
// River client built from Driver() alone (as the notify engine is) works it.
func TestDeliveryJobInSchema(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	st := openTemp(t)
	m := storetest.NewMerchant(t, st)
	p := storetest.NewPayment(t, st, m, "OC-J")
	n := notice()
	require.NoError(t, st.ApplyChange(ctx, storetest.Change(p, payment.StatusCompleted, n)))

	var kind string
	var maxAttempts int
	require.NoError(t, st.Pool().QueryRow(ctx, `SELECT kind, max_attempts FROM `+
		`river_job WHERE args->>'notification_id' = $1`, n.ID).Scan(&kind, &maxAttempts))
	require.Equal(t, notify.DeliverArgs{}.Kind(), kind)
	require.Equal(t, 1000, maxAttempts)

	worked := make(chan string, 1)
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(_ context.Context, job *river.Job[notify.DeliverArgs]) error {
		worked <- job.Args.NotificationID
		return nil
	}))
	client, err := river.NewClient(st.Driver(), &river.Config{
		FetchCooldown:     20 * time.Millisecond,
		FetchPollInterval: 20 * time.Millisecond,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}},
		Workers:           workers,
	})
	require.NoError(t, err)
	require.NoError(t, client.Start(ctx))
	defer func() { require.NoError(t, client.Stop(ctx)) }()
	select {
	case id := <-worked:
		require.Equal(t, n.ID, id)
	case <-time.After(15 * time.Second):
		t.Fatal("the delivery job was never worked")
	}
}

// No notification without its change: a refused change leaves neither a
// notification row nor a job.
func TestRefusedChangeQueuesNothing(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	st := openTemp(t)
	m := storetest.NewMerchant(t, st)
	a := storetest.NewPayment(t, st, m, "OC-R")
	b := storetest.NewPayment(t, st, m, "OC-R")
	require.NoError(t, st.ApplyChange(ctx, storetest.Change(a, payment.StatusCompleted)))
	n := notice()
	require.ErrorIs(t, st.ApplyChange(ctx, storetest.Change(b, payment.StatusCompleted, n)), payment.ErrOrderPaid)
	stale := notice()
	require.ErrorIs(t, st.ApplyChange(ctx, storetest.Change(a, payment.StatusFailed, stale)), payment.ErrConflict)

	for _, id := range []string{n.ID, stale.ID} {
		_, err := st.GetNotification(ctx, id)
		require.ErrorIs(t, err, notify.ErrNotFound)
	}
	var jobs int
	require.NoError(t, st.Pool().QueryRow(ctx, `SELECT count(*) FROM river_job`).Scan(&jobs))
	require.Zero(t, jobs)
	events, err := st.ListEvents(ctx, b.ID)
	require.NoError(t, err)
	require.Len(t, events, 1)
}
