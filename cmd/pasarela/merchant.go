package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pasarela/pasarela/gateway"
	"github.com/pasarela/pasarela/merchant"
)

func newMerchantCmd(cfg *gateway.Config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "merchant",
		Short: "Create and manage merchants",
		Long:  "Create and manage merchants. Works while a gateway is serving from the same data.",
	}
	cmd.AddCommand(newMerchantCreateCmd(cfg), newMerchantUpdateCmd(cfg), newMerchantListCmd(cfg),
		newMerchantShowCmd(cfg), newMerchantRotateCmd(cfg), newMerchantWebhookSecretCmd(cfg))
	return cmd
}

// withGateway opens the data for one command and closes it after.
func withGateway(ctx context.Context, cfg gateway.Config, stderr io.Writer, fn func(*gateway.Gateway) error) error {
	g, err := gateway.Open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer g.Close()
	return fn(g)
}

// printViews prints what a list command found: as JSON of each item's view,
// or as the command's table of them.
func printViews[T, V any](w io.Writer, items []T, view func(T) V, asJSON bool, table func(io.Writer, []V) error) error {
	views := make([]V, len(items))
	for i, it := range items {
		views[i] = view(it)
	}
	if asJSON {
		return json.NewEncoder(w).Encode(views)
	}
	return table(w, views)
}

type settingsFlags struct {
	cancel, name, notification, success string
	legacyIPN                           bool
}

func (s *settingsFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&s.name, "name", "", "the merchant's name, shown to payers")
	f.StringVar(&s.notification, "notification-url", "", "default URL for server-to-server notifications")
	f.StringVar(&s.success, "success-url", "", "default URL the payer returns to after paying")
	f.StringVar(&s.cancel, "cancel-url", "", "default URL the payer returns to after a failed or canceled payment")
	f.BoolVar(&s.legacyIPN, "legacy-ipn", false, "send PayRetailers notifications in the legacy v1 GET format (carries the secret; only for old plugins)")
}

