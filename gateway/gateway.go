package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/pasarela/pasarela/etpay"
	"github.com/pasarela/pasarela/keyring"
	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/payretailers"
	"github.com/pasarela/pasarela/server"
	"github.com/pasarela/pasarela/store"
	"github.com/pasarela/pasarela/store/postgres"
	"github.com/pasarela/pasarela/store/sqlite"
	"github.com/pasarela/pasarela/vault"
)

// Gateway is an opened gateway: its data and services, ready to serve.
type Gateway struct {
	Config    Config
	Keyring   *keyring.Keyring
	Log       *slog.Logger
	Merchants *merchant.Service
	// Keys derives the gateway's MAC keys (CSRF, sandbox bank, auth tokens).
	Keys     keyring.Root
	Payments *payment.Service
	Registry *prometheus.Registry
	Store    store.Store
	// Vault keeps enrolled cards (OneClick).
	Vault *vault.Vault

	etpay        *etpay.API
	payretailers *payretailers.API
}

// Open opens the data of cfg and applies pending migrations, so every
// command works on a fresh data directory.
func Open(ctx context.Context, cfg Config, logOut io.Writer) (*Gateway, error) {
	if err := cfg.resolve(); err != nil {
		return nil, err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level must be debug, info, warn or error, not %q", cfg.LogLevel)
	}
	log := server.NewLogger(logOut, cfg.LogFormat, level)
	master, err := keyring.LoadOrCreateMasterKey(cfg.MasterKeyFile)
	if err != nil {
		return nil, fmt.Errorf("master key %s: %w", cfg.MasterKeyFile, err)
	}
	var previous []tink.AEAD
	if cfg.PreviousMasterKeyFile != "" {
		// Only read, never created: it is the key being rotated away.
		raw, err := os.ReadFile(cfg.PreviousMasterKeyFile)
		if err != nil {
			return nil, fmt.Errorf("--previous-master-key-file: %w", err)
		}
		old, err := keyring.ParseMasterKey(raw)
		if err != nil {
			return nil, fmt.Errorf("--previous-master-key-file: %w", err)
		}
		previous = append(previous, old)
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, store.Options{Postgres: postgres.Options{
		MaxConnIdleTime: cfg.DBMaxConnIdleTime, MaxConnLifetime: cfg.DBMaxConnLifetime,
		MaxConns: cfg.DBMaxConns, MinConns: cfg.DBMinConns,
	}})
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	kr, err := keyring.Open(ctx, st, keyring.SecretsKeyset, master, previous...)
	if err != nil {
		st.Close()
		return nil, err
	}
	vkr, err := keyring.Open(ctx, st, vault.KeysetName, master, previous...)
	if err != nil {
		st.Close()
		return nil, err
	}
	root, err := kr.LoadRoot(ctx, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	vlt, err := vault.New(st, vkr, root.Derive(vault.FingerprintPurpose))
	if err != nil {
		st.Close()
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	g := &Gateway{
		Config: cfg, Keyring: kr, Keys: root, Log: log, Vault: vlt, Merchants: merchant.NewService(st, kr),
		Payments: payment.NewService(st), Registry: reg, Store: st,
	}
	transitions := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pasarela_payment_transitions_total",
		Help: "Payment status changes by from and to status.",
	}, []string{"from", "to"})
	reg.MustRegister(transitions)
	registerWriterMetrics(reg, st)
	g.Payments.SetObserver(func(from, to payment.Status) { transitions.WithLabelValues(string(from), string(to)).Inc() })
	if err := g.setDialects(); err != nil {
		st.Close()
		return nil, err
	}
	return g, nil
}

// registerWriterMetrics exports the counters of SQLite's one writer: the
// mean number of writes one durable commit carries, and how busy the
// writer is, the first things to look at when writes slow down.
func registerWriterMetrics(reg prometheus.Registerer, st store.Store) {
	w, ok := st.(*sqlite.Store)
	if !ok {
		return
	}
	counter := func(name, help string, value func(sqlite.WriterStats) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return value(w.WriterStats()) })
	}
	reg.MustRegister(
		counter("pasarela_sqlite_commits_total", "Group commits made by the SQLite writer.",
			func(s sqlite.WriterStats) float64 { return float64(s.Commits) }),
		counter("pasarela_sqlite_committed_writes_total", "Write transactions carried by the SQLite writer's group commits.",
			func(s sqlite.WriterStats) float64 { return float64(s.Writes) }),
		counter("pasarela_sqlite_writer_busy_seconds_total", "Time the SQLite writer spent running and committing batches (fsync included) and checkpointing the WAL; its rate is the writer's utilisation.",
			func(s sqlite.WriterStats) float64 { return s.Busy.Seconds() }),
	)
}

// ClaimServer makes this process the database's only server when the
// engine has one server per database (SQLite: a second serve on the file is
// refused); PostgreSQL serves several nodes and needs no claim.
func (g *Gateway) ClaimServer() error {
	if c, ok := g.Store.(interface{ ClaimServer() error }); ok {
		return c.ClaimServer()
	}
	return nil
}

