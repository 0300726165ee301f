package payment_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/store/sqlite"
	"github.com/pasarela/pasarela/store/storetest"
	"github.com/pasarela/pasarela/token"
)

type testBundle struct {
	merchantID string
	notices    *noticeLog
	store      *sqlite.Store
	svc        *payment.Service
}

// noticeLog renders one notice per change and remembers what it rendered.
type noticeLog struct {
	mu   sync.Mutex
	seen []payment.Status
	fail bool
}

func (n *noticeLog) Notices(_ context.Context, p payment.Payment) ([]payment.Notice, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail {
		return nil, errors.New("renderer broke")
	}
	n.seen = append(n.seen, p.Status)
	return []payment.Notice{{URL: "http://127.0.0.1:1/n", Method: "POST", ContentType: "application/json", Body: []byte(`{"status":"` + string(p.Status) + `"}`)}}, nil
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(ctx))
	svc := payment.NewService(st)
	log := &noticeLog{}
	svc.SetRenderer(payment.DialectETpay, log)
	m := storetest.NewMerchant(t, st)
	return &testBundle{merchantID: m.ID, notices: log, store: st, svc: svc}
}

func (b *testBundle) create(t *testing.T, order string) payment.Payment {
	t.Helper()
	p, err := b.svc.Create(context.Background(), payment.Payment{
		MerchantID: b.merchantID, Dialect: payment.DialectETpay, Ref: token.Alnum(64), OrderID: order,
		Amount: payment.Money{Amount: 1000, Currency: "CLP"}, ExpiresAt: time.Now().Add(time.Hour),
	})
	require.NoError(t, err)
	return p
}

func (b *testBundle) notificationCount(t *testing.T, paymentID string) int {
	t.Helper()
	var n int
	require.NoError(t, b.store.WriteDB().QueryRow(`SELECT count(*) FROM notifications WHERE payment_id = ?`, paymentID).Scan(&n))
	return n
}

