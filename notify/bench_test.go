package notify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/token"
)

// BenchmarkDelivery measures notifications delivered per second to a local
// receiver and the latency from the status change to the receiver getting
// it (p50/p99), through the real store, River queue and HTTP delivery:
//
//	go test -run '^$' -bench Delivery -benchtime 2000x ./notify/
func BenchmarkDelivery(b *testing.B) {
	bt := startEngineTB(b)
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
	start := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
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
	slices.Sort(latencies)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
}
