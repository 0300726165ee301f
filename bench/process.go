package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat.
// It is 100 on every Linux architecture Go supports (the kernel fixes it
// for user space regardless of CONFIG_HZ), so it is not read at run time.
const clockTicks = 100

// proc reads one process's resource use from /proc.
type proc struct{ pid int }

// cpuSeconds is the process's user plus system CPU time.
func (p proc) cpuSeconds() (float64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces and parentheses; the
	// fields after the last ')' are fixed: state is field 3, utime 14,
	// stime 15.
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", p.pid)
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", p.pid)
	}
	utime, err1 := strconv.ParseUint(f[11], 10, 64)
	stime, err2 := strconv.ParseUint(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return float64(utime+stime) / clockTicks, nil
}

// memory returns VmRSS and VmHWM (the peak RSS) in bytes.
func (p proc) memory() (rss, peak int64, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/%d/status %s: %w", p.pid, name, err)
		}
		if name == "VmRSS" {
			rss = kb << 10
		} else {
			peak = kb << 10
		}
	}
	return rss, peak, nil
}

// resetPeak sets VmHWM back to the current RSS (Linux 4.0+), so the peak
// of each scenario is its own and not the run's so far. It reports false
// when the kernel refuses; peaks are then the process's lifetime peak.
func (p proc) resetPeak() bool {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.pid), []byte("5"), 0) == nil
}

// waitQuiet waits until the whole machine uses under 15% of its CPU over
// a quarter of a second, at most max. Between steps that is the target
// finishing queued work (handlers still running after their clients timed
// out, a write batch committing), which must not be billed to the next
// step, and any other process on the machine, which would disturb it.
// Each step records how much others used anyway (OtherCPUShare).
func waitQuiet(ctx context.Context, max time.Duration) {
	deadline := time.Now().Add(max)
	capacity := 0.25 * float64(runtime.NumCPU())
	prev, err := machineBusySeconds()
	for err == nil && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return
		case <-time.After(250 * time.Millisecond):
		}
		cur, cerr := machineBusySeconds()
		if cerr != nil || cur-prev < 0.15*capacity {
			return
		}
		prev, err = cur, cerr
	}
}

// machineBusySeconds is the CPU time all processes used since boot
// (/proc/stat: user, nice, system, irq, softirq, steal; not idle or
// iowait), to tell whether something else competed with the run.
func machineBusySeconds() (float64, error) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, errors.New("/proc/stat: unexpected format")
	}
	var busy uint64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		v, err := strconv.ParseUint(f[i], 10, 64)
		if err != nil {
			return 0, err
		}
		busy += v
	}
	return float64(busy) / clockTicks, nil
}

// dbWatcher sums the CPU of the PostgreSQL server processes that work
// for the benchmark: backends whose process title names its database, and
// the cluster's shared writers (WAL writer, checkpointer, background
// writer). With --database-url postgres://… that CPU is part of the
// system under test, not a disturbance; backends of other databases (a
// test suite running beside) are left out. The postmaster itself is left
// out too: its children's time, which it inherits when they exit, is
// everyone's.
type dbWatcher struct{ name string }

// newDBWatcher returns a watcher for a postgres:// URL, or nil.
func newDBWatcher(databaseURL string) *dbWatcher {
	u, err := url.Parse(databaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		name = u.User.Username() // libpq's default database
	}
	return &dbWatcher{name: name}
}

func (w *dbWatcher) cpuSeconds() float64 {
	if w == nil {
		return 0
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var total float64
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err != nil || strings.TrimSpace(string(comm)) != "postgres" {
			continue
		}
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil {
			continue
		}
		// A server process's title replaces its argv: "postgres: 15/main:
		// checkpointer" or "postgres: 15/main: user db 127.0.0.1(5432) idle".
		title := strings.ReplaceAll(string(raw), "\x00", " ")
		if !w.ours(title) {
			continue
		}
		if cpu, err := (proc{pid: pid}).cpuSeconds(); err == nil {
			total += cpu
		}
	}
	return total
}

func (w *dbWatcher) ours(title string) bool {
	rest, ok := strings.CutPrefix(title, "postgres: ")
	if !ok {
		return false // the postmaster
	}
	for _, shared := range []string{"walwriter", "checkpointer", "background writer"} {
		if strings.Contains(rest, shared) {
			return true
		}
	}
	f := strings.Fields(rest)
	if len(f) > 0 && strings.HasSuffix(f[0], ":") {
		f = f[1:] // the cluster name, when one is set
	}
	switch {
	case len(f) >= 3 && f[0] == "autovacuum" && f[1] == "worker":
		return f[2] == w.name
	case len(f) >= 2: // a backend: user, database, client, state
		return f[1] == w.name
	}
	return false
}

