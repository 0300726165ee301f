package postgres

import "context"

// LockMigrations exposes the migration lock to the tests.
func (s *Store) LockMigrations(ctx context.Context) (unlock func(), err error) {
	return s.lockMigrations(ctx)
}

// LockMigrateKey is the namespace key of the migration lock.
const LockMigrateKey = lockMigrate
