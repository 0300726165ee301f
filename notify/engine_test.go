package notify_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/internal/syncbuf"
	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/server"
	"github.com/pasarela/pasarela/store/sqlite"
	"github.com/pasarela/pasarela/store/storetest"
	"github.com/pasarela/pasarela/token"
)

// urlRenderer sends every change of a payment to the URL in its URLs.
type urlRenderer struct{}

func (urlRenderer) Notices(_ context.Context, p payment.Payment) ([]payment.Notice, error) {
	return []payment.Notice{{URL: p.URLs.Notification, Method: http.MethodPost, ContentType: "application/json",
		Body: []byte(`{"payment":"` + p.ID + `","status":"` + string(p.Status) + `"}`)}}, nil
}

type engineBundle struct {
	engine     *notify.Engine[*sql.Tx]
	merchantID string
	payments   *payment.Service
	store      *sqlite.Store
}

const whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// eachMode runs a delivery test twice: with first attempts made in process
// right after the commit (as a gateway node runs) and with River's workers
// alone (jobs queued by the CLI, or left by a node that died).
func eachMode(t *testing.T, test func(t *testing.T, start func(notify.Schedule) *engineBundle)) {
	for _, hot := range []bool{true, false} {
		name := "river-only"
		if hot {
			name = "first-attempt-in-process"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, func(s notify.Schedule) *engineBundle { return startEngineWith(t, s, 10*time.Millisecond, 20, hot) })
		})
	}
}

func startEngineTB(b *testing.B, hot bool) *engineBundle {
	return startEngineWith(b, notify.Schedule{time.Second}, 10*time.Millisecond, 100, hot)
}

func startEngineWith(t testing.TB, schedule notify.Schedule, poll time.Duration, workers int, hot bool) *engineBundle {
	t.Helper()
	b := newEngineBundle(t, schedule, poll, workers)
	b.start(t, hot)
	return b
}

// newEngineBundle builds a store, payments and an engine, not started.
func newEngineBundle(t testing.TB, schedule notify.Schedule, poll time.Duration, workers int) *engineBundle {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "n.db"))
	require.NoError(t, err)
	require.NoError(t, st.Migrate(ctx))
	svc := payment.NewService(st)
	svc.SetRenderer(payment.DialectETpay, urlRenderer{})
	m := storetest.NewMerchantTB(t, st)
	eng, err := notify.NewEngine(st.Driver(), notify.EngineConfig{
		Deliverer: notify.NewDeliverer(notify.Config{AllowPrivate: true, Timeout: 300 * time.Millisecond, UserAgent: notify.UserAgent("test")}),
		FetchPoll: poll,
		Log:       server.NewLogger(io.Discard, "text", 8),
		Repo:      st,
		Schedule:  schedule,
		Secrets:   func(context.Context, string) ([]byte, error) { return []byte(whsec), nil },
		Workers:   workers,
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = eng.Stop(stopCtx)
		st.Close()
	})
	return &engineBundle{engine: eng, merchantID: m.ID, payments: svc, store: st}
}

// start runs the engine; hot: first attempts in process after each commit.
func (b *engineBundle) start(t testing.TB, hot bool) {
	t.Helper()
	require.NoError(t, b.engine.Start(context.Background()))
	if hot {
		b.store.SetDispatcher(b.engine)
	}
}

// complete creates a payment notifying url and completes it.
func (b *engineBundle) complete(t *testing.T, url string) payment.Payment {
	t.Helper()
	ctx := context.Background()
	p, err := b.payments.Create(ctx, payment.Payment{MerchantID: b.merchantID, Dialect: payment.DialectETpay,
		Ref: token.Alnum(40), Amount: payment.Money{Amount: 1000, Currency: "CLP"},
		ExpiresAt: time.Now().Add(time.Hour), URLs: payment.URLs{Notification: url}})
	require.NoError(t, err)
	p, err = b.payments.Transition(ctx, p.ID, payment.StatusCompleted, "", payment.ActorSandbox)
	require.NoError(t, err)
	return p
}

// waitStatus waits until the payment's only notification has status want.
func (b *engineBundle) waitStatus(t *testing.T, paymentID string, want notify.Status) notify.Record {
	t.Helper()
	var rec notify.Record
	require.Eventually(t, func() bool {
		list, err := b.store.ListNotifications(context.Background(), notify.Filter{PaymentID: paymentID})
		require.NoError(t, err)
		if len(list) != 1 {
			return false
		}
		rec = list[0]
		return rec.Status == want
	}, 20*time.Second, 10*time.Millisecond, "notification of %s never became %s (last %+v)", paymentID, want, rec.Status)
	return rec
}

// receiver answers each request with the next status in answers (the last
// repeats) and records the notification ids it saw.
type receiver struct {
	answers []int
	mu      sync.Mutex
	ids     []string
	hits    atomic.Int32
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(rc.hits.Add(1)) - 1
	rc.mu.Lock()
	rc.ids = append(rc.ids, r.Header.Get("X-Pasarela-Notification-Id")+"|"+r.Header.Get("webhook-id"))
	rc.mu.Unlock()
	code := rc.answers[min(n, len(rc.answers)-1)]
	if code == 0 { // simulate a hang past the deliverer's timeout
		time.Sleep(time.Second)
		code = 200
	}
	w.WriteHeader(code)
}