// gatewayProc is the gateway child process.
type gatewayProc struct {
	addr    string
	args    []string // flags shared by serve and the CLI: --data, --database-url
	bin     string
	cmd     *exec.Cmd
	data    string
	done    chan error
	logPath string
	url     string
}

// buildGateway builds ./cmd/pasarela of the module the bench runs in.
func buildGateway(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the pasarela module: run from the repository (or pass --bin)")
	}
	bin := filepath.Join(dir, "pasarela")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/pasarela")
	cmd.Dir = filepath.Dir(mod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/pasarela: %v\n%s", err, out)
	}
	return bin, nil
}

// childEnv is the bench's environment without PASARELA_* variables, so a
// developer's shell settings cannot silently change what is measured
// (use --gateway-arg to change the gateway's configuration on purpose).
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PASARELA_") {
			env = append(env, kv)
		}
	}
	return env
}

// startGateway runs `pasarela serve` on a free loopback port and waits
// for /readyz. Its output goes to a log file: the gateway logs one line
// per request at the default level, which is part of what is measured.
func startGateway(ctx context.Context, bin, data, databaseURL string, extra []string) (*gatewayProc, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	g := &gatewayProc{addr: addr, bin: bin, data: data, url: "http://" + addr, done: make(chan error, 1),
		args: []string{"--data", data}, logPath: filepath.Join(data, "gateway.log")}
	if databaseURL != "" {
		g.args = append(g.args, "--database-url", databaseURL)
	}
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, err
	}
	logFile, err := os.Create(g.logPath)
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve", "--listen", addr}, g.args...)
	g.cmd = exec.Command(bin, append(args, extra...)...)
	g.cmd.Env = childEnv()
	g.cmd.Stdout, g.cmd.Stderr = logFile, logFile
	if err := g.cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting the gateway: %w", err)
	}
	go func() { g.done <- g.cmd.Wait(); logFile.Close() }()
	if err := waitReady(ctx, g.url+"/readyz", g.done, 60*time.Second); err != nil {
		g.kill()
		return nil, fmt.Errorf("gateway: %w\n%s", err, tail(g.logPath, 4000))
	}
	return g, nil
}

func (g *gatewayProc) proc() proc { return proc{pid: g.cmd.Process.Pid} }

// cli runs a pasarela subcommand on the same data as the server, as an
// operator would while it serves.
func (g *gatewayProc) cli(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, g.bin, append(args, g.args...)...)
	cmd.Env = childEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("pasarela %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// credentials is what `merchant create --json` prints and what the sandbox
// merchant's credentials file holds.
type credentials struct {
	ETpay struct {
		MerchantAPIToken string `json:"merchant_api_token"`
		MerchantCode     string `json:"merchant_code"`
	} `json:"etpay"`
	ID           string `json:"id"`
	Name         string `json:"name"`
	PayRetailers struct {
		SecretKey string `json:"secret_key"`
		ServiceID string `json:"service_id"`
	} `json:"payretailers"`
}

// sandboxCredentials reads the file the gateway writes on first start.
func (g *gatewayProc) sandboxCredentials() (credentials, error) {
	var c credentials
	raw, err := os.ReadFile(filepath.Join(g.data, "sandbox-credentials.json"))
	if err != nil {
		return c, err
	}
	return c, json.Unmarshal(raw, &c)
}

// stop ends the gateway gracefully (SIGTERM), or kills it after 30 s.
func (g *gatewayProc) stop() error {
	if err := g.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case err := <-g.done:
		return err
	case <-time.After(30 * time.Second):
		g.kill()
		return errors.New("gateway did not stop within 30 s of SIGTERM; killed")
	}
}

func (g *gatewayProc) kill() {
	if g.cmd.ProcessState != nil {
		return
	}
	_ = g.cmd.Process.Kill()
	select {
	case <-g.done:
	case <-time.After(10 * time.Second):
	}
}

// waitReady polls url until it answers 200, the process ends or max passes.
func waitReady(ctx context.Context, url string, done <-chan error, max time.Duration) error {
	deadline := time.Now().Add(max)
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-done:
			return fmt.Errorf("exited before it was ready: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s", url, max)
		}
	}
}

// freeAddr returns a loopback address whose port was free just now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// tail returns the last n bytes of a file, for error messages.
func tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > n {
		_, _ = f.Seek(-n, 2)
	}
	var b bytes.Buffer
	_, _ = b.ReadFrom(f)
	return b.String()
}
