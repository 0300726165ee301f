package main

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// target is a server under load: the gateway or the baseline.
type target struct {
	name string
	proc proc
	url  string
}

// latency percentiles in milliseconds (nearest rank over every request of
// a step, failed ones included: an error is not faster than a success).
type latency struct {
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
}

func summarize(d []time.Duration) latency {
	if len(d) == 0 {
		return latency{}
	}
	slices.Sort(d)
	ms := func(x time.Duration) float64 { return float64(x) / float64(time.Millisecond) }
	rank := func(q float64) float64 { return ms(d[int(math.Ceil(q*float64(len(d))))-1]) }
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	return latency{Max: ms(d[len(d)-1]), Mean: ms(sum / time.Duration(len(d))), P50: rank(0.5), P90: rank(0.9), P99: rank(0.99)}
}

// stepResult is one run at a constant offered rate.
type stepResult struct {
	// Rate is offered, per second (payments per second for a flow).
	Rate     int `json:"rate"`
	Requests int `json:"requests"`
	// Seconds is the step's wall time, its IPN wait included.
	Seconds float64 `json:"seconds"`
	OK      int     `json:"ok"`
	// ErrorRate is the share of answers that were not a success.
	ErrorRate float64 `json:"error_rate"`
	// Throughput is successes per second over the step's wall time.
	Throughput float64 `json:"throughput"`
	Latency    latency `json:"latency_ms"`
	// CPUSeconds is the target's user+system CPU during the step (and, for
	// a flow, until its IPNs were delivered).
	CPUSeconds float64 `json:"cpu_seconds"`
	// CPUPer1k is CPUSeconds per 1,000 requests (or payments).
	CPUPer1k float64 `json:"cpu_seconds_per_1k"`
	// LoadgenCPUSeconds is the bench process's own CPU during the step:
	// vegeta, the IPN receiver and the bookkeeping share the machine.
	LoadgenCPUSeconds float64 `json:"loadgen_cpu_seconds"`
	// DatabaseCPUSeconds is PostgreSQL's CPU for the step (see
	// dbWatcher; 0 for SQLite, which runs inside the gateway), and
	// DatabaseCPUPer1k the same per 1,000 requests. Only the gateway
	// uses the database; a baseline step shows what else touched it.
	DatabaseCPUSeconds float64 `json:"database_cpu_seconds,omitempty"`
	DatabaseCPUPer1k   float64 `json:"database_cpu_seconds_per_1k,omitempty"`
	// OtherCPUShare is the share of the machine's CPU capacity that
	// processes other than the target, its database and the bench used
	// during the step: above a few percent the numbers are disturbed.
	OtherCPUShare float64 `json:"other_cpu_share"`
	// MachineBusy is the share of the machine's CPU capacity used by
	// everything during the step: near 1 the step was bound by the CPUs
	// the target shares with the load generator, not by the target alone.
	MachineBusy float64        `json:"machine_busy"`
	StatusCodes map[string]int `json:"status_codes"`
	Errors      map[string]int `json:"errors,omitempty"`
	Sustained   bool           `json:"sustained"`
	// Why says why the step is not sustainable.
	Why    string       `json:"why,omitempty"`
	Notify *notifyStats `json:"notify,omitempty"`
	// WriterBusy is the share of the step the gateway's SQLite writer was
	// busy (near 1: it is the bottleneck), WritesPerCommit its mean batch;
	// both absent with PostgreSQL and on the baseline.
	WriterBusy      float64 `json:"writer_busy,omitempty"`
	WritesPerCommit float64 `json:"writes_per_commit,omitempty"`
}

// targetResult is one scenario measured on one target.
type targetResult struct {
	// MaxRate is the highest offered rate that was sustained; 0 when even
	// the lowest tried was not.
	MaxRate       int     `json:"max_rate"`
	MaxThroughput float64 `json:"max_throughput"`
	// Capped: the search stopped (at --max-rate, the step bound or the
	// time budget) before finding a rate the target could not sustain,
	// so the true max is higher.
	Capped bool         `json:"capped,omitempty"`
	Search []stepResult `json:"search"`
	// AtFixed is the run at --fixed-rate (half of it for a flow, which is
	// two API requests per payment); AtHalf at half of MaxRate.
	AtFixed *stepResult `json:"at_fixed_rate,omitempty"`
	AtHalf  *stepResult `json:"at_half_max,omitempty"`
	// PeakRSS is VmHWM over the whole scenario, overload steps of the
	// search included (up to --max-workers requests in flight); the
	// lifetime peak when PeakIsLifetime: the kernel refused to reset it.
	// A peak of the fixed-rate runs alone would mislead: the Go runtime
	// keeps the heap the overload steps grew for minutes.
	PeakRSS        int64 `json:"peak_rss_bytes"`
	PeakIsLifetime bool  `json:"peak_is_lifetime,omitempty"`
}

