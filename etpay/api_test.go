package etpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	clientetpay "github.com/pasarela/pasarela/client/etpay"
	"github.com/pasarela/pasarela/etpay"
	"github.com/pasarela/pasarela/keyring"
	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/sandboxapi"
	"github.com/pasarela/pasarela/server"
	"github.com/pasarela/pasarela/store/sqlite"
)

type apiBundle struct {
	api         *etpay.API
	other, shop merchant.Credentials
	payments    *payment.Service
	srv         *httptest.Server
	store       *sqlite.Store
}

// setupAPI serves the ETpay API (under prefix) on a real loopback server
// over a real SQLite file, with two merchants.
func setupAPI(t *testing.T, prefix string) *apiBundle {
	t.Helper()
	return setupAPIPrefix(t, prefix)
}

func setupAPIB(b *testing.B) *apiBundle { return setupAPIPrefix(b, "") }

func setupAPIPrefix(t testing.TB, prefix string) *apiBundle {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "e.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(ctx))
	master, err := keyring.LoadOrCreateMasterKey(filepath.Join(dir, "master.key"))
	require.NoError(t, err)
	kr, err := keyring.Open(ctx, st, "secrets", master)
	require.NoError(t, err)
	ms := merchant.NewService(st, kr)
	b := &apiBundle{store: st, payments: payment.NewService(st)}
	_, b.shop, err = ms.Create(ctx, merchant.Settings{Name: "Shop"}, false)
	require.NoError(t, err)
	_, b.other, err = ms.Create(ctx, merchant.Settings{Name: "Other"}, false)
	require.NoError(t, err)
	log := server.NewLogger(io.Discard, "text", 0)
	srv := httptest.NewUnstartedServer(nil)
	b.api, err = etpay.NewAPI(etpay.Deps{CSRFKey: []byte("etpay-api-test-csrf-key-0123456789"), Log: log, Merchants: ms,
		Payments: b.payments, Prefix: prefix, PublicURL: "http://" + srv.Listener.Addr().String(), Sandbox: true, Sealer: kr})
	require.NoError(t, err)
	b.payments.SetRenderer(payment.DialectETpay, b.api)
	s := server.New(log, prometheus.NewRegistry(), st.Ready)
	b.api.Mount(s)
	s.Handle(sandboxapi.Pattern, sandboxapi.New(b.payments, map[payment.Dialect]sandboxapi.Authenticator{
		payment.DialectETpay: b.api.SandboxAuthenticator()}))
	srv.Config.Handler = s.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	b.srv = srv
	return b
}

func (b *apiBundle) client(c merchant.Credentials, prefix string) *clientetpay.Client {
	return clientetpay.NewClient(b.srv.URL+prefix, b.srv.URL+prefix, c.ETpayCode, c.ETpayAPIToken)
}

// post sends a raw body (no Content-Type, like the official Python SDK).
func (b *apiBundle) post(t *testing.T, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	if len(raw) > 0 && raw[0] == '{' {
		require.NoError(t, json.Unmarshal(raw, &out), string(raw))
	}
	return resp.StatusCode, out
}

func (b *apiBundle) count(t *testing.T) int {
	t.Helper()
	ps, err := b.payments.List(context.Background(), payment.Filter{})
	require.NoError(t, err)
	return len(ps)
}

func initBody(c merchant.Credentials, extra string) string {
	return `{"merchant_code":"` + c.ETpayCode + `","merchant_api_token":"` + c.ETpayAPIToken + `"` + extra + `}`
}

func TestInitializeWithTheSDKAndCheckStatus(t *testing.T) {
	t.Parallel()

	b := setupAPI(t, "/sandbox")
	ctx := context.Background()
	c := b.client(b.shop, "/sandbox")
	s, err := c.InitializeSession(ctx, clientetpay.SessionRequest{MerchantOrderID: "OC-700104", OrderAmount: 50000,
		CustomerEmail: "payer@example.com", UserBankCode: "cl_bch", UserRUT: "11.111.111-1", IsRUTBlock: true,
		Metadata: []clientetpay.Metadata{{Name: "Cuenta Servicio Gas", Value: "30.215", Show: true}}})
	require.NoError(t, err)
	require.Len(t, s.Token, 64)
	require.NotEmpty(t, s.SignatureToken)
	require.NotEqual(t, s.Token, s.SignatureToken)
	require.Equal(t, b.srv.URL+"/sandbox/session/"+s.Token, c.FunnelURL(s.Token))

	st, err := c.CheckPaymentStatus(ctx, clientetpay.StatusQuery{SessionToken: s.Token})
	require.NoError(t, err)
	require.Len(t, st, 1)
	require.Equal(t, "pending", st[0].PaymentStatus)
	require.NotEmpty(t, st[0].PaymentToken)

	// The signature token is sealed at rest and unique per session.
	p, err := b.payments.GetByRef(ctx, s.Token)
	require.NoError(t, err)
	require.NotContains(t, string(p.SealedSecret), s.SignatureToken)
	s2, err := c.InitializeSession(ctx, clientetpay.SessionRequest{MerchantOrderID: "OC-700104", OrderAmount: 50000})
	require.NoError(t, err, "several open sessions for one unpaid order are allowed")
	require.NotEqual(t, s.SignatureToken, s2.SignatureToken)

	// Without the /sandbox prefix the API is not there.
	code, _ := b.post(t, "/session/initialize", initBody(b.shop, `,"merchant_order_id":"x","order_amount":1`))
	require.Equal(t, http.StatusNotFound, code)
}

