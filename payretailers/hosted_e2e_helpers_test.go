package payretailers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	sdk "github.com/pasarela/pasarela/client/payretailers"
	"github.com/pasarela/pasarela/e2e"
	"github.com/pasarela/pasarela/gateway"
	"github.com/pasarela/pasarela/internal/syncbuf"
	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/payretailers"
)

// live is the whole gateway running in-process on loopback in sandbox
// mode, notification workers included, and a merchant's shop on another
// port: what a merchant's CI would run against.
type live struct {
	dataDir string
	g       *gateway.Gateway
	log     *syncbuf.Buffer
	shop    *shop
	url     string // the gateway's PublicURL
}

func startLive(t *testing.T) *live {
	t.Helper()
	e2e.RequireChromium(t) // before anything is started
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	l := &live{dataDir: t.TempDir(), log: &syncbuf.Buffer{}, url: "http://" + ln.Addr().String()}
	cfg := gateway.Defaults()
	cfg.DataDir = l.dataDir
	cfg.Listen = ln.Addr().String()
	cfg.PublicURL = l.url
	cfg.LogLevel = "debug" // all the log there is, for the card number search
	cfg.NotifyPoll = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	l.g, err = gateway.Open(ctx, cfg, l.log)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- l.g.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(30 * time.Second):
			t.Error("the gateway did not stop")
		}
		_ = l.g.Close()
	})
	l.shop = newShop(t, l)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(l.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		require.True(t, time.Now().Before(deadline), "gateway not ready: %s", l.log)
	}
	return l
}

// confirmBankTransfers runs what the gateway's sweeper runs, as if the
// confirmation delay had passed, through a second API over the gateway's
// own services (the API keeps no state of its own), and checks how many
// transfers it confirmed.
func (l *live) confirmBankTransfers(t *testing.T, want int) {
	t.Helper()
	api, err := payretailers.NewAPI(payretailers.Deps{
		Keys: l.g.Keys, Merchants: l.g.Merchants, Payments: l.g.Payments, PublicURL: l.url, Sandbox: true,
		Now: func() time.Time { return time.Now().Add(time.Minute) },
	})
	require.NoError(t, err)
	n, err := api.ConfirmPendingBankTransfers(context.Background())
	require.NoError(t, err)
	require.Equal(t, want, n)
}

// shop is the merchant: it creates payments with the SDK, has a page with
// the Webcheckout form, receives IPNs and the payer's browser, and
// verifies both with its secret.
type shop struct {
	client *sdk.Client
	gw     string
	mu     sync.Mutex
	errs   []string
	ipns   []sdk.Notification
	// returns are the verified returns by transaction id.
	returns map[string]shopReturn
	srv     *httptest.Server
}

type shopReturn struct {
	path string
	ret  sdk.Return
}