// runner drives the load.
type runner struct {
	cfg config
	// db watches PostgreSQL's CPU; nil with SQLite.
	db *dbWatcher
	e  *env
	// servers are the gateway and the baseline: the one not under load
	// still uses some CPU (the gateway polls for jobs), which is ours and
	// not a disturbance.
	servers []proc
}

// serversCPU is the CPU seconds of both servers.
func (r *runner) serversCPU() float64 {
	var total float64
	for _, p := range r.servers {
		if cpu, err := p.cpuSeconds(); err == nil {
			total += cpu
		}
	}
	return total
}

func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(r.cfg.stdout, format+"\n", args...)
}

// disturbed is the share of the machine other processes may take during
// a step before the step is run again: the machine is shared, and a
// failed step or a slow fixed-rate run caused by someone else's build is
// not a property of the gateway.
const disturbed = 0.10

// retries bounds how often a disturbed step is run again.
const retries = 2

// measure runs the max-throughput search and the fixed-rate runs of one
// scenario on one target. The search starts at start (0: the scenario's
// own start rate); the run at half the max is skipped unless half.
func (r *runner) measure(ctx context.Context, t *target, sc *scenario, start int, half bool) targetResult {
	var res targetResult
	res.PeakIsLifetime = !t.proc.resetPeak()
	best, steps, capped := r.search(ctx, t, sc, start)
	res.Search, res.Capped = steps, capped
	if best != nil {
		res.MaxRate, res.MaxThroughput = best.Rate, best.Throughput
	}
	if fixed := r.fixedRate(sc); fixed > 0 && ctx.Err() == nil {
		st := r.steady(ctx, t, sc, fixed)
		res.AtFixed = &st
	}
	switch rate := res.MaxRate / 2; {
	case !half || rate <= 0 || ctx.Err() != nil:
	case res.AtFixed != nil && res.AtFixed.Rate == rate:
		res.AtHalf = res.AtFixed // the same run twice would say nothing new
	default:
		st := r.steady(ctx, t, sc, rate)
		res.AtHalf = &st
	}
	_, res.PeakRSS, _ = t.proc.memory()
	return res
}

// steady is a fixed-rate run, run again when others disturbed it; the
// least disturbed run is kept.
func (r *runner) steady(ctx context.Context, t *target, sc *scenario, rate int) stepResult {
	st := r.step(ctx, t, sc, rate, r.cfg.duration)
	for i := 0; i < retries && st.OtherCPUShare > disturbed && ctx.Err() == nil; i++ {
		r.logf("    (others used %.0f%% of the machine: again)", 100*st.OtherCPUShare)
		if again := r.step(ctx, t, sc, rate, r.cfg.duration); again.OtherCPUShare < st.OtherCPUShare {
			st = again
		}
	}
	return st
}

// fixedRate is the rate of the fixed-rate run: --fixed-rate requests per
// second, which for a whole payment (two API calls) is half as many
// payments.
func (r *runner) fixedRate(sc *scenario) int {
	if sc.flow {
		return r.cfg.fixedRate / 2
	}
	return r.cfg.fixedRate
}