func TestLenientInputs(t *testing.T) {
	t.Parallel()

	b := setupAPI(t, "")
	for name, extra := range map[string]string{
		"integral float":     `,"merchant_order_id":"A1","order_amount":1000.0`,
		"numeric string":     `,"merchant_order_id":"A2","order_amount":"1000"`,
		"upper bank code":    `,"merchant_order_id":"A3","order_amount":1000,"user_bank_code":"CL_BCH"`,
		"rut block string":   `,"merchant_order_id":"A4","order_amount":1000,"user_rut":"111111111","is_rut_block":"True"`,
		"unknown field kept": `,"merchant_order_id":"A5","order_amount":1000,"something_new":[1,2]`,
	} {
		code, body := b.post(t, "/session/initialize", initBody(b.shop, extra))
		require.Equal(t, http.StatusOK, code, "%s: %v", name, body)
		require.NotEmpty(t, body["token"], name)
	}
	ps, err := b.payments.List(context.Background(), payment.Filter{OrderID: "A3"})
	require.NoError(t, err)
	require.Equal(t, "cl_bch", ps[0].Method)
	ps, err = b.payments.List(context.Background(), payment.Filter{OrderID: "A4"})
	require.NoError(t, err)
	require.Equal(t, "true", ps[0].Extra[etpay.ExtraRUTBlocked])
	require.Equal(t, int64(1000), ps[0].Amount.Amount)
}

func TestInitializeRejectsBadInputAndChangesNothing(t *testing.T) {
	t.Parallel()

	b := setupAPI(t, "")
	for name, tc := range map[string]struct {
		body string
		code int
	}{
		"malformed json":   {`{"merchant_code":`, 400},
		"not an object":    {`[1,2]`, 400},
		"empty":            {``, 400},
		"wrong token":      {`{"merchant_code":"` + b.shop.ETpayCode + `","merchant_api_token":"nope","merchant_order_id":"x","order_amount":1}`, 401},
		"unknown merchant": {`{"merchant_code":"cl_nobody","merchant_api_token":"` + b.shop.ETpayAPIToken + `","merchant_order_id":"x","order_amount":1}`, 401},
		"other's code":     {`{"merchant_code":"` + b.other.ETpayCode + `","merchant_api_token":"` + b.shop.ETpayAPIToken + `","merchant_order_id":"x","order_amount":1}`, 401},
		"fractional":       {initBody(b.shop, `,"merchant_order_id":"x","order_amount":1000.5`), 400},
		"zero":             {initBody(b.shop, `,"merchant_order_id":"x","order_amount":0`), 400},
		"negative":         {initBody(b.shop, `,"merchant_order_id":"x","order_amount":-5`), 400},
		"amount as bool":   {initBody(b.shop, `,"merchant_order_id":"x","order_amount":true`), 400},
		"huge amount":      {initBody(b.shop, `,"merchant_order_id":"x","order_amount":1e30`), 400},
		"no order id":      {initBody(b.shop, `,"order_amount":10`), 400},
		"long order id":    {initBody(b.shop, `,"merchant_order_id":"`+strings.Repeat("x", 65)+`","order_amount":10`), 400},
		"bad rut":          {initBody(b.shop, `,"merchant_order_id":"x","order_amount":10,"user_rut":"11.111.111-2"`), 400},
		"unknown bank":     {initBody(b.shop, `,"merchant_order_id":"x","order_amount":10,"user_bank_code":"cl_nobank"`), 400},
		"relative url":     {initBody(b.shop, `,"merchant_order_id":"x","order_amount":10,"payment_completed_url":"/ok"`), 400},
		"ftp webhook":      {initBody(b.shop, `,"merchant_order_id":"x","order_amount":10,"payment_webhook_url":"ftp://x/y"`), 400},
		"metadata type":    {initBody(b.shop, `,"merchant_order_id":"x","order_amount":10,"metadata":"nope"`), 400},
		"too much meta":    {initBody(b.shop, `,"merchant_order_id":"x","order_amount":10,"metadata":[`+strings.Repeat(`{"name":"a","value":"b"},`, 40)+`{"name":"a","value":"b"}]`), 400},
		"huge body":        {initBody(b.shop, `,"merchant_order_id":"x","order_amount":10,"pad":"`+strings.Repeat("x", 2<<20)+`"`), 413},
	} {
		code, body := b.post(t, "/session/initialize", tc.body)
		require.Equal(t, tc.code, code, "%s: %v", name, body)
		if code != 413 || body != nil {
			require.NotEmpty(t, body["message"], name)
			require.NotEmpty(t, body["code"], name)
		}
	}
	require.Zero(t, b.count(t), "no bad request created anything")
}

