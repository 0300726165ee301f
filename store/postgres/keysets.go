package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pasarela/pasarela/keyring"
)

// GetKeyset implements keyring.Store.
func (s *Store) GetKeyset(ctx context.Context, name string) ([]byte, error) {
	var b []byte
	err := s.pool.QueryRow(ctx, `SELECT wrapped FROM keysets WHERE name = $1`, name).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, keyring.ErrNoKeyset
	}
	if err != nil {
		return nil, fmt.Errorf("reading keyset %s: %w", name, err)
	}
	return b, nil
}

// PutKeysetIfAbsent implements keyring.Store. ON CONFLICT DO NOTHING makes
// two nodes starting together agree on the first keyset stored.
func (s *Store) PutKeysetIfAbsent(ctx context.Context, name string, wrapped []byte) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO keysets (name, wrapped, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO NOTHING`, name, wrapped, ms(time.Now()))
	if err != nil {
		return fmt.Errorf("storing keyset %s: %w", name, err)
	}
	return nil
}

// ReplaceKeyset implements keyring.RotationStore: compare-and-swap of the
// wrapped bytes, so two rotations cannot overwrite each other.
func (s *Store) ReplaceKeyset(ctx context.Context, name string, prev, next []byte) error {
	tag, err := s.pool.Exec(ctx, `UPDATE keysets SET wrapped = $3 WHERE name = $1 AND wrapped = $2`, name, prev, next)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var one int
	err = s.pool.QueryRow(ctx, `SELECT 1 FROM keysets WHERE name = $1`, name).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return keyring.ErrNoKeyset
	}
	if err != nil {
		return err
	}
	return keyring.ErrKeysetChanged
}
