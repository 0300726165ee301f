// Package storetest is the conformance suite every storage engine must pass:
// the same behaviour on SQLite and PostgreSQL, so the rest of the gateway
// never depends on which one runs.
package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/keyring"
	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/store"
	"github.com/pasarela/pasarela/token"
)

// Open returns a fresh, migrated, empty store for one test.
type Open func(t *testing.T) store.Store

// Run runs the whole suite against the engine open makes.
func Run(t *testing.T, open Open) {
	t.Helper()
	t.Run("Merchants", func(t *testing.T) { t.Parallel(); testMerchants(t, open) })
	t.Run("PaymentsCreateAndFind", func(t *testing.T) { t.Parallel(); testPaymentsCreateAndFind(t, open) })
	t.Run("ApplyChangeCompareAndSet", func(t *testing.T) { t.Parallel(); testApplyChange(t, open) })
	t.Run("ConcurrentChangesOneWins", func(t *testing.T) { t.Parallel(); testConcurrentChanges(t, open) })
	t.Run("OrderPaidOnce", func(t *testing.T) { t.Parallel(); testOrderPaidOnce(t, open) })
	t.Run("TerminalStatusesNeverChange", func(t *testing.T) { t.Parallel(); testTerminalGuard(t, open) })
	t.Run("ListDue", func(t *testing.T) { t.Parallel(); testListDue(t, open) })
	t.Run("ListAwaiting", func(t *testing.T) { t.Parallel(); testListAwaiting(t, open) })
	t.Run("UpdateDetails", func(t *testing.T) { t.Parallel(); testUpdateDetails(t, open) })
	t.Run("ReadsFollowWrites", func(t *testing.T) { t.Parallel(); testReadsFollowWrites(t, open) })
	t.Run("ReadsNeverGoBack", func(t *testing.T) { t.Parallel(); testReadsNeverGoBack(t, open) })
	t.Run("Notifications", func(t *testing.T) { t.Parallel(); testNotifications(t, open) })
	t.Run("FirstAttemptDispatch", func(t *testing.T) { t.Parallel(); testDispatch(t, open) })
	t.Run("Keysets", func(t *testing.T) { t.Parallel(); testKeysets(t, open) })
	t.Run("Ready", func(t *testing.T) { t.Parallel(); require.NoError(t, open(t).Ready(context.Background())) })
}

// NewMerchant stores a merchant with random credentials and returns it.
func NewMerchant(t *testing.T, st store.Store) merchant.Merchant { return NewMerchantTB(t, st) }

// NewMerchantTB is NewMerchant for benchmarks too.
func NewMerchantTB(t testing.TB, st store.Store) merchant.Merchant {
	t.Helper()
	h := sha256.Sum256([]byte(token.Hex(32)))
	now := time.Now().UTC().Truncate(time.Millisecond)
	m := merchant.Merchant{
		ID: token.ID("mer"), Name: "Shop " + token.Alnum(4), ETpayCode: "cl_" + token.Alnum(10),
		ETpayTokenHash: h[:], ServiceID: token.Alnum(9), SealedSecretKey: []byte("sealed-1"),
		SealedWebhookSecret: []byte("sealed-2"), NotificationURL: "https://shop.example/notify",
		CreatedAt: now, UpdatedAt: now,
	}
	require.NoError(t, st.CreateMerchant(context.Background(), m))
	return m
}

// NewPayment stores a created payment of merchant m and returns it.
func NewPayment(t *testing.T, st store.Store, m merchant.Merchant, orderID string) payment.Payment {
	t.Helper()
	return NewPaymentTB(t, st, m, orderID)
}

// NewPaymentTB is NewPayment for benchmarks too.
func NewPaymentTB(t testing.TB, st store.Store, m merchant.Merchant, orderID string) payment.Payment {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	p := payment.Payment{
		ID: token.ID("pay"), MerchantID: m.ID, Dialect: payment.DialectETpay, Ref: token.Alnum(64),
		AttemptRef: token.Alnum(32), OrderID: orderID, Amount: payment.Money{Amount: 50000, Currency: "CLP"},
		Method: "cl_bch", Payer: payment.Payer{Email: "payer@example.com"}, Status: payment.StatusCreated,
		Metadata: []payment.Metadata{{Name: "Cuenta", Value: "30.215", Show: true}},
		Extra:    map[string]string{"concat": "&"}, SealedSecret: []byte{1, 2, 3},
		URLs: payment.URLs{Success: "https://shop.example/ok"}, Version: 1,
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(30 * time.Minute),
	}
	ev := payment.Event{PaymentID: p.ID, Type: payment.EventCreated, To: payment.StatusCreated, Actor: payment.ActorAPI, CreatedAt: now}
	require.NoError(t, st.CreatePayment(context.Background(), p, ev))
	return p
}

