package payretailers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/pasarela/pasarela/client/payretailers"
	"github.com/pasarela/pasarela/internal/syncbuf"
	"github.com/pasarela/pasarela/keyring"
	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/payretailers"
	"github.com/pasarela/pasarela/store/sqlite"
)

// These tests run the dialect's real HTTP layer on a loopback server over
// a real SQLite file, with real merchants (sealed secrets) and, wherever a
// merchant would use it, the real merchant SDK as the caller.

// testBundle is one test's gateway: two merchants, each with an SDK
// client, so isolation between them can be checked.
type testBundle struct {
	api       *payretailers.API
	clock     *testClock
	client    *sdk.Client
	creds     merchant.Credentials
	log       *syncbuf.Buffer
	merchant  merchant.Merchant
	merchants *merchant.Service
	notes     *fakeLister
	other     *sdk.Client
	otherM    merchant.Merchant
	payments  *payment.Service
	root      keyring.Root
	srv       *httptest.Server
	store     *sqlite.Store
}

func setup(t testing.TB) *testBundle {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "pasarela.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(ctx))
	master, err := keyring.LoadOrCreateMasterKey(filepath.Join(dir, "master.key"))
	require.NoError(t, err)
	kr, err := keyring.Open(ctx, st, "secrets", master)
	require.NoError(t, err)
	root, err := kr.LoadRoot(ctx, st)
	require.NoError(t, err)

	b := &testBundle{
		clock:     &testClock{t: time.Now().UTC().Truncate(time.Second)},
		log:       &syncbuf.Buffer{},
		merchants: merchant.NewService(st, kr),
		notes:     &fakeLister{records: map[string][]payretailers.NotificationRecord{}},
		payments:  payment.NewService(st),
		root:      root,
		store:     st,
	}
	b.payments.SetRenderer(payment.DialectPayRetailers, payretailers.NewRenderer(b.merchants))
	b.merchant, b.creds = b.newMerchant(t, merchant.Settings{
		Name: "Tienda Uno", NotificationURL: "https://shop.example/ipn",
		SuccessURL: "https://shop.example/ok", CancelURL: "https://shop.example/cancel",
	})
	var otherCreds merchant.Credentials
	b.otherM, otherCreds = b.newMerchant(t, merchant.Settings{Name: "Tienda Dos", NotificationURL: "https://two.example/ipn"})

	b.api, err = payretailers.NewAPI(payretailers.Deps{
		Keys: root, Log: b.apiLog(), Merchants: b.merchants,
		Notifications: b.notes, Now: b.clock.Now, Payments: b.payments, Sandbox: true,
		PublicURL: "http://gateway.test",
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	b.api.Mount(mux)
	b.srv = newServer(t, mux)
	b.client = b.sdkClient(b.creds)
	b.other = b.sdkClient(otherCreds)
	return b
}

// apiLog is a logger into the bundle's log buffer.
func (b *testBundle) apiLog() *slog.Logger { return slog.New(slog.NewTextHandler(b.log, nil)) }

// newServer serves h on loopback until the test ends.
func newServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// publicURL is what the API was told; hosted-page URLs start with it.
const publicURL = "http://gateway.test"

func (b *testBundle) newMerchant(t testing.TB, set merchant.Settings) (merchant.Merchant, merchant.Credentials) {
	t.Helper()
	m, creds, err := b.merchants.Create(context.Background(), set, true)
	require.NoError(t, err)
	return m, creds
}

func (b *testBundle) sdkClient(c merchant.Credentials) *sdk.Client {
	return &sdk.Client{BaseURL: b.srv.URL, ServiceID: c.ServiceID, Secret: []byte(c.SecretKey), HTTPClient: b.srv.Client()}
}

// answer is a raw response of the API.
type answer struct {
	body   []byte
	fields map[string]any
	header http.Header
	status int
}

// errorCode is the error code of an error answer, "" for a success.
func (a answer) errorCode() string {
	e, _ := a.fields["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// result is the answer's top-level result.
func (a answer) result() int {
	r, _ := a.fields["result"].(float64)
	return int(r)
}

// send makes a raw request with the given body and signature header.
func (b *testBundle) send(t testing.TB, method, path string, body []byte, sig string) answer {
	t.Helper()
	req, err := http.NewRequest(method, b.srv.URL+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header["X-PG-SIG"] = []string{sig}
	}
	resp, err := b.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := answer{body: raw, header: resp.Header, status: resp.StatusCode}
	_ = json.Unmarshal(raw, &a.fields)
	return a
}

// signed sends fields as merchant A, signed with its secret, and checks
// that the answer is signed too.
func (b *testBundle) signed(t testing.TB, method, path string, fields map[string]any) answer {
	t.Helper()
	body, err := json.Marshal(fields)
	require.NoError(t, err)
	a := b.send(t, method, path, body, payretailers.Sign([]byte(b.creds.SecretKey), body))
	if a.status == http.StatusOK {
		require.True(t, payretailers.Verify([]byte(b.creds.SecretKey), a.body, a.header.Get("X-Pg-Sig")), "answer must be signed: %s", a.body)
	}
	return a
}

// token gets an auth token for merchant A.
func (b *testBundle) token(t testing.TB) string {
	t.Helper()
	a := b.signed(t, http.MethodPost, payretailers.PathAuthToken, map[string]any{"pg_serviceid": b.creds.ServiceID})
	require.Equal(t, 0, a.result(), string(a.body))
	tok, _ := a.fields["token"].(string)
	require.NotEmpty(t, tok)
	return tok
}

// createFields are a valid payment/create request for merchant A.
func (b *testBundle) createFields(tok string) map[string]any {
	return map[string]any{
		"pg_serviceid": b.creds.ServiceID, "pg_token": tok, "pg_ip": "190.22.1.1",
		"pg_price": "3500.00", "pg_currency": "CLP", "pg_country": "CL", "pg_method": "webpay",
		"pg_email": "roberto@gmail.com", "pg_first_name": "Roberto", "pg_last_name": "Fernandez",
		"pg_return_url": "https://shop.example/pago-ok", "pg_cancel_url": "https://shop.example/pago-cancelado",
		"pg_custom": "Pago cuenta VIP",
	}
}

// paymentsOf lists the payments of a merchant.
func (b *testBundle) paymentsOf(t testing.TB, merchantID string) []payment.Payment {
	t.Helper()
	ps, err := b.payments.List(context.Background(), payment.Filter{MerchantID: merchantID})
	require.NoError(t, err)
	return ps
}

// params are a valid CreatePayment for the SDK.
func params() sdk.PaymentParams {
	return sdk.PaymentParams{
		Amount: 3500, Currency: "CLP", Country: "CL", Method: "webpay", Email: "roberto@gmail.com",
		FirstName: "Roberto", LastName: "Fernandez", IP: "190.22.1.1", Custom: "Pago cuenta VIP",
		ReturnURL: "https://shop.example/pago-ok", CancelURL: "https://shop.example/pago-cancelado",
	}
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeLister stands in for the notification store.
type fakeLister struct {
	mu      sync.Mutex
	records map[string][]payretailers.NotificationRecord
	asked   []string // merchantID/paymentID of each call
}

func (f *fakeLister) ListNotifications(_ context.Context, merchantID, paymentID string) ([]payretailers.NotificationRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, merchantID+"/"+paymentID)
	return f.records[paymentID], nil
}

func (f *fakeLister) set(paymentID string, recs ...payretailers.NotificationRecord) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.records[paymentID] = recs
}
