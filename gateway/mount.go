package gateway

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/pasarela/pasarela/checkout"
	"github.com/pasarela/pasarela/dashboard"
	"github.com/pasarela/pasarela/etpay"
	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/payretailers"
	"github.com/pasarela/pasarela/sandboxapi"
	"github.com/pasarela/pasarela/server"
)

// setDialects builds the ETpay API and registers each dialect's
// notification format; every process that changes payments (server, CLI)
// needs them.
func (g *Gateway) setDialects() error {
	et, err := etpay.NewAPI(etpay.Deps{
		Log: g.Log, Merchants: g.Merchants, Payments: g.Payments, Prefix: g.Config.ETpayPrefix,
		PublicURL: g.Config.PublicURL, Sandbox: g.Config.Sandbox(), Sealer: g.Keyring, SessionTTL: g.Config.SessionTTL,
		CSRFKey: g.Keys.Derive("etpay/csrf"), SandboxBankKey: g.Keys.Derive("sandbox/bank"),
	})
	if err != nil {
		return err
	}
	g.etpay = et
	g.payretailers, err = payretailers.NewAPI(payretailers.Deps{
		Keys: g.Keys, Log: g.Log, Merchants: g.Merchants, Notifications: notificationLister{g.Store},
		Payments: g.Payments, PublicURL: g.Config.PublicURL, Sandbox: g.Config.Sandbox(),
		SessionTTL: g.Config.SessionTTL, Vault: g.Vault,
	})
	if err != nil {
		return fmt.Errorf("PayRetailers API: %w", err)
	}
	g.Payments.SetRenderer(payment.DialectETpay, et)
	g.Payments.SetRenderer(payment.DialectPayRetailers, payretailers.NewRenderer(g.Merchants))
	return nil
}

// mount adds the dialects, payer pages, admin API and sandbox helpers to s.
func (g *Gateway) mount(s *server.Server) error {
	g.etpay.Mount(s)
	g.payretailers.Mount(s)
	s.Handle("GET /static/methods/{file}", http.HandlerFunc(payretailers.MethodImage))
	s.Handle("GET "+checkout.AssetPrefix, checkout.Assets())
	s.Handle("GET "+checkout.FaviconPath, checkout.Favicon())
	dashboard.NewAdmin(g.Store, g.Merchants, g.Config.AdminToken, g.Log).Mount(s)
	if g.Config.Sandbox() {
		s.Handle(sandboxapi.Pattern, sandboxapi.New(g.Payments, map[payment.Dialect]sandboxapi.Authenticator{
			payment.DialectETpay:        g.etpay.SandboxAuthenticator(),
			payment.DialectPayRetailers: payretailers.NewSandboxAuthenticator(g.Merchants),
		}))
	}
	return nil
}

// notificationLister adapts the notification store to what PayRetailers'
// notification/status call shows.
type notificationLister struct{ repo notify.Repository }

func (l notificationLister) ListNotifications(ctx context.Context, merchantID, paymentID string) ([]payretailers.NotificationRecord, error) {
	recs, err := l.repo.ListNotifications(ctx, notify.Filter{MerchantID: merchantID, PaymentID: paymentID})
	if err != nil {
		return nil, err
	}
	slices.Reverse(recs) // the store lists newest first; the API shows oldest first
	out := make([]payretailers.NotificationRecord, len(recs))
	for i, r := range recs {
		out[i] = payretailers.NotificationRecord{Attempts: r.Attempts, Body: r.Body, CreatedAt: r.CreatedAt,
			Headers: r.Headers, ID: r.ID, LastStatusCode: r.LastStatusCode, Status: string(r.Status), URL: r.URL}
		if r.NextAttemptAt != nil {
			out[i].NextAttemptAt = *r.NextAttemptAt
		}
	}
	return out, nil
}