// Updated is the event of a payer's update of p's details.
func Updated(p payment.Payment) payment.Event {
	return payment.Event{PaymentID: p.ID, Type: payment.EventUpdated, From: p.Status, To: p.Status, Actor: payment.ActorPayer, CreatedAt: p.CreatedAt}
}

// Change builds the change moving p to status to.
func Change(p payment.Payment, to payment.Status, notices ...payment.Notice) payment.Change {
	next := p
	next.Status, next.Version = to, p.Version+1
	next.UpdatedAt = time.Now().UTC().Truncate(time.Millisecond)
	if to == payment.StatusCompleted {
		at := next.UpdatedAt
		next.CompletedAt = &at
	}
	return payment.Change{
		Event: payment.Event{PaymentID: p.ID, Type: payment.EventStatusChanged, From: p.Status, To: to,
			Actor: payment.ActorSandbox, CreatedAt: next.UpdatedAt},
		FromStatus: p.Status, FromVersion: p.Version, Notices: notices, Payment: next,
	}
}

func testMerchants(t *testing.T, open Open) {
	ctx := context.Background()
	st := open(t)
	m := NewMerchant(t, st)

	got, err := st.GetMerchant(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, m, got)
	for _, get := range []func() (merchant.Merchant, error){
		func() (merchant.Merchant, error) { return st.GetMerchantByETpayCode(ctx, m.ETpayCode) },
		func() (merchant.Merchant, error) { return st.GetMerchantByETpayTokenHash(ctx, m.ETpayTokenHash) },
		func() (merchant.Merchant, error) { return st.GetMerchantByServiceID(ctx, m.ServiceID) },
	} {
		got, err := get()
		require.NoError(t, err)
		require.Equal(t, m.ID, got.ID)
	}
	_, err = st.GetMerchant(ctx, "mer_nope")
	require.ErrorIs(t, err, merchant.ErrNotFound)
	_, err = st.GetMerchantByServiceID(ctx, "")
	require.ErrorIs(t, err, merchant.ErrNotFound)

	dup := m
	dup.ID = token.ID("mer")
	require.ErrorIs(t, st.CreateMerchant(ctx, dup), merchant.ErrDuplicate)

	// A settings change and a rotation each write only their own columns:
	// both made from the same stale copy keep each other's values.
	stale := m
	m.NotificationURL, m.LegacyIPN = "https://other.example/n", true
	require.NoError(t, st.UpdateMerchantSettings(ctx, m))
	stale.ETpayTokenHash, stale.SealedSecretKey, stale.SealedWebhookSecret = []byte("hash-2"), []byte("sealed-3"), []byte("sealed-4")
	require.NoError(t, st.UpdateMerchantCredentials(ctx, stale))
	got, err = st.GetMerchant(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, "https://other.example/n", got.NotificationURL)
	require.True(t, got.LegacyIPN)
	require.Equal(t, []byte("hash-2"), got.ETpayTokenHash)
	require.Equal(t, []byte("sealed-3"), got.SealedSecretKey)
	require.Equal(t, []byte("sealed-4"), got.SealedWebhookSecret)
	missing := m
	missing.ID = "mer_missing"
	require.ErrorIs(t, st.UpdateMerchantSettings(ctx, missing), merchant.ErrNotFound)
	require.ErrorIs(t, st.UpdateMerchantCredentials(ctx, missing), merchant.ErrNotFound)

	NewMerchant(t, st)
	all, err := st.ListMerchants(ctx)
	require.NoError(t, err)
	require.Len(t, all, 2)
}

