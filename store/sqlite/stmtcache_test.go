package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// cachedQueries reports which queries conn has prepared.
func cachedQueries(t *testing.T, conn *sql.Conn) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	require.NoError(t, conn.Raw(func(dc any) error {
		for q := range dc.(*cachingConn).stmts {
			out[q] = true
		}
		return nil
	}))
	return out
}

func TestStatementCache(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	db, err := openDB(dsn(filepath.Join(t.TempDir(), "c.db"), false))
	require.NoError(t, err)
	defer db.Close()
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()

	_, err = conn.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)`)
	require.NoError(t, err)
	const insert = `INSERT INTO t (v) VALUES (?)`
	for i := range 10 {
		_, err := conn.ExecContext(ctx, insert, fmt.Sprint("v", i))
		require.NoError(t, err)
	}
	require.True(t, cachedQueries(t, conn)[insert], "the insert is prepared once and kept")

	// A failed run leaves the statement usable, with no stale bindings.
	_, err = conn.ExecContext(ctx, insert, "v3")
	require.ErrorContains(t, err, "UNIQUE")
	_, err = conn.ExecContext(ctx, insert, "v10")
	require.NoError(t, err)

	// The same query again while its rows are still open: the second one
	// cannot share the statement and runs unprepared, both give every row.
	const list = `SELECT v FROM t WHERE id <= ? ORDER BY id`
	outer, err := conn.QueryContext(ctx, list, 3)
	require.NoError(t, err)
	var pairs []string
	for outer.Next() {
		var a string
		require.NoError(t, outer.Scan(&a))
		inner, err := conn.QueryContext(ctx, list, 2)
		require.NoError(t, err)
		for inner.Next() {
			var b string
			require.NoError(t, inner.Scan(&b))
			pairs = append(pairs, a+"/"+b)
		}
		require.NoError(t, inner.Close())
	}
	require.NoError(t, outer.Close())
	require.Equal(t, []string{"v0/v0", "v0/v1", "v1/v0", "v1/v1", "v2/v0", "v2/v1"}, pairs)

	// Closed rows free the statement: the next run reuses it and sees new data.
	var n int
	require.NoError(t, conn.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE id <= ?`, 100).Scan(&n))
	require.Equal(t, 11, n)
	_, err = conn.ExecContext(ctx, insert, "v11")
	require.NoError(t, err)
	require.NoError(t, conn.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE id <= ?`, 100).Scan(&n))
	require.Equal(t, 12, n)

	// A script of several statements runs whole, as without the cache.
	_, err = conn.ExecContext(ctx, `INSERT INTO t (v) VALUES ('a'); INSERT INTO t (v) VALUES ('b')`)
	require.NoError(t, err)
	require.NoError(t, conn.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE v IN ('a', 'b')`).Scan(&n))
	require.Equal(t, 2, n)

	// Invalid SQL is reported, not cached.
	_, err = conn.ExecContext(ctx, `INSERT INTO nope VALUES (1)`)
	require.ErrorContains(t, err, "no such table")
	require.False(t, cachedQueries(t, conn)[`INSERT INTO nope VALUES (1)`])

	// The cache is bounded: past it, queries still run, unprepared.
	for i := range maxCachedStmts + 10 {
		require.NoError(t, conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT %d`, i)).Scan(&n))
		require.Equal(t, i, n)
	}
	require.Len(t, cachedQueries(t, conn), maxCachedStmts)
}

// A writer whose caller leaves while its statements run does not take the
// group commit down: its writes run under the batch's context.
func TestCallerLeavingMidWriteKeepsTheBatch(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "b.db"))
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Migrate(ctx))
	caller, leave := context.WithCancel(ctx)
	err = s.inTx(caller, func(ctx context.Context, tx *sql.Tx) error {
		leave() // the client disconnects mid-write
		_, err := tx.ExecContext(ctx, `INSERT INTO keysets (name, wrapped, created_at) VALUES ('k', x'00', 0)`)
		return err
	})
	require.NoError(t, err, "the batch's context, not the caller's, runs the statement")
	var n int
	require.NoError(t, s.read.QueryRow(`SELECT count(*) FROM keysets WHERE name = 'k'`).Scan(&n))
	require.Equal(t, 1, n)
}
