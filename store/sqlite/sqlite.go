// Package sqlite is the embedded storage engine: pure-Go SQLite
// (modernc.org/sqlite) in WAL mode with synchronous=FULL, so a payment
// acknowledged to a merchant survives a power cut. Writes go through one
// connection (SQLite allows one writer; a single connection queues them in
// Go instead of failing with SQLITE_BUSY); reads use a pool of read-only
// connections that WAL lets run beside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/vault"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the SQLite engine. Safe for concurrent use.
type Store struct {
	// SQLStore keeps the vault's cards; its writes join the group commit.
	*vault.SQLStore

	// cache keeps recently read payments (cache.go).
	cache *paymentCache
	// claim is the server's lock file (ClaimServer), nil when not claimed.
	claim  *os.File
	path   string
	driver *riversqlite.Driver
	jobs   notify.Jobs
	// commits and committedOps count group commits and the writes in them;
	// writerBusy is the nanoseconds the writer spent on them.
	commits, committedOps, writerBusy atomic.Int64
	ops                               chan writeOp
	read                              *sql.DB
	river                             *river.Client[*sql.Tx]
	stop                              chan struct{}
	stopped                           chan struct{}
	write                             *sql.DB
}

// walBackstop is the WAL size, in pages, at which SQLite checkpoints by
// itself inside a commit, should the writer's own checkpoints (batch.go)
// not have run.
const walBackstop = 1000

// dsn builds a modernc.org/sqlite DSN. busy_timeout covers other processes
// (the CLI beside a running server); _txlock=immediate takes the write lock
// at BEGIN so a transaction that reads before it writes cannot fail midway.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	// Overwrite deleted content: a shredded card leaves no bytes in free pages.
	q.Add("_pragma", "secure_delete(1)")
	// Keep temporary files in memory. Above all the statement journal: every
	// write of a group commit runs under its own SAVEPOINT, and with
	// temp_store=FILE each one wrote the pages it changed to a temporary
	// file first, which was 40 % of a payment's insert time. Durability
	// is the WAL's and is unchanged.
	q.Add("_pragma", "temp_store(MEMORY)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
		// The writer checkpoints on its own schedule (batch.go); SQLite's
		// automatic checkpoint is the backstop.
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walBackstop))
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database file at path. It does not
// migrate; call Migrate.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating database directory: %w", err)
	}
	write, err := openDB(dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	read, err := openDB(dsn(path, true))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("opening %s for reading: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	driver := riversqlite.New(write)
	// An insert-only River client: it adds delivery jobs inside our own
	// transactions; the notify engine runs the workers.
	rc, err := river.NewClient(driver, &river.Config{})
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("creating job client: %w", err)
	}
	s := &Store{cache: newPaymentCache(cacheSize), path: path, read: read, river: rc, write: write, driver: driver}
	s.SQLStore = vault.NewSQLStore(read, s.inTx)
	s.startWriter()
	return s, nil
}

// Close stops the writer and closes both pools.
func (s *Store) Close() error {
	close(s.stop)
	<-s.stopped
	err := errors.Join(s.read.Close(), s.write.Close())
	if s.claim != nil {
		err = errors.Join(err, s.claim.Close()) // releases the flock
	}
	return err
}

// Driver is River's driver over the write pool, for the notify engine.
func (s *Store) Driver() *riversqlite.Driver { return s.driver }

func (s *Store) goose() (*goose.Provider, error) {
	sub, err := fsSub()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectSQLite3, s.write, sub, goose.WithDisableGlobalRegistry(true))
}

// Migrate applies pasarela's and River's migrations. Two processes migrating
// at once serialise on SQLite's write lock; the loser finds nothing to do.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.goose()
	if err != nil {
		return fmt.Errorf("loading migrations: %w", err)
	}
	var lastErr error
	for range 3 {
		if _, lastErr = p.Up(ctx); lastErr == nil {
			break
		}
		if pending, err := p.HasPending(ctx); err == nil && !pending {
			lastErr = nil // another process applied them meanwhile
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if lastErr != nil {
		return fmt.Errorf("migrating database: %w", lastErr)
	}
	m, err := rivermigrate.New(s.driver, nil)
	if err != nil {
		return fmt.Errorf("loading job queue migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrating job queue: %w", err)
	}
	return nil
}

// Ready reports whether the database answers and every migration is applied.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	p, err := s.goose()
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("checking migrations: %w", err)
	}
	if pending {
		return errors.New("database migrations pending")
	}
	return nil
}

// SetDispatcher implements store.Store: first attempts of later status
// changes go to d right after their commit.
func (s *Store) SetDispatcher(d notify.Dispatcher) { s.jobs.SetDispatcher(d) }

// insertJobs queues delivery of the notifications inside tx (notify.InsertJobs).
func (s *Store) insertJobs(ctx context.Context, tx *sql.Tx, ids []string, hot bool) (*notify.Batch, error) {
	return notify.InsertJobs(ctx, &s.jobs, s.river, tx, ids, hot)
}

// settleJob deletes the backstop job of a settled first attempt (notify.SettleJob).
func (s *Store) settleJob(ctx context.Context, tx *sql.Tx, id int64) error {
	return notify.SettleJob(ctx, s.river, tx, id)
}

// bounded marks a read that an index bounds to a few rows: it runs to its
// end even when the request that asked has gone. Watching the request's
// context costs two goroutines per query (database/sql's and the
// driver's), more than such a query itself.
func bounded(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// Pragmas reports the journal mode and synchronous level the write
// connection runs with, so tests and operators can check durability.
func (s *Store) Pragmas(ctx context.Context) (journalMode string, synchronous int, err error) {
	if err = s.write.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&journalMode); err != nil {
		return "", 0, err
	}
	err = s.write.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&synchronous)
	return journalMode, synchronous, err
}

// WriteDB is the single write connection pool, for tests and River.
func (s *Store) WriteDB() *sql.DB { return s.write }
