package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	etpayclient "github.com/pasarela/pasarela/client/etpay"
	prclient "github.com/pasarela/pasarela/client/payretailers"
	"github.com/pasarela/pasarela/gateway"
	"github.com/pasarela/pasarela/internal/testgateway"
	"github.com/pasarela/pasarela/keyring"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/payretailers"
)

// balancer is a round-robin load balancer in the client: every request goes
// to the next node, whether it is up or not (no health checks), so requests
// to a killed node fail as they would behind a naive balancer.
type balancer struct {
	addrs []string
	base  http.RoundTripper
	next  atomic.Uint64

	mu     sync.Mutex
	served map[string]int // node address → answers below 500
	failed map[string]int // node address → transport errors and 5xx
}

func newBalancer(addrs ...string) *balancer {
	return &balancer{addrs: addrs, base: &http.Transport{MaxIdleConnsPerHost: 64},
		served: map[string]int{}, failed: map[string]int{}}
}

func (b *balancer) RoundTrip(req *http.Request) (*http.Response, error) {
	addr := b.addrs[int(b.next.Add(1)%uint64(len(b.addrs)))]
	r := req.Clone(req.Context())
	r.URL.Host, r.Host = addr, ""
	resp, err := b.base.RoundTrip(r)
	b.mu.Lock()
	if err != nil || resp.StatusCode >= 500 {
		b.failed[addr]++
	} else {
		b.served[addr]++
	}
	b.mu.Unlock()
	return resp, err
}

func (b *balancer) servedBy(addr string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.served[addr]
}

func (b *balancer) failedBy(addr string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failed[addr]
}

// webhookReceiver is the merchant's notification endpoint. It tracks, per
// notification id, requests in flight: each handler holds its request for a
// while, so two nodes delivering one notification at once would overlap
// here and be caught. The first attempt of about a quarter of the
// notifications is answered 500, so retries (on any node) happen too.
// While down is set, every request is answered 503.
type webhookReceiver struct {
	down      atomic.Bool
	hold      time.Duration
	mu        sync.Mutex
	inflight  map[string]int
	overlaps  []string
	requests  map[string]int // every request, answered or not
	delivered map[string]int // requests answered 2xx
}

func newWebhookReceiver() *webhookReceiver {
	return &webhookReceiver{hold: 40 * time.Millisecond, inflight: map[string]int{}, requests: map[string]int{}, delivered: map[string]int{}}
}

func (rc *webhookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	id := r.Header.Get("X-Pasarela-Notification-Id")
	rc.mu.Lock()
	rc.requests[id]++
	n := rc.requests[id]
	rc.inflight[id]++
	if rc.inflight[id] > 1 {
		rc.overlaps = append(rc.overlaps, id)
	}
	rc.mu.Unlock()

	time.Sleep(rc.hold)

	h := sha256.Sum256([]byte(id))
	fail := n == 1 && h[0]%4 == 0 || rc.down.Load()
	rc.mu.Lock()
	rc.inflight[id]--
	if !fail {
		rc.delivered[id]++
	}
	rc.mu.Unlock()
	if fail {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	_, _ = w.Write([]byte(`["OK"]`))
}

// counts are the notification ids the receiver saw, and answered 2xx.
func (rc *webhookReceiver) counts() (seen, delivered int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.requests), len(rc.delivered)
}

// tracked is a payment the client was told about.
type tracked struct {
	dialect payment.Dialect
	ref     string // ETpay session token, PayRetailers transaction id
	// told is the last status an answer gave; "" when every attempt to
	// move the payment failed without an answer (it may or may not have
	// moved).
	told payment.Status
}

// multiNode is the cluster under test and its clients.
type multiNode struct {
	cm    gateway.CreatedMerchant
	etpay *etpayclient.Client
	http  *http.Client
	pr    *prclient.Client
	url   string
}

