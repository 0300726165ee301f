package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pasarela/pasarela/gateway"
)

func newMigrateCmd(cfg *gateway.Config) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply database migrations",
		Long: `Apply every pending migration of the gateway and its job queue, then exit.
serve does this on start too; run it explicitly in a rollout before new nodes start.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			g, err := gateway.Open(cmd.Context(), *cfg, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer g.Close()
			fmt.Fprintln(cmd.OutOrStdout(), "migrations applied")
			return nil
		},
	}
}
