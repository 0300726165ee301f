package main

import (
	"bytes"
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
	"github.com/pasarela/pasarela/vault"
)

// masterWrappedKeysets are the keysets the master key wraps directly; a
// rotation must re-wrap every one. Values sealed by a keyset (the MAC root,
// merchants' secrets, cards) need nothing: their keys do not change. A new
// keyset opened with keyring.Open belongs here.
var masterWrappedKeysets = []string{keyring.SecretsKeyset, vault.KeysetName}

func newVaultCmd(cfg *gateway.Config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vault",
		Short: "Manage the card vault and the keys that protect it",
	}
	cmd.AddCommand(newVaultRotateKeyCmd(cfg))
	return cmd
}

func newVaultRotateKeyCmd(cfg *gateway.Config) *cobra.Command {
	var newKeyFile string
	var generateOnly bool
	cmd := &cobra.Command{
		Use:   "rotate-key --new-master-key-file PATH",
		Short: "Re-wrap every keyset under a new master key",
		Long: `Re-wrap every keyset stored in the database (the secrets keyset and the card
vault's) under a new master key, read from --new-master-key-file or created
there (mode 0600) when the file does not exist. The current key is the one
--master-key-file names.

Only the wrapping changes: no secret or card is re-encrypted, and running
gateways keep working throughout, as they hold their keys in memory. The old
master key is needed only while this command runs (and to restore backups made
before it). Each keyset is replaced atomically, so an interrupted rotation is
finished by running the command again.

With --generate-only it only creates the new key file, to hand it to every
node before the keysets change.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if newKeyFile == "" {
				return errors.New("--new-master-key-file is required")
			}
			return rotateMasterKey(cmd, *cfg, newKeyFile, generateOnly)
		},
	}
	cmd.Flags().StringVar(&newKeyFile, "new-master-key-file", "", "file holding the new master key; created with mode 0600 when missing")
	cmd.Flags().BoolVar(&generateOnly, "generate-only", false, "only create the new key file; re-wrap nothing")
	return cmd
}

func rotateMasterKey(cmd *cobra.Command, cfg gateway.Config, newKeyFile string, generateOnly bool) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	databaseURL, oldKeyFile, err := storagePaths(cfg)
	if err != nil {
		return err
	}
	if same, err := sameFile(oldKeyFile, newKeyFile); err != nil {
		return err
	} else if same {
		return fmt.Errorf("--new-master-key-file names the current master key file %s; give a new path", oldKeyFile)
	}
	// The current key is only read: creating it here, as the gateway does on
	// first start, would make a wrong path look like a fresh key.
	oldRaw, err := os.ReadFile(oldKeyFile)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("the current master key file %s does not exist; name it with --master-key-file", oldKeyFile)
	}
	if err != nil {
		return fmt.Errorf("reading the current master key: %w", err)
	}
	oldMaster, err := keyring.ParseMasterKey(oldRaw)
	if err != nil {
		return fmt.Errorf("current master key %s: %w", oldKeyFile, err)
	}

	st, err := store.Open(ctx, databaseURL, store.Options{Postgres: postgres.Options{
		MaxConnIdleTime: cfg.DBMaxConnIdleTime, MaxConnLifetime: cfg.DBMaxConnLifetime,
		MaxConns: cfg.DBMaxConns, MinConns: cfg.DBMinConns,
	}})
	if err != nil {
		return err
	}
	defer st.Close()
	// A database the gateway never used has nothing to rotate; more likely
	// --data or --database-url points at the wrong place. Say so before
	// creating a key file.
	if _, err := st.GetKeyset(ctx, keyring.SecretsKeyset); errors.Is(err, keyring.ErrNoKeyset) {
		return fmt.Errorf("the database has no keyset %q: is --data or --database-url the gateway's? nothing was changed", keyring.SecretsKeyset)
	} else if err != nil {
		return fmt.Errorf("reading keysets (is --data or --database-url the gateway's?): %w", err)
	}
	// Nor create a key for a rotation that cannot start: the current key
	// must open the keysets, unless an earlier run already moved them to an
	// existing new key.
	if _, err := keyring.Open(ctx, st, keyring.SecretsKeyset, oldMaster); err != nil {
		if _, serr := os.Stat(newKeyFile); serr != nil {
			return fmt.Errorf("the current master key %s does not open the keysets: is --master-key-file the gateway's? nothing was changed", oldKeyFile)
		}
	}

	rs, ok := st.(keyring.RotationStore)
	if !ok && !generateOnly {
		return fmt.Errorf("this build's %T cannot replace keysets (no ReplaceKeyset); nothing was changed", st)
	}

	newMaster, created, err := loadOrGenerateMasterKey(newKeyFile, oldRaw)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(out, "created the new master key %s (mode 0600)\n", newKeyFile)
	} else {
		fmt.Fprintf(out, "using the new master key in %s\n", newKeyFile)
	}
	if generateOnly {
		fmt.Fprintln(out, "nothing re-wrapped yet: run this command again without --generate-only to rotate")
		return nil
	}

	done, err := keyring.RotateMaster(ctx, rs, masterWrappedKeysets, oldMaster, newMaster)
	for _, r := range done {
		fmt.Fprintf(out, "keyset %s: %s\n", r.Name, r.Result)
	}
	if err != nil {
		return fmt.Errorf("%w\nnothing is lost: the keysets above are under the new key, the rest still under the old one, and nodes keep running; fix the cause and run the command again", err)
	}
	printRotationNextSteps(out, oldKeyFile, newKeyFile)
	return nil
}

// loadOrGenerateMasterKey reads the new key, or creates it when missing. A
// file that exists is reused so an interrupted rotation can be resumed, but
// never when it holds the current key.
func loadOrGenerateMasterKey(path string, current []byte) (a tink.AEAD, created bool, err error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		a, err := keyring.GenerateMasterKeyFile(path)
		if err != nil {
			return nil, false, fmt.Errorf("new master key: %w", err)
		}
		return a, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading the new master key: %w", err)
	}
	if bytes.Equal(bytes.TrimSpace(raw), bytes.TrimSpace(current)) {
		return nil, false, fmt.Errorf("%s holds the current master key; give a path for a new one", path)
	}
	a, err = keyring.ParseMasterKey(raw)
	if err != nil {
		return nil, false, fmt.Errorf("new master key %s: %w", path, err)
	}
	return a, false, nil
}

func printRotationNextSteps(out io.Writer, oldKeyFile, newKeyFile string) {
	fmt.Fprintf(out, `
Every keyset is now wrapped by the new master key.
  new key: %[2]s
  old key: %[1]s (opens none of them any more)
Next:
  1. On every node, make --master-key-file (PASARELA_MASTER_KEY_FILE) name the
     new key (a copy with mode 0600). Do it now: a node started with the old
     key refuses to start. Running nodes need no restart: the keys they hold
     in memory did not change.
  2. Keep the old key offline, apart from the database backups, for as long as
     you keep backups made before this rotation: restoring one needs it. Then
     destroy every copy of it.
`, oldKeyFile, newKeyFile)
}

// storagePaths is what the gateway resolves for --database-url and
// --master-key-file (gateway.Config.resolve): the defaults live in --data.
// Rotation must not open the gateway itself, as that unwraps keysets with
// one master key, which fails halfway through a rotation.
func storagePaths(cfg gateway.Config) (databaseURL, masterKeyFile string, err error) {
	if cfg.DataDir == "" {
		return "", "", errors.New("--data must name a directory")
	}
	databaseURL, masterKeyFile = cfg.DatabaseURL, cfg.MasterKeyFile
	if databaseURL == "" {
		abs, err := filepath.Abs(filepath.Join(cfg.DataDir, "pasarela.db"))
		if err != nil {
			return "", "", err
		}
		databaseURL = "sqlite://" + abs
	}
	if masterKeyFile == "" {
		masterKeyFile = filepath.Join(cfg.DataDir, "master.key")
	}
	return databaseURL, masterKeyFile, nil
}

// sameFile reports whether a and b are one file (by path, or by identity
// when both exist, which catches links).
func sameFile(a, b string) (bool, error) {
	absA, err := filepath.Abs(a)
	if err != nil {
		return false, err
	}
	absB, err := filepath.Abs(b)
	if err != nil {
		return false, err
	}
	if absA == absB {
		return true, nil
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb), nil
}
