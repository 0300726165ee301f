package vault_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/token"
	"github.com/pasarela/pasarela/vault"
	"github.com/pasarela/pasarela/vault/vaulttest"
)

// postgresURL follows store/postgres's tests: PASARELA_TEST_POSTGRES_URL or
// the local default; skip when unreachable unless PASARELA_REQUIRE_POSTGRES.
func postgresURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("PASARELA_TEST_POSTGRES_URL")
	if u == "" {
		u = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	db, err := sql.Open("pgx", u)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
		db.Close()
	}
	if err != nil {
		if os.Getenv("PASARELA_REQUIRE_POSTGRES") != "" {
			t.Fatalf("PostgreSQL is required but unreachable: %v", err)
		}
		t.Skipf("PostgreSQL unreachable (%v); set PASARELA_TEST_POSTGRES_URL", err)
	}
	return u
}

// openPostgres is a schema of its own with the vault_cards migration, and a
// database/sql pool whose search_path is that schema, as store/postgres
// would hand to vault.NewSQLStore through stdlib.OpenDBFromPool.
func openPostgres(t *testing.T, base string) (*sql.DB, func(*testing.T) string) {
	t.Helper()
	ctx := context.Background()
	schema := "vault_" + token.Hex(8)
	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`)
		admin.Close()
	})
	_, err = admin.ExecContext(ctx, `CREATE SCHEMA `+schema)
	require.NoError(t, err)

	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.ExecContext(ctx, `CREATE TABLE merchants (id TEXT PRIMARY KEY)`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, upSQL(t, "schema_postgres.sql"))
	require.NoError(t, err)

	var n atomic.Int64
	return db, func(t *testing.T) string {
		id := fmt.Sprintf("mer_%d_%s", n.Add(1), token.Alnum(8))
		_, err := db.Exec(`INSERT INTO merchants (id) VALUES ($1)`, id)
		require.NoError(t, err)
		return id
	}
}

func TestPostgresSQLStoreConformance(t *testing.T) {
	t.Parallel()

	base := postgresURL(t)
	vaulttest.Run(t, func(t *testing.T) (vault.Store, func(*testing.T) string) {
		db, newMerchant := openPostgres(t, base)
		return vault.NewSQLStore(db, vault.InTx(db)), newMerchant
	})
}

func TestPostgresMovedCiphertextDoesNotOpen(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	db, newMerchant := openPostgres(t, postgresURL(t))
	v := vaulttest.NewVault(t, vault.NewSQLStore(db, vault.InTx(db)))
	m1, m2 := newMerchant(t), newMerchant(t)
	c, err := v.Enroll(ctx, m1, "ana@example.com", vaulttest.Visa, 12, nextYear())
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE vault_cards SET merchant_id = $2 WHERE id = $1`, c.ID, m2)
	require.NoError(t, err)
	_, _, _, err = v.Load(ctx, m2, "ana@example.com", c.ID)
	require.ErrorIs(t, err, vault.ErrUnreadable)
}
