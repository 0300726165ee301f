package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/pasarela/pasarela/gateway"
	"github.com/pasarela/pasarela/keyring"
	"github.com/pasarela/pasarela/store"
	"github.com/pasarela/pasarela/store/postgres"
	"github.com/pasarela/pasarela/store/transfer"
)

// secretsKeyset is the keyset gateway.Open seals merchant secrets with: the
// one the master key must open on the target.
const secretsKeyset = "secrets"

func newExportCmd(cfg *gateway.Config) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export --out FILE",
		Short: "Write the whole database to a file, to move it to another database with import",
		Long: `Write every keyset, merchant, payment, event, notification and delivery attempt of
the configured database (--data or --database-url) to FILE, to load it into another
database with "pasarela import": this is how a SQLite deployment moves to PostgreSQL.

The export reads one consistent snapshot and works while the gateway serves, but
changes made after it starts are not in the file: for a move, stop the gateway (or
its traffic) first. Secrets stay as they are stored, hashed or sealed; the target
needs the same master key file. The file holds every payment's data: keep it like a
backup, and delete it after the move. FILE is created with mode 0600 and never
overwritten; "-" writes to standard output.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("--out is required (a new file, or - for standard output)")
			}
			ctx := cmd.Context()
			st, err := openConfiguredStore(ctx, *cfg, false)
			if err != nil {
				return err
			}
			defer st.Close()
			var counts transfer.Counts
			if out == "-" {
				counts, err = store.Export(ctx, st, cmd.OutOrStdout())
				if err != nil {
					return err
				}
			} else if counts, err = exportToFile(ctx, st, out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "exported %s from %s to %s\n", describe(counts), store.EngineName(st), out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write (must not exist), or - for standard output")
	return cmd
}

// exportToFile writes to a temporary file beside path and renames it into
// place once complete and synced, so path never holds half an export.
func exportToFile(ctx context.Context, st store.Store, path string) (transfer.Counts, error) {
	if _, err := os.Lstat(path); err == nil {
		return transfer.Counts{}, fmt.Errorf("--out %s exists; refusing to overwrite it", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return transfer.Counts{}, fmt.Errorf("--out: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	counts, err := store.Export(ctx, st, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return counts, err
	}
	// Link, not rename: it fails instead of replacing a file created at
	// path meanwhile.
	if err := os.Link(tmp.Name(), path); err != nil {
		return counts, fmt.Errorf("--out: %w", err)
	}
	return counts, nil
}

func newImportCmd(cfg *gateway.Config) *cobra.Command {
	var in string
	cmd := &cobra.Command{
		Use:   "import --in FILE",
		Short: "Load a file written by export into an empty database",
		Long: `Load a file written by "pasarela export" into the configured database
(--database-url, usually postgres://…), which must be empty: import refuses a
database that holds any keyset, merchant, payment or notification. It migrates the
database first and loads everything in one transaction, so a failed import leaves
it empty.

The target keeps the source's keysets, so nodes on it need the source's master
key: import checks, before storing anything, that --master-key-file (default:
master.key in --data) opens them. Merchants keep their credentials. Notifications
not yet delivered are queued again and delivered once a node runs on the target.

Do not start nodes on the target before the import: a node creates keys of its own
in an empty database, which then is no longer empty.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if in == "" {
				return errors.New("--in is required (a file written by export, or - for standard input)")
			}
			ctx := cmd.Context()
			keyFile := cfg.MasterKeyFile
			if keyFile == "" {
				keyFile = filepath.Join(cfg.DataDir, "master.key")
			}
			// Read, never create: a fresh key could not open the source's
			// keysets, and would only hide the mistake until the first start.
			raw, err := os.ReadFile(keyFile)
			if err != nil {
				return fmt.Errorf("master key: %w (the target needs the source's master key file: copy it and give --master-key-file)", err)
			}
			master, err := keyring.ParseMasterKey(raw)
			if err != nil {
				return fmt.Errorf("master key %s: %w", keyFile, err)
			}
			var r io.Reader = cmd.InOrStdin()
			if in != "-" {
				f, err := os.Open(in)
				if err != nil {
					return fmt.Errorf("--in: %w", err)
				}
				defer f.Close()
				r = f
			}
			st, err := openConfiguredStore(ctx, *cfg, true)
			if err != nil {
				return err
			}
			defer st.Close()
			counts, err := store.Import(ctx, st, r, checkKeyset(ctx, master, keyFile))
			if err != nil {
				return fmt.Errorf("import failed, nothing was stored: %w", err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "imported %s into %s; start the nodes with the same master key file (%s)\n",
				describe(counts), store.EngineName(st), keyFile)
			return nil
		},
	}
	cmd.Flags().StringVar(&in, "in", "", "file written by export, or - for standard input")
	return cmd
}

// checkKeyset refuses the import before anything is committed when the
// master key cannot open the exported secrets keyset: a target nobody can
// start is worse than no target.
func checkKeyset(ctx context.Context, master tink.AEAD, keyFile string) func(transfer.Item) error {
	return func(it transfer.Item) error {
		if it.Keyset == nil || it.Keyset.Name != secretsKeyset {
			return nil
		}
		if _, err := keyring.Open(ctx, oneKeyset{it.Keyset}, secretsKeyset, master); err != nil {
			return fmt.Errorf("the master key %s does not open the exported keysets; use the source's master key file: %w", keyFile, err)
		}
		return nil
	}
}

// oneKeyset is a keyring.Store holding one keyset, to try the master key
// on it without a database.
type oneKeyset struct{ k *transfer.Keyset }

func (o oneKeyset) GetKeyset(_ context.Context, name string) ([]byte, error) {
	if name != o.k.Name {
		return nil, keyring.ErrNoKeyset
	}
	return o.k.Wrapped, nil
}

func (oneKeyset) PutKeysetIfAbsent(context.Context, string, []byte) error {
	return errors.New("read-only")
}

// openConfiguredStore opens the database of cfg without gateway.Open, which
// would create keysets (and so fill an import target) and migrate (which
// an export must not do to its source). A SQLite source must exist: opening
// a mistyped path would create an empty database and export nothing.
func openConfiguredStore(ctx context.Context, cfg gateway.Config, create bool) (store.Store, error) {
	url := cfg.DatabaseURL
	if url == "" {
		// The default gateway.Config resolves to: SQLite in --data.
		path, err := filepath.Abs(filepath.Join(cfg.DataDir, "pasarela.db"))
		if err != nil {
			return nil, err
		}
		if !create {
			if _, err := os.Stat(path); err != nil {
				return nil, fmt.Errorf("no database to export: %w", err)
			}
		}
		url = "sqlite://" + path
	}
	return store.Open(ctx, url, store.Options{Postgres: postgres.Options{
		MaxConnIdleTime: cfg.DBMaxConnIdleTime, MaxConnLifetime: cfg.DBMaxConnLifetime,
		MaxConns: cfg.DBMaxConns, MinConns: cfg.DBMinConns,
	}})
}

func describe(c transfer.Counts) string {
	return fmt.Sprintf("%d keysets, %d merchants, %d vault cards, %d payments, %d events, %d notifications, %d delivery attempts",
		c.Keysets, c.Merchants, c.Cards, c.Payments, c.Events, c.Notifications, c.Attempts)
}
