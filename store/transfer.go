package store

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/pasarela/pasarela/store/postgres"
	"github.com/pasarela/pasarela/store/sqlite"
	"github.com/pasarela/pasarela/store/transfer"
)

// Transfer is what an engine offers to move a gateway's data to another
// engine (store/transfer explains the stream): `pasarela export` and
// `pasarela import` move a SQLite deployment to PostgreSQL, or back.
type Transfer interface {
	// Export streams every row, parents first, from one consistent
	// snapshot.
	Export(ctx context.Context, emit func(transfer.Item) error) error
	// Import loads a stream (until next returns io.EOF) into a migrated,
	// empty database in one transaction, queueing delivery of the
	// notifications not delivered yet.
	Import(ctx context.Context, next func() (transfer.Item, error)) (transfer.Counts, error)
}

var _ Transfer = (*sqlite.Store)(nil)
var _ Transfer = (*postgres.Store)(nil)

// EngineName names the engine of st as export headers do.
func EngineName(st Store) string {
	switch st.(type) {
	case *sqlite.Store:
		return sqlite.Engine
	case *postgres.Store:
		return postgres.Engine
	}
	return fmt.Sprintf("%T", st)
}

// Export writes every row of st to w in the export format. The store must
// have no pending migrations: an older schema would not hold what this
// version exports.
func Export(ctx context.Context, st Store, w io.Writer) (transfer.Counts, error) {
	t, ok := st.(Transfer)
	if !ok {
		return transfer.Counts{}, fmt.Errorf("the %s engine cannot export", EngineName(st))
	}
	if err := st.Ready(ctx); err != nil {
		return transfer.Counts{}, fmt.Errorf("source database: %w (run `pasarela migrate` on it first)", err)
	}
	tw, err := transfer.NewWriter(w, EngineName(st))
	if err != nil {
		return transfer.Counts{}, err
	}
	if err := t.Export(ctx, tw.Write); err != nil {
		return tw.Counts(), err
	}
	return tw.Counts(), tw.Close()
}

// Import migrates st and loads the export read from r into it; st must be
// empty. check, when not nil, sees every row before it is stored and can
// stop the import (nothing is stored then): the CLI uses it to prove the
// master key opens the imported keysets before committing anything.
func Import(ctx context.Context, st Store, r io.Reader, check func(transfer.Item) error) (transfer.Counts, error) {
	t, ok := st.(Transfer)
	if !ok {
		return transfer.Counts{}, fmt.Errorf("the %s engine cannot import", EngineName(st))
	}
	tr, err := transfer.NewReader(r)
	if err != nil {
		return transfer.Counts{}, err
	}
	if err := st.Migrate(ctx); err != nil {
		return transfer.Counts{}, err
	}
	return t.Import(ctx, func() (transfer.Item, error) {
		it, err := tr.Next()
		if err != nil {
			return it, err
		}
		if check != nil {
			if err := check(it); err != nil {
				if errors.Is(err, io.EOF) {
					return it, fmt.Errorf("check: %w", err) // never end the stream early
				}
				return it, err
			}
		}
		return it, nil
	})
}
