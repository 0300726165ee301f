package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pasarela/pasarela/dashboard"
	"github.com/pasarela/pasarela/gateway"
	"github.com/pasarela/pasarela/notify"
)

func newNotificationCmd(cfg *gateway.Config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notification",
		Short: "Inspect and resend merchant notifications",
		Long: `Inspect the notifications sent to merchants, every delivery attempt, and resend them.
Works while a gateway is serving from the same data: a resend is picked up by its workers.`,
	}
	cmd.AddCommand(newNotificationListCmd(cfg), newNotificationShowCmd(cfg), newNotificationResendCmd(cfg))
	return cmd
}

func newNotificationListCmd(cfg *gateway.Config) *cobra.Command {
	var f notify.Filter
	var status string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List notifications, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.Status = notify.Status(status)
			if status != "" && !f.Status.Valid() {
				return fmt.Errorf("--status %q is not a notification status (pending, delivered, failed, dead or gone)", status)
			}
			return withGateway(cmd.Context(), *cfg, cmd.ErrOrStderr(), func(g *gateway.Gateway) error {
				recs, err := g.Store.ListNotifications(cmd.Context(), f)
				if err != nil {
					return err
				}
				view := func(r notify.Record) dashboard.NotificationView { return dashboard.ViewNotification(r, nil) }
				return printViews(cmd.OutOrStdout(), recs, view, asJSON, printNotifications)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.PaymentID, "payment", "", "only this payment's notifications (payment id)")
	fl.StringVar(&f.MerchantID, "merchant", "", "only this merchant's notifications")
	fl.StringVar(&status, "status", "", "only this status: pending, delivered, failed, dead or gone")
	fl.IntVar(&f.Limit, "limit", 100, "at most this many (max 1000)")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newNotificationShowCmd(cfg *gateway.Config) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a notification, its body and every attempt",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withGateway(cmd.Context(), *cfg, cmd.ErrOrStderr(), func(g *gateway.Gateway) error {
				rec, err := g.Store.GetNotification(cmd.Context(), args[0])
				if err != nil {
					return fmt.Errorf("notification %s: %w", args[0], err)
				}
				attempts, err := g.Store.ListAttempts(cmd.Context(), rec.ID)
				if err != nil {
					return err
				}
				v := dashboard.ViewNotification(rec, attempts)
				if asJSON {
					return json.NewEncoder(cmd.OutOrStdout()).Encode(v)
				}
				w := cmd.OutOrStdout()
				if err := printNotifications(w, []dashboard.NotificationView{v}); err != nil {
					return err
				}
				fmt.Fprintf(w, "\n%s %s\n%s\n\n", v.Method, v.URL, v.Body)
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "#\tAT\tSTATUS\tLATENCY\tERROR")
				for _, a := range v.Attempts {
					fmt.Fprintf(tw, "%d\t%s\t%d\t%.1fms\t%s\n", a.Number, a.At.Format(time.RFC3339), a.StatusCode, a.LatencyMS, a.Error)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newNotificationResendCmd(cfg *gateway.Config) *cobra.Command {
	var allFailed, asJSON bool
	var merchantID string
	cmd := &cobra.Command{
		Use:   "resend ID | --all-failed",
		Short: "Send a notification again (or every failed and dead one)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if allFailed == (len(args) == 1) {
				return errors.New("give either a notification ID or --all-failed")
			}
			return withGateway(cmd.Context(), *cfg, cmd.ErrOrStderr(), func(g *gateway.Gateway) error {
				var ids []string
				if allFailed {
					var err error
					if ids, err = dashboard.ResendFailed(cmd.Context(), g.Store, merchantID); err != nil {
						return err
					}
				} else {
					if err := g.Store.Requeue(cmd.Context(), args[0]); err != nil {
						return fmt.Errorf("notification %s: %w", args[0], err)
					}
					ids = []string{args[0]}
				}
				if asJSON {
					return json.NewEncoder(cmd.OutOrStdout()).Encode(map[string][]string{"resent": ids})
				}
				fmt.Fprintf(cmd.OutOrStdout(), "queued %d notification(s) for delivery\n", len(ids))
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&allFailed, "all-failed", false, "resend every failed and dead notification")
	cmd.Flags().StringVar(&merchantID, "merchant", "", "with --all-failed: only this merchant's")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printNotifications(w io.Writer, views []dashboard.NotificationView) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPAYMENT\tSTATUS\tATTEMPTS\tLAST\tURL")
	for _, v := range views {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", v.ID, v.PaymentID, v.Status, v.AttemptCount, v.LastStatusCode, v.URL)
	}
	return tw.Flush()
}
