// Command pasarela is the payment gateway: one binary that serves both
// merchant APIs, the payer's pages and the notification workers, and
// manages merchants and migrations.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pasarela/pasarela/gateway"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd(os.Stdout, os.Stderr).ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// newRootCmd builds the command tree; tests run it in-process.
func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	cfg := gateway.Defaults()
	root := &cobra.Command{
		Use:   "pasarela",
		Short: "pasarela: an open-source payment gateway speaking the ETpay and PayRetailers APIs",
		Long: `pasarela is a payment gateway in one binary. It serves the ETpay pay-by-bank API and
the PayRetailers/Paygol API v2, the payer's hosted pages, and signed, retried
notifications. Out of the box it runs in sandbox mode on embedded SQLite.

Every flag can also be set with an environment variable: --foo-bar reads
PASARELA_FOO_BAR when the flag is not given.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return applyEnv(cmd.Flags())
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	pf.StringVar(&cfg.DataDir, "data", cfg.DataDir, "directory for the SQLite database, master key and sandbox credentials")
	pf.StringVar(&cfg.DatabaseURL, "database-url", "", "database URL: sqlite:///path/file.db or postgres://… (default: SQLite in --data)")
	pf.StringVar(&cfg.MasterKeyFile, "master-key-file", "", "file holding the master key that wraps every other key (default: master.key in --data); created with mode 0600 when missing")
	pf.Int32Var(&cfg.DBMaxConns, "db-max-conns", 0, "PostgreSQL: most connections this node opens (default 20, or pool_max_conns in the URL)")
	pf.Int32Var(&cfg.DBMinConns, "db-min-conns", 0, "PostgreSQL: connections kept open while idle")
	pf.DurationVar(&cfg.DBMaxConnLifetime, "db-max-conn-lifetime", 0, "PostgreSQL: recycle connections after this long (default 1h)")
	pf.DurationVar(&cfg.DBMaxConnIdleTime, "db-max-conn-idle-time", 0, "PostgreSQL: close connections idle this long (default 30m)")
	pf.StringVar(&cfg.PreviousMasterKeyFile, "previous-master-key-file", "", "during a master key rotation: the old master key, so keysets not yet re-wrapped still open (read only)")
	pf.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "log format: text or json")
	pf.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "log level: debug, info, warn or error")

	root.AddCommand(newServeCmd(&cfg), newMigrateCmd(&cfg), newMerchantCmd(&cfg), newPaymentCmd(&cfg), newNotificationCmd(&cfg), newVaultCmd(&cfg))
	root.AddCommand(newExportCmd(&cfg), newImportCmd(&cfg))
	return root
}

// applyEnv sets every flag the user did not give from PASARELA_<NAME>.
func applyEnv(fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || err != nil || f.Name == "help" {
			return
		}
		env := "PASARELA_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = fmt.Errorf("%s=%q: %w", env, v, serr)
			}
		}
	})
	return err
}
