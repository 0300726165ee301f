package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	prclient "github.com/pasarela/pasarela/client/payretailers"
	"github.com/pasarela/pasarela/gateway"
	"github.com/pasarela/pasarela/internal/testgateway"
	"github.com/pasarela/pasarela/payretailers"
)

// ipnReceiver records every IPN it gets by transaction id, answering 500
// until healthy is set.
type ipnReceiver struct {
	healthy   atomic.Bool
	mu        sync.Mutex
	ids       map[string]map[string]bool // transaction id → notification ids seen
	delivered map[string]bool
}

func newIPNReceiver() *ipnReceiver {
	return &ipnReceiver{ids: map[string]map[string]bool{}, delivered: map[string]bool{}}
}

func (rc *ipnReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var ipn struct {
		TransactionID string `json:"transaction_id"`
		Status        string `json:"status"`
	}
	_ = json.Unmarshal(body, &ipn)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.ids[ipn.TransactionID] == nil {
		rc.ids[ipn.TransactionID] = map[string]bool{}
	}
	rc.ids[ipn.TransactionID][r.Header.Get("X-Pasarela-Notification-Id")] = true
	if !rc.healthy.Load() {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	rc.delivered[ipn.TransactionID] = true
	_, _ = w.Write([]byte(`["OK"]`))
}

func (rc *ipnReceiver) count() (seen, delivered int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.ids), len(rc.delivered)
}

func prClient(p *testgateway.Process, cm gateway.CreatedMerchant) *prclient.Client {
	return &prclient.Client{BaseURL: p.URL, ServiceID: cm.PayRetailers.ServiceID, Secret: []byte(cm.PayRetailers.SecretKey),
		HTTPClient: &http.Client{Timeout: 10 * time.Second}}
}

func createCardPayment(ctx context.Context, c *prclient.Client) (*prclient.Payment, error) {
	return c.CreatePayment(ctx, prclient.PaymentParams{Amount: 3500, Currency: "CLP", Country: "CL", Method: "creditcard",
		Email: "payer@example.com", FirstName: "Ana", LastName: "Rojas", IP: "203.0.113.7",
		ReturnURL: "https://shop.example/ok", CancelURL: "https://shop.example/ko", Custom: "crash"})
}

// sandboxComplete finishes a PayRetailers payment through the test helper.
func sandboxComplete(t *testing.T, p *testgateway.Process, cm gateway.CreatedMerchant, txID string) {
	t.Helper()
	body := []byte(fmt.Sprintf(`{"pg_serviceid":%q}`, cm.PayRetailers.ServiceID))
	req, err := http.NewRequest(http.MethodPost, p.URL+"/sandbox/payments/"+txID+"/complete", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header["X-PG-SIG"] = []string{payretailers.Sign([]byte(cm.PayRetailers.SecretKey), body)}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(out))
}

// Notifications pending when the gateway dies (kill -9) are all delivered
// after it restarts, with the same notification ids.
func TestKilledGatewayDeliversPendingNotificationsAfterRestart(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	data := t.TempDir()
	rc := newIPNReceiver()
	recv := httptest.NewServer(rc)
	defer recv.Close()
	flags := []string{"--notify-schedule", strings.TrimSuffix(strings.Repeat("300ms,", 40), ","),
		"--notify-timeout", "1s", "--notify-rescue-after", "8s", "--notify-poll", "20ms"}

	p := testgateway.Start(t, data, flags...)
	cm := p.Credentials(t)
	_, _, err := run(t, "merchant", "update", cm.ID, "--data", data, "--notification-url", recv.URL)
	require.NoError(t, err)

	c := prClient(p, cm)
	const n = 15
	var txIDs []string
	for range n {
		pay, err := createCardPayment(ctx, c)
		require.NoError(t, err)
		sandboxComplete(t, p, cm, pay.TransactionID)
		txIDs = append(txIDs, pay.TransactionID)
	}
	require.Eventually(t, func() bool { seen, _ := rc.count(); return seen == n }, 20*time.Second, 20*time.Millisecond,
		"every notification was attempted before the crash")
	p.Kill()
	killed := time.Now()

	// A delivery cut off mid-attempt is retried once it is older than
	// --notify-rescue-after; River's rescuer runs at start, so restart
	// after that much time to keep the test short.
	time.Sleep(time.Until(killed.Add(9 * time.Second)))
	rc.healthy.Store(true)
	p2 := testgateway.Start(t, data, flags...)
	defer p2.Kill()
	require.Eventually(t, func() bool { _, d := rc.count(); return d == n }, 30*time.Second, 50*time.Millisecond,
		"every pending notification is delivered after the restart")
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, id := range txIDs {
		require.True(t, rc.delivered[id], id)
		require.Len(t, rc.ids[id], 1, "one notification id per payment, stable across the crash")
	}
}

// Every payment acknowledged to a merchant survives a kill -9 right after
// the acknowledgement (synchronous=FULL plus group commit answering only
// after the commit).
func TestAcknowledgedPaymentsSurviveKill(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	data := t.TempDir()
	p := testgateway.Start(t, data)
	cm := p.Credentials(t)
	c := prClient(p, cm)
	if _, err := c.AuthToken(ctx); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var acked []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				pay, err := createCardPayment(ctx, c)
				if err != nil {
					return // the gateway died mid-request: not acknowledged
				}
				mu.Lock()
				acked = append(acked, pay.TransactionID)
				mu.Unlock()
			}
		}()
	}
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 200 }, 30*time.Second, 5*time.Millisecond)
	p.Kill() // while writers are still sending
	close(stop)
	wg.Wait()

	p2 := testgateway.Start(t, data)
	defer p2.Kill()
	c2 := prClient(p2, cm)
	mu.Lock()
	defer mu.Unlock()
	for _, id := range acked {
		got, err := c2.PaymentStatus(ctx, id)
		require.NoError(t, err, "acknowledged payment %s was lost", id)
		require.Equal(t, "created", got.Status)
	}
	t.Logf("%d acknowledged payments all survived kill -9", len(acked))
}