func newMerchantCreateCmd(cfg *gateway.Config) *cobra.Command {
	var set settingsFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "create --name NAME",
		Short: "Create a merchant and print its credentials once",
		Long: `Create a merchant with credentials for both dialects: ETpay merchant_code and
merchant_api_token, PayRetailers service_id and secret_key. They are printed once
and cannot be shown again (only rotated).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if set.name == "" {
				return fmt.Errorf("--name is required")
			}
			return withGateway(cmd.Context(), *cfg, cmd.ErrOrStderr(), func(g *gateway.Gateway) error {
				m, creds, err := g.Merchants.Create(cmd.Context(), merchant.Settings{
					Name: set.name, NotificationURL: set.notification, SuccessURL: set.success,
					CancelURL: set.cancel, LegacyIPN: set.legacyIPN,
				}, false)
				if err != nil {
					return err
				}
				return printCredentials(cmd.OutOrStdout(), gateway.NewCreatedMerchant(m, creds), asJSON)
			})
		},
	}
	set.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newMerchantUpdateCmd(cfg *gateway.Config) *cobra.Command {
	var set settingsFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "update ID",
		Short: "Change a merchant's name or default URLs",
		Long:  "Change a merchant's settings; only the flags given change. An empty URL clears it.",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withGateway(cmd.Context(), *cfg, cmd.ErrOrStderr(), func(g *gateway.Gateway) error {
				m, err := g.Merchants.Get(cmd.Context(), args[0])
				if err != nil {
					return fmt.Errorf("merchant %s: %w", args[0], err)
				}
				s := merchant.Settings{Name: m.Name, NotificationURL: m.NotificationURL, SuccessURL: m.SuccessURL,
					CancelURL: m.CancelURL, LegacyIPN: m.LegacyIPN}
				f := cmd.Flags()
				if f.Changed("name") {
					s.Name = set.name
				}
				if f.Changed("notification-url") {
					s.NotificationURL = set.notification
				}
				if f.Changed("success-url") {
					s.SuccessURL = set.success
				}
				if f.Changed("cancel-url") {
					s.CancelURL = set.cancel
				}
				if f.Changed("legacy-ipn") {
					s.LegacyIPN = set.legacyIPN
				}
				m, err = g.Merchants.Update(cmd.Context(), args[0], s)
				if err != nil {
					return err
				}
				return printMerchants(cmd.OutOrStdout(), []merchant.Merchant{m}, asJSON, true)
			})
		},
	}
	set.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newMerchantListCmd(cfg *gateway.Config) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List merchants",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withGateway(cmd.Context(), *cfg, cmd.ErrOrStderr(), func(g *gateway.Gateway) error {
				ms, err := g.Merchants.List(cmd.Context())
				if err != nil {
					return err
				}
				return printMerchants(cmd.OutOrStdout(), ms, asJSON, false)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newMerchantShowCmd(cfg *gateway.Config) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one merchant (never its secrets)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withGateway(cmd.Context(), *cfg, cmd.ErrOrStderr(), func(g *gateway.Gateway) error {
				m, err := g.Merchants.Get(cmd.Context(), args[0])
				if err != nil {
					return fmt.Errorf("merchant %s: %w", args[0], err)
				}
				return printMerchants(cmd.OutOrStdout(), []merchant.Merchant{m}, asJSON, true)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newMerchantRotateCmd(cfg *gateway.Config) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "rotate-credentials ID",
		Short: "Replace a merchant's API token and secrets; the old ones stop working at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withGateway(cmd.Context(), *cfg, cmd.ErrOrStderr(), func(g *gateway.Gateway) error {
				m, creds, err := g.Merchants.RotateCredentials(cmd.Context(), args[0])
				if err != nil {
					return fmt.Errorf("merchant %s: %w", args[0], err)
				}
				return printCredentials(cmd.OutOrStdout(), gateway.NewCreatedMerchant(m, creds), asJSON)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printCredentials(w io.Writer, cm gateway.CreatedMerchant, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(cm)
	}
	_, err := fmt.Fprintf(w, `Merchant %q (%s)
  ETpay         merchant_code       %s
                merchant_api_token  %s
  PayRetailers  service_id          %s
                secret_key          %s
Store these now: they are not shown again (rotate-credentials issues new ones).
`, cm.Name, cm.ID, cm.ETpay.MerchantCode, cm.ETpay.MerchantAPIToken, cm.PayRetailers.ServiceID, cm.PayRetailers.SecretKey)
	return err
}

// merchantView is a merchant without any secret or hash.
type merchantView struct {
	CancelURL       string    `json:"cancel_url"`
	CreatedAt       time.Time `json:"created_at"`
	ETpayCode       string    `json:"etpay_merchant_code"`
	ID              string    `json:"id"`
	LegacyIPN       bool      `json:"legacy_ipn"`
	Name            string    `json:"name"`
	NotificationURL string    `json:"notification_url"`
	Sandbox         bool      `json:"sandbox"`
	ServiceID       string    `json:"payretailers_service_id"`
	SuccessURL      string    `json:"success_url"`
}

func printMerchants(w io.Writer, ms []merchant.Merchant, asJSON, single bool) error {
	views := make([]merchantView, len(ms))
	for i, m := range ms {
		views[i] = merchantView{CancelURL: m.CancelURL, CreatedAt: m.CreatedAt, ETpayCode: m.ETpayCode, ID: m.ID,
			LegacyIPN: m.LegacyIPN, Name: m.Name, NotificationURL: m.NotificationURL, Sandbox: m.Sandbox,
			ServiceID: m.ServiceID, SuccessURL: m.SuccessURL}
	}
	if asJSON {
		enc := json.NewEncoder(w)
		if single && len(views) == 1 {
			return enc.Encode(views[0])
		}
		return enc.Encode(views)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if single {
		for _, v := range views {
			fmt.Fprintf(tw, "id\t%s\nname\t%s\netpay merchant_code\t%s\npayretailers service_id\t%s\nnotification url\t%s\nsuccess url\t%s\ncancel url\t%s\nlegacy ipn\t%t\nsandbox\t%t\ncreated\t%s\n",
				v.ID, v.Name, v.ETpayCode, v.ServiceID, v.NotificationURL, v.SuccessURL, v.CancelURL, v.LegacyIPN, v.Sandbox, v.CreatedAt.Format(time.RFC3339))
		}
		return tw.Flush()
	}
	fmt.Fprintln(tw, "ID\tNAME\tETPAY CODE\tSERVICE ID\tSANDBOX")
	for _, v := range views {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\n", v.ID, v.Name, v.ETpayCode, v.ServiceID, v.Sandbox)
	}
	return tw.Flush()
}

func newMerchantWebhookSecretCmd(cfg *gateway.Config) *cobra.Command {
	return &cobra.Command{
		Use:   "webhook-secret ID",
		Short: "Print the merchant's Standard Webhooks secret (whsec_…) for verifying notifications",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withGateway(cmd.Context(), *cfg, cmd.ErrOrStderr(), func(g *gateway.Gateway) error {
				m, err := g.Merchants.Get(cmd.Context(), args[0])
				if err != nil {
					return fmt.Errorf("merchant %s: %w", args[0], err)
				}
				secret, err := g.Merchants.WebhookSecret(m)
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), secret)
				return nil
			})
		},
	}
}
