package etpay_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	clientetpay "github.com/pasarela/pasarela/client/etpay"
	"github.com/pasarela/pasarela/etpay"
	"github.com/pasarela/pasarela/internal/syncbuf"
	"github.com/pasarela/pasarela/keyring"
	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/server"
	"github.com/pasarela/pasarela/store/sqlite"
)

// funnelBundle is one test's gateway for the payer's funnel: the ETpay
// API and funnel on a loopback server (with the gateway's own middleware)
// over a real SQLite file, a merchant with default return URLs, a clock
// the test can move and the log in a buffer it can search.
type funnelBundle struct {
	api      *etpay.API
	clock    *testClock
	client   *clientetpay.Client
	dir      string
	log      *syncbuf.Buffer
	payments *payment.Service
	prefix   string
	srv      *httptest.Server
	store    *sqlite.Store
}

const (
	shopOK     = "https://shop.example/ok"
	shopCancel = "https://shop.example/cancel"
)

func setupFunnel(t *testing.T, prefix string) *funnelBundle {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "funnel.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(ctx))
	master, err := keyring.LoadOrCreateMasterKey(filepath.Join(dir, "master.key"))
	require.NoError(t, err)
	kr, err := keyring.Open(ctx, st, "secrets", master)
	require.NoError(t, err)
	root, err := kr.LoadRoot(ctx, st)
	require.NoError(t, err)
	ms := merchant.NewService(st, kr)
	_, creds, err := ms.Create(ctx, merchant.Settings{Name: "Tienda Ñandú", SuccessURL: shopOK, CancelURL: shopCancel}, true)
	require.NoError(t, err)

	b := &funnelBundle{
		clock: &testClock{now: time.Now()}, dir: dir, log: &syncbuf.Buffer{},
		payments: payment.NewService(st), prefix: prefix, store: st,
	}
	log := server.NewLogger(b.log, "text", 0)
	srv := httptest.NewUnstartedServer(nil)
	b.api, err = etpay.NewAPI(etpay.Deps{
		CSRFKey: root.Derive("etpay/csrf"), Log: log, Merchants: ms, Now: b.clock.Now, Payments: b.payments,
		Prefix: prefix, PublicURL: "http://" + srv.Listener.Addr().String(), Sandbox: true,
		SandboxBankKey: root.Derive("sandbox/bank"), Sealer: kr,
	})
	require.NoError(t, err)
	b.payments.SetRenderer(payment.DialectETpay, b.api)
	s := server.New(log, prometheus.NewRegistry(), st.Ready)
	b.api.Mount(s)
	srv.Config.Handler = s.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	b.srv = srv
	b.client = clientetpay.NewClient(srv.URL+prefix, srv.URL+prefix, creds.ETpayCode, creds.ETpayAPIToken)
	return b
}

// session starts a session as the merchant would, for an order id
// made unique to the test.
func (b *funnelBundle) session(t *testing.T, req clientetpay.SessionRequest) clientetpay.Session {
	t.Helper()
	// Order ids are the test's own: tests share a merchant, and a paid
	// order cannot start another session.
	req.MerchantOrderID = strings.ReplaceAll(t.Name(), "/", ".") + "." + req.MerchantOrderID
	if req.OrderAmount == 0 {
		req.OrderAmount = 50000
	}
	s, err := b.client.InitializeSession(context.Background(), req)
	require.NoError(t, err)
	return s
}

// payment reads a session's payment.
func (b *funnelBundle) payment(t *testing.T, token string) payment.Payment {
	t.Helper()
	p, err := b.payments.GetByRef(context.Background(), token)
	require.NoError(t, err)
	return p
}

// path is a funnel path of a session: path(token, "/login").
func (b *funnelBundle) path(token, action string) string {
	return b.prefix + "/session/" + token + action
}

// testClock is the funnel's clock; tests move it to expire sessions.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// payer is a browser without JavaScript: a cookie jar, and redirects
// reported rather than followed, so tests see every 303.
type payer struct {
	base string
	c    *http.Client
	t    *testing.T
}

func (b *funnelBundle) payer(t *testing.T) *payer {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &payer{base: b.srv.URL, t: t, c: &http.Client{
		Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is one answer of the funnel.
type page struct {
	body     string
	header   http.Header
	location string
	status   int
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([A-Za-z0-9_-]+)"`)

// csrf is the form token of the page.
func (pg page) csrf(t *testing.T) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(pg.body)
	require.Len(t, m, 2, "no CSRF token in the page:\n%s", pg.body)
	return m[1]
}

func (p *payer) do(req *http.Request) page {
	p.t.Helper()
	resp, err := p.c.Do(req)
	require.NoError(p.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(p.t, err)
	return page{body: string(body), header: resp.Header, location: resp.Header.Get("Location"), status: resp.StatusCode}
}

// get loads a path; hdr are header name/value pairs.
func (p *payer) get(path string, hdr ...string) page {
	p.t.Helper()
	req, err := http.NewRequest(http.MethodGet, p.base+path, nil)
	require.NoError(p.t, err)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return p.do(req)
}

// post submits a form as the page's form would.
func (p *payer) post(path string, form url.Values) page {
	p.t.Helper()
	req, err := http.NewRequest(http.MethodPost, p.base+path, strings.NewReader(form.Encode()))
	require.NoError(p.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return p.do(req)
}

// submit loads the session's page for a form token and posts fields
// (name, value pairs) to the action.
func (p *payer) submit(b *funnelBundle, token, action string, fields ...string) page {
	p.t.Helper()
	pg := p.get(b.path(token, ""))
	require.Equal(p.t, http.StatusOK, pg.status, pg.body)
	form := url.Values{"csrf_token": {pg.csrf(p.t)}}
	for i := 0; i+1 < len(fields); i += 2 {
		form.Set(fields[i], fields[i+1])
	}
	return p.post(b.path(token, action), form)
}

// fileContains reports whether any file in dir (recursively) contains s:
// the SQLite database, its WAL and anything else the test wrote there.
func fileContains(t *testing.T, dir, s string) []string {
	t.Helper()
	var hits []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte(s)) {
			hits = append(hits, path)
		}
		return nil
	})
	require.NoError(t, err)
	return hits
}
