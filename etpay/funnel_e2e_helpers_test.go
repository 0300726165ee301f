package etpay_test

import (
	"context"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	clientetpay "github.com/pasarela/pasarela/client/etpay"
	"github.com/pasarela/pasarela/e2e"
	"github.com/pasarela/pasarela/etpay"
	"github.com/pasarela/pasarela/gateway"
	"github.com/pasarela/pasarela/internal/syncbuf"
)

// liveGateway is the whole gateway running in-process on loopback, in
// sandbox mode, with its notification workers: what a merchant's CI runs.
type liveGateway struct {
	// api is a second ETpay API over the gateway's own services, to drive
	// ConfirmPendingBankTransfers as the sweeper would (the API keeps no
	// state, so any instance acts on the same payments).
	api     *etpay.API
	dataDir string
	g       *gateway.Gateway
	log     *syncbuf.Buffer
	prefix  string
	url     string // PublicURL
}

func startGateway(t *testing.T, prefix string) *liveGateway {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	lg := &liveGateway{dataDir: t.TempDir(), log: &syncbuf.Buffer{}, prefix: prefix, url: "http://" + ln.Addr().String()}
	cfg := gateway.Defaults()
	cfg.DataDir = lg.dataDir
	cfg.Listen = ln.Addr().String()
	cfg.PublicURL = lg.url
	cfg.ETpayPrefix = prefix
	cfg.LogLevel = "debug" // as much log as there is, for the password search
	ctx, cancel := context.WithCancel(context.Background())
	lg.g, err = gateway.Open(ctx, cfg, lg.log)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- lg.g.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("gateway stopped with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("gateway did not stop")
		}
		_ = lg.g.Close()
	})
	lg.api, err = etpay.NewAPI(etpay.Deps{
		CSRFKey: lg.g.Keys.Derive("etpay/csrf"), Log: lg.g.Log, Merchants: lg.g.Merchants, Payments: lg.g.Payments,
		Prefix: prefix, PublicURL: lg.url, Sandbox: true, Sealer: lg.g.Keyring,
	})
	require.NoError(t, err)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(lg.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		require.True(t, time.Now().Before(deadline), "gateway not ready: %s", lg.log)
	}
	return lg
}

// shop is the merchant: it starts sessions with the SDK, receives the
// webhook and the payer's browser, and verifies both JWTs with the
// session's signature token, as a real integration must.
type shop struct {
	client *clientetpay.Client
	mu     sync.Mutex
	errs   []string
	orders map[string]*shopOrder // by merchant_order_id
	srv    *httptest.Server
}

type shopOrder struct {
	redirect     *clientetpay.Result
	redirectPath string
	session      clientetpay.Session
	webhook      *clientetpay.Result
}