func testPaymentsCreateAndFind(t *testing.T, open Open) {
	ctx := context.Background()
	st := open(t)
	m := NewMerchant(t, st)
	p := NewPayment(t, st, m, "OC-1")

	got, err := st.GetPayment(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, p, got)
	byRef, err := st.GetPaymentByRef(ctx, p.Ref)
	require.NoError(t, err)
	require.Equal(t, p.ID, byRef.ID)
	byAttempt, err := st.GetPaymentByRef(ctx, p.AttemptRef)
	require.NoError(t, err)
	require.Equal(t, p.ID, byAttempt.ID)
	for _, ref := range []string{"", "nope", p.ID} {
		_, err = st.GetPaymentByRef(ctx, ref)
		require.ErrorIs(t, err, payment.ErrNotFound, ref)
	}

	events, err := st.ListEvents(ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, events, 1)
	require.Equal(t, payment.EventCreated, events[0].Type)

	// Several open payments for one order are allowed (the payer retries).
	NewPayment(t, st, m, "OC-1")
	other := NewMerchant(t, st)
	NewPayment(t, st, other, "OC-1")
	list, err := st.ListPayments(ctx, payment.Filter{MerchantID: m.ID, OrderID: "OC-1"})
	require.NoError(t, err)
	require.Len(t, list, 2)
	for _, q := range list {
		require.Equal(t, m.ID, q.MerchantID)
	}
	list, err = st.ListPayments(ctx, payment.Filter{Ref: p.Ref})
	require.NoError(t, err)
	require.Len(t, list, 1)
}

func testApplyChange(t *testing.T, open Open) {
	ctx := context.Background()
	st := open(t)
	m := NewMerchant(t, st)
	p := NewPayment(t, st, m, "OC-2")

	pending := Change(p, payment.StatusPending)
	require.NoError(t, st.ApplyChange(ctx, pending))
	// The same change again is stale: it compares against the old version.
	require.ErrorIs(t, st.ApplyChange(ctx, pending), payment.ErrConflict)

	done := Change(pending.Payment, payment.StatusCompleted)
	require.NoError(t, st.ApplyChange(ctx, done))
	got, err := st.GetPayment(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, payment.StatusCompleted, got.Status)
	require.Equal(t, int64(3), got.Version)
	require.NotNil(t, got.CompletedAt)

	events, err := st.ListEvents(ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, events, 3)
	require.Equal(t, payment.StatusPending, events[2].From)
	require.Equal(t, payment.StatusCompleted, events[2].To)

	// A change of a payment that does not exist changes nothing.
	ghost := Change(p, payment.StatusFailed)
	ghost.Payment.ID, ghost.Event.PaymentID = "pay_ghost", "pay_ghost"
	require.ErrorIs(t, st.ApplyChange(ctx, ghost), payment.ErrConflict)
}

func testConcurrentChanges(t *testing.T, open Open) {
	ctx := context.Background()
	st := open(t)
	m := NewMerchant(t, st)
	for i := range 20 {
		p := NewPayment(t, st, m, fmt.Sprintf("RACE-%d", i))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for j, to := range []payment.Status{payment.StatusCompleted, payment.StatusFailed} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[j] = st.ApplyChange(ctx, Change(p, to))
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else {
				require.ErrorIs(t, err, payment.ErrConflict)
			}
		}
		require.Equal(t, 1, won, "exactly one change must win")
		events, err := st.ListEvents(ctx, p.ID)
		require.NoError(t, err)
		require.Len(t, events, 2, "the loser must append nothing")
	}
}

func testOrderPaidOnce(t *testing.T, open Open) {
	ctx := context.Background()
	st := open(t)
	m := NewMerchant(t, st)
	a := NewPayment(t, st, m, "OC-PAID")
	b := NewPayment(t, st, m, "OC-PAID")
	require.NoError(t, st.ApplyChange(ctx, Change(a, payment.StatusCompleted)))

	// A second completion for the same order is refused by the database.
	require.ErrorIs(t, st.ApplyChange(ctx, Change(b, payment.StatusCompleted)), payment.ErrOrderPaid)
	got, err := st.GetPayment(ctx, b.ID)
	require.NoError(t, err)
	require.Equal(t, payment.StatusCreated, got.Status)

	// A new payment for the paid order is refused; another order is fine.
	c := b
	c.ID, c.Ref, c.AttemptRef = token.ID("pay"), token.Alnum(64), ""
	ev := payment.Event{PaymentID: c.ID, Type: payment.EventCreated, To: payment.StatusCreated, Actor: payment.ActorAPI, CreatedAt: c.CreatedAt}
	require.ErrorIs(t, st.CreatePayment(ctx, c, ev), payment.ErrOrderPaid)
	_, err = st.GetPayment(ctx, c.ID)
	require.ErrorIs(t, err, payment.ErrNotFound, "a refused payment is not stored")
	events, err := st.ListEvents(ctx, c.ID)
	require.NoError(t, err)
	require.Empty(t, events, "nor its event")
	// The same order id of another merchant is another order.
	other := c
	other.ID, other.Ref, other.MerchantID = token.ID("pay"), token.Alnum(64), NewMerchant(t, st).ID
	otherEv := ev
	otherEv.PaymentID = other.ID
	require.NoError(t, st.CreatePayment(ctx, other, otherEv))
	c.OrderID = "OC-OTHER"
	require.NoError(t, st.CreatePayment(ctx, c, ev))
}

