package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/pasarela/pasarela/gateway"
	"github.com/pasarela/pasarela/server"
)

func newServeCmd(cfg *gateway.Config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the gateway",
		Long: `Run the gateway: both merchant APIs, the payer's pages, notification delivery and
the expiry sweeper. Migrations are applied on start. In sandbox mode (the default)
a sandbox merchant is created on first start and its credentials are printed.
SIGINT or SIGTERM stops accepting connections, finishes in-flight requests and exits.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.Version = version
			return serve(cmd.Context(), *cfg, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Listen, "listen", cfg.Listen, "address to listen on, host:port")
	f.StringVar(&cfg.PublicURL, "public-url", "", "URL payers and merchants reach the gateway at (default: http://<listen>)")
	f.StringVar(&cfg.Mode, "mode", cfg.Mode, "sandbox (simulated rails and test helpers) or production")
	f.StringVar(&cfg.ETpayPrefix, "etpay-prefix", "", "path prefix for the ETpay routes, e.g. /sandbox")
	f.DurationVar(&cfg.SessionTTL, "session-ttl", cfg.SessionTTL, "how long a payment stays open before it expires")
	f.DurationVar(&cfg.ExpirySweep, "expiry-sweep", cfg.ExpirySweep, "how often expired payments are swept")
	f.StringVar(&cfg.DebugListen, "debug-listen", "", "serve Go's profiler (/debug/pprof/) on this loopback host:port; off when empty")
	f.StringVar(&cfg.AdminToken, "admin-token", "", "operator token for the admin API (at least 32 characters); merchants use their own API token")
	f.Var(&cfg.NotifySchedule, "notify-schedule", "waits before each notification retry, comma-separated; the notification is dead after the last")
	f.DurationVar(&cfg.NotifyTimeout, "notify-timeout", cfg.NotifyTimeout, "timeout of one notification delivery attempt")
	f.IntVar(&cfg.NotifyWorkers, "notify-workers", cfg.NotifyWorkers, "concurrent notification deliveries on this node")
	f.DurationVar(&cfg.NotifyPoll, "notify-poll", cfg.NotifyPoll, "how often idle notification workers look for new jobs")
	f.DurationVar(&cfg.NotifyRescueAfter, "notify-rescue-after", cfg.NotifyRescueAfter, "retry a delivery whose node died mid-attempt after this long")
	return cmd
}

func serve(ctx context.Context, cfg gateway.Config, stdout, stderr io.Writer) error {
	start := time.Now()
	// Log lines are written in batches (server.LogBuffer); closed last, so
	// the shutdown's lines are written too.
	logs := server.NewLogBuffer(stderr, 200*time.Millisecond)
	defer logs.Close()
	g, err := gateway.Open(ctx, cfg, logs)
	if err != nil {
		return err
	}
	defer g.Close()
	if err := g.ClaimServer(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", g.Config.Listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", g.Config.Listen, err)
	}
	defer ln.Close() // when Serve refuses to start; a no-op after it served
	if g.Config.Sandbox() {
		cm, err := g.SandboxMerchant(ctx)
		if err != nil {
			ln.Close()
			return fmt.Errorf("preparing the sandbox merchant: %w", err)
		}
		printBanner(stdout, g, cm)
	}
	g.Log.Info("pasarela serving", "listen", ln.Addr().String(), "mode", g.Config.Mode,
		"version", version, "startup", time.Since(start).Round(time.Millisecond))
	return g.Serve(ctx, ln)
}

func printBanner(w io.Writer, g *gateway.Gateway, cm gateway.CreatedMerchant) {
	fmt.Fprintf(w, `
pasarela %s — sandbox mode (simulated banks, cards and cash; nothing is charged)

  ETpay api_url / pmt_url   %s
  PayRetailers base URL     %s
  Payer pages               %s

Sandbox merchant %q (%s)
  ETpay         merchant_code=%s
                merchant_api_token=%s
  PayRetailers  service_id=%s
                secret_key=%s
  (also in %s)

Create a payment:
  curl -s %s/session/initialize -d '{"merchant_code":"%s","merchant_api_token":"%s","merchant_order_id":"order-'$(date +%%s)'","order_amount":50000}'

Open the "token" it returns in a browser: %s/session/<token>

`, version, g.ETpayURL(), g.PayRetailersURL(), g.Config.PublicURL,
		cm.Name, cm.ID, cm.ETpay.MerchantCode, cm.ETpay.MerchantAPIToken,
		cm.PayRetailers.ServiceID, cm.PayRetailers.SecretKey, g.Config.DataDir+"/sandbox-credentials.json",
		g.ETpayURL(), cm.ETpay.MerchantCode, cm.ETpay.MerchantAPIToken, g.ETpayURL())
}
