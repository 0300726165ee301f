package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"reflect"

	"modernc.org/sqlite"
)

// Statement cache. modernc.org/sqlite parses the SQL of every un-prepared
// Exec and Query, and parsing was the largest cost in profiles: a third of
// a notification delivery's CPU, most of it River's own queries (job
// insert, fetch, completion), which go through database/sql and that we
// cannot prepare ourselves. So every connection keeps the statements it
// has run, prepared, keyed by their text: the gateway's queries and
// River's are a small fixed set. database/sql never uses one connection
// from two goroutines at once, so a connection's cache needs no lock.

// maxCachedStmts bounds one connection's cache; queries past it run
// unprepared, as they would without the cache.
const maxCachedStmts = 256

// openDB opens a pool on dsn whose connections cache prepared statements.
func openDB(dsn string) (*sql.DB, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(cachingConnector{base}), nil
}

type cachingConnector struct{ driver.Connector }

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &cachingConn{conn: conn, stmts: map[string]*cachedStmt{}}, nil
}

// baseConn is what database/sql needs of modernc's connection.
type baseConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type cachingConn struct {
	conn  driver.Conn
	stmts map[string]*cachedStmt
}

// cachedStmt is one prepared statement; busy while rows it returned are
// open, since a statement runs one query at a time.
type cachedStmt struct {
	stmt driver.Stmt
	busy bool
}

func (c *cachingConn) base() baseConn { return c.conn.(baseConn) }

// stmt returns the cached statement for query, preparing it on first use;
// nil when it cannot be used now (busy, cache full, or not preparable).
func (c *cachingConn) stmt(ctx context.Context, query string) *cachedStmt {
	if st, ok := c.stmts[query]; ok {
		if st.busy {
			return nil
		}
		return st
	}
	if len(c.stmts) >= maxCachedStmts {
		return nil
	}
	s, err := c.base().PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared path reports the error
	}
	st := &cachedStmt{stmt: s}
	c.stmts[query] = st
	return st
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	st := c.stmt(ctx, query)
	if st == nil {
		return c.base().ExecContext(ctx, query, args)
	}
	return st.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	st := c.stmt(ctx, query)
	if st == nil {
		return c.base().QueryContext(ctx, query, args)
	}
	rows, err := st.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	st.busy = true
	return &cachedRows{rows: rows, st: st}, nil
}

func (c *cachingConn) Close() error {
	for q, st := range c.stmts {
		_ = st.stmt.Close()
		delete(c.stmts, q)
	}
	return c.conn.Close()
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) { return c.conn.Prepare(query) }
func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.base().BeginTx(context.Background(), driver.TxOptions{})
}
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.base().BeginTx(ctx, opts)
}
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.base().PrepareContext(ctx, query)
}
func (c *cachingConn) Ping(ctx context.Context) error { return c.base().Ping(ctx) }
func (c *cachingConn) ResetSession(ctx context.Context) error {
	return c.base().ResetSession(ctx)
}
func (c *cachingConn) IsValid() bool { return c.base().IsValid() }

// cachedRows frees its statement for the next query when closed.
type cachedRows struct {
	rows driver.Rows
	st   *cachedStmt
}

func (r *cachedRows) Columns() []string              { return r.rows.Columns() }
func (r *cachedRows) Next(dest []driver.Value) error { return r.rows.Next(dest) }
func (r *cachedRows) Close() error {
	err := r.rows.Close()
	r.st.busy = false
	return err
}

// The column type methods modernc's rows offer, for sql.Rows.ColumnTypes.
func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	return r.rows.(driver.RowsColumnTypeDatabaseTypeName).ColumnTypeDatabaseTypeName(i)
}
func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	return r.rows.(driver.RowsColumnTypeScanType).ColumnTypeScanType(i)
}
func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	return r.rows.(driver.RowsColumnTypeNullable).ColumnTypeNullable(i)
}
