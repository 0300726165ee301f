// Package gateway assembles pasarela from its parts: it opens the store and
// the keyring, builds the services, mounts both dialects and the payer pages,
// and runs the background workers. The CLI, the tests and the load harness
// all start the gateway through it.
package gateway

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/pasarela/pasarela/notify"
)

// Modes the gateway runs in.
const (
	ModeProduction = "production"
	ModeSandbox    = "sandbox"
)

// Config is everything an operator can set; every field has a flag and a
// PASARELA_* environment variable in the CLI.
type Config struct {
	// AdminToken lets an operator use the admin API for every merchant;
	// empty disables operator access (merchants use their own API token).
	AdminToken string
	// DBMaxConns, DBMinConns, DBMaxConnLifetime and DBMaxConnIdleTime set
	// the PostgreSQL pool of this node (zero: defaults).
	DBMaxConnIdleTime time.Duration
	DBMaxConnLifetime time.Duration
	DBMaxConns        int32
	DBMinConns        int32
	// DataDir holds the SQLite file, the master key and the sandbox
	// credentials unless other paths are given.
	DataDir string
	// DebugListen serves Go's profiler (/debug/pprof/) on a second
	// listener; empty disables it. It has no authentication: loopback only.
	DebugListen string
	// DatabaseURL overrides the database: sqlite:///path.db or postgres://…
	DatabaseURL string
	// ETpayPrefix is a path prefix for every ETpay route ("/sandbox" makes
	// api_url http://host/sandbox work).
	ETpayPrefix string
	// ExpirySweep is how often open payments past their expiry are expired.
	ExpirySweep time.Duration
	Listen      string
	LogFormat   string
	LogLevel    string
	// NotifyPoll is how often idle notification workers look for jobs.
	NotifyPoll time.Duration
	// NotifyRescueAfter is when a delivery whose node died mid-attempt is
	// run again.
	NotifyRescueAfter time.Duration
	// NotifyTimeout bounds one delivery attempt.
	NotifyTimeout time.Duration
	// NotifySchedule is the wait before each retry of a notification.
	NotifySchedule notify.Schedule
	// NotifyWorkers bounds concurrent deliveries per node.
	NotifyWorkers int
	// MasterKeyFile is the key that wraps every other key; keep it off the
	// database host in production.
	MasterKeyFile string
	Mode          string
	// PreviousMasterKeyFile is the master key being rotated away: keysets
	// still wrapped by it open during a rotation (never created).
	PreviousMasterKeyFile string
	// PublicURL is how payers and merchants reach the gateway (scheme, host
	// and optional path), used in URLs the gateway hands out.
	PublicURL string
	// SessionTTL is how long a payment stays open before it expires.
	SessionTTL time.Duration
	// Version names the build in the notification User-Agent.
	Version string
}

// Defaults returns the configuration of `pasarela serve` with no flags.
func Defaults() Config {
	return Config{
		DataDir:           "./pasarela-data",
		ExpirySweep:       15 * time.Second,
		Listen:            "127.0.0.1:8080",
		LogFormat:         "text",
		LogLevel:          "info",
		Mode:              ModeSandbox,
		SessionTTL:        30 * time.Minute,
		NotifyPoll:        50 * time.Millisecond,
		NotifyRescueAfter: 2 * time.Minute,
		NotifySchedule:    notify.DefaultSchedule,
		NotifyTimeout:     notify.DefaultTimeout,
		NotifyWorkers:     50,
		Version:           "dev",
	}
}

// Sandbox reports whether sandbox rails and test helpers are on.
func (c Config) Sandbox() bool { return c.Mode == ModeSandbox }

// resolve fills derived defaults and rejects impossible settings with a
// message that names the flag.
func (c *Config) resolve() error {
	var errs []error
	if c.Mode != ModeSandbox && c.Mode != ModeProduction {
		errs = append(errs, fmt.Errorf("--mode must be %q or %q, not %q", ModeSandbox, ModeProduction, c.Mode))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data must name a directory"))
	}
	if c.DatabaseURL == "" {
		abs, err := filepath.Abs(filepath.Join(c.DataDir, "pasarela.db"))
		if err != nil {
			errs = append(errs, err)
		}
		c.DatabaseURL = "sqlite://" + abs
	}
	if c.MasterKeyFile == "" {
		c.MasterKeyFile = filepath.Join(c.DataDir, "master.key")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat))
	}
	if c.SessionTTL < time.Minute || c.SessionTTL > 7*24*time.Hour {
		errs = append(errs, fmt.Errorf("--session-ttl must be between 1m and 168h, not %s", c.SessionTTL))
	}
	if c.ExpirySweep < 10*time.Millisecond {
		errs = append(errs, fmt.Errorf("--expiry-sweep must be at least 10ms, not %s", c.ExpirySweep))
	}
	if c.ETpayPrefix != "" && (!strings.HasPrefix(c.ETpayPrefix, "/") || strings.HasSuffix(c.ETpayPrefix, "/")) {
		errs = append(errs, fmt.Errorf("--etpay-prefix must start and not end with /, like /sandbox, not %q", c.ETpayPrefix))
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("--listen must be host:port, not %q", c.Listen))
	}
	if c.DebugListen != "" {
		if host, _, err := net.SplitHostPort(c.DebugListen); err != nil {
			errs = append(errs, fmt.Errorf("--debug-listen must be host:port, not %q", c.DebugListen))
		} else if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			errs = append(errs, fmt.Errorf("--debug-listen must be a loopback address (the profiler has no authentication), not %q", c.DebugListen))
		}
	}
	if c.NotifyPoll < 5*time.Millisecond {
		errs = append(errs, fmt.Errorf("--notify-poll must be at least 5ms, not %s", c.NotifyPoll))
	}
	if c.NotifyTimeout < 100*time.Millisecond || c.NotifyTimeout > time.Minute {
		errs = append(errs, fmt.Errorf("--notify-timeout must be between 100ms and 1m, not %s", c.NotifyTimeout))
	}
	if min := 2*c.NotifyTimeout + 5*time.Second; c.NotifyRescueAfter <= min {
		errs = append(errs, fmt.Errorf("--notify-rescue-after must exceed 2 x --notify-timeout + 5s (%s), not %s", min, c.NotifyRescueAfter))
	}
	if c.NotifyWorkers < 1 || c.NotifyWorkers > 1000 {
		errs = append(errs, fmt.Errorf("--notify-workers must be between 1 and 1000, not %d", c.NotifyWorkers))
	}
	if len(c.NotifySchedule) == 0 {
		errs = append(errs, errors.New("--notify-schedule must list at least one wait"))
	}
	if c.AdminToken != "" && len(c.AdminToken) < 32 {
		errs = append(errs, errors.New("--admin-token must have at least 32 characters"))
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Listen
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("--public-url must be an absolute http(s) URL, not %q", c.PublicURL))
	}
	c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	return errors.Join(errs...)
}
