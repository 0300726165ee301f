package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	etpaysdk "github.com/pasarela/pasarela/client/etpay"
	prsdk "github.com/pasarela/pasarela/client/payretailers"
)

// Routes of the gateway the scenarios use. The baseline serves the same
// patterns (see baselineHandler).
const (
	routeInitialize     = "POST /session/initialize"
	routeETpayStatus    = "POST /merchant/check_payment_status"
	routeCreate         = "POST /api/v2/payment/create"
	routePRStatus       = "POST /api/v2/payment/status"
	routeFunnel         = "GET /session/{token}"
	routeSandboxHelper  = "POST /sandbox/payments/{ref}/{action}"
	pathCreate          = "/api/v2/payment/create"
	headerSignature     = "X-Pg-Sig"
	payRetailersOK      = `"result":0`
	sandboxCompletedKey = `"status":"completed"`
)

var baselineRoutes = []string{routeInitialize, routeETpayStatus, routeCreate, routePRStatus, routeFunnel, routeSandboxHelper}

// request is one request a scenario sends; path is relative to the
// target's base URL so the same request goes to gateway and baseline.
type request struct {
	body   []byte
	header http.Header
	method string
	path   string
}

// scenario is one measured workload.
type scenario struct {
	name  string
	title string
	// api marks merchant API calls, which the p99 target applies to.
	api bool
	// flow: one unit is a whole payment (two API calls and an IPN), not
	// one request.
	flow bool
	// minRatio is the target share of the baseline's max throughput; 0
	// means the issue sets none.
	minRatio float64
	// startRate is where the max-throughput search begins.
	startRate int
	// prepare creates what the scenario needs and captures the gateway's
	// answers for the baseline.
	prepare func(ctx context.Context, e *env, sc *scenario) error
	// next builds the n-th request; safe for concurrent use.
	next func(e *env, n uint64) request
	// ok says whether an answer is a success.
	ok func(code int, body []byte) bool
	// samples are the gateway's answers per route, which the baseline
	// repeats.
	samples map[string]baselineResponse
	// note is shown with the results (e.g. a page not served yet).
	note string
}

