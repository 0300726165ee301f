package postgres_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/store/postgres"
)

func TestReadyBeforeAndAfterMigrate(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	url := testURL(t)
	schema := freshSchema(t, url)
	st := openIn(t, url, schema)
	require.ErrorContains(t, st.Ready(ctx), "pending")
	require.ErrorContains(t, st.Ready(ctx), "pending", "Ready must not create goose's table and then pass")
	require.NoError(t, st.Migrate(ctx))
	require.NoError(t, st.Ready(ctx))
	require.NoError(t, st.Migrate(ctx), "migrating again finds nothing to do")
	require.NoError(t, st.Ready(ctx))
}

// Several nodes starting at once on an empty database: the advisory lock
// lets one migrate while the others wait and then find nothing to do.
func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	url := testURL(t)
	schema := freshSchema(t, url)
	const nodes = 3
	stores := make([]*postgres.Store, nodes)
	for i := range stores {
		stores[i] = openIn(t, url, schema)
	}
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, st := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = st.Migrate(ctx)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "node %d", i)
		require.NoError(t, stores[i].Ready(ctx), "node %d", i)
	}

	db := stores[0].Pool()
	var applied, distinct int
	require.NoError(t, db.QueryRow(ctx, `SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&applied, &distinct))
	files, err := filepath.Glob("migrations/*.sql")
	require.NoError(t, err)
	require.Equal(t, len(files), applied, "every migration applied")
	require.Equal(t, distinct, applied, "each migration is recorded once")
	var riverVersions, riverDistinct int
	require.NoError(t, db.QueryRow(ctx, `SELECT count(*), count(DISTINCT version) FROM river_migration`).Scan(&riverVersions, &riverDistinct))
	require.Positive(t, riverVersions)
	require.Equal(t, riverDistinct, riverVersions, "each River migration is recorded once")

	// Everything lives in the test's schema: pasarela's, goose's and River's.
	rows, err := db.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, schema)
	require.NoError(t, err)
	tables := map[string]bool{}
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		tables[name] = true
	}
	require.NoError(t, rows.Err())
	for _, want := range []string{"merchants", "payments", "payment_events", "notifications", "notification_attempts",
		"keysets", "goose_db_version", "river_job", "river_migration", "river_leader", "river_queue"} {
		require.True(t, tables[want], "table %s missing from schema %s", want, schema)
	}
	var indexes []string
	rows, err = db.Query(ctx, `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'payments' ORDER BY 1`, schema)
	require.NoError(t, err)
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		indexes = append(indexes, name)
	}
	require.NoError(t, rows.Err())
	require.Subset(t, indexes, []string{"payments_due", "payments_merchant_order", "payments_one_paid_per_order"})
}

// Migrate waits for a node holding the migration lock, then finds its work
// done. (Goose alone happens to survive the race above by retrying, and
// River's migrator takes no lock at all: the lock is what makes it safe.)
func TestMigrateWaitsForTheLock(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	url := testURL(t)
	schema := freshSchema(t, url)
	first, second := openIn(t, url, schema), openIn(t, url, schema)
	held, err := first.LockMigrations(ctx)
	require.NoError(t, err)
	// Released in cleanup too if the test fails early: the pool's Close
	// waits for the connection holding the lock.
	unlock := sync.OnceFunc(held)
	t.Cleanup(unlock)
	done := make(chan error, 1)
	go func() { done <- second.Migrate(ctx) }()

	require.Eventually(t, func() bool {
		var waiting bool
		err := first.Pool().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks
			WHERE locktype = 'advisory' AND classid = $1 AND NOT granted)`, int64(postgres.LockMigrateKey)).Scan(&waiting)
		return err == nil && waiting
	}, 10*time.Second, 20*time.Millisecond, "the second node must wait for the lock")
	select {
	case err := <-done:
		t.Fatalf("Migrate ran while another node held the lock: %v", err)
	default:
	}
	require.ErrorContains(t, second.Ready(ctx), "pending")

	unlock()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("Migrate never got the lock")
	}
	require.NoError(t, first.Migrate(ctx), "the first node finds nothing to do")
	require.NoError(t, first.Ready(ctx))
}
