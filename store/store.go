// Package store opens the gateway's database behind one interface. Every
// engine (store/sqlite now, store/postgres for several nodes) implements
// Store and passes the same conformance suite, store/storetest.
package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/pasarela/pasarela/keyring"
	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/store/postgres"
	"github.com/pasarela/pasarela/store/sqlite"
	"github.com/pasarela/pasarela/vault"
)

// Store is everything the gateway keeps.
type Store interface {
	keyring.RotationStore
	merchant.Repository
	notify.Repository
	payment.Repository
	vault.Store

	Close() error
	// Migrate applies every pending migration (the gateway's and the job
	// queue's); safe to run from several processes at once.
	Migrate(ctx context.Context) error
	// Ready reports whether the database answers with migrations current.
	Ready(ctx context.Context) error
	// SetDispatcher hands the notifications of later status changes to d
	// for their first attempt right after the commit, their River jobs
	// becoming the backstop (nil: jobs are due at once).
	SetDispatcher(d notify.Dispatcher)
}

var _ Store = (*sqlite.Store)(nil)
var _ Store = (*postgres.Store)(nil)

// Options tune the engines; zero values take each engine's defaults.
type Options struct {
	// Postgres sets the PostgreSQL pool (and, in tests, the schema).
	Postgres postgres.Options
}

// Open opens the database named by a URL: sqlite:///path/to/file.db (or
// sqlite:relative/path.db) for the embedded engine, postgres://… for
// PostgreSQL. Errors never repeat the URL: it may carry a password.
func Open(ctx context.Context, databaseURL string, opts Options) (Store, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return nil, errors.New("database URL is not a valid URL")
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
			return nil, fmt.Errorf("database URL %q names no file", u.Redacted())
		}
		return sqlite.Open(ctx, path)
	case "postgres", "postgresql":
		st, err := postgres.Open(ctx, databaseURL, opts.Postgres)
		if err != nil {
			return nil, err // not a typed nil inside a non-nil Store
		}
		return st, nil
	default:
		return nil, fmt.Errorf("database URL scheme must be sqlite or postgres, not %q", u.Scheme)
	}
}
