package vault_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/pasarela/pasarela/token"
	"github.com/pasarela/pasarela/vault"
	"github.com/pasarela/pasarela/vault/vaulttest"
)

// sqliteDB is a temporary database set up as store/sqlite sets up its own
// (WAL, synchronous=FULL, one write connection, a read-only pool), plus
// secure_delete, with the vault_cards migration applied.
type sqliteDB struct {
	path        string
	read, write *sql.DB
	merchants   atomic.Int64
}

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	// Deleted bytes are zeroed instead of lingering in free pages: what
	// makes crypto-shredding true of the database file (see the package doc).
	q.Add("_pragma", "secure_delete(1)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// upSQL is the Up part of a goose migration file in testdata.
func upSQL(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	up, _, ok := strings.Cut(string(b), "-- +goose Down")
	require.True(t, ok, "%s has no Down section", name)
	return up
}

func openSQLite(t testing.TB) *sqliteDB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vault.db")
	write, err := sql.Open("sqlite", dsn(path, false))
	require.NoError(t, err)
	write.SetMaxOpenConns(1)
	t.Cleanup(func() { write.Close() })
	// The gateway's merchants table, reduced to what cards reference.
	_, err = write.Exec(`CREATE TABLE merchants (id TEXT PRIMARY KEY) STRICT`)
	require.NoError(t, err)
	_, err = write.Exec(upSQL(t, "schema_sqlite.sql"))
	require.NoError(t, err)
	read, err := sql.Open("sqlite", dsn(path, true))
	require.NoError(t, err)
	t.Cleanup(func() { read.Close() })
	return &sqliteDB{path: path, read: read, write: write}
}

func (d *sqliteDB) store() *vault.SQLStore { return vault.NewSQLStore(d.read, vault.InTx(d.write)) }

func (d *sqliteDB) newMerchant(t *testing.T) string {
	id := fmt.Sprintf("mer_%d_%s", d.merchants.Add(1), token.Alnum(8))
	_, err := d.write.Exec(`INSERT INTO merchants (id) VALUES ($1)`, id)
	require.NoError(t, err)
	return id
}

// fileBytes is the database as it lies on disk, after moving the WAL into
// the main file so nothing is missed.
func (d *sqliteDB) fileBytes(t *testing.T) []byte {
	t.Helper()
	_, err := d.write.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	require.NoError(t, err)
	var all []byte
	for _, p := range []string{d.path, d.path + "-wal"} {
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		require.NoError(t, err)
		all = append(all, b...)
	}
	return all
}

func TestSQLStoreConformance(t *testing.T) {
	t.Parallel()

	vaulttest.Run(t, func(t *testing.T) (vault.Store, func(*testing.T) string) {
		d := openSQLite(t)
		return d.store(), d.newMerchant
	})
}