// sandbox moves a payment through the sandbox helper, authenticated as
// its dialect requires. It returns the status answered, or the HTTP status
// and error of a failure.
func (mn *multiNode) sandbox(ctx context.Context, p tracked, action string) (payment.Status, int, error) {
	var body []byte
	hdr := http.Header{}
	reason := ""
	if action == "fail" {
		reason = "insufficient_funds"
	}
	if p.dialect == payment.DialectETpay {
		body, _ = json.Marshal(map[string]string{"merchant_code": mn.cm.ETpay.MerchantCode,
			"merchant_api_token": mn.cm.ETpay.MerchantAPIToken, "reason": reason})
	} else {
		body, _ = json.Marshal(map[string]string{"pg_serviceid": mn.cm.PayRetailers.ServiceID, "reason": reason})
		hdr["X-PG-SIG"] = []string{payretailers.Sign([]byte(mn.cm.PayRetailers.SecretKey), body)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, mn.url+"/sandbox/payments/"+p.ref+"/"+action, bytes.NewReader(body))
	if err != nil {
		return "", 0, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := mn.http.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	var out struct {
		Status payment.Status `json:"status"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", resp.StatusCode, fmt.Errorf("HTTP %d: %s", resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", resp.StatusCode, err
	}
	return out.Status, resp.StatusCode, nil
}

// status asks the API for a payment's status, in the payment's dialect,
// and reads the answer back as a domain status (ETpay only says pending,
// success or error: created and pending both read as pending, every
// unsuccessful end as failed).
func (mn *multiNode) status(ctx context.Context, p tracked) (payment.Status, error) {
	if p.dialect == payment.DialectETpay {
		recs, err := mn.etpay.CheckPaymentStatus(ctx, etpayclient.StatusQuery{SessionToken: p.ref})
		if err != nil {
			return "", err
		}
		if len(recs) != 1 {
			return "", fmt.Errorf("check_payment_status answered %d records for one session", len(recs))
		}
		switch recs[0].PaymentStatus {
		case etpayclient.StatusSuccess:
			return payment.StatusCompleted, nil
		case etpayclient.StatusError:
			return payment.StatusFailed, nil
		default:
			return payment.StatusPending, nil
		}
	}
	got, err := mn.pr.PaymentStatus(ctx, p.ref)
	if err != nil {
		return "", err
	}
	return payment.Status(got.Status), nil
}

// etpayView is s as check_payment_status can tell it.
func etpayView(s payment.Status) payment.Status {
	switch s {
	case payment.StatusCompleted:
		return payment.StatusCompleted
	case payment.StatusCreated, payment.StatusPending:
		return payment.StatusPending
	default:
		return payment.StatusFailed
	}
}

func (mn *multiNode) same(p tracked, answered, want payment.Status) bool {
	if p.dialect == payment.DialectETpay {
		return answered == etpayView(want)
	}
	return answered == want
}

// Three `pasarela serve` nodes on one PostgreSQL database behind a
// round-robin balancer: sessions are created, completed or failed (test
// helper) and queried on every node, while one node is killed with SIGKILL
// and restarted on its address. Then, checked in the database and through
// the API: every acknowledged payment exists once with the status its
// client was told; no payment changed status twice; every final payment has
// exactly one notification, delivered, and no notification was ever being
// delivered by two nodes at once; the expiry sweepers of all nodes racing
// over the same payments expire each exactly once.
func TestMultiNodeOnPostgres(t *testing.T) {
	t.Parallel()
	began := time.Now()
	dbURL := testgateway.FreshDatabase(t)
	ctx := context.Background()

	// Every node needs the same master key: the keysets and the MAC root
	// live in the database, sealed by it.
	masterKey := filepath.Join(t.TempDir(), "master.key")
	_, err := keyring.GenerateMasterKeyFile(masterKey)
	require.NoError(t, err)
	rc := newWebhookReceiver()
	recv := httptest.NewServer(rc)
	defer recv.Close()
	flags := []string{"--database-url", dbURL, "--master-key-file", masterKey, "--db-max-conns", "8",
		"--notify-schedule", strings.TrimSuffix(strings.Repeat("200ms,", 40), ","),
		"--notify-timeout", "1s", "--notify-rescue-after", "8s", "--notify-poll", "20ms", "--expiry-sweep", "100ms"}

	// Node 1 creates the sandbox merchant; the others get a copy of its
	// credentials file, so they find the same merchant instead of making
	// their own.
	data := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	nodes := make([]*testgateway.Process, 3)
	nodes[0] = testgateway.Start(t, data[0], flags...)
	cm := nodes[0].Credentials(t)
	_, _, err = run(t, "merchant", "update", cm.ID, "--data", data[0], "--database-url", dbURL,
		"--master-key-file", masterKey, "--notification-url", recv.URL)
	require.NoError(t, err)
	creds, err := os.ReadFile(filepath.Join(data[0], "sandbox-credentials.json"))
	require.NoError(t, err)
	for i := 1; i < 3; i++ {
		require.NoError(t, os.WriteFile(filepath.Join(data[i], "sandbox-credentials.json"), creds, 0o600))
		nodes[i] = testgateway.Start(t, data[i], flags...)
		require.Equal(t, cm, nodes[i].Credentials(t), "node %d uses the same sandbox merchant", i+1)
	}

	db, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer db.Close(ctx)
	var merchants int
	require.NoError(t, db.QueryRow(ctx, `SELECT count(*) FROM merchants`).Scan(&merchants))
	require.Equal(t, 1, merchants, "one sandbox merchant for the whole cluster")

	lb := newBalancer(nodes[0].Addr, nodes[1].Addr, nodes[2].Addr)
	hc := &http.Client{Transport: lb, Timeout: 10 * time.Second}
	mn := &multiNode{cm: cm, http: hc, url: nodes[0].URL,
		etpay: &etpayclient.Client{APIURL: nodes[0].URL, PmtURL: nodes[0].URL, MerchantCode: cm.ETpay.MerchantCode,
			APIToken: cm.ETpay.MerchantAPIToken, HTTPClient: hc},
		// One client for all nodes: its auth token, issued by whichever
		// node answered auth/token, must be accepted by every node.
		pr: &prclient.Client{BaseURL: nodes[0].URL, ServiceID: cm.PayRetailers.ServiceID,
			Secret: []byte(cm.PayRetailers.SecretKey), HTTPClient: hc},
	}

	var (
		mu         sync.Mutex
		acked      []*tracked
		unacked    int
		mismatches []string
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				p, err := mn.create(ctx, g, k)
				if err != nil {
					mu.Lock()
					unacked++
					mu.Unlock()
					continue
				}
				mu.Lock()
				acked = append(acked, p)
				mu.Unlock()
				action := ""
				switch r := rand.IntN(10); {
				case r < 6:
					action = "complete"
				case r < 8:
					action = "fail"
				}
				// Only this goroutine touches p until the load stops.
				if action != "" {
					told, err := mn.move(ctx, *p, action)
					p.told = told
					if err != nil {
						mu.Lock()
						mismatches = append(mismatches, err.Error())
						mu.Unlock()
					}
				}
				q := *p
				if got, err := mn.status(ctx, q); err == nil && q.told != "" && !mn.same(q, got, q.told) {
					mu.Lock()
					mismatches = append(mismatches, fmt.Sprintf("%s %s: told %s, a status query on another node answered %s", q.dialect, q.ref, q.told, got))
					mu.Unlock()
				}
			}
		}()
	}

	// Kill node 2 mid-run, leave it dead a while (the others carry on),
	// restart it on its address and keep the load going on all three.
	time.Sleep(2500 * time.Millisecond)
	nodes[1].Kill()
	killedAt := time.Now()
	t.Logf("node 2 killed at %s", killedAt.Sub(began).Round(time.Millisecond))
	time.Sleep(2 * time.Second)
	servedBefore := lb.servedBy(nodes[1].Addr)
	nodes[1] = testgateway.StartAt(t, nodes[1].Addr, data[1], flags...)
	t.Logf("node 2 restarted at %s", time.Since(began).Round(time.Millisecond))
	time.Sleep(3 * time.Second)
	close(stop)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	t.Logf("load done at %s: %d payments acknowledged, %d creations failed", time.Since(began).Round(time.Millisecond), len(acked), unacked)
	require.Empty(t, mismatches)
	require.Greater(t, len(acked), 100, "enough load to mean something")
	require.Positive(t, lb.failedBy(nodes[1].Addr), "requests hit the dead node")
	require.Greater(t, lb.servedBy(nodes[1].Addr), servedBefore, "the restarted node served again")

	// Expiry: every payment still open expires now. Every node's sweeper
	// races for the same payments; the compare-and-set lets one win each.
	var expiring []string
	rows, err := db.Query(ctx, `UPDATE payments SET expires_at = $1 WHERE status IN ('created', 'pending') RETURNING ref`,
		time.Now().Add(-time.Second).UnixMilli())
	require.NoError(t, err)
	expiring, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		var open int
		err := db.QueryRow(ctx, `SELECT count(*) FROM payments WHERE status IN ('created', 'pending')`).Scan(&open)
		return err == nil && open == 0
	}, 20*time.Second, 50*time.Millisecond, "the sweepers expire every open payment")
	isExpiring := map[string]bool{}
	for _, ref := range expiring {
		isExpiring[ref] = true
	}
	for _, p := range acked {
		// ETpay reads created and pending alike as "pending".
		if (p.told == payment.StatusCreated || p.told == payment.StatusPending) && isExpiring[p.ref] {
			p.told = payment.StatusExpired
		}
	}

	// Every notification is delivered, including those a killed node had
	// in flight (rescued after --notify-rescue-after by another node).
	require.Eventually(t, func() bool {
		var notDelivered int
		err := db.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE status <> 'delivered'`).Scan(&notDelivered)
		return err == nil && notDelivered == 0
	}, 50*time.Second, 100*time.Millisecond, "every notification is delivered")
	t.Logf("all notifications delivered at %s", time.Since(began).Round(time.Millisecond))

	checkPayments(t, ctx, db, acked)
	checkNotifications(t, ctx, db, rc)

	// Through the API, on every node: each acknowledged payment reads back
	// with its final status.
	var apiErrs []string
	var apiMu sync.Mutex
	work := make(chan *tracked)
	var qwg sync.WaitGroup
	for range 8 {
		qwg.Add(1)
		go func() {
			defer qwg.Done()
			for p := range work {
				got, err := mn.status(ctx, *p)
				if err == nil && !mn.same(*p, got, p.told) {
					err = fmt.Errorf("answered %s, want %s", got, p.told)
				}
				if err != nil {
					apiMu.Lock()
					apiErrs = append(apiErrs, fmt.Sprintf("%s %s: %v", p.dialect, p.ref, err))
					apiMu.Unlock()
				}
			}
		}()
	}
	for _, p := range acked {
		if p.told != "" {
			work <- p
		}
	}
	close(work)
	qwg.Wait()
	require.Empty(t, apiErrs)
	t.Logf("done in %s", time.Since(began).Round(time.Millisecond))
}

