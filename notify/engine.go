package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
)

// SecretFunc returns the Standard Webhooks secret ("whsec_…") of a merchant.
type SecretFunc func(ctx context.Context, merchantID string) ([]byte, error)

// EngineConfig assembles a delivery engine.
type EngineConfig struct {
	Deliverer *Deliverer
	// FetchPoll is how often idle workers look for new jobs: River on
	// SQLite polls, so this bounds the latency from a state change to its
	// first delivery attempt.
	FetchPoll time.Duration
	Log       *slog.Logger
	// RescueAfter is when a job whose node died mid-delivery is retried by
	// another (or the restarted) node. It must exceed the longest attempt.
	RescueAfter time.Duration
	Repo        Repository
	Schedule    Schedule
	Secrets     SecretFunc
	// Workers bounds concurrent deliveries on this node.
	Workers int

	// timeout is the Deliverer's bound on one attempt, which the job's
	// timeout and the backstop delay derive from.
	timeout time.Duration
}

// jobTimeout leaves room for a wait on a busy destination, one attempt and
// the store writes around it.
func (c EngineConfig) jobTimeout() time.Duration { return 2*c.timeout + 5*time.Second }

// Engine runs delivery jobs on one node; several nodes may run one each on
// a shared database: River hands each job to one worker at a time.
type Engine[TTx any] struct {
	cfg    EngineConfig
	client *river.Client[TTx]
	// hot holds first attempts for the dispatcher goroutines.
	hot        chan Queued
	stopHot    chan struct{}
	dispatched *sync.WaitGroup
	// lastFullLog is the Unix second of the last "queue full" warning.
	lastFullLog atomic.Int64
}

// NewEngine builds an engine on River's driver for the store's database.
func NewEngine[TTx any](driver riverdriver.Driver[TTx], cfg EngineConfig) (*Engine[TTx], error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 50
	}
	if cfg.FetchPoll <= 0 {
		cfg.FetchPoll = 50 * time.Millisecond
	}
	if cfg.Deliverer == nil {
		return nil, fmt.Errorf("notification engine: no Deliverer")
	}
	cfg.timeout = cfg.Deliverer.cfg.Timeout
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = 2 * time.Minute
	}
	if cfg.RescueAfter <= cfg.jobTimeout() {
		return nil, fmt.Errorf("rescue-after (%s) must exceed the job timeout (%s = 2 x delivery timeout + 5s)", cfg.RescueAfter, cfg.jobTimeout())
	}
	if len(cfg.Schedule) == 0 {
		cfg.Schedule = DefaultSchedule
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &worker{cfg: cfg}); err != nil {
		return nil, err
	}
	client, err := river.NewClient(driver, &river.Config{
		FetchCooldown:        cfg.FetchPoll,
		FetchPollInterval:    cfg.FetchPoll,
		JobTimeout:           cfg.jobTimeout(),
		Logger:               cfg.Log,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		RescueStuckJobsAfter: cfg.RescueAfter,
		Workers:              workers,
	})
	if err != nil {
		return nil, fmt.Errorf("creating notification engine: %w", err)
	}
	return &Engine[TTx]{cfg: cfg, client: client, hot: make(chan Queued, dispatchQueue)}, nil
}

// Start begins first attempts and working jobs until Stop.
func (e *Engine[TTx]) Start(ctx context.Context) error {
	if err := e.client.Start(ctx); err != nil {
		return err
	}
	e.stopHot = make(chan struct{})
	e.dispatched = e.runDispatchers(e.stopHot)
	return nil
}

// Stop lets running deliveries finish and stops taking new ones; first
// attempts not begun are left to their backstop jobs.
func (e *Engine[TTx]) Stop(ctx context.Context) error {
	if e.stopHot != nil {
		close(e.stopHot)
		e.dispatched.Wait()
		e.stopHot = nil
	}
	return e.client.Stop(ctx)
}

type worker struct {
	river.WorkerDefaults[DeliverArgs]
	cfg EngineConfig
}

// Timeout leaves room for waiting on a busy destination plus one attempt.
func (w *worker) Timeout(*river.Job[DeliverArgs]) time.Duration { return w.cfg.jobTimeout() }

func (w *worker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	rec, err := w.cfg.Repo.GetNotification(ctx, job.Args.NotificationID)
	if errors.Is(err, ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err // River retries on its own schedule: the store was unreachable
	}
	if rec.Status != StatusPending && rec.Status != StatusFailed {
		return nil // delivered or given up already (a resend raced a retry)
	}
	secret, err := w.cfg.Secrets(ctx, rec.MerchantID)
	if err != nil {
		return fmt.Errorf("webhook secret of %s: %w", rec.MerchantID, err)
	}
	number := rec.Attempts + 1
	a, outcome := w.cfg.Deliverer.Deliver(ctx, rec.Notification, number, secret)
	delay, retry := w.cfg.Schedule.NextRetry(number, rand.Float64)
	status, sent := StatusAfter(outcome, retry)
	if !sent {
		// The destination is busy with other deliveries: come back soon
		// without spending an attempt or holding a worker.
		return river.JobSnooze(time.Second)
	}
	var next *time.Time
	if status == StatusFailed {
		at := a.At.Add(delay)
		next = &at
	}
	if err := w.cfg.Repo.RecordAttempt(ctx, a, status, next, 0); err != nil {
		return fmt.Errorf("recording attempt %d of %s: %w", number, rec.ID, err)
	}
	w.cfg.Log.LogAttrs(ctx, slog.LevelInfo, "notification attempt",
		slog.String("notification_id", rec.ID), slog.String("payment_id", rec.PaymentID),
		slog.Int("attempt", number), slog.Int("status_code", a.StatusCode),
		slog.String("result", string(status)), slog.Duration("latency", a.Latency))
	switch status {
	case StatusDelivered:
		return nil
	case StatusFailed:
		return river.JobSnooze(time.Until(*next))
	default: // dead or gone: the row says so; the job has nothing left to do
		return river.JobCancel(fmt.Errorf("notification %s %s", rec.ID, status))
	}
}
