package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// report is results.json.
type report struct {
	Date time.Time `json:"date"`
	// Minutes is how long the run took.
	Minutes float64 `json:"minutes"`
	Machine machine `json:"machine"`
	Commit  string  `json:"commit"`
	// Dirty: tracked files differed from the commit when the run started.
	Dirty    bool     `json:"dirty"`
	Database string   `json:"database"`
	Settings settings `json:"settings"`
	// IdleRSS is the gateway's RSS one second after it became ready,
	// before any load; RSSAfterLoad AfterLoadIdleSeconds after the last
	// scenario; PeakRSS the highest VmHWM of any scenario.
	IdleRSS              int64            `json:"idle_rss_bytes"`
	RSSAfterLoad         int64            `json:"rss_after_load_bytes"`
	AfterLoadIdleSeconds float64          `json:"after_load_idle_seconds"`
	PeakRSS              int64            `json:"peak_rss_bytes"`
	BaselineIdleRSS      int64            `json:"baseline_idle_rss_bytes,omitempty"`
	Scenarios            []scenarioResult `json:"scenarios"`
	Checks               []check          `json:"checks"`
	Receiver             receiverStats    `json:"ipn_receiver"`
	// GatewayErrors counts ERROR lines the gateway logged; the first few
	// are kept to explain failed requests.
	GatewayErrors      int      `json:"gateway_error_lines"`
	GatewayErrorSample []string `json:"gateway_error_sample,omitempty"`
}

type machine struct {
	CPUModel    string `json:"cpu_model"`
	CPUs        int    `json:"cpus"`
	GoVersion   string `json:"go_version"`
	Kernel      string `json:"kernel"`
	MemoryBytes int64  `json:"memory_bytes"`
	DataFS      string `json:"data_fs"`
}

type settings struct {
	Baseline string `json:"baseline"`
	// Binary is "built from the working tree" or the --bin path.
	Binary         string   `json:"binary"`
	FixedRate      int      `json:"fixed_rate"`
	GatewayArgs    []string `json:"gateway_args,omitempty"`
	LoadGenerator  string   `json:"load_generator"`
	MaxWorkers     int      `json:"max_workers"`
	Merchants      int      `json:"merchants"`
	Prepared       int      `json:"prepared"`
	Quick          bool     `json:"quick"`
	StepSeconds    float64  `json:"step_seconds"`
	TimeoutSeconds float64  `json:"timeout_seconds"`
	Sustained      string   `json:"sustained_means"`
}

// scenarioResult is one scenario on both targets.
type scenarioResult struct {
	Name     string        `json:"name"`
	Title    string        `json:"title"`
	Unit     string        `json:"unit"`
	Note     string        `json:"note,omitempty"`
	Error    string        `json:"error,omitempty"`
	Gateway  targetResult  `json:"gateway"`
	Baseline *targetResult `json:"baseline,omitempty"`
	// Ratio is the gateway's max throughput over the baseline's.
	Ratio *float64 `json:"ratio_to_baseline,omitempty"`
}

// check is one of the targets and how the run did.
type check struct {
	Target string `json:"target"`
	Actual string `json:"actual"`
	Pass   bool   `json:"pass"`
}

func machineInfo(dataDir string) machine {
	m := machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if raw, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(raw))
	}
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				m.MemoryBytes = kb << 10
			}
		}
	}
	m.DataFS = fsType(dataDir)
	return m
}

// fsType is the file system holding path (its longest mount point
// prefix in /proc/mounts): SQLite's fsync cost depends on it.
func fsType(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	raw, err := os.ReadFile("/proc/mounts")
	if err != nil {
		return ""
	}
	best, typ := "", ""
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		mnt := f[1]
		if (abs == mnt || strings.HasPrefix(abs, strings.TrimSuffix(mnt, "/")+"/")) && len(mnt) >= len(best) {
			best, typ = mnt, f[2]
		}
	}
	return typ
}

