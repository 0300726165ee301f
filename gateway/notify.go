package gateway

import (
	"context"
	"fmt"

	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/store/postgres"
	"github.com/pasarela/pasarela/store/sqlite"
)

// engine is the part of notify.Engine the gateway drives, whatever the
// database's transaction type.
type engine interface {
	notify.Dispatcher
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// notificationEngine builds this node's delivery workers on the store's own
// job queue driver.
func (g *Gateway) notificationEngine() (engine, error) {
	metrics, err := notify.NewMetrics(g.Registry, notify.QueueStats{Stats: g.Store.NotificationStats})
	if err != nil {
		return nil, err
	}
	cfg := notify.EngineConfig{
		Deliverer: notify.NewDeliverer(notify.Config{
			UserAgent:    notify.UserAgent(g.Config.Version),
			AllowPrivate: g.Config.Sandbox(), // merchants test against localhost
			Metrics:      metrics,
			SlotWait:     min(notify.DefaultSlotWait, g.Config.NotifyTimeout),
			Timeout:      g.Config.NotifyTimeout,
		}),
		FetchPoll:   g.Config.NotifyPoll,
		Log:         g.Log,
		RescueAfter: g.Config.NotifyRescueAfter,
		Repo:        g.Store,
		Schedule:    g.Config.NotifySchedule,
		Secrets:     g.webhookSecret,
		Workers:     g.Config.NotifyWorkers,
	}
	switch st := g.Store.(type) {
	case *sqlite.Store:
		return notify.NewEngine(st.Driver(), cfg)
	case *postgres.Store:
		return notify.NewEngine(st.Driver(), cfg)
	default:
		return nil, fmt.Errorf("no notification engine for store %T", g.Store)
	}
}

func (g *Gateway) webhookSecret(ctx context.Context, merchantID string) ([]byte, error) {
	m, err := g.Merchants.Get(ctx, merchantID)
	if err != nil {
		return nil, err
	}
	s, err := g.Merchants.WebhookSecret(m)
	return []byte(s), err
}
