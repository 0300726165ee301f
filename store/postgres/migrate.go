package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Advisory lock namespaces: the first key of PostgreSQL's two-key advisory
// locks, so pasarela's locks never collide with one-key locks (River's,
// goose's) nor with each other.
const (
	lockMigrate int32 = 0x7061_736d // "pasm"
	lockOrder   int32 = 0x7061_736f // "paso"
)

func (s *Store) goose() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, s.sql, sub, goose.WithDisableGlobalRegistry(true))
}

// Migrate applies pasarela's migrations (goose) and then River's
// (rivermigrate), holding a session advisory lock around both: of several
// nodes starting at once, one migrates while the others wait, then find
// nothing to do. The lock's second key is a hash of the current schema, so
// tests migrating their own schemas in parallel do not queue behind each
// other, while nodes sharing a schema always take the same lock.
func (s *Store) Migrate(ctx context.Context) error {
	unlock, err := s.lockMigrations(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	p, err := s.goose()
	if err != nil {
		return fmt.Errorf("loading migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrating database: %w", err)
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

// lockMigrations waits for the migration lock on a connection of its own
// (a session lock belongs to one connection) and returns its release.
func (s *Store) lockMigrations(ctx context.Context) (unlock func(), err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("taking the migration lock: %w", err)
	}
	// coalesce: with no existing schema on the search_path current_schema()
	// is NULL, and pg_advisory_lock(…, NULL) would return without locking.
	var key int32
	err = conn.QueryRow(ctx, `SELECT k FROM (SELECT hashtext(coalesce(current_schema(), '')) AS k) s,
		LATERAL pg_advisory_lock($1, s.k)`, lockMigrate).Scan(&key)
	if err != nil {
		conn.Release()
		return nil, fmt.Errorf("taking the migration lock: %w", err)
	}
	return func() { releaseLock(conn, key) }, nil
}

func releaseLock(conn *pgxpool.Conn, key int32) {
	// Unlock even when the caller's context has ended.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1, $2)`, lockMigrate, key); err != nil {
		// Ending the session is the other way to drop a session lock; a
		// connection still holding it must never go back to the pool.
		_ = conn.Hijack().Close(ctx)
		return
	}
	conn.Release()
}

// Ready reports whether the database answers and every migration, the
// gateway's and the job queue's, is applied. It never writes: a missing
// goose version table means "pending" (goose itself would create it).
func (s *Store) Ready(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	var versioned bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass('goose_db_version') IS NOT NULL`).Scan(&versioned); err != nil {
		return fmt.Errorf("checking migrations: %w", err)
	}
	if !versioned {
		return errors.New("database migrations pending")
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
	m, err := rivermigrate.New(s.driver, nil)
	if err != nil {
		return err
	}
	res, err := m.Validate(ctx, nil)
	if err != nil {
		return fmt.Errorf("checking job queue migrations: %w", err)
	}
	if !res.OK {
		return fmt.Errorf("job queue migrations pending: %s", strings.Join(res.Messages, "; "))
	}
	return nil
}
