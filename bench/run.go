package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	prsdk "github.com/pasarela/pasarela/client/payretailers"
)

// run does a whole benchmark and writes its results.
func run(ctx context.Context, cfg config) (*report, error) {
	work, err := os.MkdirTemp(cfg.dataRoot, "pasarela-bench-")
	if err != nil {
		return nil, err
	}
	if cfg.keep {
		fmt.Fprintf(cfg.stdout, "keeping %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}
	rep := &report{Date: time.Now().UTC(), Machine: machineInfo(work)}
	rep.Commit, rep.Dirty = gitCommit()
	rep.Database = describeDatabase(cfg.databaseURL, rep.Machine.DataFS)
	rep.Settings = settings{
		Baseline:      "net/http child process: same routes, reads the body, answers the gateway's captured bytes",
		FixedRate:     cfg.fixedRate,
		GatewayArgs:   cfg.gatewayArgs,
		LoadGenerator: "vegeta v12 (library), same machine",
		MaxWorkers:    cfg.maxWorkers, Merchants: cfg.merchants, Prepared: cfg.prepared, Quick: cfg.quick,
		StepSeconds: cfg.duration.Seconds(), TimeoutSeconds: cfg.timeout.Seconds(),
		Sustained: "under 1% errors, p99 under 1 s, at least 90% of the offered rate served (whole payment: also 99% of IPNs within --notify-grace and IPN delay p99 under 1 s)",
	}

	bin := cfg.bin
	rep.Settings.Binary = "binary " + bin + " (--bin)"
	if bin == "" {
		rep.Settings.Binary = "built from the working tree"
		fmt.Fprintln(cfg.stdout, "building ./cmd/pasarela")
		if bin, err = buildGateway(ctx, work); err != nil {
			return nil, err
		}
	}
	rc, err := startReceiver()
	if err != nil {
		return nil, err
	}
	defer rc.close()
	var base *baselineProc
	if cfg.baseline {
		if base, err = startBaseline(ctx); err != nil {
			return nil, err
		}
		defer base.stop()
	}
	gw, err := startGateway(ctx, bin, filepath.Join(work, "data"), cfg.databaseURL, cfg.gatewayArgs)
	if err != nil {
		return nil, err
	}
	defer gw.kill()
	fmt.Fprintf(cfg.stdout, "gateway pid %d at %s; IPN receiver %s\n", gw.cmd.Process.Pid, gw.url, rc.url)

	// Idle RSS: ready, migrated, sandbox merchant made, no traffic yet.
	time.Sleep(time.Second)
	rep.IdleRSS, _, _ = gw.proc().memory()
	if base != nil {
		rep.BaselineIdleRSS, _, _ = base.proc().memory()
	}

	e, err := newEnv(ctx, cfg, gw, rc)
	if err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, db: newDBWatcher(cfg.databaseURL), e: e, servers: []proc{gw.proc()}}
	gwTarget := &target{name: "gateway", proc: gw.proc(), url: gw.url}
	var blTarget *target
	if base != nil {
		blTarget = &target{name: "baseline", proc: base.proc(), url: base.url}
		r.servers = append(r.servers, base.proc())
	}
	all := scenarios()
	// lastBaseline is the previous baseline max in requests per second,
	// where the next baseline search starts (the baseline's limit hardly
	// depends on the scenario).
	lastBaseline := 0
	for _, sc := range all {
		if !contains(cfg.scenarios, sc.name) || ctx.Err() != nil {
			continue
		}
		fmt.Fprintf(cfg.stdout, "== %s\n", sc.title)
		res := scenarioResult{Name: sc.name, Title: sc.title, Unit: "req/s"}
		if sc.flow {
			res.Unit = "payments/s"
		}
		if err := sc.prepare(ctx, e, sc); err != nil {
			res.Error = err.Error()
			fmt.Fprintf(cfg.stdout, "  preparing failed: %v\n", err)
			rep.Scenarios = append(rep.Scenarios, res)
			continue
		}
		res.Note = sc.note
		res.Gateway = r.measure(ctx, gwTarget, sc, 0, true)
		rep.PeakRSS = max(rep.PeakRSS, res.Gateway.PeakRSS)
		if blTarget != nil {
			if err := base.setResponses(ctx, sc.samples); err != nil {
				return nil, err
			}
			// The baseline is faster than the gateway, so its search starts
			// at twice the gateway's max, or half the last baseline max,
			// instead of climbing from the bottom again; half its max is
			// not run (only the gateway's latency there is reported).
			perUnit := 1
			if sc.flow {
				perUnit = 2
			}
			start := max(2*res.Gateway.MaxRate, lastBaseline/perUnit/2)
			bl := r.measure(ctx, blTarget, sc, start, false)
			if bl.MaxRate > 0 && !bl.Capped {
				lastBaseline = bl.MaxRate * perUnit
			}
			res.Baseline = &bl
			// A capped baseline max is a lower bound, so no ratio.
			if bl.MaxThroughput > 0 && !bl.Capped {
				ratio := res.Gateway.MaxThroughput / bl.MaxThroughput
				res.Ratio = &ratio
			}
		}
		rep.Scenarios = append(rep.Scenarios, res)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// RSS after load: once quiet, a few seconds more for the runtime's
	// scavenger to start returning the heap the overload steps grew.
	waitQuiet(ctx, cfg.settle)
	idle := min(5*time.Second, 4*cfg.settle)
	time.Sleep(idle)
	rep.RSSAfterLoad, _, _ = gw.proc().memory()
	rep.AfterLoadIdleSeconds = idle.Seconds()
	rep.Receiver = rc.stats()
	if err := gw.stop(); err != nil {
		fmt.Fprintf(cfg.stdout, "warning: gateway stop: %v\n", err)
	}
	rep.GatewayErrors, rep.GatewayErrorSample = gatewayErrors(gw.logPath)
	rep.Minutes = time.Since(rep.Date).Minutes()
	rep.evaluate(all)
	if err := rep.write(cfg.out); err != nil {
		return nil, err
	}
	fmt.Fprintln(cfg.stdout)
	rep.markdown(cfg.stdout)
	fmt.Fprintf(cfg.stdout, "\nwrote %s and %s\n", filepath.Join(cfg.out, "results.json"), filepath.Join(cfg.out, "results.md"))
	return rep, nil
}

// newEnv sets up the merchants: the sandbox merchant gets the receiver as
// its notification URL through `pasarela merchant update`, the others are
// created with `pasarela merchant create`, both on the serving gateway's
// data, as an operator would.
func newEnv(ctx context.Context, cfg config, gw *gatewayProc, rc *receiver) (*env, error) {
	nonce := make([]byte, 4)
	_, _ = rand.Read(nonce)
	e := &env{cfg: cfg, client: &http.Client{Timeout: 30 * time.Second}, gw: gw, nonce: "bench-" + hex.EncodeToString(nonce), receiver: rc}
	sandbox, err := gw.sandboxCredentials()
	if err != nil {
		return nil, fmt.Errorf("sandbox credentials: %w", err)
	}
	if _, err := gw.cli(ctx, "merchant", "update", sandbox.ID, "--notification-url", rc.url); err != nil {
		return nil, err
	}
	all := []credentials{sandbox}
	for i := 1; i < cfg.merchants; i++ {
		out, err := gw.cli(ctx, "merchant", "create", "--name", fmt.Sprintf("Bench Shop %d", i),
			"--notification-url", rc.url, "--json")
		if err != nil {
			return nil, err
		}
		var c credentials
		if err := json.Unmarshal(out, &c); err != nil {
			return nil, fmt.Errorf("merchant create --json printed %q: %w", out, err)
		}
		all = append(all, c)
	}
	for _, c := range all {
		m := &merchantCtx{creds: c, secret: []byte(c.PayRetailers.SecretKey)}
		client := &prsdk.Client{BaseURL: gw.url, HTTPClient: e.client, Secret: m.secret, ServiceID: c.PayRetailers.ServiceID}
		if m.prToken, err = client.AuthToken(ctx); err != nil {
			return nil, fmt.Errorf("auth/token for %s: %w", c.ID, err)
		}
		rc.addSecret(c.PayRetailers.ServiceID, m.secret)
		e.merchants = append(e.merchants, m)
	}
	return e, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
