//go:build unix

package sqlite

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ClaimServer makes this process the only server of the database file, for
// as long as the store is open: a second `pasarela serve` on the same file
// is refused. The payment cache (cache.go) is exact only while one process
// changes payments, and two servers would also both run the sweeper and the
// sandbox rails. Other commands (merchant, payment, notification, export)
// read or change no payment and do not claim. The claim is an flock(2) on a
// file beside the database, released by Close or the process's end, however
// it ends.
func (s *Store) ClaimServer() error {
	path := s.path + "-server.lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("claiming the database: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("another pasarela server is using %s (SQLite has one server per file; use PostgreSQL for several nodes)", s.path)
		}
		return fmt.Errorf("claiming the database: %w", err)
	}
	s.claim = f
	return nil
}