// create opens a payment on whichever node the balancer picks, alternating
// the dialects. Only an answer counts as acknowledged.
func (mn *multiNode) create(ctx context.Context, g, k int) (*tracked, error) {
	if (g+k)%2 == 0 {
		s, err := mn.etpay.InitializeSession(ctx, etpayclient.SessionRequest{
			MerchantOrderID: fmt.Sprintf("mn-%d-%d", g, k), OrderAmount: 1000 + int64(k), CustomerEmail: "payer@example.com"})
		if err != nil {
			return nil, err
		}
		return &tracked{dialect: payment.DialectETpay, ref: s.Token, told: payment.StatusCreated}, nil
	}
	p, err := createCardPayment(ctx, mn.pr)
	if err != nil {
		return nil, err
	}
	return &tracked{dialect: payment.DialectPayRetailers, ref: p.TransactionID, told: payment.StatusCreated}, nil
}

// move completes or fails p as a merchant's CI would: a request that got
// no answer (its node died) is retried on the next node; a 409 then means
// the unanswered attempt went through, and a status query says how.
func (mn *multiNode) move(ctx context.Context, p tracked, action string) (payment.Status, error) {
	for range 5 {
		got, code, err := mn.sandbox(ctx, p, action)
		switch {
		case err == nil:
			return got, nil
		case code == http.StatusConflict:
			// ETpay reads every unsuccessful end as failed; before the
			// sweep, failing is the only one this test causes.
			for range 5 {
				if st, err := mn.status(ctx, p); err == nil {
					return st, nil
				}
			}
			return "", nil
		case code != 0 && code < 500:
			return "", fmt.Errorf("%s %s %s: %v", p.dialect, p.ref, action, err)
		}
	}
	return "", nil
}

