package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Group commit. SQLite with synchronous=FULL syncs the WAL on every commit,
// so committing each payment alone caps throughput at the disk's sync rate.
// Every write transaction of the store is therefore handed to one writer
// goroutine, which runs all the transactions waiting at that moment inside
// one SQLite transaction, each under its own SAVEPOINT, and commits once.
// A caller is answered only after that commit: an acknowledged write is as
// durable as before, and writes keep the order in which they were queued.
// One transaction's failure rolls back its own savepoint only.

// maxBatch bounds one group commit so a flood cannot starve the first
// writer in it.
const maxBatch = 256

type writeOp struct {
	ctx  context.Context
	done chan error
	fn   func(context.Context, *sql.Tx) error
}

// startWriter runs the group-commit loop until s.stop is closed.
func (s *Store) startWriter() {
	s.ops = make(chan writeOp, maxBatch)
	s.stop = make(chan struct{})
	s.stopped = make(chan struct{})
	go func() {
		defer close(s.stopped)
		batch := make([]writeOp, 0, maxBatch)
		var due checkpointDue
		for {
			select {
			case <-s.stop:
				return
			case op := <-s.ops:
				batch = append(batch[:0], op)
			}
		drain:
			for len(batch) < maxBatch {
				select {
				case op := <-s.ops:
					batch = append(batch, op)
				default:
					break drain
				}
			}
			start := time.Now()
			errs, failAll := s.commitBatch(batch)
			// Counted after the commit (busy time includes the WAL's fsync)
			// and before the answers, so a caller that has its answer
			// finds its write counted.
			s.busySince(start)
			s.commits.Add(1)
			s.committedOps.Add(int64(len(batch)))
			answer(batch, errs, failAll)
			if due.after(len(batch)) {
				s.checkpoint()
			}
		}
	}()
}

// The writer checkpoints the WAL itself, after answering a batch, every
// checkpointCommits commits or checkpointWrites writes, whichever comes
// first. A checkpoint copies the WAL's pages into the database file and
// fsyncs it; with PayRetailers' random ids those pages land all over the
// file. SQLite's automatic checkpoint runs inside the commit that crosses
// its mark, so that batch's callers wait for it too, and it waits for 1,000
// pages, which at a few pages per commit (moderate load) is a long copy.
// Here the batch is answered first, and at moderate load a checkpoint
// copies a few dozen commits' pages. Under saturation (hundreds of writes
// per commit, a bit more than one page each) checkpointWrites keeps it near
// SQLite's 1,000 pages, which stays the backstop (walBackstop).
const (
	checkpointCommits = 32
	checkpointWrites  = 800
)

// checkpointDue counts the commits and writes since the writer's last
// checkpoint.
type checkpointDue struct{ commits, writes int }

// after records a commit of n writes and reports whether a checkpoint is
// due now, starting the count again when it is.
func (d *checkpointDue) after(n int) bool {
	d.commits++
	d.writes += n
	if d.commits < checkpointCommits && d.writes < checkpointWrites {
		return false
	}
	*d = checkpointDue{}
	return true
}

// checkpoint copies what it can of the WAL into the database file
// (PASSIVE: readers are never waited for), as writer time. A failure is
// left to the next checkpoint or SQLite's own.
func (s *Store) checkpoint() {
	defer s.busySince(time.Now())
	var busy, frames, copied int
	_ = s.write.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
}

// commitBatch runs batch in one transaction and returns each op's error,
// or failAll when the whole transaction failed.
func (s *Store) commitBatch(batch []writeOp) (errs []error, failAll error) {
	// The batch outlives any one caller's context: once queued, a write is
	// finished or failed as a whole, never torn by a caller leaving. It has
	// no deadline either: the driver watches a cancellable context with one
	// goroutine per statement (5 per payment, 4 % of the gateway's CPU under
	// load), our statements are short and bounded, and waits for another
	// process's lock are bounded by busy_timeout.
	ctx := context.Background()
	errs = make([]error, len(batch))
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return errs, fmt.Errorf("beginning transaction: %w", err)
	}
	for i, op := range batch {
		if op.ctx.Err() != nil {
			errs[i] = op.ctx.Err() // the caller gave up before we started
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT op`); err != nil {
			errs[i] = err
			continue
		}
		// Each write runs under the batch's context, not its caller's: a
		// statement interrupted by a caller leaving would roll back the
		// whole SQLite transaction, every other writer's work with it.
		if errs[i] = op.fn(ctx, tx); errs[i] != nil {
			if _, err := tx.ExecContext(ctx, `ROLLBACK TO op`); err != nil {
				_ = tx.Rollback()
				return errs, fmt.Errorf("rolling back one write: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `RELEASE op`); err != nil {
			_ = tx.Rollback()
			return errs, fmt.Errorf("releasing one write: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return errs, fmt.Errorf("committing: %w", err)
	}
	return errs, nil
}

// busySince adds the time since start to the writer's busy time.
func (s *Store) busySince(start time.Time) { s.writerBusy.Add(int64(time.Since(start))) }

// answer replies to every op: its own error, or failAll when the whole
// transaction failed (then nothing of any op was stored).
func answer(batch []writeOp, errs []error, failAll error) {
	for i, op := range batch {
		switch {
		case failAll != nil:
			op.done <- failAll
		default:
			op.done <- errs[i]
		}
	}
}

// WriterStats is what the group-commit writer has done since the store
// opened.
type WriterStats struct {
	// Commits is the number of group commits; Writes the write
	// transactions they carried (Writes/Commits is the mean batch).
	Commits, Writes int64
	// Busy is the time spent running and committing batches, fsync
	// included, and checkpointing the WAL after them. Its rate is the
	// writer's utilisation: near 1 s/s the one writer is the bottleneck,
	// whatever the batch size.
	Busy time.Duration
}

// WriterStats reports the writer's counters.
func (s *Store) WriterStats() WriterStats {
	return WriterStats{Commits: s.commits.Load(), Writes: s.committedOps.Load(), Busy: time.Duration(s.writerBusy.Load())}
}

// inTx runs fn in a write transaction (shared with other writers waiting at
// the same moment) and returns once it is durably committed or rolled back.
// fn must use the context it is given (the batch's), not ctx.
func (s *Store) inTx(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	op := writeOp{ctx: ctx, done: make(chan error, 1), fn: fn}
	select {
	case s.ops <- op:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.stop:
		return fmt.Errorf("store closed")
	}
	return <-op.done
}
