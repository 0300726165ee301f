package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/pasarela/pasarela/keyring"
)

// GetKeyset implements keyring.Store.
func (s *Store) GetKeyset(ctx context.Context, name string) ([]byte, error) {
	var b []byte
	err := s.read.QueryRowContext(bounded(ctx), `SELECT wrapped FROM keysets WHERE name = ?`, name).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keyring.ErrNoKeyset
	}
	return b, err
}

// PutKeysetIfAbsent implements keyring.Store.
func (s *Store) PutKeysetIfAbsent(ctx context.Context, name string, wrapped []byte) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO keysets (name, wrapped, created_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO NOTHING`, name, wrapped, ms(time.Now()))
	return err
}

// ReplaceKeyset implements keyring.RotationStore: compare-and-swap of the
// wrapped bytes, so two rotations cannot overwrite each other.
func (s *Store) ReplaceKeyset(ctx context.Context, name string, prev, next []byte) error {
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE keysets SET wrapped = ? WHERE name = ? AND wrapped = ?`, next, name, prev)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			return nil
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM keysets WHERE name = ?`, name).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return keyring.ErrNoKeyset
		}
		if err != nil {
			return err
		}
		return keyring.ErrKeysetChanged
	})
}
