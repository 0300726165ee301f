package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// flowTransport turns one vegeta hit into a whole payment: vegeta sends
// the payment/create request and this transport, on the way, completes
// the payment with the sandbox helper before answering. vegeta then paces,
// times and counts whole payments with its usual machinery, and the
// latency it reports is create + complete as the merchant's code sees it.
type flowTransport struct {
	complete func(sid, tx string) (request, error)
	inner    http.RoundTripper
	// rec, when set, learns each completed payment so the IPN delay can
	// be measured; the baseline sends no IPN and runs without one.
	rec atomic.Pointer[flowRecorder]
}

func (f *flowTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, body, err := f.roundTrip(req)
	if err != nil || !payRetailersAnswer(resp.StatusCode, body) {
		return resp, err
	}
	tx, sid, err := createdPayment(body)
	if err != nil {
		return nil, err
	}
	c, err := f.complete(sid, tx)
	if err != nil {
		return nil, err
	}
	creq, err := http.NewRequestWithContext(req.Context(), c.method, req.URL.Scheme+"://"+req.URL.Host+c.path, bytes.NewReader(c.body))
	if err != nil {
		return nil, err
	}
	creq.Header = c.header.Clone()
	resp, _, err = f.roundTrip(creq)
	if err != nil {
		return nil, err
	}
	if rec := f.rec.Load(); rec != nil && resp.StatusCode == http.StatusOK {
		rec.completed(tx, start, time.Now())
	}
	return resp, nil
}

// roundTrip sends req and reads the whole answer, returning a response
// whose body can still be read by vegeta.
func (f *flowTransport) roundTrip(req *http.Request) (*http.Response, []byte, error) {
	resp, err := f.inner.RoundTrip(req)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, body, nil
}

// flowRecorder keeps, for one load step, when each payment was created and
// when its completion was answered.
type flowRecorder struct {
	mu    sync.Mutex
	start map[string]time.Time
	done  map[string]time.Time
}

func newFlowRecorder() *flowRecorder {
	return &flowRecorder{start: map[string]time.Time{}, done: map[string]time.Time{}}
}

func (r *flowRecorder) completed(tx string, start, done time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.start[tx], r.done[tx] = start, done
}

// notifyStats are the IPN measurements of one whole-payment step.
type notifyStats struct {
	// Completed is how many payments the step completed; Received how
	// many of their IPNs arrived within the grace period.
	Completed int     `json:"completed"`
	Received  int     `json:"received"`
	Ratio     float64 `json:"received_ratio"`
	// Delay is from the sandbox helper's answer to the IPN's arrival:
	// what the notification pipeline (outbox job, poll, delivery) adds.
	Delay latency `json:"delay_ms"`
	// EndToEnd is from sending payment/create to the IPN's arrival.
	EndToEnd latency `json:"end_to_end_ms"`
}

// wait waits until every completed payment's IPN arrived or grace ends,
// then measures.
func (r *flowRecorder) wait(rc *receiver, grace time.Duration) *notifyStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	deadline := time.Now().Add(grace)
	for {
		missing := 0
		for tx := range r.done {
			if !rc.has(tx) {
				missing++
			}
		}
		if missing == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	st := &notifyStats{Completed: len(r.done)}
	var delay, e2e []time.Duration
	for tx, done := range r.done {
		at, ok := rc.arrival(tx)
		if !ok {
			continue
		}
		st.Received++
		// The IPN may beat the helper's answer to us: the job is
		// committed with the status change, before the answer is sent.
		delay = append(delay, max(0, at.Sub(done)))
		e2e = append(e2e, at.Sub(r.start[tx]))
	}
	if st.Completed > 0 {
		st.Ratio = float64(st.Received) / float64(st.Completed)
	}
	st.Delay, st.EndToEnd = summarize(delay), summarize(e2e)
	return st
}

// receiver is the merchant's notification endpoint: it verifies each IPN's
// X-Pg-Sig like a merchant must, and records when each payment's
// "completed" IPN first arrived.
type receiver struct {
	arrived  map[string]time.Time
	bad      atomic.Int64
	dups     atomic.Int64
	ln       net.Listener
	mu       sync.Mutex
	secrets  map[string][]byte // by service id
	secretMu sync.RWMutex
	srv      *http.Server
	total    atomic.Int64
	url      string
}

func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	rc := &receiver{arrived: map[string]time.Time{}, ln: ln, secrets: map[string][]byte{},
		url: "http://" + ln.Addr().String() + "/ipn"}
	rc.srv = &http.Server{Handler: rc, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = rc.srv.Serve(ln) }()
	return rc, nil
}

func (rc *receiver) addSecret(serviceID string, secret []byte) {
	rc.secretMu.Lock()
	defer rc.secretMu.Unlock()
	rc.secrets[serviceID] = secret
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	var n struct {
		ServiceID     string `json:"service_id"`
		Status        string `json:"status"`
		TransactionID string `json:"transaction_id"`
	}
	if err != nil || json.Unmarshal(body, &n) != nil || n.TransactionID == "" {
		rc.bad.Add(1)
		http.Error(w, "not an IPN", http.StatusBadRequest)
		return
	}
	rc.secretMu.RLock()
	secret := rc.secrets[n.ServiceID]
	rc.secretMu.RUnlock()
	if secret == nil || r.Header.Get(headerSignature) != sign(secret, body) {
		rc.bad.Add(1)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	rc.total.Add(1)
	if n.Status == "completed" {
		rc.mu.Lock()
		if _, dup := rc.arrived[n.TransactionID]; dup {
			rc.dups.Add(1)
		} else {
			rc.arrived[n.TransactionID] = now
		}
		rc.mu.Unlock()
	}
	w.Header().Set("Content-Length", "2")
	_, _ = w.Write([]byte("OK"))
}

func (rc *receiver) arrival(tx string) (time.Time, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	t, ok := rc.arrived[tx]
	return t, ok
}

func (rc *receiver) has(tx string) bool {
	_, ok := rc.arrival(tx)
	return ok
}

// receiverStats is what the receiver saw over the whole run.
type receiverStats struct {
	BadRequests int64 `json:"bad_requests"`
	Duplicates  int64 `json:"duplicates"`
	Received    int64 `json:"received"`
}

func (rc *receiver) stats() receiverStats {
	return receiverStats{BadRequests: rc.bad.Load(), Duplicates: rc.dups.Load(), Received: rc.total.Load()}
}

func (rc *receiver) close() { _ = rc.srv.Close() }

// describe is a short human summary of notification stats.
func (s *notifyStats) describe() string {
	if s == nil {
		return ""
	}
	return fmt.Sprintf("IPNs %d/%d, delay p50 %s p99 %s ms", s.Received, s.Completed,
		strconv.FormatFloat(s.Delay.P50, 'f', 1, 64), strconv.FormatFloat(s.Delay.P99, 'f', 1, 64))
}