func TestDeliveredOnceOn200(t *testing.T) {
	t.Parallel()

	eachMode(t, func(t *testing.T, start func(notify.Schedule) *engineBundle) {
		b := start(notify.Schedule{50 * time.Millisecond})
		rc := &receiver{answers: []int{200}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		p := b.complete(t, srv.URL)
		rec := b.waitStatus(t, p.ID, notify.StatusDelivered)
		require.Equal(t, 1, rec.Attempts)
		time.Sleep(200 * time.Millisecond) // a duplicate delivery would show up by now
		require.Equal(t, int32(1), rc.hits.Load())
		require.Equal(t, rec.ID+"|"+rec.ID, rc.ids[0])
	})
}

func TestRetriedAfterFailuresThenDelivered(t *testing.T) {
	t.Parallel()

	eachMode(t, func(t *testing.T, start func(notify.Schedule) *engineBundle) {
		b := start(notify.Schedule{50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond})
		// 500, then a hang past the timeout, then 200.
		rc := &receiver{answers: []int{500, 0, 200}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		p := b.complete(t, srv.URL)
		rec := b.waitStatus(t, p.ID, notify.StatusDelivered)
		require.Equal(t, 3, rec.Attempts)
		attempts, err := b.store.ListAttempts(context.Background(), rec.ID)
		require.NoError(t, err)
		require.Len(t, attempts, 3)
		require.Equal(t, 500, attempts[0].StatusCode)
		require.Zero(t, attempts[1].StatusCode)
		require.NotEmpty(t, attempts[1].Error, "the timeout is recorded")
		require.Equal(t, 200, attempts[2].StatusCode)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		for _, id := range rc.ids {
			require.Equal(t, rec.ID+"|"+rec.ID, id, "the id is stable across retries")
		}
	})
}

func TestConnectionRefusedThenDelivered(t *testing.T) {
	t.Parallel()

	eachMode(t, func(t *testing.T, start func(notify.Schedule) *engineBundle) {
		// Reserve a port, close it: the first attempts are refused.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close())

		b := start(notify.Schedule{100 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond,
			300 * time.Millisecond, 500 * time.Millisecond, time.Second, time.Second, time.Second})
		p := b.complete(t, "http://"+addr+"/hook")
		require.Eventually(t, func() bool {
			list, _ := b.store.ListNotifications(context.Background(), notify.Filter{PaymentID: p.ID})
			return len(list) == 1 && list[0].Attempts >= 1 && list[0].Status == notify.StatusFailed
		}, 10*time.Second, 10*time.Millisecond)

		rc := &receiver{answers: []int{200}}
		ln, err = net.Listen("tcp", addr)
		require.NoError(t, err)
		srv := &http.Server{Handler: rc}
		go srv.Serve(ln)
		defer srv.Close()
		rec := b.waitStatus(t, p.ID, notify.StatusDelivered)
		attempts, err := b.store.ListAttempts(context.Background(), rec.ID)
		require.NoError(t, err)
		require.Contains(t, attempts[0].Error, "refused")
	})
}

func TestGoneStopsRetries(t *testing.T) {
	t.Parallel()

	eachMode(t, func(t *testing.T, start func(notify.Schedule) *engineBundle) {
		b := start(notify.Schedule{20 * time.Millisecond, 20 * time.Millisecond, 20 * time.Millisecond})
		rc := &receiver{answers: []int{410}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		p := b.complete(t, srv.URL)
		rec := b.waitStatus(t, p.ID, notify.StatusGone)
		time.Sleep(200 * time.Millisecond)
		require.Equal(t, int32(1), rc.hits.Load())
		require.Equal(t, 410, rec.LastStatusCode)
	})
}

func TestDeadAfterScheduleThenResend(t *testing.T) {
	t.Parallel()

	eachMode(t, func(t *testing.T, start func(notify.Schedule) *engineBundle) {
		b := start(notify.Schedule{20 * time.Millisecond, 20 * time.Millisecond})
		rc := &receiver{answers: []int{503, 503, 503, 200}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		p := b.complete(t, srv.URL)
		rec := b.waitStatus(t, p.ID, notify.StatusDead)
		require.Equal(t, 3, rec.Attempts, "first attempt plus one per scheduled retry")

		// Dead rows stay; a resend delivers and keeps the history.
		require.NoError(t, b.store.Requeue(context.Background(), rec.ID))
		rec = b.waitStatus(t, p.ID, notify.StatusDelivered)
		require.Equal(t, 4, rec.Attempts)
	})
}

func TestSlowMerchantDoesNotDelayOthers(t *testing.T) {
	t.Parallel()

	eachMode(t, func(t *testing.T, start func(notify.Schedule) *engineBundle) {
		b := start(notify.Schedule{time.Second})
		release := make(chan struct{})
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-release
		}))
		defer slow.Close()
		defer close(release)
		fast := &receiver{answers: []int{200}}
		fastSrv := httptest.NewServer(fast)
		defer fastSrv.Close()

		for range 30 { // more than the slow host's slots
			b.complete(t, slow.URL)
		}
		var fastIDs []string
		for range 5 {
			fastIDs = append(fastIDs, b.complete(t, fastSrv.URL).ID)
		}
		for _, id := range fastIDs {
			b.waitStatus(t, id, notify.StatusDelivered)
		}
		require.Equal(t, int32(5), fast.hits.Load())
	})
}

// A first attempt made in process settles the notification and deletes its
// backstop job in the same transaction: River, which here would not fetch
// for an hour, has nothing left to do.
func TestFirstAttemptSettlesItsBackstopJob(t *testing.T) {
	t.Parallel()

	b := startEngineWith(t, notify.Schedule{time.Minute}, time.Hour, 4, true)
	rc := &receiver{answers: []int{200}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	p := b.complete(t, srv.URL)
	rec := b.waitStatus(t, p.ID, notify.StatusDelivered)
	require.Equal(t, 1, rec.Attempts)
	require.Equal(t, int32(1), rc.hits.Load())
	var jobs int
	require.NoError(t, b.store.WriteDB().QueryRow(`SELECT count(*) FROM river_job`).Scan(&jobs))
	require.Zero(t, jobs, "the backstop job went with the delivered attempt")
}

// lostDispatcher takes first attempts and never makes them, like a node
// that died right after its commit.
type lostDispatcher struct{ backstop time.Duration }

func (d lostDispatcher) Backstop() time.Duration { return d.backstop }
func (lostDispatcher) Dispatch([]notify.Queued)  {}

// When the committing node never makes the first attempt, the backstop job
// delivers it once it falls due, with the same id.
func TestBackstopJobDeliversALostFirstAttempt(t *testing.T) {
	t.Parallel()

	b := startEngineWith(t, notify.Schedule{time.Minute}, 10*time.Millisecond, 4, false)
	b.store.SetDispatcher(lostDispatcher{backstop: 1500 * time.Millisecond})
	rc := &receiver{answers: []int{200}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	p := b.complete(t, srv.URL)
	time.Sleep(300 * time.Millisecond)
	require.Zero(t, rc.hits.Load(), "nothing is sent before the backstop falls due")
	rec := b.waitStatus(t, p.ID, notify.StatusDelivered)
	require.Equal(t, 1, rec.Attempts)
	require.Equal(t, rec.ID+"|"+rec.ID, rc.ids[0])
}

// An overloaded node never blocks the committing request: first attempts
// beyond the queue are left to their backstop jobs, with one warning.
func TestDispatchNeverBlocks(t *testing.T) {
	t.Parallel()

	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "d.db"))
	require.NoError(t, err)
	defer st.Close()
	var logs syncbuf.Buffer
	eng, err := notify.NewEngine(st.Driver(), notify.EngineConfig{
		Deliverer: notify.NewDeliverer(notify.Config{AllowPrivate: true, UserAgent: notify.UserAgent("test")}),
		Log:       server.NewLogger(&logs, "text", 0),
		Repo:      st,
		Secrets:   func(context.Context, string) ([]byte, error) { return []byte(whsec), nil },
	})
	require.NoError(t, err)
	// Not started: nothing takes from the queue.
	qs := make([]notify.Queued, 10000)
	for i := range qs {
		qs[i] = notify.Queued{NotificationID: fmt.Sprint("ntf_", i), JobID: int64(i + 1), BackstopAt: time.Now().Add(time.Minute)}
	}
	done := make(chan struct{})
	go func() { eng.Dispatch(qs); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Dispatch blocked")
	}
	// One warning a second, not 1,808 (two if the loop crossed a second).
	n := strings.Count(logs.String(), "first-attempt queue full")
	require.True(t, n == 1 || n == 2, "%d warnings", n)
}

// Resending a failed notification makes its waiting job due now instead of
// adding a second job (two delivery loops for one notification).
func TestResendOfFailedUsesItsJob(t *testing.T) {
	t.Parallel()

	eachMode(t, func(t *testing.T, start func(notify.Schedule) *engineBundle) {
		b := start(notify.Schedule{time.Hour, time.Hour}) // the first retry waits a minute (FirstRetryMax)
		rc := &receiver{answers: []int{500, 200}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		p := b.complete(t, srv.URL)
		rec := b.waitStatus(t, p.ID, notify.StatusFailed)
		require.Eventually(t, func() bool { // its job waits for the retry
			var state string
			err := b.store.WriteDB().QueryRow(`SELECT state FROM river_job`).Scan(&state)
			return err == nil && state == "scheduled"
		}, 10*time.Second, 10*time.Millisecond)
		require.NoError(t, b.store.Requeue(context.Background(), rec.ID))
		rec = b.waitStatus(t, p.ID, notify.StatusDelivered)
		require.Equal(t, 2, rec.Attempts)
		var jobs int
		require.NoError(t, b.store.WriteDB().QueryRow(`SELECT count(*) FROM river_job`).Scan(&jobs))
		require.Equal(t, 1, jobs, "one job per notification")
	})
}