func scenarios() []*scenario {
	return []*scenario{
		{
			name: "etpay-initialize", title: "ETpay POST /session/initialize", api: true, minRatio: 0.5, startRate: 500,
			next: nextInitialize,
			ok: func(code int, body []byte) bool {
				return code == 200 && bytes.Contains(body, []byte(`"signature_token"`))
			},
			prepare: func(ctx context.Context, e *env, sc *scenario) error {
				return sc.capture(ctx, e, routeInitialize, sc.next(e, e.seq.Add(1)))
			},
		},
		{
			name: "payretailers-create", title: "PayRetailers POST /api/v2/payment/create (signed)", api: true, minRatio: 0.5, startRate: 500,
			next: nextCreate,
			ok:   payRetailersAnswer,
			prepare: func(ctx context.Context, e *env, sc *scenario) error {
				return sc.capture(ctx, e, routeCreate, sc.next(e, e.seq.Add(1)))
			},
		},
		{
			name: "etpay-status", title: "ETpay POST /merchant/check_payment_status", api: true, minRatio: 0.7, startRate: 1000,
			next: func(e *env, n uint64) request {
				s := e.sessions[n%uint64(len(e.sessions))]
				return request{method: http.MethodPost, path: "/merchant/check_payment_status", body: s.body, header: jsonHeader}
			},
			ok: func(code int, body []byte) bool { return code == 200 && bytes.HasPrefix(body, []byte("[")) },
			prepare: func(ctx context.Context, e *env, sc *scenario) error {
				if err := e.prepareSessions(ctx); err != nil {
					return err
				}
				return sc.capture(ctx, e, routeETpayStatus, sc.next(e, 0))
			},
		},
		{
			name: "payretailers-status", title: "PayRetailers POST /api/v2/payment/status (signed)", api: true, minRatio: 0.7, startRate: 1000,
			next: func(e *env, n uint64) request {
				p := e.payments[n%uint64(len(e.payments))]
				return request{method: http.MethodPost, path: "/api/v2/payment/status", body: p.body,
					header: http.Header{"Content-Type": {"application/json"}, headerSignature: {p.sig}}}
			},
			ok: payRetailersAnswer,
			prepare: func(ctx context.Context, e *env, sc *scenario) error {
				if err := e.preparePayments(ctx); err != nil {
					return err
				}
				return sc.capture(ctx, e, routePRStatus, sc.next(e, 0))
			},
		},
		{
			name: "etpay-funnel", title: "ETpay funnel first page GET /session/{token}", startRate: 500,
			next: func(e *env, n uint64) request {
				s := e.sessions[n%uint64(len(e.sessions))]
				return request{method: http.MethodGet, path: "/session/" + s.ref, header: http.Header{"Accept": {"text/html"}}}
			},
			// The first page may be a page or a redirect to the next
			// step; both are the funnel answering (redirects are not
			// followed).
			ok: func(code int, _ []byte) bool { return code >= 200 && code < 400 },
			prepare: func(ctx context.Context, e *env, sc *scenario) error {
				if err := e.prepareSessions(ctx); err != nil {
					return err
				}
				if err := sc.capture(ctx, e, routeFunnel, sc.next(e, 0)); err == nil {
					return nil
				}
				// Not served yet: measure what the route answers now and
				// say so, rather than fail the whole run.
				code, _, err := e.do(ctx, e.gw.url, sc.next(e, 0))
				if err != nil || code != http.StatusNotFound {
					return fmt.Errorf("funnel page answered %d: %v", code, err)
				}
				sc.note = "GET /session/{token} answered 404: the funnel page is not served yet, so these numbers measure the gateway's not-found path (404 counted as served)"
				sc.ok = func(code int, _ []byte) bool { return code == http.StatusNotFound || (code >= 200 && code < 400) }
				return sc.capture(ctx, e, routeFunnel, sc.next(e, 0))
			},
		},
		{
			name: "whole-payment", title: "Whole payment: payment/create → sandbox complete → IPN received", flow: true, startRate: 100,
			next: nextCreate,
			ok: func(code int, body []byte) bool {
				return code == 200 && bytes.Contains(body, []byte(sandboxCompletedKey))
			},
			prepare: func(ctx context.Context, e *env, sc *scenario) error {
				return e.captureFlow(ctx, sc)
			},
		},
	}
}

func scenarioNames() []string {
	var names []string
	for _, s := range scenarios() {
		names = append(names, s.name)
	}
	return names
}

// selectScenarios turns --scenarios into names, keeping the canonical order.
func selectScenarios(list string) ([]string, error) {
	if list == "" || list == "all" {
		return scenarioNames(), nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		want[strings.TrimSpace(n)] = true
	}
	var names []string
	for _, n := range scenarioNames() {
		if want[n] {
			names = append(names, n)
			delete(want, n)
		}
	}
	if len(want) > 0 {
		var unknown []string
		for n := range want {
			unknown = append(unknown, n)
		}
		return nil, fmt.Errorf("unknown scenarios %v; known: %s", unknown, strings.Join(scenarioNames(), ", "))
	}
	return names, nil
}

var jsonHeader = http.Header{"Content-Type": {"application/json"}}

// payRetailersAnswer: business errors of this dialect are HTTP 200 with a
// non-zero result, so the status code alone does not say success.
func payRetailersAnswer(code int, body []byte) bool {
	return code == 200 && bytes.Contains(body, []byte(payRetailersOK))
}

// nextInitialize is a fresh ETpay session with a unique order id, the
// fields a typical shop integration sends.
func nextInitialize(e *env, n uint64) request {
	m := e.merchants[n%uint64(len(e.merchants))]
	body := fmt.Appendf(nil, `{"merchant_code":%q,"merchant_api_token":%q,"merchant_order_id":"%s-%d","order_amount":%d,`+
		`"customer_email":"payer%d@example.com","payment_completed_url":"https://shop.example/ok","payment_cancellation_url":"https://shop.example/cancel",`+
		`"metadata":[{"name":"Order","value":"%d","show":true}]}`,
		m.creds.ETpay.MerchantCode, m.creds.ETpay.MerchantAPIToken, e.nonce, n, 1000+n%49000, n, n)
	return request{method: http.MethodPost, path: "/session/initialize", body: body, header: jsonHeader}
}

