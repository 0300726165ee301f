package notify

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// First attempts in process. A River job waits for a worker's next fetch
// and costs the one database writer a fetch and a completion besides the
// attempt record. So the node that commits a status change makes the first
// attempt itself, right after the commit, and the job it inserted in the
// same transaction is scheduled for later, as the backstop: a delivered (or
// gone, or dead) first attempt deletes the job in the transaction that
// records it; a failed one leaves the job as the first retry; a crash
// before the record leaves the job to deliver (at least once, same id).

// Queued is a notification just committed with its backstop job.
type Queued struct {
	NotificationID string
	// JobID is the River job inserted with it.
	JobID int64
	// BackstopAt is when the job becomes due unless the first attempt
	// settles it.
	BackstopAt time.Time
}

// Dispatcher makes first attempts; stores call it after a commit that
// queued notifications.
type Dispatcher interface {
	// Backstop is how long after the commit the backstop job falls due.
	Backstop() time.Duration
	// Dispatch hands over notifications committed just now without
	// blocking; what it cannot take is left to the backstop jobs.
	Dispatch([]Queued)
}

// hotMargin separates a first attempt from its backstop job: the attempt
// (slot wait and request) must end this long before the job falls due.
const hotMargin = time.Second

// hotSlotWait is how long a first attempt waits for a busy destination
// before leaving the notification to River's workers.
const hotSlotWait = 250 * time.Millisecond

// dispatchQueue bounds first attempts waiting for a dispatcher goroutine.
const dispatchQueue = 8192

// backstop is the delay of a backstop job: the schedule's first retry, and
// never so soon that a first attempt could still be running.
func (c EngineConfig) backstop() time.Duration {
	first := min(c.Schedule[0], FirstRetryMax)
	return max(first, c.timeout+2*hotMargin)
}

// Backstop implements Dispatcher.
func (e *Engine[TTx]) Backstop() time.Duration { return e.cfg.backstop() }

// Dispatch implements Dispatcher.
func (e *Engine[TTx]) Dispatch(qs []Queued) {
	for _, q := range qs {
		select {
		case e.hot <- q:
		default:
			// Overload: say so at most once a second, not once per notification.
			if now := time.Now().Unix(); e.lastFullLog.Swap(now) != now {
				e.cfg.Log.Warn("first-attempt queue full: backstop jobs will deliver", "queue", dispatchQueue, "notification_id", q.NotificationID)
			}
		}
	}
}

// runDispatchers runs the first-attempt goroutines until stop is closed;
// attempts in flight then finish.
func (e *Engine[TTx]) runDispatchers(stop <-chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	for range e.cfg.Workers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case q := <-e.hot:
					e.firstAttempt(q)
				}
			}
		})
	}
	return &wg
}

// firstAttempt delivers q once and records the result, settling the
// backstop job when the notification needs no retry.
func (e *Engine[TTx]) firstAttempt(q Queued) {
	// The attempt must be over before the job can start.
	ctx, cancel := context.WithDeadline(context.Background(), q.BackstopAt.Add(-hotMargin))
	defer cancel()
	rec, err := e.cfg.Repo.GetNotification(ctx, q.NotificationID)
	if err != nil || rec.Status != StatusPending || rec.Attempts > 0 {
		return // the backstop job sees to it
	}
	secret, err := e.cfg.Secrets(ctx, rec.MerchantID)
	if err != nil {
		e.cfg.Log.Warn("first attempt: webhook secret", "notification_id", rec.ID, "err", err)
		return
	}
	a, outcome := e.cfg.Deliverer.Deliver(withSlotWait(ctx, hotSlotWait), rec.Notification, 1, secret)
	_, retry := e.cfg.Schedule.NextRetry(1, rand.Float64)
	status, sent := StatusAfter(outcome, retry)
	// Recording must happen even when the attempt used up ctx.
	recCtx, cancelRec := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelRec()
	if !sent {
		// The destination is busy: let River's workers queue for it now
		// rather than at the backstop.
		if _, err := e.client.JobRetry(recCtx, q.JobID); err != nil {
			e.cfg.Log.Warn("first attempt deferred: making the job due", "notification_id", rec.ID, "err", err)
		}
		return
	}
	var next *time.Time
	settles := q.JobID
	if status == StatusFailed {
		next, settles = &q.BackstopAt, 0 // the backstop job is the first retry
	}
	if err := e.cfg.Repo.RecordAttempt(recCtx, a, status, next, settles); err != nil {
		if !errors.Is(err, context.Canceled) {
			e.cfg.Log.Error("recording first attempt", "notification_id", rec.ID, "err", err)
		}
		return
	}
	e.cfg.Log.LogAttrs(recCtx, slog.LevelInfo, "notification attempt",
		slog.String("notification_id", rec.ID), slog.String("payment_id", rec.PaymentID),
		slog.Int("attempt", 1), slog.Int("status_code", a.StatusCode),
		slog.String("result", string(status)), slog.Duration("latency", a.Latency))
}
