package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/store"
	"github.com/pasarela/pasarela/store/sqlite"
	"github.com/pasarela/pasarela/store/storetest"
)

func openTemp(t *testing.T) *sqlite.Store { return openTempB(t) }

func openTempB(t testing.TB) *sqlite.Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "pasarela.db"))
}

// openAt opens and migrates a store at path, closed when t ends.
func openAt(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(ctx))
	return st
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func TestPragmasAreDurable(t *testing.T) {
	t.Parallel()

	st := openTemp(t)
	mode, sync, err := st.Pragmas(context.Background())
	require.NoError(t, err)
	require.Equal(t, "wal", mode)
	require.Equal(t, 2, sync, "synchronous must be FULL (2)")
}

// The writer checkpoints every 32 commits (batch.go), not only when SQLite's
// own mark of 1,000 pages is crossed: at one payment per commit that is a
// few hundred pages, so each checkpoint is a short copy. The WAL file is
// reused from its start after a checkpoint, so its size is the largest WAL
// reached: about 1,000 frames with SQLite's mark alone, under 500 here.
func TestCheckpointsKeepTheWALSmall(t *testing.T) {
	t.Parallel()

	dir := t.TempDir()
	st := openAt(t, filepath.Join(dir, "pasarela.db"))
	m := storetest.NewMerchant(t, st)
	for i := range 400 {
		storetest.NewPayment(t, st, m, fmt.Sprintf("order-%d", i)) // one commit each
	}
	info, err := os.Stat(filepath.Join(dir, "pasarela.db-wal"))
	require.NoError(t, err)
	const frame = 4096 + 24
	require.Less(t, info.Size(), int64(600*frame), "WAL of %d frames", info.Size()/frame)
	require.Greater(t, info.Size(), int64(100*frame), "the WAL was written")
	t.Logf("WAL of %d frames", info.Size()/frame)
}

// The group commit's savepoints need a statement journal; on a temporary
// file it cost 40 % of every insert.
func TestTemporaryStorageIsInMemory(t *testing.T) {
	t.Parallel()

	st := openTemp(t)
	var tempStore int
	require.NoError(t, st.WriteDB().QueryRowContext(context.Background(), `PRAGMA temp_store`).Scan(&tempStore))
	require.Equal(t, 2, tempStore, "temp_store must be MEMORY (2)")
}

func TestEventsAreAppendOnly(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	st := openTemp(t)
	m := storetest.NewMerchant(t, st)
	p := storetest.NewPayment(t, st, m, "OC-1")
	db := st.WriteDB()
	_, err := db.ExecContext(ctx, `UPDATE payment_events SET detail = 'x' WHERE payment_id = ?`, p.ID)
	require.ErrorContains(t, err, "append-only")
	_, err = db.ExecContext(ctx, `DELETE FROM payment_events WHERE payment_id = ?`, p.ID)
	require.ErrorContains(t, err, "append-only")
}

func TestMigrateTwiceAndReady(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pasarela.db")
	st, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer st.Close()
	require.ErrorContains(t, st.Ready(ctx), "pending")
	require.NoError(t, st.Migrate(ctx))
	require.NoError(t, st.Migrate(ctx))
	require.NoError(t, st.Ready(ctx))
}
