package vault

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SQLStore is Store over the vault_cards table (testdata/schema_sqlite.sql,
// testdata/schema_postgres.sql) through database/sql. The SQL is the same on
// both engines: it numbers parameters $1, $2…, which PostgreSQL requires and
// modernc.org/sqlite binds by number too, and uses only ON CONFLICT DO
// NOTHING, which both have.
//
// store/sqlite builds it as NewSQLStore(s.read, s.inTx), so card writes join
// its group commit; store/postgres as NewSQLStore(db, InTx(db)) with db =
// stdlib.OpenDBFromPool(pool).
type SQLStore struct {
	read *sql.DB
	inTx func(context.Context, func(context.Context, *sql.Tx) error) error
}

// NewSQLStore reads through read and writes through inTx, which must run fn
// in a write transaction and return once it has committed or rolled back.
func NewSQLStore(read *sql.DB, inTx func(ctx context.Context, fn func(context.Context, *sql.Tx) error) error) *SQLStore {
	return &SQLStore{read: read, inTx: inTx}
}

// InTx runs each write in its own transaction on db: the inTx of
// NewSQLStore for an engine without a writer of its own.
func InTx(db *sql.DB) func(context.Context, func(context.Context, *sql.Tx) error) error {
	return func(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := fn(ctx, tx); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	}
}

var _ Store = (*SQLStore)(nil)

const recordColumns = `id, merchant_id, customer_email, brand, masked, fingerprint, wrapped_key, sealed, created_at, deleted_at`

// InsertCard implements Store. ON CONFLICT DO NOTHING (any unique index:
// the fingerprint's, or the id's, which cannot collide at 154 random bits)
// turns a duplicate into zero rows, without engine-specific error codes.
func (s *SQLStore) InsertCard(ctx context.Context, r Record) error {
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO vault_cards (`+recordColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL) ON CONFLICT DO NOTHING`,
			r.ID, r.MerchantID, r.CustomerEmail, string(r.Brand), r.Masked,
			r.Fingerprint, r.WrappedKey, r.Sealed, r.CreatedAt.UnixMilli())
		if err != nil {
			return fmt.Errorf("inserting card: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrDuplicate
		}
		return nil
	})
}

// GetCard implements Store.
func (s *SQLStore) GetCard(ctx context.Context, merchantID, email, id string) (Record, error) {
	return scanRecord(s.read.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM vault_cards
		WHERE id = $1 AND merchant_id = $2 AND customer_email = $3 AND deleted_at IS NULL`,
		id, merchantID, email))
}

// FindCardByFingerprint implements Store.
func (s *SQLStore) FindCardByFingerprint(ctx context.Context, merchantID, email string, fingerprint []byte) (Record, error) {
	return scanRecord(s.read.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM vault_cards
		WHERE fingerprint = $1 AND merchant_id = $2 AND customer_email = $3 AND deleted_at IS NULL`,
		fingerprint, merchantID, email))
}

// ListCards implements Store. It reads no key or ciphertext column.
func (s *SQLStore) ListCards(ctx context.Context, merchantID, email string) ([]Card, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, merchant_id, customer_email, brand, masked, created_at
		FROM vault_cards WHERE merchant_id = $1 AND customer_email = $2 AND deleted_at IS NULL
		ORDER BY created_at, id`, merchantID, email)
	if err != nil {
		return nil, fmt.Errorf("listing cards: %w", err)
	}
	defer rows.Close()
	var cards []Card
	for rows.Next() {
		var c Card
		var brand string
		var created int64
		if err := rows.Scan(&c.ID, &c.MerchantID, &c.CustomerEmail, &brand, &c.Masked, &created); err != nil {
			return nil, fmt.Errorf("reading card: %w", err)
		}
		c.Brand, c.CreatedAt = Brand(brand), time.UnixMilli(created).UTC()
		cards = append(cards, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing cards: %w", err)
	}
	return cards, nil
}

// DeleteCard implements Store: it overwrites the key, the ciphertext and the
// fingerprint with NULL in one UPDATE, leaving the tombstone.
func (s *SQLStore) DeleteCard(ctx context.Context, merchantID, email, id string, at time.Time) error {
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE vault_cards
			SET fingerprint = NULL, wrapped_key = NULL, sealed = NULL, deleted_at = $4
			WHERE id = $1 AND merchant_id = $2 AND customer_email = $3 AND deleted_at IS NULL`,
			id, merchantID, email, at.UnixMilli())
		if err != nil {
			return fmt.Errorf("deleting card: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

func scanRecord(row *sql.Row) (Record, error) {
	var r Record
	var brand string
	var created int64
	var deleted sql.NullInt64
	err := row.Scan(&r.ID, &r.MerchantID, &r.CustomerEmail, &brand, &r.Masked,
		&r.Fingerprint, &r.WrappedKey, &r.Sealed, &created, &deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, ErrNotFound
	}
	if err != nil {
		return Record{}, fmt.Errorf("reading card: %w", err)
	}
	r.Brand, r.CreatedAt = Brand(brand), time.UnixMilli(created).UTC()
	if deleted.Valid {
		r.DeletedAt = time.UnixMilli(deleted.Int64).UTC()
	}
	return r, nil
}