func (b *testBundle) jobCount(t *testing.T) int {
	t.Helper()
	var n int
	require.NoError(t, b.store.WriteDB().QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'notification.deliver'`).Scan(&n))
	return n
}

func TestCreateValidates(t *testing.T) {
	t.Parallel()

	b := setup(t)
	ctx := context.Background()
	base := payment.Payment{MerchantID: b.merchantID, Dialect: payment.DialectETpay, Ref: "r1",
		Amount: payment.Money{Amount: 1, Currency: "CLP"}, ExpiresAt: time.Now().Add(time.Minute)}
	for name, mutate := range map[string]func(p *payment.Payment){
		"no merchant":   func(p *payment.Payment) { p.MerchantID = "" },
		"no ref":        func(p *payment.Payment) { p.Ref = "" },
		"zero amount":   func(p *payment.Payment) { p.Amount.Amount = 0 },
		"bad currency":  func(p *payment.Payment) { p.Amount.Currency = "ZZZ" },
		"past expiry":   func(p *payment.Payment) { p.ExpiresAt = time.Now().Add(-time.Second) },
		"unknown owner": func(p *payment.Payment) { p.MerchantID = "mer_ghost" },
	} {
		p := base
		mutate(&p)
		_, err := b.svc.Create(ctx, p)
		require.Error(t, err, name)
	}
	list, err := b.svc.List(ctx, payment.Filter{MerchantID: b.merchantID})
	require.NoError(t, err)
	require.Empty(t, list, "a refused payment changes nothing")
}

// Invariant 1: a change stores its event and its notification with its job,
// and a change that cannot be stored leaves no event or notification.
func TestTransitionIsAtomicWithEventAndNotification(t *testing.T) {
	t.Parallel()

	b := setup(t)
	ctx := context.Background()
	p := b.create(t, "OC-1")
	require.Zero(t, b.notificationCount(t, p.ID), "creating notifies nobody")

	got, err := b.svc.Transition(ctx, p.ID, payment.StatusCompleted, "", payment.ActorSandbox)
	require.NoError(t, err)
	require.Equal(t, payment.StatusCompleted, got.Status)
	require.Equal(t, 1, b.notificationCount(t, p.ID))
	require.Equal(t, 1, b.jobCount(t))
	events, err := b.svc.Events(ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, events, 2)
	require.Equal(t, payment.ActorSandbox, events[1].Actor)

	// Forbidden: nothing is stored.
	_, err = b.svc.Transition(ctx, p.ID, payment.StatusFailed, "late", payment.ActorRail)
	var te *payment.TransitionError
	require.ErrorAs(t, err, &te)
	require.Equal(t, 1, b.notificationCount(t, p.ID))
	require.Equal(t, 1, b.jobCount(t))

	// A renderer failure aborts the change.
	q := b.create(t, "OC-2")
	b.notices.fail = true
	_, err = b.svc.Transition(ctx, q.ID, payment.StatusCompleted, "", payment.ActorRail)
	require.ErrorContains(t, err, "renderer broke")
	cur, err := b.svc.Get(ctx, q.ID)
	require.NoError(t, err)
	require.Equal(t, payment.StatusCreated, cur.Status)
	require.Zero(t, b.notificationCount(t, q.ID))
}

// detailsRace is the real store, with a payer's detail update landing
// between a transition's read and its write, times times.
type detailsRace struct {
	*sqlite.Store
	times int
}

func (d *detailsRace) ApplyChange(ctx context.Context, c payment.Change) error {
	if d.times > 0 {
		d.times--
		cur, err := d.GetPayment(ctx, c.Payment.ID)
		if err != nil {
			return err
		}
		next := cur
		next.Method, next.Version, next.UpdatedAt = "cl_bci", cur.Version+1, time.Now().UTC()
		if err := d.UpdateDetails(ctx, next, cur.Version, payment.Event{PaymentID: cur.ID, Type: payment.EventUpdated,
			From: cur.Status, To: cur.Status, Actor: payment.ActorPayer, CreatedAt: next.UpdatedAt}); err != nil {
			return err
		}
	}
	return d.Store.ApplyChange(ctx, c)
}

// A version that moved while the status did not is not a race lost: the
// rail's outcome is recorded on the fresh copy, once.
func TestTransitionRetriesWhenOnlyDetailsChanged(t *testing.T) {
	t.Parallel()

	b := setup(t)
	ctx := context.Background()
	race := &detailsRace{Store: b.store, times: 2}
	svc := payment.NewService(race)
	svc.SetRenderer(payment.DialectETpay, b.notices)
	p := b.create(t, "OC-race")

	got, err := svc.Transition(ctx, p.ID, payment.StatusPending, "", payment.ActorPayer)
	require.NoError(t, err)
	require.Equal(t, payment.StatusPending, got.Status)
	require.Equal(t, "cl_bci", got.Method, "the move kept the details written meanwhile")
	require.Equal(t, p.Version+3, got.Version)
	require.Equal(t, 1, b.notificationCount(t, p.ID), "one change, one notification")

	// Details changing on every attempt: it gives up, as a lost race, and
	// stores nothing of its own.
	q := b.create(t, "OC-race-2")
	race.times = 100
	_, err = svc.Transition(ctx, q.ID, payment.StatusPending, "", payment.ActorPayer)
	var te *payment.TransitionError
	require.ErrorAs(t, err, &te)
	require.Zero(t, b.notificationCount(t, q.ID))
	cur, err := b.svc.Get(ctx, q.ID)
	require.NoError(t, err)
	require.Equal(t, payment.StatusCreated, cur.Status)
}

// Invariant 2: two goroutines racing to complete and fail one payment:
// exactly one wins, every time; the loser is told which status won.
func TestRacingTransitionsExactlyOneWins(t *testing.T) {
	t.Parallel()

	b := setup(t)
	ctx := context.Background()
	for i := range 100 {
		p := b.create(t, "")
		var wg sync.WaitGroup
		results := make([]error, 2)
		start := make(chan struct{})
		for j, to := range []payment.Status{payment.StatusCompleted, payment.StatusFailed} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, results[j] = b.svc.Transition(ctx, p.ID, to, "", payment.ActorRail)
			}()
		}
		close(start)
		wg.Wait()
		wins := 0
		for _, err := range results {
			if err == nil {
				wins++
				continue
			}
			var te *payment.TransitionError
			require.ErrorAs(t, err, &te, "round %d", i)
			require.True(t, te.From.Final(), "the loser learns the final status")
		}
		require.Equal(t, 1, wins, "round %d", i)
		require.Equal(t, 1, b.notificationCount(t, p.ID), "round %d: one notification", i)
		events, err := b.svc.Events(ctx, p.ID)
		require.NoError(t, err)
		require.Len(t, events, 2, "round %d", i)
	}
}

// Invariant 4: a merchant cannot read another merchant's payment.
func TestGetForMerchantHidesOtherMerchants(t *testing.T) {
	t.Parallel()

	b := setup(t)
	ctx := context.Background()
	p := b.create(t, "OC-9")
	got, err := b.svc.GetForMerchant(ctx, b.merchantID, p.Ref)
	require.NoError(t, err)
	require.Equal(t, p.ID, got.ID)
	other := storetest.NewMerchant(t, b.store)
	_, err = b.svc.GetForMerchant(ctx, other.ID, p.Ref)
	require.ErrorIs(t, err, payment.ErrNotFound)
}

// Invariant 8: nothing stays pending forever.
func TestExpireDue(t *testing.T) {
	t.Parallel()

	b := setup(t)
	ctx := context.Background()
	var open []payment.Payment
	for range 150 { // more than one sweep batch
		open = append(open, b.create(t, ""))
	}
	pending, err := b.svc.Transition(ctx, open[0].ID, payment.StatusPending, "", payment.ActorPayer)
	require.NoError(t, err)
	done, err := b.svc.Transition(ctx, open[1].ID, payment.StatusCompleted, "", payment.ActorPayer)
	require.NoError(t, err)

	n, err := b.svc.ExpireDue(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "nothing is due yet")

	b.svc.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
	// Two sweepers at once (two nodes): each payment expires exactly once.
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := b.svc.ExpireDue(ctx)
			require.NoError(t, err)
			counts[i] = c
		}()
	}
	wg.Wait()
	require.Equal(t, 149, counts[0]+counts[1])

	got, err := b.svc.Get(ctx, pending.ID)
	require.NoError(t, err)
	require.Equal(t, payment.StatusExpired, got.Status)
	require.Equal(t, 2, b.notificationCount(t, pending.ID), "pending and expired were both notified")
	got, err = b.svc.Get(ctx, done.ID)
	require.NoError(t, err)
	require.Equal(t, payment.StatusCompleted, got.Status)
	events, err := b.svc.Events(ctx, open[5].ID)
	require.NoError(t, err)
	require.Equal(t, payment.ActorSweeper, events[len(events)-1].Actor)
}