func testTerminalGuard(t *testing.T, open Open) {
	ctx := context.Background()
	st := open(t)
	m := NewMerchant(t, st)
	for _, end := range []payment.Status{payment.StatusFailed, payment.StatusCanceled, payment.StatusExpired} {
		p := NewPayment(t, st, m, "OC-"+string(end))
		c := Change(p, end)
		require.NoError(t, st.ApplyChange(ctx, c))
		// Even a well-formed compare-and-set cannot revive a terminal payment.
		require.Error(t, st.ApplyChange(ctx, Change(c.Payment, payment.StatusCompleted)))
		got, err := st.GetPayment(ctx, p.ID)
		require.NoError(t, err)
		require.Equal(t, end, got.Status)
	}
	p := NewPayment(t, st, m, "OC-refund")
	done := Change(p, payment.StatusCompleted)
	require.NoError(t, st.ApplyChange(ctx, done))
	require.Error(t, st.ApplyChange(ctx, Change(done.Payment, payment.StatusFailed)))
	refund := Change(done.Payment, payment.StatusRefunded)
	require.NoError(t, st.ApplyChange(ctx, refund))
	require.Error(t, st.ApplyChange(ctx, Change(refund.Payment, payment.StatusCompleted)))
}

func testListDue(t *testing.T, open Open) {
	ctx := context.Background()
	st := open(t)
	m := NewMerchant(t, st)
	p := NewPayment(t, st, m, "OC-due")
	done := NewPayment(t, st, m, "OC-done")
	require.NoError(t, st.ApplyChange(ctx, Change(done, payment.StatusCompleted)))

	due, err := st.ListDue(ctx, time.Now(), 10)
	require.NoError(t, err)
	require.Empty(t, due)
	due, err = st.ListDue(ctx, p.ExpiresAt, 10)
	require.NoError(t, err)
	require.Len(t, due, 1, "only the open payment is due")
	require.Equal(t, p.ID, due[0].ID)
}

func testListAwaiting(t *testing.T, open Open) {
	ctx := context.Background()
	st := open(t)
	m := NewMerchant(t, st)
	toPending := func(p payment.Payment, detail string) payment.Payment {
		c := Change(p, payment.StatusPending)
		c.Payment.StatusDetail = detail
		require.NoError(t, st.ApplyChange(ctx, c))
		return c.Payment
	}
	older := toPending(NewPayment(t, st, m, "AW-1"), "bank_confirmation_pending")
	time.Sleep(2 * time.Millisecond)
	newer := toPending(NewPayment(t, st, m, "AW-2"), "bank_confirmation_pending")
	toPending(NewPayment(t, st, m, "AW-3"), "") // pending, another detail
	NewPayment(t, st, m, "AW-4")                // created
	done := toPending(NewPayment(t, st, m, "AW-5"), "bank_confirmation_pending")
	require.NoError(t, st.ApplyChange(ctx, Change(done, payment.StatusCompleted)))

	got, err := st.ListAwaiting(ctx, payment.DialectETpay, "bank_confirmation_pending", newer.UpdatedAt, 10)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, []string{older.ID, newer.ID}, []string{got[0].ID, got[1].ID}, "oldest change first")
	got, err = st.ListAwaiting(ctx, payment.DialectETpay, "bank_confirmation_pending", older.UpdatedAt, 10)
	require.NoError(t, err)
	require.Len(t, got, 1, "changed after the cutoff: not yet")
	got, err = st.ListAwaiting(ctx, payment.DialectETpay, "bank_confirmation_pending", newer.UpdatedAt, 1)
	require.NoError(t, err)
	require.Len(t, got, 1, "limit")
	got, err = st.ListAwaiting(ctx, payment.DialectPayRetailers, "bank_confirmation_pending", newer.UpdatedAt, 10)
	require.NoError(t, err)
	require.Empty(t, got, "another dialect's")
}