// gitCommit reads the commit and whether tracked files changed. Read
// only: GIT_OPTIONAL_LOCKS=0 keeps `git status` from refreshing the index.
func gitCommit() (string, bool) {
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return "unknown", false
	}
	cmd := exec.Command("git", "status", "--porcelain", "--untracked-files=no")
	cmd.Env = append(os.Environ(), "GIT_OPTIONAL_LOCKS=0")
	st, err := cmd.Output()
	return strings.TrimSpace(string(out)), err == nil && len(strings.TrimSpace(string(st))) > 0
}

// describeDatabase names the engine without leaking a password.
func describeDatabase(databaseURL, fs string) string {
	if databaseURL == "" {
		return fmt.Sprintf("SQLite (WAL, synchronous=FULL) on %s", fs)
	}
	if u, err := url.Parse(databaseURL); err == nil {
		return u.Redacted()
	}
	return "(unparsable database URL)"
}

// gatewayErrors counts the gateway's ERROR log lines and keeps a few.
func gatewayErrors(path string) (int, []string) {
	f, err := os.Open(path)
	if err != nil {
		return 0, nil
	}
	defer f.Close()
	n, sample := 0, []string(nil)
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for s.Scan() {
		line := s.Text()
		if strings.Contains(line, "level=ERROR") || strings.Contains(line, `"level":"ERROR"`) {
			n++
			if len(sample) < 5 {
				sample = append(sample, line)
			}
		}
	}
	return n, sample
}

// checks evaluates the targets.
func (rep *report) evaluate(all []*scenario) {
	byName := map[string]*scenario{}
	for _, sc := range all {
		byName[sc.name] = sc
	}
	for _, s := range rep.Scenarios {
		sc := byName[s.Name]
		if sc.minRatio > 0 && s.Ratio != nil {
			rep.Checks = append(rep.Checks, check{
				Target: fmt.Sprintf("%s ≥ %.0f%% of baseline throughput", s.Name, 100*sc.minRatio),
				Actual: fmt.Sprintf("%.0f%%", 100**s.Ratio), Pass: *s.Ratio >= sc.minRatio,
			})
		}
	}
	for _, s := range rep.Scenarios {
		if sc := byName[s.Name]; sc.api && s.Gateway.AtFixed != nil {
			f := s.Gateway.AtFixed
			rep.Checks = append(rep.Checks, check{
				Target: fmt.Sprintf("%s p99 < 10 ms at %d req/s", s.Name, f.Rate),
				Actual: fmt.Sprintf("%.2f ms (%.2f%% errors)", f.Latency.P99, 100*f.ErrorRate),
				Pass:   f.Latency.P99 < 10 && f.ErrorRate < 0.01,
			})
		}
	}
	if len(rep.Scenarios) > 0 {
		// Judged on the whole run, overload steps included: the gateway
		// has no concurrency limit of its own, so overload is load too.
		rep.Checks = append(rep.Checks, check{Target: "peak RSS under load < 150 MB",
			Actual: mb(rep.PeakRSS),
			Pass:   rep.PeakRSS < 150<<20})
	}
	rep.Checks = append(rep.Checks, check{Target: "idle RSS < 40 MB", Actual: mb(rep.IdleRSS), Pass: rep.IdleRSS < 40<<20})
}

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

func mbShort(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/(1<<20)) }