// nextCreate is a signed PayRetailers payment/create with a unique
// pg_custom, signed here because each body differs (HMAC costs the load
// generator about a microsecond).
func nextCreate(e *env, n uint64) request {
	m := e.merchants[n%uint64(len(e.merchants))]
	body := fmt.Appendf(nil, `{"pg_cancel_url":"https://shop.example/cancel","pg_country":"CL","pg_currency":"CLP","pg_custom":"%s-%d",`+
		`"pg_email":"payer%d@example.com","pg_first_name":"Ana","pg_ip":"190.22.1.1","pg_last_name":"Pérez","pg_method":"webpay",`+
		`"pg_price":"%d.00","pg_return_url":"https://shop.example/ok","pg_serviceid":%q,"pg_token":%q}`,
		e.nonce, n, n, 1000+n%49000, m.creds.PayRetailers.ServiceID, m.prToken)
	return request{method: http.MethodPost, path: pathCreate, body: body,
		header: http.Header{"Content-Type": {"application/json"}, headerSignature: {sign(m.secret, body)}}}
}

// sign is X-PG-SIG: lowercase hex HMAC-SHA256 of the exact body. Written
// here rather than imported from the gateway's payretailers package so
// the bench is a pure black box (and builds while that package changes).
func sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// merchantCtx is one merchant the load is spread over.
type merchantCtx struct {
	creds credentials
	// prToken is a PayRetailers auth token (valid an hour, longer than
	// any run), fetched once like a real integration caches it.
	prToken string
	secret  []byte
}

// prepared is a session or payment created before a status scenario.
type prepared struct {
	body []byte // the status request
	ref  string // session token or transaction id
	sig  string // X-PG-SIG of body (PayRetailers)
}

// env is the state the scenarios share.
type env struct {
	cfg       config
	client    *http.Client // for preparation, not for load
	gw        *gatewayProc
	merchants []*merchantCtx
	// nonce makes order ids unique across runs on one database.
	nonce    string
	payments []prepared
	receiver *receiver
	seq      atomic.Uint64
	sessions []prepared
}