func testKeysets(t *testing.T, open Open) {
	ctx := context.Background()
	st := open(t)
	_, err := st.GetKeyset(ctx, "k")
	require.ErrorIs(t, err, keyring.ErrNoKeyset)
	require.NoError(t, st.PutKeysetIfAbsent(ctx, "k", []byte("first")))
	require.NoError(t, st.PutKeysetIfAbsent(ctx, "k", []byte("second")))
	got, err := st.GetKeyset(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, "first", string(got), "the first keyset stays")

	// Rotation swaps only what it read.
	require.ErrorIs(t, st.ReplaceKeyset(ctx, "k", []byte("second"), []byte("third")), keyring.ErrKeysetChanged)
	require.NoError(t, st.ReplaceKeyset(ctx, "k", []byte("first"), []byte("third")))
	got, err = st.GetKeyset(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, "third", string(got))
	require.ErrorIs(t, st.ReplaceKeyset(ctx, "nope", []byte("a"), []byte("b")), keyring.ErrNoKeyset)
}

func testNotifications(t *testing.T, open Open) {
	ctx := context.Background()
	st := open(t)
	m := NewMerchant(t, st)
	p := NewPayment(t, st, m, "OC-N")
	notice := payment.Notice{ID: token.ID("ntf"), URL: "https://shop.example/n", Method: "POST",
		ContentType: "application/json", Body: []byte(`{"a":"\u00f1"}`), Headers: map[string]string{"X-Pg-Sig": "abc"}}
	require.NoError(t, st.ApplyChange(ctx, Change(p, payment.StatusCompleted, notice)))

	rec, err := st.GetNotification(ctx, notice.ID)
	require.NoError(t, err)
	require.Equal(t, notify.StatusPending, rec.Status)
	require.Equal(t, notice.Body, rec.Body, "the body is stored byte for byte")
	require.Equal(t, notice.Headers, rec.Headers)
	require.Equal(t, m.ID, rec.MerchantID)
	require.Equal(t, p.ID, rec.PaymentID)
	_, err = st.GetNotification(ctx, "ntf_nope")
	require.ErrorIs(t, err, notify.ErrNotFound)

	stats, err := st.NotificationStats(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, stats.Pending)
	require.False(t, stats.OldestPending.IsZero())

	next := time.Now().Add(time.Minute).UTC().Truncate(time.Millisecond)
	fail := notify.Attempt{NotificationID: notice.ID, Number: 1, At: time.Now().UTC().Truncate(time.Millisecond),
		URL: notice.URL, StatusCode: 500, Latency: 1500 * time.Microsecond, Error: "HTTP 500", ResponseBody: "oops"}
	require.NoError(t, st.RecordAttempt(ctx, fail, notify.StatusFailed, &next, 0))
	ok := fail
	ok.Number, ok.StatusCode, ok.Error, ok.ResponseBody = 2, 200, "", `["OK"]`
	require.NoError(t, st.RecordAttempt(ctx, ok, notify.StatusDelivered, nil, 0))
	require.ErrorIs(t, st.RecordAttempt(ctx, notify.Attempt{NotificationID: "ntf_nope", At: time.Now()}, notify.StatusFailed, nil, 0), notify.ErrNotFound)

	rec, err = st.GetNotification(ctx, notice.ID)
	require.NoError(t, err)
	require.Equal(t, notify.StatusDelivered, rec.Status)
	require.Equal(t, 2, rec.Attempts)
	require.Equal(t, 200, rec.LastStatusCode)
	require.NotNil(t, rec.DeliveredAt)
	attempts, err := st.ListAttempts(ctx, notice.ID)
	require.NoError(t, err)
	require.Len(t, attempts, 2)
	require.Equal(t, fail, attempts[0])

	stats, err = st.NotificationStats(ctx)
	require.NoError(t, err)
	require.Zero(t, stats.Pending)

	list, err := st.ListNotifications(ctx, notify.Filter{PaymentID: p.ID})
	require.NoError(t, err)
	require.Len(t, list, 1)
	list, err = st.ListNotifications(ctx, notify.Filter{MerchantID: m.ID, Status: notify.StatusFailed})
	require.NoError(t, err)
	require.Empty(t, list)

	require.NoError(t, st.Requeue(ctx, notice.ID))
	rec, err = st.GetNotification(ctx, notice.ID)
	require.NoError(t, err)
	require.Equal(t, notify.StatusPending, rec.Status)
	require.Equal(t, 2, rec.Attempts, "a resend keeps the attempt history")
	require.ErrorIs(t, st.Requeue(ctx, "ntf_nope"), notify.ErrNotFound)
}

