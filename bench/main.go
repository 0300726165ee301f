// Command bench measures pasarela under load, as a black box.
//
// It builds the real gateway binary, runs it as a separate process on
// loopback with a fresh data directory, creates merchants through the
// CLI, and drives each scenario with vegeta (used as a library): the
// ETpay and PayRetailers create calls, both status calls, the ETpay
// funnel page and a whole payment (create, sandbox complete, IPN received
// by a local receiver). In the same run it drives a baseline: a minimal
// net/http server that reads the same request and answers the same bytes
// the gateway answered, which is the ceiling for an HTTP API on this
// machine with this load generator.
//
// Every scenario reports its highest sustainable rate (under 1% errors,
// p99 under 1 s, at least 90% of the offered rate served), latency
// percentiles at fixed rates, the gateway's peak RSS and CPU seconds per
// 1,000 requests, and the ratio to the baseline. Results are written as
// results.json and results.md and the table is printed.
//
//	go run ./bench                      # full run, SQLite, a few minutes
//	go run ./bench --quick              # smoke run, seconds
//	go run ./bench --database-url postgres://user:pw@127.0.0.1/db
//
// The bench deliberately imports no gateway package: it talks to the
// binary over HTTP and the CLI only, like a merchant would, so it keeps
// compiling while the packages it measures are being changed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// config is what the flags set.
type config struct {
	// bin is a prebuilt gateway binary; empty builds ./cmd/pasarela.
	bin string
	// bisect is how many bisection steps refine the max-rate search.
	bisect int
	// budget bounds one max-rate search (per scenario and target).
	budget time.Duration
	// baseline turns the baseline measurement on.
	baseline    bool
	databaseURL string
	// dataRoot is where the fresh data directory is made.
	dataRoot string
	// duration is the length of one load step.
	duration time.Duration
	// fixedRate is the fixed rate at which latency is reported (0: none).
	fixedRate int
	// gatewayArgs are extra flags for `pasarela serve`.
	gatewayArgs multiFlag
	keep        bool
	// maxRate caps the search so a very fast target cannot run it away.
	maxRate int
	// maxSearchSteps bounds how many doublings the ramp may take.
	maxSearchSteps int
	// maxWorkers bounds the load generator's concurrent requests.
	maxWorkers int
	merchants  int
	out        string
	// prepared is how many sessions and payments the status and funnel
	// scenarios query.
	prepared  int
	quick     bool
	scenarios []string
	// settle is the longest wait for the machine to go quiet between steps.
	settle time.Duration
	// startRate overrides each scenario's first search rate (0: default).
	startRate int
	// stdout receives the progress log and the final table.
	stdout io.Writer
	// timeout bounds one request (or one whole-payment flow).
	timeout time.Duration
	// notifyGrace is how long after a whole-payment step its IPNs may
	// still arrive.
	notifyGrace time.Duration
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func defaultConfig() config {
	return config{
		bisect: 3, budget: 2 * time.Minute, baseline: true, dataRoot: os.TempDir(),
		duration: 4 * time.Second, fixedRate: 1000, maxRate: 64000, maxSearchSteps: 8,
		maxWorkers: 1024, merchants: 4, out: "bench/results", prepared: 1000,
		settle: 10 * time.Second, stdout: os.Stdout, timeout: 2 * time.Second,
		notifyGrace: 5 * time.Second,
	}
}

func parseFlags(args []string, stdout io.Writer) (config, error) {
	cfg := defaultConfig()
	cfg.stdout = stdout
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: go run ./bench [flags]\n\nScenarios: %s\n\n", strings.Join(scenarioNames(), ", "))
		fs.PrintDefaults()
	}
	scen := fs.String("scenarios", "all", "comma-separated scenarios to run, or all")
	fs.DurationVar(&cfg.duration, "duration", cfg.duration, "length of each load step: bisection steps and fixed-rate runs (the doubling steps of the search take half)")
	fs.StringVar(&cfg.out, "out", cfg.out, "directory for results.json and results.md")
	fs.StringVar(&cfg.databaseURL, "database-url", "", "passed to `pasarela serve --database-url` (postgres://…); default SQLite in the fresh data directory. Use an empty database: nothing is dropped")
	fs.BoolVar(&cfg.quick, "quick", false, "CI-sized smoke run: one short search step per scenario, few prepared payments")
	fs.StringVar(&cfg.bin, "bin", "", "use this gateway binary instead of building ./cmd/pasarela (e.g. a profiling build)")
	fs.IntVar(&cfg.merchants, "merchants", cfg.merchants, "merchants the load is spread over (the sandbox merchant plus merchants created with the CLI)")
	fs.IntVar(&cfg.prepared, "prepared", cfg.prepared, "sessions and payments created before the status and funnel scenarios")
	fs.IntVar(&cfg.fixedRate, "fixed-rate", cfg.fixedRate, "fixed rate (req/s) at which latency is reported besides half the max; 0 skips it")
	fs.IntVar(&cfg.startRate, "start-rate", 0, "first rate of the max-throughput search (default per scenario)")
	fs.IntVar(&cfg.maxRate, "max-rate", cfg.maxRate, "highest rate the search tries")
	fs.IntVar(&cfg.bisect, "bisect", cfg.bisect, "bisection steps after the doubling ramp")
	fs.DurationVar(&cfg.budget, "search-budget", cfg.budget, "time bound of one max-throughput search")
	fs.DurationVar(&cfg.timeout, "timeout", cfg.timeout, "request timeout; a slower answer counts as an error")
	fs.IntVar(&cfg.maxWorkers, "max-workers", cfg.maxWorkers, "most concurrent requests the load generator keeps in flight")
	fs.DurationVar(&cfg.settle, "settle", cfg.settle, "longest wait before each step for the machine to go quiet (the target finishing queued work, other processes)")
	fs.DurationVar(&cfg.notifyGrace, "notify-grace", cfg.notifyGrace, "how long after a whole-payment step its IPNs may still arrive")
	fs.BoolVar(&cfg.baseline, "baseline", true, "also measure the baseline server")
	fs.Var(&cfg.gatewayArgs, "gateway-arg", "extra flag for `pasarela serve` (repeatable), e.g. --gateway-arg=--notify-poll=10ms")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the gateway's data directory and log")
	fs.StringVar(&cfg.dataRoot, "data-root", cfg.dataRoot, "where the fresh data directory is created (its file system matters for SQLite fsync)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if cfg.quick {
		// Small enough for `go test -race`, big enough that every scenario
		// moves real requests through every code path.
		quick := map[string]func(){
			"duration":      func() { cfg.duration = 300 * time.Millisecond },
			"prepared":      func() { cfg.prepared = 20 },
			"merchants":     func() { cfg.merchants = 2 },
			"fixed-rate":    func() { cfg.fixedRate = 0 },
			"start-rate":    func() { cfg.startRate = 100 },
			"bisect":        func() { cfg.bisect = 0 },
			"settle":        func() { cfg.settle = 250 * time.Millisecond },
			"notify-grace":  func() { cfg.notifyGrace = 3 * time.Second },
			"search-budget": func() { cfg.budget = 5 * time.Second },
			"max-rate":      func() { cfg.maxRate = 100 },
			"max-workers":   func() { cfg.maxWorkers = 64 },
			"timeout":       func() { cfg.timeout = 5 * time.Second },
		}
		for name, apply := range quick {
			if !set[name] {
				apply()
			}
		}
		cfg.maxSearchSteps = 1
	}
	names, err := selectScenarios(*scen)
	if err != nil {
		return cfg, err
	}
	cfg.scenarios = names
	if cfg.duration < 100*time.Millisecond || cfg.merchants < 1 || cfg.prepared < 1 || cfg.maxWorkers < 1 {
		return cfg, errors.New("--duration must be at least 100ms; --merchants, --prepared and --max-workers at least 1")
	}
	return cfg, nil
}

func main() {
	if serveBaselineChild() {
		return
	}
	cfg, err := parseFlags(os.Args[1:], os.Stdout)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
