package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/store"
	"github.com/pasarela/pasarela/store/postgres"
	"github.com/pasarela/pasarela/store/storetest"
)

const defaultTestURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// testURL is the server the tests use, after checking it answers. Without
// one the tests skip, unless PASARELA_REQUIRE_POSTGRES is set (CI sets it,
// so a broken server fails the build instead of silently skipping).
func testURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("PASARELA_TEST_POSTGRES_URL")
	if url == "" {
		url = defaultTestURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(ctx)
	}
	if err != nil {
		if os.Getenv("PASARELA_REQUIRE_POSTGRES") != "" {
			t.Fatalf("PostgreSQL is required (PASARELA_REQUIRE_POSTGRES is set) but unreachable at PASARELA_TEST_POSTGRES_URL (default %s): %v", defaultTestURL, err)
		}
		t.Skipf("PostgreSQL unreachable (%v); set PASARELA_TEST_POSTGRES_URL to run these tests, and PASARELA_REQUIRE_POSTGRES=1 to fail instead of skipping", err)
	}
	return url
}

// freshSchema names a new schema for one test and drops it, with everything
// in it, when the test ends.
func freshSchema(t testing.TB, url string) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return schema
}

// openIn opens a store on schema, closed when the test ends (before the
// schema is dropped: cleanups run last-in first-out).
func openIn(t testing.TB, url, schema string) *postgres.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), url, postgres.Options{Schema: schema, MaxConns: 8})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	return st
}

// openTemp is a migrated store in a schema of its own.
func openTemp(t testing.TB) *postgres.Store {
	t.Helper()
	url := testURL(t)
	st := openIn(t, url, freshSchema(t, url))
	require.NoError(t, st.Migrate(context.Background()))
	return st
}

func TestConformance(t *testing.T) {
	t.Parallel()
	testURL(t) // skip (or fail) once, not in every subtest
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func TestEventsAreAppendOnly(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	st := openTemp(t)
	m := storetest.NewMerchant(t, st)
	p := storetest.NewPayment(t, st, m, "OC-1")
	db := st.Pool()
	_, err := db.Exec(ctx, `UPDATE payment_events SET detail = 'x' WHERE payment_id = $1`, p.ID)
	require.ErrorContains(t, err, "append-only")
	_, err = db.Exec(ctx, `DELETE FROM payment_events WHERE payment_id = $1`, p.ID)
	require.ErrorContains(t, err, "append-only")
	_, err = db.Exec(ctx, `TRUNCATE payment_events CASCADE`)
	require.ErrorContains(t, err, "append-only")
	events, err := st.ListEvents(ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, events, 1)
	require.Empty(t, events[0].Detail)
}

// The trigger guards terminal statuses against any writer, not only the
// store's compare-and-set.
func TestTerminalGuardInSQL(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	st := openTemp(t)
	m := storetest.NewMerchant(t, st)
	db := st.Pool()
	set := func(id string, to payment.Status) error {
		_, err := db.Exec(ctx, `UPDATE payments SET status = $1 WHERE id = $2`, string(to), id)
		return err
	}
	for _, end := range []payment.Status{payment.StatusFailed, payment.StatusCanceled, payment.StatusExpired, payment.StatusRefunded} {
		p := storetest.NewPayment(t, st, m, "OC-"+string(end))
		if end == payment.StatusRefunded {
			require.NoError(t, set(p.ID, payment.StatusCompleted))
		}
		require.NoError(t, set(p.ID, end))
		for _, to := range []payment.Status{payment.StatusCreated, payment.StatusPending, payment.StatusCompleted, payment.StatusFailed} {
			if to == end {
				continue
			}
			require.ErrorContains(t, set(p.ID, to), "terminal payment status cannot change", "%s -> %s", end, to)
		}
		// Rewriting the same status is not a change.
		require.NoError(t, set(p.ID, end))
	}
	p := storetest.NewPayment(t, st, m, "OC-done")
	require.NoError(t, set(p.ID, payment.StatusCompleted))
	for _, to := range []payment.Status{payment.StatusCreated, payment.StatusPending, payment.StatusFailed, payment.StatusExpired} {
		require.ErrorContains(t, set(p.ID, to), "terminal payment status cannot change", "completed -> %s", to)
	}
	require.NoError(t, set(p.ID, payment.StatusRefunded))
	got, err := st.GetPayment(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, payment.StatusRefunded, got.Status)
}

func TestOpenRefusesBadSchemaName(t *testing.T) {
	t.Parallel()

	// Refused before connecting, so no server is needed.
	_, err := postgres.Open(context.Background(), defaultTestURL, postgres.Options{Schema: `x"; DROP TABLE y; --`})
	require.ErrorContains(t, err, "schema")
}