func TestPaidOrderCannotBePaidAgainAndIsolation(t *testing.T) {
	t.Parallel()

	b := setupAPI(t, "")
	ctx := context.Background()
	c := b.client(b.shop, "")
	s, err := c.InitializeSession(ctx, clientetpay.SessionRequest{MerchantOrderID: "OC-9", OrderAmount: 1000})
	require.NoError(t, err)

	// Another merchant can neither see nor finish it.
	other := b.client(b.other, "")
	_, err = other.CheckPaymentStatus(ctx, clientetpay.StatusQuery{SessionToken: s.Token})
	var apiErr *clientetpay.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	code, _ := b.post(t, "/sandbox/payments/"+s.Token+"/complete", initBody(b.other, ""))
	require.Equal(t, http.StatusNotFound, code)
	code, _ = b.post(t, "/sandbox/payments/"+s.Token+"/complete", `{"merchant_code":"`+b.shop.ETpayCode+`","merchant_api_token":"wrong"}`)
	require.Equal(t, http.StatusUnauthorized, code)

	code, body := b.post(t, "/sandbox/payments/"+s.Token+"/complete", initBody(b.shop, ""))
	require.Equal(t, http.StatusOK, code, body)
	require.Equal(t, "completed", body["status"])
	code, _ = b.post(t, "/sandbox/payments/"+s.Token+"/fail", initBody(b.shop, ""))
	require.Equal(t, http.StatusConflict, code, "a final payment cannot change")

	code, body = b.post(t, "/session/initialize", initBody(b.shop, `,"merchant_order_id":"OC-9","order_amount":1000`))
	require.Equal(t, http.StatusConflict, code)
	require.Equal(t, "order_already_paid", body["code"])
	// The same order id at another merchant is another order.
	code, _ = b.post(t, "/session/initialize", initBody(b.other, `,"merchant_order_id":"OC-9","order_amount":1000`))
	require.Equal(t, http.StatusOK, code)

	// Status by order id, without merchant_code (the official SDK's way).
	st, err := c.CheckPaymentStatus(ctx, clientetpay.StatusQuery{MerchantOrderID: "OC-9"})
	require.NoError(t, err)
	require.Len(t, st, 1)
	require.True(t, st[0].Success())
	byToken, err := c.CheckPaymentStatus(ctx, clientetpay.StatusQuery{PaymentToken: st[0].PaymentToken})
	require.NoError(t, err)
	require.Equal(t, s.Token, byToken[0].SessionToken)
}

func TestCheckStatusBadInput(t *testing.T) {
	t.Parallel()

	b := setupAPI(t, "")
	for name, tc := range map[string]struct {
		body string
		code int
	}{
		"malformed":     {`{`, 400},
		"no selector":   {`{"merchant_api_token":"` + b.shop.ETpayAPIToken + `"}`, 400},
		"no token":      {`{"session_token":"abc"}`, 401},
		"wrong token":   {`{"merchant_api_token":"zzz","session_token":"abc"}`, 401},
		"unknown":       {`{"merchant_api_token":"` + b.shop.ETpayAPIToken + `","session_token":"abc"}`, 404},
		"selector type": {`{"merchant_api_token":"` + b.shop.ETpayAPIToken + `","session_token":{"$ne":1}}`, 400},
	} {
		code, body := b.post(t, "/merchant/check_payment_status", tc.body)
		require.Equal(t, tc.code, code, "%s: %v", name, body)
		require.NotEmpty(t, body["code"], name)
	}
}

func TestWebhookNoticeCarriesVerifiableJWT(t *testing.T) {
	t.Parallel()

	b := setupAPI(t, "")
	ctx := context.Background()
	c := b.client(b.shop, "")
	s, err := c.InitializeSession(ctx, clientetpay.SessionRequest{MerchantOrderID: "OC-W", OrderAmount: 7000,
		PaymentWebhookURL: "https://shop.example/hook", UserRUT: "111111111"})
	require.NoError(t, err)
	p, err := b.payments.GetByRef(ctx, s.Token)
	require.NoError(t, err)
	_, err = b.payments.Transition(ctx, p.ID, payment.StatusFailed, "insufficient_funds", payment.ActorRail)
	require.NoError(t, err)

	var body []byte
	require.NoError(t, b.store.WriteDB().QueryRow(`SELECT body FROM notifications WHERE payment_id = ?`, p.ID).Scan(&body))
	req := httptest.NewRequest(http.MethodPost, "https://shop.example/hook", bytes.NewReader(body))
	jwt, session, err := clientetpay.ParseWebhook(req)
	require.NoError(t, err)
	require.Equal(t, s.Token, session)
	res, err := clientetpay.VerifyResult(jwt, s.SignatureToken)
	require.NoError(t, err)
	require.Equal(t, "error", res.PaymentStatus)
	require.Equal(t, "insufficient_funds", res.StatusDetail)
	require.Equal(t, "OC-W", res.MerchantOrderID)
	require.Equal(t, int64(7000), res.OrderAmount)
	require.Equal(t, "11111111-1", res.UserRUT)
	_, err = clientetpay.VerifyResult(jwt, s.Token)
	require.Error(t, err, "only the session's signature token verifies it")
}
