// Package store opens the gateway's database behind one interface. Every
// engine (store/sqlite now, store/postgres for several nodes) implements
// Store and passes the same conformance suite, store/storetest.
package store

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/pasarela/pasarela/keyring"
	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/store/sqlite"
)

// Store is everything the gateway keeps.
type Store interface {
	keyring.Store
	merchant.Repository
	notify.Repository
	payment.Repository

	Close() error
	// Migrate applies every pending migration (the gateway's and the job
	// queue's); safe to run from several processes at once.
	Migrate(ctx context.Context) error
	// Ready reports whether the database answers with migrations current.
	Ready(ctx context.Context) error
}

var _ Store = (*sqlite.Store)(nil)

// Open opens the database named by a URL: sqlite:///path/to/file.db (or
// sqlite:relative/path.db) for the embedded engine.
func Open(ctx context.Context, databaseURL string) (Store, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	switch u.Scheme {
	case "sqlite", "sqlite3":
		path := u.Path
		if u.Opaque != "" {
			path = u.Opaque
		}
		if u.Host != "" {
			path = u.Host + path // sqlite://relative/file.db
		}
		if strings.TrimSpace(path) == "" {
			return nil, fmt.Errorf("database URL %q names no file", databaseURL)
		}
		return sqlite.Open(ctx, path)
	case "postgres", "postgresql":
		return nil, fmt.Errorf("database URL: PostgreSQL support is not built yet (issue 7)")
	default:
		return nil, fmt.Errorf("database URL %q: scheme must be sqlite or postgres", databaseURL)
	}
}
