package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// Prepared statements. modernc.org/sqlite parses SQL on every un-prepared
// Exec or Query, and parsing was a third of the CPU of a delivery in
// profiles; the gateway runs a handful of fixed statements, so each is
// prepared once per pool and reused.
type stmtCache struct {
	m sync.Map // key{db, query} → *sql.Stmt

	// pending are write statements seen inside a transaction: the single
	// write connection is busy then, so they are prepared after the commit.
	mu      sync.Mutex
	pending map[string]bool
}

type stmtKey struct {
	db    *sql.DB
	query string
}

func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	k := stmtKey{db, query}
	if s, ok := c.m.Load(k); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("preparing statement: %w", err)
	}
	if prev, loaded := c.m.LoadOrStore(k, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

func (c *stmtCache) close() {
	c.m.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
}

// writeStmt returns the prepared write statement for query, or nil (and
// remembers to prepare it) when it is not prepared yet.
func (c *stmtCache) writeStmt(db *sql.DB, query string) *sql.Stmt {
	if st, ok := c.m.Load(stmtKey{db, query}); ok {
		return st.(*sql.Stmt)
	}
	c.mu.Lock()
	if c.pending == nil {
		c.pending = map[string]bool{}
	}
	c.pending[query] = true
	c.mu.Unlock()
	return nil
}

// preparePending prepares the write statements seen since the last call;
// the writer calls it between transactions, when the connection is free.
func (c *stmtCache) preparePending(ctx context.Context, db *sql.DB) {
	c.mu.Lock()
	queries := c.pending
	c.pending = nil
	c.mu.Unlock()
	for q := range queries {
		_, _ = c.get(ctx, db, q) // a failure only means it stays unprepared
	}
}

// txExec runs query inside tx, prepared when it can be.
func (s *Store) txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if st := s.stmts.writeStmt(s.write, query); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// txQueryRow runs a single-row query inside tx, prepared when it can be.
func (s *Store) txQueryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if st := s.stmts.writeStmt(s.write, query); st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}

// readRow runs a cached single-row query on the read pool.
func (s *Store) readRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.stmts.get(ctx, s.read, query)
	if err != nil {
		return s.read.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// readRows runs a cached query on the read pool. The dynamic list queries
// have a small fixed set of shapes (which filters are set), so caching by
// text stays bounded.
func (s *Store) readRows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.stmts.get(ctx, s.read, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}
