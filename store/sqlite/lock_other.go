//go:build !unix

package sqlite

// ClaimServer cannot lock the file where flock(2) does not exist; there,
// running one server per database file is the operator's to ensure.
func (s *Store) ClaimServer() error { return nil }
