package sqlite

// KeepNoPayments turns the payment cache off, for benchmarks of the
// database read it saves.
func (s *Store) KeepNoPayments() { s.cache = newPaymentCache(0) }
