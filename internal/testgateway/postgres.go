package testgateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultPostgresURL is the server tests use unless
// PASARELA_TEST_POSTGRES_URL names another.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// PostgresURL is the PostgreSQL server for tests, after checking that it
// answers. Without one the test skips, unless PASARELA_REQUIRE_POSTGRES is
// set (CI sets it: a broken server must fail the build, not skip quietly).
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("PASARELA_TEST_POSTGRES_URL")
	if u == "" {
		u = DefaultPostgresURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(ctx)
	}
	if err != nil {
		if os.Getenv("PASARELA_REQUIRE_POSTGRES") != "" {
			t.Fatalf("PostgreSQL is required (PASARELA_REQUIRE_POSTGRES is set) but unreachable at PASARELA_TEST_POSTGRES_URL (default %s): %v", DefaultPostgresURL, err)
		}
		t.Skipf("PostgreSQL unreachable (%v); set PASARELA_TEST_POSTGRES_URL to run this test, and PASARELA_REQUIRE_POSTGRES=1 to fail instead of skipping", err)
	}
	return u
}

// FreshDatabase creates an empty database pasarela_t_<random> on the test
// server and returns its URL; it is dropped, whoever is still connected,
// when the test ends. A database rather than a schema, because the gateway
// binary takes only a URL (and so uses the database's default schema).
func FreshDatabase(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "pasarela_t_" + hex.EncodeToString(b)
	admin := func(sql string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	ident := pgx.Identifier{name}.Sanitize()
	if err := admin(`CREATE DATABASE ` + ident); err != nil {
		t.Fatalf("creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		// FORCE ends the sessions of nodes a failed test left running.
		if err := admin(`DROP DATABASE IF EXISTS ` + ident + ` WITH (FORCE)`); err != nil {
			t.Errorf("dropping database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("PostgreSQL URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}
