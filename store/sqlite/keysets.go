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
	err := s.read.QueryRowContext(ctx, `SELECT wrapped FROM keysets WHERE name = ?`, name).Scan(&b)
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