func newShop(t *testing.T, lg *liveGateway) *shop {
	t.Helper()
	creds, err := lg.g.SandboxMerchant(context.Background())
	require.NoError(t, err)
	base := lg.url + lg.prefix
	sh := &shop{client: clientetpay.NewClient(base, base, creds.ETpay.MerchantCode, creds.ETpay.MerchantAPIToken),
		orders: map[string]*shopOrder{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /hook", sh.hook)
	mux.HandleFunc("GET /ok", sh.back)
	mux.HandleFunc("GET /cancel", sh.back)
	sh.srv = httptest.NewServer(mux)
	t.Cleanup(sh.srv.Close)
	return sh
}

func (sh *shop) fail(format string, args ...any) {
	sh.mu.Lock()
	sh.errs = append(sh.errs, fmt.Sprintf(format, args...))
	sh.mu.Unlock()
}

// hook is the payment_webhook_url: {"payment": "<JWT>"}.
func (sh *shop) hook(w http.ResponseWriter, r *http.Request) {
	jwt, sessionToken, err := clientetpay.ParseWebhook(r)
	if err != nil {
		sh.fail("webhook: %v", err)
		http.Error(w, "bad webhook", http.StatusBadRequest)
		return
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for _, o := range sh.orders {
		if o.session.Token != sessionToken {
			continue
		}
		res, err := clientetpay.VerifyResult(jwt, o.session.SignatureToken)
		if err != nil {
			sh.errs = append(sh.errs, "webhook: "+err.Error())
			http.Error(w, "bad signature", http.StatusBadRequest)
			return
		}
		o.webhook = &res
		return
	}
	sh.errs = append(sh.errs, "webhook for an unknown session")
	http.Error(w, "unknown session", http.StatusNotFound)
}

// back is where the payer's browser returns, with ?order=…&jwt=….
func (sh *shop) back(w http.ResponseWriter, r *http.Request) {
	sh.mu.Lock()
	o := sh.orders[r.URL.Query().Get("order")]
	var res clientetpay.Result
	var err error
	if o == nil {
		err = fmt.Errorf("unknown order %q", r.URL.Query().Get("order"))
	} else if res, err = clientetpay.VerifyResult(r.URL.Query().Get("jwt"), o.session.SignatureToken); err == nil {
		o.redirect, o.redirectPath = &res, r.URL.Path
	}
	sh.mu.Unlock()
	if err != nil {
		sh.fail("redirect: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><title>Shop</title><h1 id="shop">%s %s %s</h1>`,
		html.EscapeString(r.URL.Path), html.EscapeString(res.PaymentStatus), html.EscapeString(res.StatusDetail))
}

// start begins a session for order with the shop's own URLs (with a query
// string, so the gateway must append "&jwt=").
func (sh *shop) start(t *testing.T, order string, req clientetpay.SessionRequest) clientetpay.Session {
	t.Helper()
	req.MerchantOrderID = order
	if req.OrderAmount == 0 {
		req.OrderAmount = 50000
	}
	req.PaymentWebhookURL = sh.srv.URL + "/hook"
	req.PaymentCompletedURL = sh.srv.URL + "/ok?order=" + order
	req.PaymentCancellationURL = sh.srv.URL + "/cancel?order=" + order
	s, err := sh.client.InitializeSession(context.Background(), req)
	require.NoError(t, err)
	sh.mu.Lock()
	sh.orders[order] = &shopOrder{session: s}
	sh.mu.Unlock()
	return s
}

// order returns a copy of what the shop knows of order.
func (sh *shop) order(order string) shopOrder {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return *sh.orders[order]
}

// webhook waits for the webhook of order.
func (sh *shop) webhook(t *testing.T, order string) clientetpay.Result {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if o := sh.order(order); o.webhook != nil {
			return *o.webhook
		}
	}
	t.Fatalf("no webhook for %s", order)
	return clientetpay.Result{}
}

// expect checks what the merchant learnt of order by all three ways: the
// webhook, the browser's redirect (when redirectPath is set) and
// check_payment_status.
func (sh *shop) expect(t *testing.T, order, redirectPath, status, detail string) {
	t.Helper()
	hook := sh.webhook(t, order)
	require.Equal(t, status, hook.PaymentStatus, order)
	require.Equal(t, detail, hook.StatusDetail, order)
	require.Equal(t, order, hook.MerchantOrderID)
	o := sh.order(order)
	if redirectPath != "" {
		require.NotNil(t, o.redirect, order)
		require.Equal(t, redirectPath, o.redirectPath, order)
		require.Equal(t, status, o.redirect.PaymentStatus, order)
		require.Equal(t, detail, o.redirect.StatusDetail, order)
		require.Equal(t, hook.PaymentToken, o.redirect.PaymentToken)
	}
	st, err := sh.client.CheckPaymentStatus(context.Background(), clientetpay.StatusQuery{SessionToken: o.session.Token})
	require.NoError(t, err)
	require.Len(t, st, 1)
	require.Equal(t, status, st[0].PaymentStatus, order)
	require.Equal(t, detail, st[0].StatusDetail, order)
	require.Equal(t, hook.PaymentToken, st[0].PaymentToken)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	require.Empty(t, sh.errs)
}

// browser is a phone-sized headless Chromium walking the funnel.
type browser struct {
	console *e2e.ConsoleRecorder
	ctx     context.Context
	t       *testing.T
}

func newPhone(t *testing.T) *browser {
	t.Helper()
	ctx := e2e.NewBrowser(t)
	e2e.SetViewport(t, ctx, e2e.Phone)
	return &browser{console: e2e.RecordConsole(t, ctx), ctx: ctx, t: t}
}

// act runs actions and then waits for a new document matching next: the
// current one is marked first, so a selector that also matches the page
// being left cannot end the wait early.
func (b *browser) act(next string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	e2e.Eval[chromedp.Void](b.t, b.ctx, `document.documentElement.setAttribute("data-left", "1")`)
	actions = append(actions,
		chromedp.WaitReady(chromedp.CSS("html:not([data-left])")),
		chromedp.WaitVisible(chromedp.CSS(next)))
	require.NoError(b.t, chromedp.Do(b.ctx, actions...), "waiting for %s", next)
}

// click clicks a button and waits for the next page.
func (b *browser) click(button, next string) {
	b.t.Helper()
	b.act(next, chromedp.Click(chromedp.CSS(button)))
}

func (b *browser) open(url, next string) {
	b.t.Helper()
	e2e.Navigate(b.t, b.ctx, url)
	require.NoError(b.t, chromedp.Do(b.ctx, chromedp.WaitVisible(chromedp.CSS(next))))
}

// login fills the bank login (the RUT only when given) and submits it.
func (b *browser) login(rut, password, next string) {
	b.t.Helper()
	var acts []chromedp.Action[chromedp.Void]
	if rut != "" {
		acts = append(acts, chromedp.SetValue(chromedp.CSS("#rut"), rut))
	}
	acts = append(acts, chromedp.SendKeys(chromedp.CSS("#password"), password), chromedp.Click(chromedp.CSS("#login")))
	b.act(next, acts...)
}

func (b *browser) text(css string) string {
	b.t.Helper()
	return e2e.Text(b.t, b.ctx, css)
}

// noCSPViolations fails on any CSP report so far: a blocked form-action
// redirect, an inline style.
func (b *browser) noCSPViolations() {
	b.t.Helper()
	require.Empty(b.t, b.console.CSPViolations(b.t, b.ctx))
}

// fitsThePhone checks there is no sideways scrolling.
func (b *browser) fitsThePhone() {
	b.t.Helper()
	require.LessOrEqual(b.t, e2e.Eval[int](b.t, b.ctx, "document.documentElement.scrollWidth"), int(e2e.Phone.Width))
}