func testUpdateDetails(t *testing.T, open Open) {
	ctx := context.Background()
	st := open(t)
	m := NewMerchant(t, st)
	p := NewPayment(t, st, m, "OC-U")
	next := p
	next.Method, next.Country, next.Version = "servipag", "CL", 2
	next.Payer.FirstName = "Ana"
	next.Extra = map[string]string{"voucher": "1234"}
	next.ExpiresAt = p.ExpiresAt.Add(72 * time.Hour)
	ev := Updated(p)
	require.NoError(t, st.UpdateDetails(ctx, next, 1, ev))
	require.ErrorIs(t, st.UpdateDetails(ctx, next, 1, ev), payment.ErrConflict, "stale version")
	got, err := st.GetPayment(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, "servipag", got.Method)
	require.Equal(t, "Ana", got.Payer.FirstName)
	require.Equal(t, "1234", got.Extra["voucher"])
	require.Equal(t, next.ExpiresAt, got.ExpiresAt)
	require.Equal(t, payment.StatusCreated, got.Status)
	events, err := st.ListEvents(ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, events, 2)

	done := Change(got, payment.StatusCompleted)
	require.NoError(t, st.ApplyChange(ctx, done))
	late := done.Payment
	late.Method, late.Version = "webpay", done.Payment.Version+1
	require.ErrorIs(t, st.UpdateDetails(ctx, late, done.Payment.Version, ev), payment.ErrConflict, "a final payment cannot change")
}

// recordingDispatcher keeps what a store hands over after its commits.
type recordingDispatcher struct {
	mu     sync.Mutex
	queued []notify.Queued
}

func (d *recordingDispatcher) Backstop() time.Duration { return time.Hour }
func (d *recordingDispatcher) Dispatch(qs []notify.Queued) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.queued = append(d.queued, qs...)
}

func (d *recordingDispatcher) taken() []notify.Queued {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.queued)
}

// A committed status change hands its notifications to the dispatcher with
// their backstop jobs; a refused one hands nothing; recording a settled
// first attempt deletes the job, twice is harmless.
func testDispatch(t *testing.T, open Open) {
	ctx := context.Background()
	st := open(t)
	d := &recordingDispatcher{}
	st.SetDispatcher(d)
	m := NewMerchant(t, st)
	p := NewPayment(t, st, m, "D-1")
	notice := payment.Notice{ID: token.ID("ntf"), URL: "https://shop.example/n", Method: "POST", ContentType: "application/json", Body: []byte(`{}`)}
	before := time.Now()
	require.NoError(t, st.ApplyChange(ctx, Change(p, payment.StatusCompleted, notice)))
	got := d.taken()
	require.Len(t, got, 1)
	require.Equal(t, notice.ID, got[0].NotificationID)
	require.NotZero(t, got[0].JobID)
	require.WithinRange(t, got[0].BackstopAt, before.Add(time.Hour), time.Now().Add(time.Hour))

	// The same change again is refused (compare-and-set): nothing more.
	require.ErrorIs(t, st.ApplyChange(ctx, Change(p, payment.StatusCompleted, payment.Notice{ID: token.ID("ntf"), URL: "https://shop.example/n", Method: "POST", Body: []byte(`{}`)})), payment.ErrConflict)
	require.Len(t, d.taken(), 1)

	a := notify.Attempt{NotificationID: notice.ID, Number: 1, At: time.Now().UTC().Truncate(time.Millisecond), URL: notice.URL, StatusCode: 200}
	require.NoError(t, st.RecordAttempt(ctx, a, notify.StatusDelivered, nil, got[0].JobID))
	a.Number = 2 // a job already gone is not an error
	require.NoError(t, st.RecordAttempt(ctx, a, notify.StatusDelivered, nil, got[0].JobID))

	// Without a dispatcher nothing is handed over (jobs are due at once).
	st.SetDispatcher(nil)
	p2 := NewPayment(t, st, m, "D-2")
	require.NoError(t, st.ApplyChange(ctx, Change(p2, payment.StatusCompleted, payment.Notice{ID: token.ID("ntf"), URL: "https://shop.example/n", Method: "POST", Body: []byte(`{}`)})))
	require.Len(t, d.taken(), 1)
}