// checkPayments checks, in the database, every acknowledged payment and
// every payment's history.
func checkPayments(t *testing.T, ctx context.Context, db *pgx.Conn, acked []*tracked) {
	t.Helper()
	type row struct {
		dialect, status string
		version         int64
	}
	stored := map[string]row{}
	rows, err := db.Query(ctx, `SELECT ref, dialect, status, version FROM payments`)
	require.NoError(t, err)
	for rows.Next() {
		var ref string
		var r row
		require.NoError(t, rows.Scan(&ref, &r.dialect, &r.status, &r.version))
		_, dup := stored[ref]
		require.False(t, dup, "ref %s stored twice", ref)
		stored[ref] = r
	}
	require.NoError(t, rows.Err())
	for _, p := range acked {
		r, ok := stored[p.ref]
		require.True(t, ok, "acknowledged %s payment %s is missing", p.dialect, p.ref)
		require.Equal(t, string(p.dialect), r.dialect)
		if p.told != "" {
			require.Equal(t, string(p.told), r.status, "%s payment %s", p.dialect, p.ref)
		}
	}

	// Histories: created, at most one move to pending, exactly one final
	// status, each event starting where the previous one ended.
	type event struct {
		typ, from, to string
	}
	histories := map[string][]event{}
	statuses := map[string]string{}
	versions := map[string]int64{}
	rows, err = db.Query(ctx, `SELECT p.id, p.status, p.version, e.type, e.from_status, e.to_status
		FROM payment_events e JOIN payments p ON p.id = e.payment_id ORDER BY e.id`)
	require.NoError(t, err)
	for rows.Next() {
		var id, status string
		var version int64
		var e event
		require.NoError(t, rows.Scan(&id, &status, &version, &e.typ, &e.from, &e.to))
		histories[id] = append(histories[id], e)
		statuses[id], versions[id] = status, version
	}
	require.NoError(t, rows.Err())
	require.Len(t, histories, len(stored), "every payment has a history")
	final := map[string]bool{"completed": true, "failed": true, "canceled": true, "expired": true}
	for id, h := range histories {
		require.Equal(t, event{payment.EventCreated, "", "created"}, h[0], id)
		require.LessOrEqual(t, len(h), 3, "payment %s changed status too often: %v", id, h)
		pendings := 0
		for i, e := range h[1:] {
			require.Equal(t, payment.EventStatusChanged, e.typ, id)
			require.Equal(t, h[i].to, e.from, "payment %s: an event starts where the last ended: %v", id, h)
			require.False(t, final[h[i].to], "payment %s changed after reaching %s: %v", id, h[i].to, h)
			if e.to == "pending" {
				pendings++
			}
		}
		require.LessOrEqual(t, pendings, 1, id)
		require.True(t, final[h[len(h)-1].to], "payment %s ended %s", id, h[len(h)-1].to)
		require.Equal(t, h[len(h)-1].to, statuses[id], id)
		require.Equal(t, int64(len(h)), versions[id], "payment %s: one version per status", id)
	}
}

