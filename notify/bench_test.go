package notify_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/token"
)

// BenchmarkDelivery measures notifications delivered per second to a local
// receiver and the latency from the status change to the receiver getting
// it (p50/p99), through the real store, River queue and HTTP delivery:
//
//	go test -run '^$' -bench Delivery -benchtime 4000x ./notify/
//
// first-attempt-in-process is how a gateway node runs; river-only is the
// path of jobs whose first attempt no node made (CLI resends, a crash).
// changes is how many status changes are in flight at once: each waits for
// its group commit, so more of them share each commit.
func BenchmarkDelivery(b *testing.B) {
	for _, hot := range []bool{true, false} {
		for _, changes := range []int{32, 64} {
			name := fmt.Sprintf("river-only/changes=%d", changes)
			if hot {
				name = fmt.Sprintf("first-attempt-in-process/changes=%d", changes)
			}
			b.Run(name, func(b *testing.B) { benchmarkDelivery(b, hot, changes) })
		}
	}
}

func benchmarkDelivery(b *testing.B, hot bool, changes int) {
	bt := startEngineTB(b, hot)
	var mu sync.Mutex
	changed := map[string]time.Time{}
	var latencies []time.Duration
	done := make(chan struct{}, b.N)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		latencies = append(latencies, time.Since(changed[r.URL.Query().Get("p")]))
		mu.Unlock()
		done <- struct{}{}
	}))
	defer srv.Close()

	ctx := context.Background()
	ids := make([]string, b.N)
	keys := make([]string, b.N)
	for i := range ids {
		p, err := bt.payments.Create(ctx, payment.Payment{MerchantID: bt.merchantID, Dialect: payment.DialectETpay,
			Ref: token.Alnum(40), Amount: payment.Money{Amount: 1000, Currency: "CLP"}, ExpiresAt: time.Now().Add(time.Hour),
			URLs: payment.URLs{Notification: srv.URL + "/?p=" + token.Alnum(8)}})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = p.ID
		keys[i] = p.URLs.Notification[len(p.URLs.Notification)-8:]
	}
	b.ResetTimer()
	w0 := bt.store.WriterStats()
	start := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, changes)
	for i, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			mu.Lock()
			changed[keys[i]] = time.Now()
			mu.Unlock()
			if _, err := bt.payments.Transition(ctx, id, payment.StatusCompleted, "", payment.ActorSandbox); err != nil {
				b.Error(err)
			}
		}()
	}
	for range ids {
		<-done
	}
	elapsed := time.Since(start)
	wg.Wait()
	b.StopTimer()
	w1 := bt.store.WriterStats()
	b.ReportMetric(float64(w1.Writes-w0.Writes)/float64(max(1, w1.Commits-w0.Commits)), "writes/commit")
	slices.Sort(latencies)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkBacklogDrain measures how fast River's workers drain notifications
// that piled up while no engine ran (a node down, a long outage of the
// merchant), with nothing else writing:
//
//	go test -run '^$' -bench BacklogDrain -benchtime 4000x ./notify/
func BenchmarkBacklogDrain(b *testing.B) {
	bt := newEngineBundle(b, notify.Schedule{time.Second}, 10*time.Millisecond, 100)
	var delivered atomic.Int64
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if delivered.Add(1) == int64(b.N) {
			close(done)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	for range b.N {
		p, err := bt.payments.Create(ctx, payment.Payment{MerchantID: bt.merchantID, Dialect: payment.DialectETpay,
			Ref: token.Alnum(40), Amount: payment.Money{Amount: 1000, Currency: "CLP"}, ExpiresAt: time.Now().Add(time.Hour),
			URLs: payment.URLs{Notification: srv.URL}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := bt.payments.Transition(ctx, p.ID, payment.StatusCompleted, "", payment.ActorSandbox); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	start := time.Now()
	bt.start(b, false)
	<-done
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "deliveries/s")
}
