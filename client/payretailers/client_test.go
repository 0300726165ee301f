package payretailers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const testSecret = "7c1a6a24-7943-102d-92f8-29573711ad31"

// gateway is a stand-in for pasarela's API on a loopback server: it checks
// request signatures, issues tokens, and answers each path with what the
// test's handler returns, signed the way the real gateway signs.
type gateway struct {
	t      *testing.T
	secret []byte
	srv    *httptest.Server

	mu         sync.Mutex
	handler    func(path string, fields map[string]any) (status int, answer any)
	requests   []request
	tokenCalls int
	tokens     map[string]bool
	// raw, when set, replaces the normal answer: it writes whatever it
	// likes, to test broken gateways.
	raw func(w http.ResponseWriter, body []byte)
}

type request struct {
	fields map[string]any
	path   string
}

type bundle struct {
	client *Client
	gw     *gateway
	now    time.Time
}

func setup(t *testing.T) *bundle {
	t.Helper()
	gw := &gateway{t: t, secret: []byte(testSecret), tokens: map[string]bool{}}
	gw.srv = httptest.NewServer(http.HandlerFunc(gw.serve))
	t.Cleanup(gw.srv.Close)
	b := &bundle{gw: gw, now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	b.client = &Client{BaseURL: gw.srv.URL + "/", ServiceID: "123", Secret: []byte(testSecret)}
	b.client.now = func() time.Time { return b.now }
	return b
}

func (g *gateway) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	require.NoError(g.t, err)
	if g.raw != nil {
		g.raw(w, body)
		return
	}
	if r.Header.Get("X-Pg-Sig") != sign(g.secret, body) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"result":2,"error":{"code":"INVALID_SIGNATURE","message":"INVALID_SIGNATURE: the request signature is invalid"}}`))
		return
	}
	require.Equal(g.t, "application/json", r.Header.Get("Content-Type"))
	var fields map[string]any
	require.NoError(g.t, json.Unmarshal(body, &fields))
	path := strings.TrimPrefix(r.URL.Path, "/api/v2/")

	g.mu.Lock()
	g.requests = append(g.requests, request{fields: fields, path: path})
	var status int
	var answer any
	switch {
	case path == "auth/token":
		g.tokenCalls++
		tok := fmt.Sprintf("tok-%d", g.tokenCalls)
		g.tokens[tok] = true
		status, answer = 200, map[string]any{"result": 0, "token": tok, "expires_in": 3600}
	case path != "oneclick/confirm" && !g.tokens[fmt.Sprint(fields["pg_token"])]:
		status, answer = 200, map[string]any{"result": 2, "error": map[string]string{"code": "INVALID_TOKEN", "message": "INVALID_TOKEN: expired"}}
	default:
		status, answer = g.handler(path, fields)
	}
	g.mu.Unlock()

	out, err := json.Marshal(answer)
	require.NoError(g.t, err)
	w.Header()["X-PG-SIG"] = []string{sign(g.secret, out)}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// last returns the last non-auth request.
func (g *gateway) last() request {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i := len(g.requests) - 1; i >= 0; i-- {
		if g.requests[i].path != "auth/token" {
			return g.requests[i]
		}
	}
	return request{}
}

// ok answers every call with a copy of answer plus result 0.
func ok(answer map[string]any) func(string, map[string]any) (int, any) {
	return func(string, map[string]any) (int, any) {
		out := map[string]any{"result": 0}
		for k, v := range answer {
			out[k] = v
		}
		return 200, out
	}
}

// handle swaps the handler while requests may be in flight.
func (g *gateway) handle(h func(string, map[string]any) (int, any)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.handler = h
}

func TestCreatePayment(t *testing.T) {
	t.Parallel()

	b := setup(t)
	b.gw.handler = ok(map[string]any{"data": map[string]any{
		"service_id": "123", "transaction_id": "b023a79c", "status": "created",
		"payment_method": "webpay", "amount": "3500.00", "currency": "CLP",
		"payment_method_url": "https://pay.example/pay-direct/b023a79c", "custom": "Pago cuenta VIP",
		"customer":      map[string]any{"first_name": "Roberto", "last_name": "Fernandez", "email": "roberto@gmail.com", "country": "CL"},
		"redirect_urls": map[string]any{"success_url": "http://www.mi-sitio.com/pago-ok", "cancel_url": "http://www.mi-sitio.com/pago-cancelado"},
	}})

	p, err := b.client.CreatePayment(context.Background(), PaymentParams{
		Amount: 3500, Currency: "CLP", Country: "CL", Method: "webpay", Email: "roberto@gmail.com",
		FirstName: "Roberto", LastName: "Fernandez", IP: "190.22.1.1", Custom: "Pago cuenta VIP",
		ReturnURL: "http://www.mi-sitio.com/pago-ok", CancelURL: "http://www.mi-sitio.com/pago-cancelado",
	})
	require.NoError(t, err)
	require.Equal(t, "b023a79c", p.TransactionID)
	require.Equal(t, "https://pay.example/pay-direct/b023a79c", p.PaymentMethodURL)
	require.Equal(t, "http://www.mi-sitio.com/pago-ok", p.RedirectURLs.SuccessURL)
	require.Equal(t, "Roberto", p.Customer.FirstName)
	minor, err := p.Amount.Minor(p.Currency)
	require.NoError(t, err)
	require.Equal(t, int64(3500), minor)

	req := b.gw.last()
	require.Equal(t, "payment/create", req.path)
	require.Equal(t, map[string]any{
		"pg_cancel_url": "http://www.mi-sitio.com/pago-cancelado", "pg_country": "CL", "pg_currency": "CLP",
		"pg_custom": "Pago cuenta VIP", "pg_email": "roberto@gmail.com", "pg_first_name": "Roberto",
		"pg_ip": "190.22.1.1", "pg_last_name": "Fernandez", "pg_method": "webpay", "pg_price": "3500.00",
		"pg_return_url": "http://www.mi-sitio.com/pago-ok", "pg_serviceid": "123", "pg_token": "tok-1",
	}, req.fields)
}

func TestCreatePaymentRefusesBadAmountsLocally(t *testing.T) {
	t.Parallel()

	b := setup(t)
	for _, p := range []PaymentParams{{Amount: 0, Currency: "USD"}, {Amount: -5, Currency: "USD"}, {Amount: 100, Currency: "XXX"}} {
		_, err := b.client.CreatePayment(context.Background(), p)
		require.Error(t, err)
	}
	require.Zero(t, b.gw.tokenCalls)
}

func TestTokenIsCachedAndRenewed(t *testing.T) {
	t.Parallel()

	b := setup(t)
	b.gw.handler = ok(map[string]any{"methods": []any{}})
	ctx := context.Background()

	_, err := b.client.Methods(ctx, "CL")
	require.NoError(t, err)
	_, err = b.client.Methods(ctx, "CL")
	require.NoError(t, err)
	require.Equal(t, 1, b.gw.tokenCalls)

	// 54 minutes later the token is still used; past 55 (an hour less the
	// margin) a new one is fetched before the gateway would refuse it.
	b.now = b.now.Add(54 * time.Minute)
	_, err = b.client.Methods(ctx, "CL")
	require.NoError(t, err)
	require.Equal(t, 1, b.gw.tokenCalls)
	b.now = b.now.Add(2 * time.Minute)
	_, err = b.client.Methods(ctx, "CL")
	require.NoError(t, err)
	require.Equal(t, 2, b.gw.tokenCalls)
	require.Equal(t, "tok-2", b.gw.last().fields["pg_token"])
}

func TestTokenFetchedOnceUnderConcurrency(t *testing.T) {
	t.Parallel()

	b := setup(t)
	b.gw.handler = ok(map[string]any{"methods": []any{}})
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			_, err := b.client.Methods(context.Background(), "CL")
			require.NoError(t, err)
		})
	}
	wg.Wait()
	require.Equal(t, 1, b.gw.tokenCalls)
}

func TestRejectedTokenIsRenewedOnce(t *testing.T) {
	t.Parallel()

	b := setup(t)
	b.gw.handler = ok(map[string]any{"methods": []any{map[string]any{"code": "pix", "name": "Pix", "image": "/x.svg"}}})
	ctx := context.Background()
	_, err := b.client.Methods(ctx, "BR")
	require.NoError(t, err)

	// The gateway forgets every token (a restart): the next call renews.
	b.gw.mu.Lock()
	clear(b.gw.tokens)
	b.gw.mu.Unlock()
	ms, err := b.client.Methods(ctx, "BR")
	require.NoError(t, err)
	require.Equal(t, []Method{{Code: "pix", Image: "/x.svg", Name: "Pix"}}, ms)
	require.Equal(t, 2, b.gw.tokenCalls)

	// A gateway that never accepts a token: one retry, then the error.
	b.gw.handle(func(string, map[string]any) (int, any) {
		return 200, map[string]any{"result": 2, "error": map[string]string{"code": "INVALID_TOKEN", "message": "INVALID_TOKEN: no"}}
	})
	_, err = b.client.Methods(ctx, "BR")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, "INVALID_TOKEN", apiErr.Code)
	require.Equal(t, 3, b.gw.tokenCalls)
}

func TestAPIError(t *testing.T) {
	t.Parallel()

	b := setup(t)
	b.gw.handler = func(string, map[string]any) (int, any) {
		return 200, map[string]any{"result": 1, "error": map[string]string{"code": "INVALID_PRICE", "message": "INVALID_PRICE: pg_price has more decimals than CLP allows"}}
	}
	_, err := b.client.PaymentStatus(context.Background(), "tx")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, &APIError{Code: "INVALID_PRICE", HTTPStatus: 200, Message: "INVALID_PRICE: pg_price has more decimals than CLP allows", Result: 1}, apiErr)
	require.Equal(t, "payretailers: INVALID_PRICE: pg_price has more decimals than CLP allows", err.Error())
}

func TestBrokenAnswers(t *testing.T) {
	t.Parallel()

	body := []byte(`{"result":0,"methods":[]}`)
	tests := []struct {
		name  string
		write func(w http.ResponseWriter)
		check func(t *testing.T, err error)
	}{
		{"missing signature", func(w http.ResponseWriter) {
			_, _ = w.Write(body)
		}, isErr(ErrBadSignature)},
		{"wrong signature", func(w http.ResponseWriter) {
			w.Header()["X-PG-SIG"] = []string{sign([]byte("other"), body)}
			_, _ = w.Write(body)
		}, isErr(ErrBadSignature)},
		{"uppercase signature (the PHP SDK refuses it too)", func(w http.ResponseWriter) {
			w.Header()["X-PG-SIG"] = []string{strings.ToUpper(sign([]byte(testSecret), body))}
			_, _ = w.Write(body)
		}, isErr(ErrBadSignature)},
		{"signature of other bytes", func(w http.ResponseWriter) {
			w.Header()["X-PG-SIG"] = []string{sign([]byte(testSecret), body)}
			_, _ = w.Write([]byte(`{"result":0,"methods":[] }`))
		}, isErr(ErrBadSignature)},
		{"no result", func(w http.ResponseWriter) {
			b := []byte(`{"methods":[]}`)
			w.Header()["X-PG-SIG"] = []string{sign([]byte(testSecret), b)}
			_, _ = w.Write(b)
		}, isErr(ErrMalformed)},
		{"not JSON", func(w http.ResponseWriter) {
			b := []byte(`<html>`)
			w.Header()["X-PG-SIG"] = []string{sign([]byte(testSecret), b)}
			_, _ = w.Write(b)
		}, isErr(ErrMalformed)},
		{"too large", func(w http.ResponseWriter) {
			_, _ = w.Write([]byte(`{"result":0,"pad":"`))
			_, _ = w.Write([]byte(strings.Repeat("a", maxResponse)))
			_, _ = w.Write([]byte(`"}`))
		}, isErr(ErrMalformed)},
		{"server error", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusBadGateway)
		}, func(t *testing.T, err error) {
			require.ErrorContains(t, err, "unexpected HTTP status 502")
			var apiErr *APIError
			require.False(t, errors.As(err, &apiErr))
		}},
		{"unauthorized without body", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusUnauthorized)
		}, func(t *testing.T, err error) {
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			require.Equal(t, http.StatusUnauthorized, apiErr.HTTPStatus)
			require.Equal(t, "INVALID_SIGNATURE", apiErr.Code)
		}},
		{"unauthorized with gateway's reason", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"result":2,"error":{"code":"UNKNOWN_SERVICE","message":"UNKNOWN_SERVICE: no service has this pg_serviceid"}}`))
		}, func(t *testing.T, err error) {
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			require.Equal(t, &APIError{Code: "UNKNOWN_SERVICE", HTTPStatus: 401, Message: "UNKNOWN_SERVICE: no service has this pg_serviceid", Result: 2}, apiErr)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			b := setup(t)
			b.gw.raw = func(w http.ResponseWriter, _ []byte) { tt.write(w) }
			_, err := b.client.AuthToken(context.Background())
			tt.check(t, err)
		})
	}
}

func isErr(target error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		require.ErrorIs(t, err, target)
	}
}

func TestWrongSecretIsRefusedByGateway(t *testing.T) {
	t.Parallel()

	b := setup(t)
	b.client.Secret = []byte("wrong")
	_, err := b.client.AuthToken(context.Background())
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, http.StatusUnauthorized, apiErr.HTTPStatus)
}

func TestCanceledContext(t *testing.T) {
	t.Parallel()

	b := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := b.client.AuthToken(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

func TestBaseURLWithPrefix(t *testing.T) {
	t.Parallel()

	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		b := []byte(`{"result":0,"token":"t"}`)
		w.Header()["X-PG-SIG"] = []string{sign([]byte("s"), b)}
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	c := &Client{BaseURL: srv.URL + "/pasarela", ServiceID: "1", Secret: []byte("s")}
	tok, err := c.AuthToken(context.Background())
	require.NoError(t, err)
	require.Equal(t, "t", tok)
	require.Equal(t, "/pasarela/api/v2/auth/token", path)
	require.Equal(t, 30*time.Second, c.httpClient().Timeout)
}

func TestOtherCalls(t *testing.T) {
	t.Parallel()

	b := setup(t)
	b.gw.handler = func(path string, _ map[string]any) (int, any) {
		answers := map[string]any{
			"payment/status": map[string]any{"payment": map[string]any{"transaction_id": "tx", "status": "completed",
				"amount": "10.50", "currency": "USD", "created_at": "2021-01-02 23:11:00", "completed": "2021-01-02 23:13:00"}},
			"payment/webcheckout": map[string]any{"data": map[string]any{"redirectUrl": "https://pay.example/checkout/tx", "transaction_id": "tx"}},
			"notification/status": map[string]any{"notifications": []any{map[string]any{"id": "n1", "attempts": 2,
				"last_http_status": 500, "next_retry_at": "2021-01-02 23:20:00", "state": "pending", "body": "{}", "signature": "s", "url": "https://shop/ipn", "created_at": "2021-01-02 23:13:00"}}},
			"oneclick/register":   map[string]any{"pg_token": "enr", "redirect_url": "https://pay.example/oneclick/session/enr"},
			"oneclick/confirm":    map[string]any{"pg_oneclick_card": "card-1", "pg_card_type": "visa", "pg_card_number": "XXXXXXXXXXXX9658"},
			"oneclick/create":     map[string]any{"data": json.RawMessage(`{"amount":5000,"currency":"CLP","customer":{"first_name":"Roberto","last_name":"Fernandez","email":"user@site.cl","country":"CL"},"payment_method":"oneclick","status":"completed","transaction_id":"2418fa18"}`)},
			"oneclick/unregister": map[string]any{},
			"oneclick/cards":      map[string]any{"cards": []any{map[string]any{"pg_oneclick_card": "card-1", "pg_card_type": "visa", "pg_card_number": "XXXXXXXXXXXX9658"}}},
		}
		a, ok := answers[path].(map[string]any)
		require.True(t, ok, path)
		a["result"] = 0
		return 200, a
	}
	ctx := context.Background()

	p, err := b.client.PaymentStatus(ctx, "tx")
	require.NoError(t, err)
	require.Equal(t, "2021-01-02 23:13:00", p.Completed)
	minor, err := p.Amount.Minor("USD")
	require.NoError(t, err)
	require.Equal(t, int64(1050), minor)
	require.Equal(t, map[string]any{"pg_serviceid": "123", "pg_token": "tok-1", "transaction_id": "tx"}, b.gw.last().fields)

	co, err := b.client.Webcheckout(ctx, PaymentParams{Amount: 1000, Currency: "USD"})
	require.NoError(t, err)
	require.Equal(t, &Checkout{RedirectURL: "https://pay.example/checkout/tx", TransactionID: "tx"}, co)
	require.Equal(t, map[string]any{"pg_serviceid": "123", "pg_token": "tok-1", "pg_price": "10.00", "pg_currency": "USD"}, b.gw.last().fields)

	ns, err := b.client.NotificationStatus(ctx, "tx")
	require.NoError(t, err)
	require.Equal(t, []NotificationRecord{{Attempts: 2, Body: "{}", CreatedAt: "2021-01-02 23:13:00", ID: "n1", LastHTTPStatus: 500,
		NextRetryAt: "2021-01-02 23:20:00", Signature: "s", State: "pending", URL: "https://shop/ipn"}}, ns)

	enr, err := b.client.Register(ctx, EnrollParams{Email: "user@site.cl", ReturnURL: "https://shop/ok", CancelURL: "https://shop/ko"})
	require.NoError(t, err)
	require.Equal(t, &Enrollment{RedirectURL: "https://pay.example/oneclick/session/enr", Token: "enr"}, enr)
	require.Equal(t, "oneclick/register", b.gw.last().path)
	require.Equal(t, "user@site.cl", b.gw.last().fields["pg_email"])

	card, err := b.client.Confirm(ctx, enr.Token)
	require.NoError(t, err)
	require.Equal(t, &Card{ID: "card-1", Number: "XXXXXXXXXXXX9658", Type: "visa"}, card)
	// Confirm carries the enrollment token in pg_token, not the auth token.
	require.Equal(t, map[string]any{"pg_serviceid": "123", "pg_token": "enr"}, b.gw.last().fields)

	ch, err := b.client.Charge(ctx, ChargeParams{Amount: 5000, Currency: "CLP", Card: "card-1", Email: "user@site.cl", FirstName: "Roberto", LastName: "Fernandez"})
	require.NoError(t, err)
	require.Equal(t, "2418fa18", ch.TransactionID)
	minor, err = ch.Amount.Minor(ch.Currency)
	require.NoError(t, err)
	require.Equal(t, int64(5000), minor)
	require.Equal(t, "5000.00", b.gw.last().fields["pg_price"])
	require.Equal(t, "card-1", b.gw.last().fields["pg_oneclick_card"])

	require.NoError(t, b.client.Unregister(ctx, "user@site.cl", "card-1"))
	require.Equal(t, map[string]any{"pg_serviceid": "123", "pg_token": "tok-1", "pg_email": "user@site.cl", "pg_oneclick_card": "card-1"}, b.gw.last().fields)

	cards, err := b.client.Cards(ctx, "user@site.cl")
	require.NoError(t, err)
	require.Equal(t, []Card{{ID: "card-1", Number: "XXXXXXXXXXXX9658", Type: "visa"}}, cards)
	require.Equal(t, 1, b.gw.tokenCalls)
}

func TestMissingDataIsMalformed(t *testing.T) {
	t.Parallel()

	b := setup(t)
	b.gw.handler = ok(map[string]any{})
	ctx := context.Background()
	_, err := b.client.CreatePayment(ctx, PaymentParams{Amount: 1, Currency: "USD"})
	require.ErrorIs(t, err, ErrMalformed)
	_, err = b.client.PaymentStatus(ctx, "tx")
	require.ErrorIs(t, err, ErrMalformed)
	_, err = b.client.Webcheckout(ctx, PaymentParams{Amount: 1, Currency: "USD"})
	require.ErrorIs(t, err, ErrMalformed)
	_, err = b.client.Register(ctx, EnrollParams{})
	require.ErrorIs(t, err, ErrMalformed)
	_, err = b.client.Confirm(ctx, "x")
	require.ErrorIs(t, err, ErrMalformed)
	_, err = b.client.Charge(ctx, ChargeParams{Amount: 1, Currency: "USD"})
	require.ErrorIs(t, err, ErrMalformed)
}
