package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	etpayclient "github.com/pasarela/pasarela/client/etpay"
	"github.com/pasarela/pasarela/internal/testgateway"
	"github.com/pasarela/pasarela/keyring"
)

// Session creation (ETpay session/initialize: authenticate, seal the
// session's signature token, insert the payment and its event) against real
// gateway processes: one node on SQLite, one and two nodes on one
// PostgreSQL. A quick comparison for the scaling docs, not a load test
// (bench/ is that):
//
//	PASARELA_REQUIRE_POSTGRES=1 go test ./cmd/pasarela -run '^$' \
//	    -bench 'BenchmarkSessionCreate' -benchtime 4000x
//
// Each reports req/s (sessions created per second of wall time with
// benchConcurrency requests in flight, spread round-robin over the nodes)
// and p50/p99 latency. Client, nodes and PostgreSQL share the machine, so
// the numbers compare engines and node counts on one host; they are not
// what a cluster of separate hosts does.
func BenchmarkSessionCreateSQLite(b *testing.B) { benchmarkSessionCreate(b, 0) }

// BenchmarkSessionCreatePostgres1 is one node on PostgreSQL.
func BenchmarkSessionCreatePostgres1(b *testing.B) { benchmarkSessionCreate(b, 1) }

// BenchmarkSessionCreatePostgres2 is two nodes on one PostgreSQL database.
func BenchmarkSessionCreatePostgres2(b *testing.B) { benchmarkSessionCreate(b, 2) }

// benchConcurrency is how many requests are in flight at once.
const benchConcurrency = 32

// benchmarkSessionCreate starts the nodes once (pgNodes 0 means one node on
// SQLite) and runs the timed part as a sub-benchmark, so the processes are
// not restarted for each b.N the framework tries.
func benchmarkSessionCreate(b *testing.B, pgNodes int) {
	flags := []string{"--log-level", "warn"}
	var nodes []*testgateway.Process
	if pgNodes == 0 {
		nodes = append(nodes, testgateway.Start(b, b.TempDir(), flags...))
	} else {
		masterKey := filepath.Join(b.TempDir(), "master.key")
		if _, err := keyring.GenerateMasterKeyFile(masterKey); err != nil {
			b.Fatal(err)
		}
		flags = append(flags, "--database-url", testgateway.FreshDatabase(b), "--master-key-file", masterKey)
		first := b.TempDir()
		nodes = append(nodes, testgateway.Start(b, first, flags...))
		creds, err := os.ReadFile(filepath.Join(first, "sandbox-credentials.json"))
		if err != nil {
			b.Fatal(err)
		}
		for range pgNodes - 1 {
			data := b.TempDir()
			if err := os.WriteFile(filepath.Join(data, "sandbox-credentials.json"), creds, 0o600); err != nil {
				b.Fatal(err)
			}
			nodes = append(nodes, testgateway.Start(b, data, flags...))
		}
	}
	cm := nodes[0].Credentials(b)
	addrs := make([]string, len(nodes))
	for i, n := range nodes {
		addrs[i] = n.Addr
	}
	lb := newBalancer(addrs...)
	lb.base = &http.Transport{MaxIdleConnsPerHost: benchConcurrency}
	c := &etpayclient.Client{APIURL: nodes[0].URL, PmtURL: nodes[0].URL, MerchantCode: cm.ETpay.MerchantCode,
		APIToken: cm.ETpay.MerchantAPIToken, HTTPClient: &http.Client{Transport: lb, Timeout: 30 * time.Second}}
	prefix := make([]byte, 4)
	_, _ = rand.Read(prefix)
	var seq atomic.Int64

	b.Run(fmt.Sprintf("c%d", benchConcurrency), func(b *testing.B) {
		ctx := context.Background()
		latencies := make([]time.Duration, b.N)
		var next atomic.Int64
		var failed atomic.Int64
		var wg sync.WaitGroup
		b.ResetTimer()
		start := time.Now()
		for range benchConcurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1) - 1; i < int64(b.N); i = next.Add(1) - 1 {
					order := fmt.Sprintf("bench-%s-%d", hex.EncodeToString(prefix), seq.Add(1))
					t0 := time.Now()
					_, err := c.InitializeSession(ctx, etpayclient.SessionRequest{MerchantOrderID: order, OrderAmount: 50000})
					latencies[i] = time.Since(t0)
					if err != nil {
						failed.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		b.StopTimer()
		if n := failed.Load(); n > 0 {
			b.Fatalf("%d of %d session creations failed", n, b.N)
		}
		sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
		quantile := func(q float64) float64 {
			return float64(latencies[min(len(latencies)-1, int(q*float64(len(latencies))))].Microseconds()) / 1000
		}
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
		b.ReportMetric(quantile(0.50), "p50-ms")
		b.ReportMetric(quantile(0.99), "p99-ms")
	})
}
