package notify

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// DeliverArgs is the River job that delivers one stored notification. The
// job carries only the id: the body, URL and headers were stored with the
// status change that caused them, so every retry sends the same bytes.
type DeliverArgs struct {
	NotificationID string `json:"notification_id"`
}

// Kind names the job in River's tables; never change it, queued jobs carry it.
func (DeliverArgs) Kind() string { return "notification.deliver" }

// Jobs queues the delivery jobs of notifications ids for a store: inside
// the store's transaction it inserts them (due now, or, while a dispatcher
// is set, at its backstop), and after the commit it hands them to the
// dispatcher for their first attempt. Safe for concurrent use.
type Jobs struct {
	d atomic.Pointer[dispatcherRef]
}

type dispatcherRef struct{ Dispatcher }

// SetDispatcher makes later commits' first attempts in process (nil: off).
func (j *Jobs) SetDispatcher(d Dispatcher) {
	if d == nil {
		j.d.Store(nil)
		return
	}
	j.d.Store(&dispatcherRef{d})
}

// Batch is the jobs of one transaction.
type Batch struct {
	d      Dispatcher
	ids    []string
	due    time.Time
	queued []Queued
}

// Params returns River's insert parameters for ids; hot says whether they
// may get a first attempt in process (a status change) or are due now
// (a resend, an import).
func (j *Jobs) Params(ids []string, hot bool) ([]river.InsertManyParams, *Batch) {
	b := &Batch{ids: ids}
	opts := JobOpts()
	if ref := j.d.Load(); hot && ref != nil {
		b.d = ref.Dispatcher
		b.due = time.Now().Add(b.d.Backstop())
		opts.ScheduledAt = b.due
	}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: DeliverArgs{NotificationID: id}, InsertOpts: &opts}
	}
	return params, b
}

// Inserted notes the jobs River inserted (in the order of Params).
func (b *Batch) Inserted(res []*rivertype.JobInsertResult) {
	if b == nil || b.d == nil {
		return
	}
	for i, r := range res {
		if i < len(b.ids) && r != nil && r.Job != nil {
			b.queued = append(b.queued, Queued{NotificationID: b.ids[i], JobID: r.Job.ID, BackstopAt: b.due})
		}
	}
}

// Committed hands the batch to the dispatcher; call it only once the
// transaction is committed.
func (b *Batch) Committed() {
	if b != nil && b.d != nil && len(b.queued) > 0 {
		b.d.Dispatch(b.queued)
	}
}

// InsertJobs inserts the delivery jobs of ids inside tx with client (River
// on the store's own driver); hot: a status change, whose first attempt
// the dispatcher may make. Call Committed on the batch after the commit.
func InsertJobs[TTx any](ctx context.Context, j *Jobs, client *river.Client[TTx], tx TTx, ids []string, hot bool) (*Batch, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	params, b := j.Params(ids, hot)
	res, err := client.InsertManyTx(ctx, tx, params)
	if err != nil {
		return nil, fmt.Errorf("queueing notification delivery: %w", err)
	}
	b.Inserted(res)
	return b, nil
}

// SettleJob deletes inside tx the backstop job of a settled first attempt,
// unless a worker already runs it (that worker finds the notification
// settled) or it is gone.
func SettleJob[TTx any](ctx context.Context, client *river.Client[TTx], tx TTx, id int64) error {
	if id == 0 {
		return nil
	}
	_, err := client.JobDeleteTx(ctx, tx, id)
	if err != nil && !errors.Is(err, rivertype.ErrJobRunning) && !errors.Is(err, rivertype.ErrNotFound) {
		return fmt.Errorf("settling job %d: %w", id, err)
	}
	return nil
}

// JobOpts are the insert options of every delivery job: at most one live
// job per notification, so that a resend of a failed notification does not
// start a second delivery loop beside the one waiting for its retry.
func JobOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1000, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
		rivertype.JobStateRunning, rivertype.JobStateScheduled,
	}}}
}

// RequeueJob makes notification id due now, inside tx: a new job; or, when
// its job is still waiting (for a retry, or as a backstop), that job made
// due at once. A job that is running may be finishing its last attempt
// (its end is recorded by River a moment later), so a fresh job is queued
// beside it: at worst one extra attempt, never a lost resend.
func RequeueJob[TTx any](ctx context.Context, client *river.Client[TTx], tx TTx, id string) error {
	opts := JobOpts()
	args := DeliverArgs{NotificationID: id}
	res, err := client.InsertManyTx(ctx, tx, []river.InsertManyParams{{Args: args, InsertOpts: &opts}})
	if err != nil {
		return fmt.Errorf("queueing notification delivery: %w", err)
	}
	if len(res) != 1 || !res[0].UniqueSkippedAsDuplicate || res[0].Job == nil {
		return nil
	}
	if res[0].Job.State == rivertype.JobStateRunning {
		_, err = client.InsertManyTx(ctx, tx, []river.InsertManyParams{{Args: args, InsertOpts: &river.InsertOpts{MaxAttempts: 1000}}})
	} else {
		_, err = client.JobRetryTx(ctx, tx, res[0].Job.ID)
	}
	if err != nil {
		return fmt.Errorf("making notification %s due: %w", id, err)
	}
	return nil
}