// markdown renders the report as results.md (and stdout).
func (rep *report) markdown(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	dirty := ""
	if rep.Dirty {
		dirty = " + uncommitted changes"
	}
	m := rep.Machine
	p("## pasarela load benchmark — %s (%.0f min)\n\n", rep.Date.Format("2006-01-02 15:04 MST"), rep.Minutes)
	p("- machine: %d × %s, %.1f GB RAM, Linux %s, %s\n", m.CPUs, m.CPUModel, float64(m.MemoryBytes)/(1<<30), m.Kernel, m.GoVersion)
	p("- commit: %s%s; gateway %s\n", rep.Commit, dirty, rep.Settings.Binary)
	p("- database: %s\n", rep.Database)
	s := rep.Settings
	p("- load: %s; %.1f s per step (doubling steps half); %d merchants; %d prepared sessions/payments; timeout %.1f s; at most %d requests in flight%s\n",
		s.LoadGenerator, s.StepSeconds, s.Merchants, s.Prepared, s.TimeoutSeconds, s.MaxWorkers, quickNote(s.Quick))
	if len(s.GatewayArgs) > 0 {
		p("- gateway flags: %s\n", strings.Join(s.GatewayArgs, " "))
	}
	p("- sustained = %s\n", s.Sustained)
	p("- gateway RSS: idle %s, peak %s, %s after %.0f s idle after the load\n\n", mb(rep.IdleRSS), mb(rep.PeakRSS),
		mb(rep.RSSAfterLoad), rep.AfterLoadIdleSeconds)

	fixedCol := s.FixedRate > 0
	head := "| scenario | max sustained | baseline max | ratio |"
	align := "|---|--:|--:|--:|"
	if fixedCol {
		head += fmt.Sprintf(" p50 / p90 / p99 ms @ %s req/s | baseline p99 @ %s |", thousands(s.FixedRate), thousands(s.FixedRate))
		align += "--|--:|"
	}
	p("%s p50 / p90 / p99 ms @ ½ max | peak RSS | CPU s / 1k | others' CPU |\n", head)
	p("%s--|--:|--:|--:|\n", align)
	for _, r := range rep.Scenarios {
		g := r.Gateway
		maxS := rate(g.MaxRate, g.Capped, r.Unit)
		baseS, ratioS, baseP99 := "—", "—", "—"
		if r.Baseline != nil {
			baseS = rate(r.Baseline.MaxRate, r.Baseline.Capped, r.Unit)
			if f := r.Baseline.AtFixed; f != nil {
				baseP99 = fmt.Sprintf("%.2f", f.Latency.P99)
			}
		}
		if r.Ratio != nil {
			ratioS = fmt.Sprintf("%.0f%%", 100**r.Ratio)
		}
		cpu := "—"
		if f := cpuStep(g); f != nil {
			cpu = fmt.Sprintf("%.2f", f.CPUPer1k)
			if f.DatabaseCPUSeconds > 0 {
				cpu += fmt.Sprintf(" + %.2f db", f.DatabaseCPUPer1k)
			}
		}
		row := fmt.Sprintf("| %s | %s | %s | %s |", r.Title, maxS, baseS, ratioS)
		if fixedCol {
			row += fmt.Sprintf(" %s | %s |", percentiles(g.AtFixed), baseP99)
		}
		p("%s %s | %s | %s | %.0f%% |\n", row, percentiles(g.AtHalf), mbShort(g.PeakRSS), cpu, 100*otherShare(g))
	}
	p("\n")
	for _, r := range rep.Scenarios {
		if r.Unit == "payments/s" {
			for i, st := range []*stepResult{r.Gateway.AtFixed, r.Gateway.AtHalf} {
				if i == 1 && st == r.Gateway.AtFixed {
					continue // half the max was the fixed rate
				}
				if st != nil && st.Notify != nil {
					n := st.Notify
					p("- %s at %d payments/s: IPN delay after the sandbox helper answered p50 %.1f / p99 %.1f ms; create → IPN p50 %.1f / p99 %.1f ms; %d of %d IPNs arrived\n",
						r.Name, st.Rate, n.Delay.P50, n.Delay.P99, n.EndToEnd.P50, n.EndToEnd.P99, n.Received, n.Completed)
				}
			}
		}
	}
	for _, r := range rep.Scenarios {
		if line := boundLine(r); line != "" {
			p("- %s: %s\n", r.Name, line)
		}
	}
	for _, r := range rep.Scenarios {
		if r.Note != "" {
			p("- %s: %s\n", r.Name, r.Note)
		}
		if r.Error != "" {
			p("- %s: **failed**: %s\n", r.Name, r.Error)
		}
	}
	p("- \"+\" after a max: the search stopped at its bound before failing; the true max is higher (and no ratio is given when the baseline's is a bound)\n")
	p("- peak RSS: the gateway's VmHWM during the scenario, overload steps of the search included (up to %d requests in flight)\n", s.MaxWorkers)
	p("- CPU s / 1k: the gateway's user+system CPU seconds per 1,000 requests at the fixed rate (at ½ max when that was not sustained); with PostgreSQL, \"+ db\" is the server's CPU for this database\n")
	p("- others' CPU: share of the machine used by processes other than the gateway (and its PostgreSQL), the baseline and the bench, during the gateway's steps; above a few %% the numbers are disturbed (such steps are run again, up to twice)\n")
	if fixedCol {
		p("- whole payment: each payment is two API requests (create + sandbox complete) and one IPN; its fixed rate is %d payments/s = %s API req/s; its CPU is per 1,000 payments and includes IPN delivery\n", s.FixedRate/2, thousands(s.FixedRate))
	}
	if rep.GatewayErrors > 0 {
		p("- the gateway logged %d ERROR lines (see results.json)\n", rep.GatewayErrors)
	}
	p("\n| target | measured | |\n|---|---|---|\n")
	for _, c := range rep.Checks {
		mark := "pass"
		if !c.Pass {
			mark = "**FAIL**"
		}
		p("| %s | %s | %s |\n", c.Target, c.Actual, mark)
	}
}