// checkNotifications checks that every final payment produced exactly one
// notification, delivered, and that the receiver saw each: every attempt
// the database recorded, plus at most one that a killed node sent but never
// recorded, and never two at once.
func checkNotifications(t *testing.T, ctx context.Context, db *pgx.Conn, rc *webhookReceiver) {
	t.Helper()
	rows, err := db.Query(ctx, `SELECT p.id, count(n.id) FROM payments p LEFT JOIN notifications n ON n.payment_id = p.id GROUP BY p.id`)
	require.NoError(t, err)
	for rows.Next() {
		var id string
		var n int
		require.NoError(t, rows.Scan(&id, &n))
		require.Equal(t, 1, n, "payment %s: one final status, one notification", id)
	}
	require.NoError(t, rows.Err())

	rows, err = db.Query(ctx, `SELECT n.id, n.status, n.attempts, (SELECT count(*) FROM notification_attempts a WHERE a.notification_id = n.id)
		FROM notifications n`)
	require.NoError(t, err)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var unrecorded []string
	retried := 0
	for rows.Next() {
		var id, status string
		var attempts, logged int
		require.NoError(t, rows.Scan(&id, &status, &attempts, &logged))
		require.Equal(t, "delivered", status, id)
		require.Equal(t, attempts, logged, "notification %s: every attempt is logged", id)
		require.Positive(t, rc.delivered[id], "notification %s was never answered 2xx", id)
		require.GreaterOrEqual(t, rc.requests[id], logged, "notification %s: every logged attempt reached the merchant", id)
		require.LessOrEqual(t, rc.requests[id]-logged, 1, "notification %s: at most one attempt lost with the killed node", id)
		if rc.requests[id] > logged {
			unrecorded = append(unrecorded, id)
		}
		if logged > 1 {
			retried++
		}
	}
	require.NoError(t, rows.Err())
	sort.Strings(rc.overlaps)
	require.Empty(t, rc.overlaps, "a notification was being delivered twice at once")
	t.Logf("%d notifications, %d retried after a 500, %d sent by the killed node without being recorded (sent again after rescue)",
		len(rc.requests), retried, len(unrecorded))
}

// The receiver's overlap detector is what TestMultiNodeOnPostgres relies on
// to see double deliveries: it must catch two requests for one id at once.
func TestWebhookReceiverSeesOverlaps(t *testing.T) {
	t.Parallel()
	rc := newWebhookReceiver()
	rc.hold = time.Second // so the two requests overlap even on a loaded machine
	srv := httptest.NewServer(rc)
	defer srv.Close()
	var wg sync.WaitGroup
	for _, id := range []string{"ntf_a", "ntf_a", "ntf_b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("{}"))
			req.Header.Set("X-Pasarela-Notification-Id", id)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	require.Equal(t, []string{"ntf_a"}, rc.overlaps)
	require.Equal(t, 2, rc.requests["ntf_a"])
}