func newShop(t *testing.T, l *live) *shop {
	t.Helper()
	ctx := context.Background()
	creds, err := l.g.SandboxMerchant(ctx)
	require.NoError(t, err)
	sh := &shop{gw: l.url, returns: map[string]shopReturn{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /ipn", sh.ipn)
	mux.HandleFunc("GET /ok", sh.back)
	mux.HandleFunc("GET /cancel", sh.back)
	mux.HandleFunc("GET /shop", sh.page)
	sh.srv = httptest.NewServer(mux)
	t.Cleanup(sh.srv.Close)
	_, err = l.g.Merchants.Update(ctx, creds.ID, merchant.Settings{
		Name: "Tienda Ñandú", NotificationURL: sh.srv.URL + "/ipn",
	})
	require.NoError(t, err)
	sh.client = &sdk.Client{BaseURL: l.url, ServiceID: creds.PayRetailers.ServiceID, Secret: []byte(creds.PayRetailers.SecretKey)}
	return sh
}

func (sh *shop) fail(format string, args ...any) {
	sh.mu.Lock()
	sh.errs = append(sh.errs, fmt.Sprintf(format, args...))
	sh.mu.Unlock()
}

// ipn is the notification URL.
func (sh *shop) ipn(w http.ResponseWriter, r *http.Request) {
	n, err := sh.client.VerifyNotification(r)
	if err != nil {
		sh.fail("IPN: %v", err)
		http.Error(w, "bad IPN", http.StatusBadRequest)
		return
	}
	sh.mu.Lock()
	sh.ipns = append(sh.ipns, n)
	sh.mu.Unlock()
	_, _ = io.WriteString(w, `["OK"]`)
}

// back is pg_return_url and pg_cancel_url.
func (sh *shop) back(w http.ResponseWriter, r *http.Request) {
	ret, err := sh.client.VerifyReturn(r.URL.Query())
	if err != nil {
		sh.fail("return to %s: %v", r.URL, err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	sh.mu.Lock()
	sh.returns[ret.TransactionID] = shopReturn{path: r.URL.Path, ret: ret}
	sh.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><meta name="viewport" content="width=device-width"><title>Tienda</title><h1 id="shop">%s %s</h1>`,
		html.EscapeString(r.URL.Path), html.EscapeString(ret.Status))
}

// page is the merchant's checkout page: the Webcheckout form, posted by
// a click (pg_method, pg_language and pg_custom from the query).
func (sh *shop) page(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	fields := map[string]string{
		"pg_serviceid": sh.client.ServiceID, "pg_price": "12990", "pg_currency": "CLP", "pg_country": "CL",
		"pg_name": "Zapatillas de trail", "pg_custom": q.Get("custom"), "pg_method": q.Get("method"),
		"pg_language": q.Get("lang"), "pg_return_url": sh.srv.URL + "/ok", "pg_cancel_url": sh.srv.URL + "/cancel",
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<!doctype html><meta name="viewport" content="width=device-width"><title>Tienda</title><form method="post" action="%s">`,
		html.EscapeString(sh.gw+payretailers.PathPayForm))
	for k, v := range fields {
		if v != "" {
			fmt.Fprintf(&b, `<input type="hidden" name="%s" value="%s">`, html.EscapeString(k), html.EscapeString(v))
		}
	}
	b.WriteString(`<button id="buy">Pagar</button></form>`)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

// params are a payment of the shop for method, returning to the shop.
func (sh *shop) params(method, custom string) sdk.PaymentParams {
	return sdk.PaymentParams{
		Amount: 25000, Currency: "CLP", Country: "CL", Method: method, Email: "ana@example.com",
		FirstName: "Ana", LastName: "Pérez", IP: "190.22.1.1", Custom: custom, Name: "Mochila urbana",
		ReturnURL: sh.srv.URL + "/ok", CancelURL: sh.srv.URL + "/cancel",
	}
}

// create makes a payment through the API and returns it.
func (sh *shop) create(t *testing.T, method, custom string) *sdk.Payment {
	t.Helper()
	p, err := sh.client.CreatePayment(context.Background(), sh.params(method, custom))
	require.NoError(t, err)
	return p
}

// ipn waits for the IPN of transaction id with status.
func (sh *shop) waitIPN(t *testing.T, id, status string) sdk.Notification {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		sh.mu.Lock()
		for _, n := range sh.ipns {
			if n.TransactionID == id && n.Status == status {
				sh.mu.Unlock()
				return n
			}
		}
		sh.mu.Unlock()
	}
	t.Fatalf("no %s IPN for %s", status, id)
	return sdk.Notification{}
}

// expect checks what the shop learnt of a payment by all three ways: the
// IPN, the payer's return (to path; "" when the payer did not come back)
// and payment/status.
func (sh *shop) expect(t *testing.T, id, path, status, custom string) {
	t.Helper()
	n := sh.waitIPN(t, id, status)
	require.Equal(t, custom, n.Custom)
	require.Equal(t, sh.client.ServiceID, n.ServiceID)
	if path != "" {
		sh.mu.Lock()
		ret, ok := sh.returns[id]
		sh.mu.Unlock()
		require.True(t, ok, "the payer came back for %s", id)
		require.Equal(t, path, ret.path)
		require.Equal(t, sdk.Return{Custom: custom, Status: status, TransactionID: id}, ret.ret)
	}
	p, err := sh.client.PaymentStatus(context.Background(), id)
	require.NoError(t, err)
	require.Equal(t, status, p.Status)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	require.Empty(t, sh.errs)
}

// sandboxHelper calls POST /sandbox/payments/{id}/{action} as the shop's
// CI does: signed with its secret.
func (sh *shop) sandboxHelper(t *testing.T, id, action string) {
	t.Helper()
	body, err := json.Marshal(map[string]string{"pg_serviceid": sh.client.ServiceID})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, sh.gw+"/sandbox/payments/"+url.PathEscape(id)+"/"+action, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header["X-PG-SIG"] = []string{payretailers.Sign(sh.client.Secret, body)}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(raw))
}

// phone is a phone-sized headless Chromium.
type phone struct {
	console *e2e.ConsoleRecorder
	ctx     context.Context
	t       *testing.T
}

func newPhone(t *testing.T) *phone {
	t.Helper()
	ctx := e2e.NewBrowser(t)
	e2e.SetViewport(t, ctx, e2e.Phone)
	return &phone{console: e2e.RecordConsole(t, ctx), ctx: ctx, t: t}
}

// then runs actions that leave the page and waits for the next page to
// show next. The page being left is tagged first, so a selector it also
// matches cannot end the wait before the browser has moved on.
func (ph *phone) then(next string, actions ...chromedp.Action[chromedp.Void]) {
	ph.t.Helper()
	e2e.Eval[chromedp.Void](ph.t, ph.ctx, `document.documentElement.dataset.leaving = "yes"`)
	actions = append(actions,
		chromedp.WaitReady(chromedp.CSS("html:not([data-leaving])")),
		chromedp.WaitVisible(chromedp.CSS(next)))
	require.NoError(ph.t, chromedp.Do(ph.ctx, actions...), "waiting for %s", next)
}

func (ph *phone) click(button, next string) {
	ph.t.Helper()
	ph.then(next, chromedp.Click(chromedp.CSS(button)))
}

func (ph *phone) open(u, next string) {
	ph.t.Helper()
	e2e.Navigate(ph.t, ph.ctx, u)
	require.NoError(ph.t, chromedp.Do(ph.ctx, chromedp.WaitVisible(chromedp.CSS(next))))
}

// fill types into form fields by CSS selector, each emptied first.
func (ph *phone) fill(fields map[string]string) {
	ph.t.Helper()
	for css, v := range fields {
		e2e.Eval[chromedp.Void](ph.t, ph.ctx, fmt.Sprintf("document.querySelector(%q).value = ''", css))
		require.NoError(ph.t, chromedp.Do(ph.ctx, chromedp.SendKeys(chromedp.CSS(css), v)))
	}
}

func (ph *phone) text(css string) string {
	ph.t.Helper()
	return e2e.Text(ph.t, ph.ctx, css)
}

func (ph *phone) url() string {
	ph.t.Helper()
	return e2e.Eval[string](ph.t, ph.ctx, "location.href")
}

// shot saves a screenshot of a gateway page after checking what every
// page must be: styled by the one stylesheet, no wider than the phone, no
// CSP violation.
func (ph *phone) shot(name string) {
	ph.t.Helper()
	require.Equal(ph.t, "rgb(242, 244, 248)", e2e.Eval[string](ph.t, ph.ctx, "getComputedStyle(document.body).backgroundColor"), name)
	require.LessOrEqual(ph.t, e2e.Eval[int](ph.t, ph.ctx, "document.documentElement.scrollWidth"), int(e2e.Phone.Width), name)
	require.Empty(ph.t, ph.console.CSPViolations(ph.t, ph.ctx), name)
	e2e.Screenshot(ph.t, ph.ctx, name)
}

// requireNoCardData searches every file of the gateway's data directory
// (the SQLite database, its WAL and journal) and the gateway's log for
// the card numbers, written as typed and as digits only.
func (l *live) requireNoCardData(t *testing.T, numbers ...string) {
	t.Helper()
	var files int
	err := filepath.WalkDir(l.dataDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, n := range numbers {
			for _, form := range cardForms(n) {
				require.False(t, bytes.Contains(raw, []byte(form)), "%s holds the card number %s", path, form)
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.NotZero(t, files)
	logs := l.log.String()
	require.NotEmpty(t, logs)
	for _, n := range numbers {
		for _, form := range cardForms(n) {
			require.NotContains(t, logs, form, "the log holds a card number")
		}
	}
}

// cardForms are the ways a number may be written: as typed in groups of
// four, digits only, and UTF-16 (SQLite may store text that way).
func cardForms(number string) []string {
	digits := ""
	for _, c := range number {
		if c >= '0' && c <= '9' {
			digits += string(c)
		}
	}
	utf16 := ""
	for _, c := range digits {
		utf16 += string(c) + "\x00"
	}
	return []string{number, digits, utf16}
}
