// Package postgres is the storage engine for several gateway nodes sharing
// one PostgreSQL database, through pgx/v5 (pgxpool). It behaves exactly as
// store/sqlite (the same conformance suite, store/storetest) and keeps
// River's job tables in the same database and schema, so a status change,
// its event, its notification and the job that delivers it commit in one
// transaction.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/vault"
)

// Options tune the connection pool. Zero values keep what the URL says
// (pool_max_conns=… and friends) or else the defaults below.
type Options struct {
	// MaxConns bounds the pool. Default: DefaultMaxConns unless the URL
	// sets pool_max_conns. Never below 2 (see Migrate).
	MaxConns int32
	// MinConns is kept open even when idle. Default: 0.
	MinConns int32
	// MaxConnLifetime recycles connections (e.g. after a failover).
	// Default: pgxpool's, one hour.
	MaxConnLifetime time.Duration
	// MaxConnIdleTime closes connections idle that long. Default: pgxpool's,
	// 30 minutes.
	MaxConnIdleTime time.Duration
	// Schema, when set, is the search_path of every connection (created if
	// missing): pasarela's tables, goose's version table and River's tables
	// all live there. Letters, digits and underscores only.
	Schema string
}

// DefaultMaxConns is the pool size when neither Options nor the URL set one:
// room for the API, the notification workers and River's listener, while
// four nodes together stay under PostgreSQL's default max_connections (100).
const DefaultMaxConns = 20

// schemaName is what River accepts as a schema too, so a schema name never
// needs more than quoting.
var schemaName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// Store is the PostgreSQL engine. Safe for concurrent use.
type Store struct {
	// SQLStore keeps the vault's cards (it reads and writes through the
	// pool seen as database/sql).
	*vault.SQLStore

	driver *riverpgxv5.Driver
	jobs   notify.Jobs
	pool   *pgxpool.Pool
	river  *river.Client[pgx.Tx]
	sql    *sql.DB // the pool seen through database/sql, for goose
}

// Open connects to the database at databaseURL (postgres://…) and checks
// that it answers. It does not migrate; call Migrate.
func Open(ctx context.Context, databaseURL string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	applyOptions(cfg, databaseURL, opts)
	if opts.Schema != "" {
		if !schemaName.MatchString(opts.Schema) {
			return nil, fmt.Errorf("schema %q: use letters, digits and underscores, starting with a letter or underscore", opts.Schema)
		}
		// A startup parameter rather than a SET after connecting: it holds
		// for every connection the pool ever makes, River's listener
		// included, and survives DISCARD ALL / RESET ALL.
		cfg.ConnConfig.RuntimeParams["search_path"] = quoteIdent(opts.Schema)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	if opts.Schema != "" {
		if err := createSchema(ctx, pool, opts.Schema); err != nil {
			pool.Close()
			return nil, err
		}
	}
	driver := riverpgxv5.New(pool)
	// An insert-only River client: it adds delivery jobs inside our own
	// transactions; the notify engine runs the workers. River's Schema stays
	// empty on purpose: River then follows search_path like everything else,
	// and the notify engine, built from Driver() alone, finds the same
	// tables and listens on the same notification topics.
	rc, err := river.NewClient(driver, &river.Config{})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("creating job client: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	return &Store{SQLStore: vault.NewSQLStore(db, vault.InTx(db)), driver: driver, pool: pool, river: rc, sql: db}, nil
}

func applyOptions(cfg *pgxpool.Config, databaseURL string, opts Options) {
	switch {
	case opts.MaxConns > 0:
		cfg.MaxConns = opts.MaxConns
	case !strings.Contains(databaseURL, "pool_max_conns"):
		cfg.MaxConns = DefaultMaxConns
	}
	// Migrate holds one connection for its lock while goose and River use
	// another; one connection would wait for itself.
	cfg.MaxConns = max(cfg.MaxConns, 2)
	if opts.MinConns > 0 {
		cfg.MinConns = min(opts.MinConns, cfg.MaxConns)
	}
	if opts.MaxConnLifetime > 0 {
		cfg.MaxConnLifetime = opts.MaxConnLifetime
	}
	if opts.MaxConnIdleTime > 0 {
		cfg.MaxConnIdleTime = opts.MaxConnIdleTime
	}
}

// createSchema creates schema unless it exists. Several processes opening
// the same new schema at once race in CREATE SCHEMA IF NOT EXISTS (the
// catalog's unique index answers the loser); the loser finds it exists.
func createSchema(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	_, err := pool.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+quoteIdent(schema))
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == codeUniqueViolation || pe.Code == codeDuplicateSchema) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("creating schema %s: %w", schema, err)
	}
	return nil
}

// Close closes every connection. Stop the notify engine first.
func (s *Store) Close() error {
	err := s.sql.Close()
	s.pool.Close()
	return err
}

// Driver is River's driver over the pool, for the notify engine.
func (s *Store) Driver() *riverpgxv5.Driver { return s.driver }

// Pool is the connection pool, for tests and operators' tools.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// inTx runs fn in a READ COMMITTED transaction and commits when it returns
// nil. READ COMMITTED is enough: every change is a compare-and-set UPDATE,
// which re-checks its WHERE against the newest committed row after waiting
// for a concurrent writer, so of two racing changes exactly one matches.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, fn)
}

// SetDispatcher implements store.Store: first attempts of later status
// changes committed by this node go to d right after their commit.
func (s *Store) SetDispatcher(d notify.Dispatcher) { s.jobs.SetDispatcher(d) }

// insertJobs queues delivery of the notifications inside tx (notify.InsertJobs).
func (s *Store) insertJobs(ctx context.Context, tx pgx.Tx, ids []string, hot bool) (*notify.Batch, error) {
	return notify.InsertJobs(ctx, &s.jobs, s.river, tx, ids, hot)
}

// settleJob deletes the backstop job of a settled first attempt (notify.SettleJob).
func (s *Store) settleJob(ctx context.Context, tx pgx.Tx, id int64) error {
	return notify.SettleJob(ctx, s.river, tx, id)
}

func quoteIdent(name string) string { return pgx.Identifier{name}.Sanitize() }

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func msPtr(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	v := ms(*t)
	return &v
}

func timePtr(v *int64) *time.Time {
	if v == nil {
		return nil
	}
	t := fromMS(*v)
	return &t
}

type scanner interface{ Scan(dest ...any) error }