// Close releases the database.
func (g *Gateway) Close() error { return g.Store.Close() }

// CheckMode refuses a production start while the sandbox merchant exists:
// its credentials were printed and stored in clear in the data directory.
func (g *Gateway) CheckMode(ctx context.Context) error {
	if g.Config.Sandbox() {
		return nil
	}
	ms, err := g.Merchants.List(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.Sandbox {
			return fmt.Errorf("refusing to run in production mode: the sandbox merchant %s exists and its credentials are public; use a fresh database", m.ID)
		}
	}
	return nil
}

// MerchantCacheTTL is how long a serving node answers merchant lookups
// from memory.
const MerchantCacheTTL = time.Second

// Serve runs the gateway on ln until ctx ends, then shuts down gracefully:
// it stops accepting, lets in-flight requests finish (up to 20 s) and stops
// the background workers.
func (g *Gateway) Serve(ctx context.Context, ln net.Listener) error {
	if err := g.CheckMode(ctx); err != nil {
		return err
	}
	// Every API request looks its merchant up; a serving node keeps them a
	// second (a change made with the CLI or on another node is seen within
	// that second, one made through this node at once).
	g.Merchants.EnableCache(MerchantCacheTTL)
	s := server.New(g.Log, g.Registry, g.Store.Ready)
	if err := g.mount(s); err != nil {
		return err
	}
	hs := s.HTTPServer(ln.Addr().String())
	stopDebug, err := g.serveDebug(ctx)
	if err != nil {
		return err
	}
	defer stopDebug()

	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	workersDone, err := g.startWorkers(workCtx)
	if err != nil {
		stopWork()
		return err
	}

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		stopWork()
		<-workersDone
		return err
	case <-ctx.Done():
	}
	g.Log.Info("shutting down: finishing in-flight requests")
	shutCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err = hs.Shutdown(shutCtx); err != nil {
		// Requests still running past the grace period are cut off, so
		// none is left using the store after Serve returns.
		err = errors.Join(err, hs.Close())
	}
	stopWork()
	<-workersDone
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

// startWorkers runs the background work of a node; the channel closes when
// all of it has stopped after ctx ends.
func (g *Gateway) startWorkers(ctx context.Context) (<-chan struct{}, error) {
	engine, err := g.notificationEngine()
	if err != nil {
		return nil, err
	}
	// River cancels running jobs when its start context ends; deliveries in
	// flight at shutdown must finish instead, so the engine gets a context
	// that never ends and is stopped with Stop below.
	if err := engine.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, fmt.Errorf("starting notification workers: %w", err)
	}
	// This node makes the first attempt of the notifications it commits.
	g.Store.SetDispatcher(engine)
	done := make(chan struct{})
	go func() {
		defer close(done)
		g.sweep(ctx)
		// Changes from now on get jobs due at once, for whichever node
		// runs next; then running deliveries finish (each is bounded by
		// its timeout).
		g.Store.SetDispatcher(nil)
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := engine.Stop(stopCtx); err != nil {
			g.Log.Warn("stopping notification workers", "err", err)
		}
	}()
	return done, nil
}

// sweep expires open payments past their expiry, on every node: the
// compare-and-set makes concurrent sweepers harmless.
func (g *Gateway) sweep(ctx context.Context) {
	t := time.NewTicker(g.Config.ExpirySweep)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := g.Payments.ExpireDue(ctx)
		if err != nil && ctx.Err() == nil {
			g.Log.Error("expiring payments", "err", err)
		}
		if n > 0 {
			g.Log.Info("expired payments", "count", n)
		}
		if !g.Config.Sandbox() {
			continue
		}
		// The sandbox banks "confirm later" the transfers they left pending.
		if n, err := g.etpay.ConfirmPendingBankTransfers(ctx, g.etpay.PendingDelay()); err != nil && ctx.Err() == nil {
			g.Log.Error("confirming sandbox bank transfers", "err", err)
		} else if n > 0 {
			g.Log.Info("confirmed sandbox bank transfers", "dialect", "etpay", "count", n)
		}
		if n, err := g.payretailers.ConfirmPendingBankTransfers(ctx); err != nil && ctx.Err() == nil {
			g.Log.Error("confirming sandbox bank transfers", "dialect", "payretailers", "err", err)
		} else if n > 0 {
			g.Log.Info("confirmed sandbox bank transfers", "dialect", "payretailers", "count", n)
		}
	}
}

// ETpayURL is the base URL merchants use for the ETpay API (api_url); the
// funnel base (pmt_url) is the same.
func (g *Gateway) ETpayURL() string { return g.Config.PublicURL + g.Config.ETpayPrefix }

// PayRetailersURL is the base URL of the PayRetailers API.
func (g *Gateway) PayRetailersURL() string { return strings.TrimSuffix(g.Config.PublicURL, "/") }