func TestMovedCiphertextDoesNotOpen(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	d := openSQLite(t)
	v := vaulttest.NewVault(t, d.store())
	m1, m2 := d.newMerchant(t), d.newMerchant(t)
	exp := nextYear()
	a, err := v.Enroll(ctx, m1, "ana@example.com", vaulttest.Visa, 12, exp)
	require.NoError(t, err)
	b, err := v.Enroll(ctx, m1, "ana@example.com", vaulttest.Mastercard, 12, exp)
	require.NoError(t, err)
	bob, err := v.Enroll(ctx, m1, "bob@example.com", vaulttest.Amex, 12, exp)
	require.NoError(t, err)

	// Someone with write access to the database swaps the two cards' blobs.
	_, err = d.write.Exec(`UPDATE vault_cards SET
		wrapped_key = (SELECT wrapped_key FROM vault_cards WHERE id = $2),
		sealed      = (SELECT sealed FROM vault_cards WHERE id = $2) WHERE id = $1`, a.ID, b.ID)
	require.NoError(t, err)
	_, _, _, err = v.Load(ctx, m1, "ana@example.com", a.ID)
	require.ErrorIs(t, err, vault.ErrUnreadable, "another card's blobs under this id")

	// Only the sealed number moved (the key stays): still refused.
	_, err = d.write.Exec(`UPDATE vault_cards SET sealed = (SELECT sealed FROM vault_cards WHERE id = $2) WHERE id = $1`, b.ID, bob.ID)
	require.NoError(t, err)
	_, _, _, err = v.Load(ctx, m1, "ana@example.com", b.ID)
	require.ErrorIs(t, err, vault.ErrUnreadable)

	// The row handed to another merchant, or another customer: the new owner
	// finds it but it does not open.
	_, err = d.write.Exec(`UPDATE vault_cards SET merchant_id = $2 WHERE id = $1`, bob.ID, m2)
	require.NoError(t, err)
	_, _, _, err = v.Load(ctx, m2, "bob@example.com", bob.ID)
	require.ErrorIs(t, err, vault.ErrUnreadable)
	_, err = d.write.Exec(`UPDATE vault_cards SET merchant_id = $2, customer_email = 'eve@example.com' WHERE id = $1`, bob.ID, m1)
	require.NoError(t, err)
	_, _, _, err = v.Load(ctx, m1, "eve@example.com", bob.ID)
	require.ErrorIs(t, err, vault.ErrUnreadable)

	// Put back, it opens again: the seals were fine, only the binding failed.
	_, err = d.write.Exec(`UPDATE vault_cards SET customer_email = 'bob@example.com' WHERE id = $1`, bob.ID)
	require.NoError(t, err)
	_, pan, _, err := v.Load(ctx, m1, "bob@example.com", bob.ID)
	require.NoError(t, err)
	require.Equal(t, vaulttest.Amex, string(pan))
}

func TestDatabaseFileHoldsNoCardNumber(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	d := openSQLite(t)
	v := vaulttest.NewVault(t, d.store())
	m := d.newMerchant(t)
	pans := []string{vaulttest.Visa, vaulttest.Mastercard}
	for _, pan := range pans {
		_, err := v.Enroll(ctx, m, "ana@example.com", pan, 12, nextYear())
		require.NoError(t, err)
		_, err = v.Enroll(ctx, m, "bob@example.com", pan, 12, nextYear())
		require.NoError(t, err)
	}
	// Checkpointed, so the main file has every page; the WAL is read too.
	file := d.fileBytes(t)
	require.NotEmpty(t, file)
	for _, pan := range pans {
		require.False(t, bytes.Contains(file, []byte(pan)), "the number is in the file")
		require.False(t, bytes.Contains(file, []byte(pan[len(pan)-8:])), "its last 8 digits are in the file")
	}
	require.True(t, bytes.Contains(file, []byte("424242XXXXXX4242")), "the masked number is stored (and the check can see text)")
}

func TestDeleteShredsTheRow(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	d := openSQLite(t)
	v := vaulttest.NewVault(t, d.store())
	m := d.newMerchant(t)
	c, err := v.Enroll(ctx, m, "ana@example.com", vaulttest.Visa, 12, nextYear())
	require.NoError(t, err)
	var wrapped, sealed, fp []byte
	require.NoError(t, d.read.QueryRow(`SELECT wrapped_key, sealed, fingerprint FROM vault_cards WHERE id = $1`, c.ID).
		Scan(&wrapped, &sealed, &fp))
	require.True(t, bytes.Contains(d.fileBytes(t), wrapped), "the wrapped key is in the file before the delete")

	require.NoError(t, v.Delete(ctx, m, "ana@example.com", c.ID))

	// The tombstone keeps no key, ciphertext or fingerprint.
	var w2, s2, f2 []byte
	var deletedAt sql.NullInt64
	var masked string
	require.NoError(t, d.read.QueryRow(`SELECT wrapped_key, sealed, fingerprint, deleted_at, masked FROM vault_cards WHERE id = $1`, c.ID).
		Scan(&w2, &s2, &f2, &deletedAt, &masked))
	require.Nil(t, w2)
	require.Nil(t, s2)
	require.Nil(t, f2)
	require.True(t, deletedAt.Valid)
	require.Equal(t, "424242XXXXXX4242", masked)

	// With secure_delete the old bytes are gone from the file too.
	file := d.fileBytes(t)
	for name, b := range map[string][]byte{"wrapped key": wrapped, "sealed data": sealed, "fingerprint": fp} {
		require.False(t, bytes.Contains(file, b), "the %s survives in the database file", name)
	}

	// The schema refuses a half-shredded row.
	_, err = d.write.Exec(`UPDATE vault_cards SET deleted_at = NULL WHERE id = $1`, c.ID)
	require.ErrorContains(t, err, "CHECK")
}

