package payretailers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/pasarela/pasarela/client/payretailers"
	"github.com/pasarela/pasarela/payretailers"
)

// These tests put the server-side wire layer and the merchant SDK face to
// face over loopback HTTP: what one writes, the other must accept.

const secret = "7c1a6a24-7943-102d-92f8-29573711ad31"

func TestIPNVerifiesInSDK(t *testing.T) {
	t.Parallel()

	customs := []string{"", "MTAw", "Producto 1 / Niño <&>", "emoji 😀 \u2028 \"q\" \\ \x01 tab\t", strings.Repeat("ñ", 255)}
	for i, custom := range customs {
		n := payretailers.Notification{
			Amount: int64(1000 + i), CompletedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
			Country: "CL", CreatedAt: time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC), Currency: "USD",
			Custom: custom, Method: "webpay", ServiceID: "123", Status: "completed", TransactionID: fmt.Sprintf("tx-%d", i),
		}
		ipn, err := payretailers.BuildIPN([]byte(secret), n)
		require.NoError(t, err)

		r := httptest.NewRequest(http.MethodPost, "/ipn", strings.NewReader(string(ipn.Body)))
		for k, v := range ipn.Headers() {
			r.Header[k] = []string{v}
		}
		c := &sdk.Client{ServiceID: "123", Secret: []byte(secret)}
		got, err := c.VerifyNotification(r)
		require.NoError(t, err, custom)
		require.Equal(t, custom, got.Custom)
		require.Equal(t, n.TransactionID, got.TransactionID)
		cents, err := got.Price.Minor(got.Currency)
		require.NoError(t, err)
		require.Equal(t, n.Amount, cents)
	}
}

func TestReturnURLVerifiesInSDK(t *testing.T) {
	t.Parallel()

	for _, base := range []string{
		"https://shop.example/ok",
		"https://shop.example/ok?status=pending&order=7",
		"https://shop.example/ok?custom=mine#top",
	} {
		raw, err := payretailers.ReturnURL(base, secret, "tx-1", "completed", "a b&c=d/ñ")
		require.NoError(t, err)
		u, err := url.Parse(raw)
		require.NoError(t, err)
		c := &sdk.Client{Secret: []byte(secret)}
		ret, err := c.VerifyReturn(u.Query())
		require.NoError(t, err, raw)
		require.Equal(t, sdk.Return{Custom: "a b&c=d/ñ", Status: "completed", TransactionID: "tx-1"}, ret)
	}
}

// TestSDKAgainstWireLayer runs the SDK against a handler built only from
// this package's parts, the way the real HTTP layer will use them.
func TestSDKAgainstWireLayer(t *testing.T) {
	t.Parallel()

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		require.NoError(t, err)
		service, err := payretailers.ServiceIDOf(body)
		if err != nil || service != "123" {
			payretailers.WriteError(w, nil, payretailers.ErrUnknownService)
			return
		}
		key := []byte(secret)
		if !payretailers.Verify(key, body, r.Header.Get(payretailers.HeaderRequestSignature)) {
			payretailers.WriteError(w, nil, payretailers.ErrInvalidSignature)
			return
		}
		switch strings.TrimPrefix(r.URL.Path, "/api/v2/") {
		case "auth/token":
			payretailers.WriteSigned(w, key, http.StatusOK, payretailers.TokenResponse{ExpiresIn: 3600, Token: "tok"})
		case "payment/create":
			var req payretailers.CreatePaymentRequest
			fields, err := payretailers.ParseFields(body)
			if err == nil {
				err = fields.Decode(&req)
			}
			if err != nil {
				payretailers.WriteError(w, key, err)
				return
			}
			if req.Token != "tok" {
				payretailers.WriteError(w, key, payretailers.ErrInvalidToken)
				return
			}
			if err := req.Validate(); err != nil {
				payretailers.WriteError(w, key, err)
				return
			}
			amount, err := payretailers.FormatPrice(req.Amount, req.Currency)
			require.NoError(t, err)
			payretailers.WriteSigned(w, key, http.StatusOK, payretailers.CreateResponse{Data: payretailers.CreatedPayment{
				Amount: amount, Currency: req.Currency, PaymentMethod: req.Method,
				PaymentMethodURL: "https://pay.example/pay/tx-1", Status: "created", TransactionID: "tx-1",
			}})
		default:
			payretailers.WriteError(w, key, payretailers.NewError(payretailers.CodeNotFound, "", "no such call"))
		}
	})
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	ctx := context.Background()

	c := &sdk.Client{BaseURL: srv.URL, ServiceID: "123", Secret: []byte(secret)}
	params := sdk.PaymentParams{
		Amount: 3500, Currency: "CLP", Country: "CL", Method: "webpay", Email: "roberto@gmail.com",
		FirstName: "Roberto", LastName: "Fernandez", IP: "190.22.1.1",
	}
	p, err := c.CreatePayment(ctx, params)
	require.NoError(t, err)
	require.Equal(t, "tx-1", p.TransactionID)
	require.Equal(t, sdk.Decimal("3500.00"), p.Amount)

	// A business error reaches the merchant typed, with the wire's code.
	params.Method = "oxxo"
	_, err = c.CreatePayment(ctx, params)
	var apiErr *sdk.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, payretailers.CodeInvalidMethod, apiErr.Code)
	require.Equal(t, payretailers.ResultMethodUnavailable, apiErr.Result)

	// A wrong secret is a 401 the SDK reports as such.
	bad := &sdk.Client{BaseURL: srv.URL, ServiceID: "123", Secret: []byte("wrong")}
	_, err = bad.AuthToken(ctx)
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, http.StatusUnauthorized, apiErr.HTTPStatus)
	require.Equal(t, payretailers.CodeInvalidSignature, apiErr.Code)

	unknown := &sdk.Client{BaseURL: srv.URL, ServiceID: "999", Secret: []byte(secret)}
	_, err = unknown.AuthToken(ctx)
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, payretailers.CodeUnknownService, apiErr.Code)
}