// do sends one request outside the load, for preparation and probes.
func (e *env) do(ctx context.Context, base string, r request) (int, baselineResponse, error) {
	req, err := http.NewRequestWithContext(ctx, r.method, base+r.path, bytes.NewReader(r.body))
	if err != nil {
		return 0, baselineResponse{}, err
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, baselineResponse{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, baselineResponse{Body: body, ContentType: resp.Header.Get("Content-Type")}, err
}

// capture sends r to the gateway, checks the answer is a success and keeps
// it as the baseline's answer on route.
func (sc *scenario) capture(ctx context.Context, e *env, route string, r request) error {
	code, resp, err := e.do(ctx, e.gw.url, r)
	if err != nil {
		return err
	}
	if !sc.ok(code, resp.Body) {
		return fmt.Errorf("%s %s answered %d: %.300s", r.method, r.path, code, resp.Body)
	}
	if sc.samples == nil {
		sc.samples = map[string]baselineResponse{}
	}
	sc.samples[route] = resp
	return nil
}

// prepareSessions creates cfg.prepared ETpay sessions through the ETpay
// SDK (once, shared by the status and funnel scenarios).
func (e *env) prepareSessions(ctx context.Context) error {
	if len(e.sessions) > 0 {
		return nil
	}
	out := make([]prepared, e.cfg.prepared)
	err := parallel(ctx, e.cfg.prepared, func(ctx context.Context, i int) error {
		m := e.merchants[i%len(e.merchants)]
		c := etpaysdk.NewClient(e.gw.url, e.gw.url, m.creds.ETpay.MerchantCode, m.creds.ETpay.MerchantAPIToken)
		c.HTTPClient = e.client
		s, err := c.InitializeSession(ctx, etpaysdk.SessionRequest{
			MerchantOrderID: fmt.Sprintf("%s-prep-%d", e.nonce, i), OrderAmount: int64(1000 + i),
			CustomerEmail: "payer@example.com",
		})
		if err != nil {
			return err
		}
		body, err := json.Marshal(map[string]string{"merchant_code": m.creds.ETpay.MerchantCode,
			"merchant_api_token": m.creds.ETpay.MerchantAPIToken, "session_token": s.Token})
		out[i] = prepared{body: body, ref: s.Token}
		return err
	})
	if err != nil {
		return fmt.Errorf("preparing ETpay sessions: %w", err)
	}
	e.sessions = out
	return nil
}

// preparePayments creates cfg.prepared PayRetailers payments through the
// PayRetailers SDK.
func (e *env) preparePayments(ctx context.Context) error {
	if len(e.payments) > 0 {
		return nil
	}
	out := make([]prepared, e.cfg.prepared)
	err := parallel(ctx, e.cfg.prepared, func(ctx context.Context, i int) error {
		m := e.merchants[i%len(e.merchants)]
		c := &prsdk.Client{BaseURL: e.gw.url, HTTPClient: e.client, Secret: m.secret, ServiceID: m.creds.PayRetailers.ServiceID}
		p, err := c.CreatePayment(ctx, prsdk.PaymentParams{
			Amount: int64(100000 + i*100), Currency: "CLP", Country: "CL", Method: "webpay", Email: "payer@example.com",
			FirstName: "Ana", LastName: "Pérez", IP: "190.22.1.1", Custom: fmt.Sprintf("%s-prep-%d", e.nonce, i),
			ReturnURL: "https://shop.example/ok", CancelURL: "https://shop.example/cancel",
		})
		if err != nil {
			return err
		}
		body, err := json.Marshal(map[string]string{"pg_serviceid": m.creds.PayRetailers.ServiceID,
			"pg_token": m.prToken, "transaction_id": p.TransactionID})
		out[i] = prepared{body: body, ref: p.TransactionID, sig: sign(m.secret, body)}
		return err
	})
	if err != nil {
		return fmt.Errorf("preparing PayRetailers payments: %w", err)
	}
	e.payments = out
	return nil
}

// captureFlow runs one whole payment by hand: it checks that the IPN
// arrives (so a broken notification URL fails fast, not as a silent zero)
// and keeps both answers for the baseline.
func (e *env) captureFlow(ctx context.Context, sc *scenario) error {
	create := nextCreate(e, e.seq.Add(1))
	code, created, err := e.do(ctx, e.gw.url, create)
	if err != nil || !payRetailersAnswer(code, created.Body) {
		return fmt.Errorf("payment/create answered %d: %.300s (%v)", code, created.Body, err)
	}
	tx, sid, err := createdPayment(created.Body)
	if err != nil {
		return err
	}
	complete, err := e.completeRequest(sid, tx)
	if err != nil {
		return err
	}
	code, completed, err := e.do(ctx, e.gw.url, complete)
	if err != nil || !sc.ok(code, completed.Body) {
		return fmt.Errorf("sandbox complete answered %d: %.300s (%v)", code, completed.Body, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !e.receiver.has(tx) {
		if time.Now().After(deadline) {
			return fmt.Errorf("no IPN for %s within 30 s (receiver %s)", tx, e.receiver.url)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	sc.samples = map[string]baselineResponse{routeCreate: created, routeSandboxHelper: completed}
	return nil
}

// completeRequest is the signed sandbox helper call that completes a
// PayRetailers payment of the merchant with service id sid.
func (e *env) completeRequest(sid, tx string) (request, error) {
	for _, m := range e.merchants {
		if m.creds.PayRetailers.ServiceID == sid {
			body := []byte(`{"pg_serviceid":"` + sid + `"}`)
			return request{method: http.MethodPost, path: "/sandbox/payments/" + tx + "/complete", body: body,
				header: http.Header{"Content-Type": {"application/json"}, headerSignature: {sign(m.secret, body)}}}, nil
		}
	}
	return request{}, fmt.Errorf("payment/create answered service_id %q, which is none of ours", sid)
}

// createdPayment reads transaction_id and service_id of a payment/create
// answer.
func createdPayment(body []byte) (tx, sid string, err error) {
	var resp struct {
		Data struct {
			ServiceID     string `json:"service_id"`
			TransactionID string `json:"transaction_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil || resp.Data.TransactionID == "" {
		return "", "", fmt.Errorf("payment/create answer without transaction_id: %.200s", body)
	}
	return resp.Data.TransactionID, resp.Data.ServiceID, nil
}

// parallel runs fn for 0..n-1 on a few goroutines and returns the first
// error.
func parallel(ctx context.Context, n int, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}