// search finds the highest sustainable rate: double from the start rate
// until a step fails (or halve until one passes), then bisect between the
// last pass and the first failure. It is bounded by --max-rate, the step
// count and --search-budget, whichever comes first. Doubling steps are
// half as long as the others: far from the limit the verdict is plain,
// and near it the bisection steps decide.
func (r *runner) search(ctx context.Context, t *target, sc *scenario, start int) (best *stepResult, steps []stepResult, capped bool) {
	deadline := time.Now().Add(r.cfg.budget)
	switch {
	case r.cfg.startRate > 0:
		start = r.cfg.startRate
	case start <= 0:
		start = sc.startRate
	}
	start = max(1, min(start, r.cfg.maxRate))
	short := max(r.cfg.duration/2, min(r.cfg.duration, time.Second))
	bestIdx := -1
	try := func(rate int, d time.Duration) bool {
		st := r.step(ctx, t, sc, rate, d)
		for i := 0; i < retries && !st.Sustained && st.OtherCPUShare > disturbed && ctx.Err() == nil; i++ {
			r.logf("    (others used %.0f%% of the machine: again)", 100*st.OtherCPUShare)
			steps = append(steps, st)
			st = r.step(ctx, t, sc, rate, d)
		}
		steps = append(steps, st)
		if st.Sustained && (bestIdx < 0 || rate > steps[bestIdx].Rate) {
			bestIdx = len(steps) - 1
		}
		return st.Sustained
	}
	result := func() *stepResult {
		if bestIdx < 0 {
			return nil
		}
		return &steps[bestIdx]
	}
	over := func() bool { return ctx.Err() != nil || time.Now().After(deadline) }
	lo, hi := 0, 0
	for rate := start; ; rate = min(2*rate, r.cfg.maxRate) {
		if !try(rate, short) {
			hi = rate
			break
		}
		lo = rate
		if rate >= r.cfg.maxRate || len(steps) >= r.cfg.maxSearchSteps || over() {
			return result(), steps, true
		}
	}
	for lo == 0 && hi > 10 && !over() {
		if try(hi/2, short) {
			lo = hi / 2
		} else {
			hi /= 2
		}
	}
	for i := 0; i < r.cfg.bisect && lo > 0 && float64(hi)/float64(lo) > 1.05 && !over(); i++ {
		mid := (lo + hi) / 2
		if try(mid, r.cfg.duration) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return result(), steps, false
}

// step offers rate per second to t for d and measures.
func (r *runner) step(ctx context.Context, t *target, sc *scenario, rate int, d time.Duration) stepResult {
	waitQuiet(ctx, r.cfg.settle)
	// A fresh transport per step: connections of an overloaded step (and
	// their server-side goroutines) must not carry into the next one.
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: r.cfg.timeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: r.cfg.maxWorkers,
		IdleConnTimeout:     30 * time.Second,
	}
	var rt http.RoundTripper = tr
	var rec *flowRecorder
	if sc.flow {
		ft := &flowTransport{complete: r.e.completeRequest, inner: tr}
		if t.name == "gateway" {
			rec = newFlowRecorder()
			ft.rec.Store(rec)
		}
		rt = ft
	}
	client := &http.Client{Transport: rt, Timeout: r.cfg.timeout,
		// The funnel's first page may redirect; its first answer is
		// what is measured.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	atk := vegeta.NewAttacker(vegeta.Client(client), vegeta.MaxWorkers(uint64(r.cfg.maxWorkers)))
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	base := t.url
	targeter := func(tg *vegeta.Target) error {
		q := sc.next(r.e, r.e.seq.Add(1))
		tg.Method, tg.URL, tg.Body, tg.Header = q.method, base+q.path, q.body, q.header
		return nil
	}

	// The writer's counters first: the scrape is a request, outside the
	// window the CPU counters and the wall clock share.
	writer0 := r.e.scrapeWriter(ctx, t.url)
	self := proc{pid: os.Getpid()}
	cpu0, _ := t.proc.cpuSeconds()
	self0, _ := self.cpuSeconds()
	db0, servers0 := r.db.cpuSeconds(), r.serversCPU()
	busy0, _ := machineBusySeconds()
	wall0 := time.Now()
	st := stepResult{Rate: rate, StatusCodes: map[string]int{}}
	var (
		lats        []time.Duration
		first, last time.Time // first and last request sent
	)
	pacer := vegeta.ConstantPacer{Freq: rate, Per: time.Second}
	for res := range atk.Attack(targeter, pacer, d, sc.name) {
		st.Requests++
		lats = append(lats, res.Latency)
		if first.IsZero() || res.Timestamp.Before(first) {
			first = res.Timestamp
		}
		if res.Timestamp.After(last) {
			last = res.Timestamp
		}
		st.StatusCodes[strconv.Itoa(int(res.Code))]++
		// vegeta marks 4xx as errors itself; the scenario decides (the
		// funnel's 404 may be expected, PayRetailers errors are 200s).
		if res.Code != 0 && sc.ok(int(res.Code), res.Body) {
			st.OK++
			continue
		}
		msg := res.Error
		if msg == "" || res.Code != 0 {
			msg = fmt.Sprintf("HTTP %d: %.120s", res.Code, res.Body)
		}
		if st.Errors == nil {
			st.Errors = map[string]int{}
		}
		if _, seen := st.Errors[msg]; seen || len(st.Errors) < 5 {
			st.Errors[msg]++
		}
	}
	tr.CloseIdleConnections()
	if rec != nil {
		st.Notify = rec.wait(r.e.receiver, r.cfg.notifyGrace)
	}
	busy1, _ := machineBusySeconds()
	wall := time.Since(wall0).Seconds()
	st.Seconds = wall
	cpu1, _ := t.proc.cpuSeconds()
	self1, _ := self.cpuSeconds()
	st.CPUSeconds, st.LoadgenCPUSeconds = cpu1-cpu0, self1-self0
	st.DatabaseCPUSeconds = max(0, r.db.cpuSeconds()-db0)
	st.writerShare(writer0, r.e.scrapeWriter(ctx, t.url), wall)
	if capacity := wall * float64(runtime.NumCPU()); capacity > 0 {
		ours := (r.serversCPU() - servers0) + st.LoadgenCPUSeconds + st.DatabaseCPUSeconds
		st.OtherCPUShare = max(0, (busy1-busy0)-ours) / capacity
		st.MachineBusy = (busy1 - busy0) / capacity
	}
	if st.Requests > 0 {
		st.CPUPer1k = st.CPUSeconds / float64(st.Requests) * 1000
		st.DatabaseCPUPer1k = st.DatabaseCPUSeconds / float64(st.Requests) * 1000
		st.ErrorRate = float64(st.Requests-st.OK) / float64(st.Requests)
	}
	// Throughput is over the window in which requests were sent, one
	// interval per request: a target that keeps up answers as fast as it
	// is asked. The window ignores how long the last answers took, so one
	// straggler (up to --timeout) cannot halve the figure of a short step;
	// latency is judged by p99 instead.
	if n := st.Requests; n > 1 {
		window := last.Sub(first).Seconds() * float64(n) / float64(n-1)
		st.Throughput = float64(st.OK) / window
	}
	st.Latency = summarize(lats)
	switch {
	case st.Requests == 0:
		st.Why = "no requests"
	case st.ErrorRate >= 0.01:
		st.Why = fmt.Sprintf("%.1f%% errors", 100*st.ErrorRate)
	case st.Latency.P99 > 1000:
		st.Why = "p99 over 1 s"
	case st.Throughput < 0.9*float64(rate):
		st.Why = fmt.Sprintf("served %.0f/s of %d/s offered", st.Throughput, rate)
	case st.Notify != nil && st.Notify.Ratio < 0.99:
		st.Why = fmt.Sprintf("only %d of %d IPNs within %s", st.Notify.Received, st.Notify.Completed, r.cfg.notifyGrace)
	case st.Notify != nil && st.Notify.Delay.P99 > 1000:
		// Notifications falling behind grow a backlog whose delay rises
		// for as long as the rate lasts: the same explosion as p99.
		st.Why = "IPN delay p99 over 1 s"
	default:
		st.Sustained = true
	}
	verdict := "ok"
	if !st.Sustained {
		verdict = "NOT sustained: " + st.Why
	}
	writer := ""
	if st.WriterBusy > 0 {
		writer = fmt.Sprintf("  writer %3.0f%% busy %5.1f writes/commit", 100*st.WriterBusy, st.WritesPerCommit)
	}
	r.logf("  %-20s %-8s %6d/s  served %8.1f/s  p50 %7.2f  p99 %8.2f ms  err %5.2f%%  cpu %.3f s/1k  others %3.0f%%%s  %s %s",
		sc.name, t.name, rate, st.Throughput, st.Latency.P50, st.Latency.P99, 100*st.ErrorRate, st.CPUPer1k,
		100*st.OtherCPUShare, writer, verdict, st.Notify.describe())
	return st
}