func TestErrorsAndLogsCarryNoCardData(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	d := openSQLite(t)
	st := d.store()
	v := vaulttest.NewVault(t, st)
	m := d.newMerchant(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	text := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	c, err := v.Enroll(ctx, m, "ana@example.com", vaulttest.Visa, 11, 2031)
	require.NoError(t, err)
	var errs []error
	add := func(err error) {
		require.Error(t, err)
		errs = append(errs, err)
	}
	_, err = v.Enroll(ctx, m, "ana@example.com", vaulttest.Visa, 11, 2031) // duplicate
	add(err)
	_, err = v.Enroll(ctx, m, "ana@example.com", "4242424242424241", 11, 2031) // bad Luhn
	add(err)
	_, err = v.Enroll(ctx, m, "ana@example.com", "4242 4242 4242 424x", 11, 2031) // not digits
	add(err)
	_, err = v.Enroll(ctx, m, "ana@example.com", vaulttest.Mastercard, 13, 2031) // bad month
	add(err)
	_, err = v.Enroll(ctx, m, "ana@example.com", vaulttest.Mastercard, 1, 2020) // expired
	add(err)
	_, err = v.Enroll(ctx, "mer_unknown", "ana@example.com", vaulttest.Mastercard, 1, 2031) // foreign key
	add(err)
	_, _, _, err = v.Load(ctx, m, "bob@example.com", c.ID)
	add(err)
	_, err = d.write.Exec(`UPDATE vault_cards SET sealed = X'00' WHERE id = $1`, c.ID)
	require.NoError(t, err)
	_, _, _, err = v.Load(ctx, m, "ana@example.com", c.ID) // tampered
	add(err)

	// What a careless caller might log: the errors, a Card, and even the
	// number and expiry values themselves.
	_, err = d.write.Exec(`DELETE FROM vault_cards`)
	require.NoError(t, err)
	c, err = v.Enroll(ctx, m, "ana@example.com", vaulttest.Visa, 11, 2031)
	require.NoError(t, err)
	_, pan, exp, err := v.Load(ctx, m, "ana@example.com", c.ID)
	require.NoError(t, err)
	for _, l := range []*slog.Logger{log, text} {
		for _, e := range errs {
			l.Error("vault failed", "err", e)
		}
		l.Info("loaded", "card", c, "pan", pan, "exp", exp, "any", []any{pan, exp})
		l.Info("group", slog.Group("g", slog.Any("pan", pan), slog.Any("exp", exp)))
	}
	var out strings.Builder
	out.WriteString(logs.String())
	for _, e := range errs {
		out.WriteString(e.Error() + "\n")
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		fmt.Fprintf(&out, verb+"\n", pan)
		fmt.Fprintf(&out, verb+"\n", exp)
		fmt.Fprintf(&out, verb+"\n", struct {
			P vault.PAN
			E vault.Expiry
		}{pan, exp})
	}
	fmt.Fprintln(&out, pan, exp, []vault.PAN{pan}, map[string]any{"e": exp})
	all := out.String()

	for _, secret := range []string{vaulttest.Visa, vaulttest.Visa[8:], "4242424242424241", "424x", vaulttest.Mastercard, vaulttest.Mastercard[8:], "2031", "11/31"} {
		require.NotContains(t, all, secret)
	}
	require.Contains(t, all, "424242XXXXXX4242", "masked numbers are what gets printed")
}