// boundLine says what bounded a scenario's throughput: for the search step
// of each target that served most, how busy the machine was and who used
// it, and for the gateway how busy its SQLite writer was. A machine near
// 100 % busy means the target and the load generator ran out of CPUs
// together; a writer near 100 % with CPUs to spare means the one writer
// was the bound.
func boundLine(r scenarioResult) string {
	var parts []string
	describe := func(t targetResult, who string) {
		st := bestStep(t)
		if st == nil || st.MachineBusy == 0 || st.Seconds == 0 {
			return
		}
		line := fmt.Sprintf("%s at %s/s offered (served %s/s): machine %.0f%% busy, %s %.2f cores, load generator %.2f",
			who, thousands(st.Rate), thousands(int(st.Throughput)), 100*st.MachineBusy, who, st.CPUSeconds/st.Seconds, st.LoadgenCPUSeconds/st.Seconds)
		if st.WriterBusy > 0 {
			line += fmt.Sprintf(", SQLite writer busy %.0f%% with %.0f writes per commit", 100*st.WriterBusy, st.WritesPerCommit)
		}
		parts = append(parts, line)
	}
	describe(r.Gateway, "gateway")
	if r.Baseline != nil {
		describe(*r.Baseline, "baseline")
	}
	return strings.Join(parts, "; ")
}

// bestStep is the search step that served most.
func bestStep(t targetResult) *stepResult {
	var best *stepResult
	for i, st := range t.Search {
		if best == nil || st.Throughput > best.Throughput {
			best = &t.Search[i]
		}
	}
	return best
}

// otherShare is the mean share of the machine other processes used
// during a target's steps.
func otherShare(t targetResult) float64 {
	steps := append([]stepResult(nil), t.Search...)
	for _, st := range []*stepResult{t.AtFixed, t.AtHalf} {
		if st != nil {
			steps = append(steps, *st)
		}
	}
	if len(steps) == 0 {
		return 0
	}
	var sum float64
	for _, st := range steps {
		sum += st.OtherCPUShare
	}
	return sum / float64(len(steps))
}

func quickNote(q bool) string {
	if q {
		return " (**--quick smoke run: numbers are not measurements**)"
	}
	return ""
}

// cpuStep is the step whose CPU per 1k is reported: the fixed-rate run, or
// half max when there was none.
func cpuStep(t targetResult) *stepResult {
	if t.AtFixed != nil && t.AtFixed.Sustained {
		return t.AtFixed
	}
	if t.AtHalf != nil {
		return t.AtHalf
	}
	return t.AtFixed
}

func rate(r int, capped bool, unit string) string {
	plus := ""
	if capped {
		plus = "+"
	}
	return fmt.Sprintf("%s%s %s", thousands(r), plus, unit)
}

func percentiles(st *stepResult) string {
	if st == nil {
		return "—"
	}
	s := fmt.Sprintf("%.2f / %.2f / %.2f", st.Latency.P50, st.Latency.P90, st.Latency.P99)
	if st.Rate > 0 {
		s += fmt.Sprintf(" (%d/s)", st.Rate)
	}
	if !st.Sustained {
		s += " ⚠ " + st.Why
	}
	return s
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// write saves results.json and results.md in dir.
func (rep *report) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(raw, '\n'), 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "results.md"))
	if err != nil {
		return err
	}
	rep.markdown(f)
	return f.Close()
}
