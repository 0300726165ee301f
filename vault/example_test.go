package vault_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pasarela/pasarela/keyring"
	"github.com/pasarela/pasarela/vault"
)

// How the gateway wires the vault: the vault keyset wrapped by the master
// key, the fingerprint key derived from the keyring's MAC root, the cards in
// the gateway's database.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "vault-example")
	defer os.RemoveAll(dir)

	master, err := keyring.LoadOrCreateMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		panic(err)
	}
	db := exampleDB(filepath.Join(dir, "pasarela.db"))
	defer db.Close()
	keysets := exampleKeysets{db}

	secrets, err := keyring.Open(ctx, keysets, keyring.SecretsKeyset, master)
	if err != nil {
		panic(err)
	}
	root, err := secrets.LoadRoot(ctx, keysets)
	if err != nil {
		panic(err)
	}
	kek, err := keyring.Open(ctx, keysets, vault.KeysetName, master)
	if err != nil {
		panic(err)
	}
	v, err := vault.New(vault.NewSQLStore(db, vault.InTx(db)), kek, root.Derive(vault.FingerprintPurpose))
	if err != nil {
		panic(err)
	}

	card, err := v.Enroll(ctx, "mer_1", "Ana@Example.com", "4242 4242 4242 4242", 12, 2031)
	if err != nil {
		panic(err)
	}
	fmt.Println(card.Brand, card.Masked, card.Last4Masked(), card.CustomerEmail)

	_, err = v.Enroll(ctx, "mer_1", "ana@example.com", "4242424242424242", 12, 2031)
	var dup *vault.DuplicateError
	fmt.Println(errors.As(err, &dup) && dup.Existing.ID == card.ID)

	_, pan, exp, err := v.Load(ctx, "mer_1", "ana@example.com", card.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println(pan, exp) // they print masked; string(pan) is the number
	fmt.Println(len(string(pan)), exp.Month, exp.Year)

	if err := v.Delete(ctx, "mer_1", "ana@example.com", card.ID); err != nil {
		panic(err)
	}
	_, _, _, err = v.Load(ctx, "mer_1", "ana@example.com", card.ID)
	fmt.Println(err)
	// Output:
	// visa 424242XXXXXX4242 XXXXXXXXXXXX4242 ana@example.com
	// true
	// 424242XXXXXX4242 [redacted]
	// 16 12 2031
	// vault: card not found
}

func exampleDB(path string) *sql.DB {
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		panic(err)
	}
	db.SetMaxOpenConns(1)
	migration, err := os.ReadFile(filepath.Join("testdata", "schema_sqlite.sql"))
	if err != nil {
		panic(err)
	}
	up, _, _ := strings.Cut(string(migration), "-- +goose Down")
	for _, q := range []string{
		`CREATE TABLE merchants (id TEXT PRIMARY KEY) STRICT`,
		`INSERT INTO merchants (id) VALUES ('mer_1')`,
		`CREATE TABLE keysets (name TEXT PRIMARY KEY, wrapped BLOB NOT NULL, created_at INTEGER NOT NULL) STRICT`,
		up,
	} {
		if _, err := db.Exec(q); err != nil {
			panic(err)
		}
	}
	return db
}

// exampleKeysets stands in for the store's keysets table.
type exampleKeysets struct{ db *sql.DB }

func (k exampleKeysets) GetKeyset(ctx context.Context, name string) ([]byte, error) {
	var b []byte
	err := k.db.QueryRowContext(ctx, `SELECT wrapped FROM keysets WHERE name = $1`, name).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keyring.ErrNoKeyset
	}
	return b, err
}

func (k exampleKeysets) PutKeysetIfAbsent(ctx context.Context, name string, wrapped []byte) error {
	_, err := k.db.ExecContext(ctx, `INSERT INTO keysets (name, wrapped, created_at) VALUES ($1, $2, 0)
		ON CONFLICT (name) DO NOTHING`, name, wrapped)
	return err
}
