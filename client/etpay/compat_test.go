package etpay

// These tests check the SDK against pasarela's own wire layer. Only the
// tests import it: the SDK itself stays free of gateway code.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	server "github.com/pasarela/pasarela/etpay"
	"github.com/stretchr/testify/require"
)

// wireServer answers with pasarela's parser and validator, so every body
// the SDK sends is checked by the code that will read it in production.
func wireServer(t *testing.T, records []server.StatusRecord) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, e := server.ReadBody(r, 0)
		if e != nil {
			server.WriteError(w, e)
			return
		}
		switch strings.TrimPrefix(r.URL.Path, "/sandbox") {
		case "/session/initialize":
			req, err := server.ParseInitialize(body)
			if err == nil {
				err = req.Validate(true)
			}
			if err != nil {
				server.WriteError(w, err.(*server.Error))
				return
			}
			writeJSON(w, 200, okSession)
		case "/merchant/check_payment_status":
			req, err := server.ParseStatus(body)
			if err == nil {
				err = req.Validate()
			}
			if err != nil {
				server.WriteError(w, err.(*server.Error))
				return
			}
			writeJSON(w, 200, records)
		default:
			server.WriteError(w, server.NewSessionNotFound())
		}
	}))
	t.Cleanup(srv.Close)
	return NewClient(srv.URL+"/sandbox", srv.URL+"/sandbox", "cl_demo_cl", "tok")
}

func TestCompatInitialize(t *testing.T) {
	t.Parallel()
	c := wireServer(t, nil)
	for name, req := range map[string]SessionRequest{
		"minimal": {MerchantOrderID: "OC-1", OrderAmount: 50000},
		"chile, every field": {
			MerchantOrderID: "OC-2", OrderAmount: 1, CustomerEmail: "payer@example.com",
			Metadata:     []Metadata{{Name: "Cuenta", Value: "30.215", Show: true}},
			UserBankCode: "cl_test", UserRUT: "11.111.111-1", IsRUTBlock: true,
			PaymentCompletedURL: "https://shop.example/ok?o=2", PaymentCancellationURL: "https://shop.example/fail",
			PaymentWebhookURL: "https://shop.example/hook", Concat: "&",
		},
		"mexico codi": {MerchantOrderID: "MX-1", OrderAmount: 250, UserBankCode: "mx_bbva", TargetFlow: "codi", CustomerPhone: "5512345678"},
	} {
		s, err := c.InitializeSession(context.Background(), req)
		require.NoError(t, err, name)
		require.Equal(t, "sess_tok", s.Token)
	}
	// The server's errors come back as *APIError with its code.
	_, err := c.InitializeSession(context.Background(), SessionRequest{MerchantOrderID: "OC-3", OrderAmount: 1, UserRUT: "11.111.111-2"})
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, 400, apiErr.StatusCode)
	require.Equal(t, server.CodeInvalidUserRUT, apiErr.Code)
}

func TestCompatStatus(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := wireServer(t, []server.StatusRecord{{
		PaymentToken: "pt", PaymentStatus: server.StatusError, StatusDetail: server.DetailExpired, SessionToken: "st",
		MerchantOrderID: "OC-1", OrderAmount: 50000, Currency: "CLP", UserBankCode: "cl_bch", UserRUT: "11111111-1",
		CreatedAt: at, UpdatedAt: at, CompletedAt: &at,
	}})
	recs, err := c.CheckPaymentStatus(context.Background(), StatusQuery{MerchantOrderID: "OC-1"})
	require.NoError(t, err)
	require.Len(t, recs, 1)
	recs[0].Raw = nil
	require.Equal(t, PaymentStatus{
		PaymentToken: "pt", PaymentStatus: "error", StatusDetail: "expired", SessionToken: "st",
		MerchantOrderID: "OC-1", OrderAmount: 50000, Currency: "CLP", UserBankCode: "cl_bch", UserRUT: "11111111-1",
		CreatedAt: at, UpdatedAt: at, CompletedAt: at,
	}, recs[0])
}

func TestCompatResult(t *testing.T) {
	t.Parallel()
	claims := server.ResultClaims{
		SessionToken: "st", PaymentStatus: server.StatusSuccess, PaymentToken: "pt", UserRUT: "11111111-1",
		MerchantOrderID: "OC-1", MerchantCode: "cl_demo_cl", OrderAmount: 50000, UserBankCode: "cl_bch", IssuedAt: 1772366400,
	}
	tok, err := server.SignResult(claims, sig)
	require.NoError(t, err)

	// The webhook as pasarela posts it.
	body, err := json.Marshal(map[string]string{"payment": tok})
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(string(body)))
	gotJWT, session, err := ParseWebhook(r)
	require.NoError(t, err)
	require.Equal(t, "st", session)
	res, err := VerifyResult(gotJWT, sig)
	require.NoError(t, err)
	require.Equal(t, Result{
		SessionToken: "st", PaymentStatus: "success", PaymentToken: "pt", UserRUT: "11111111-1",
		MerchantOrderID: "OC-1", MerchantCode: "cl_demo_cl", OrderAmount: 50000, UserBankCode: "cl_bch",
		IssuedAt: time.Unix(1772366400, 0).UTC(),
	}, res)

	// The browser return as pasarela builds it.
	u := server.ResultURL("https://shop.example/ok?o=1", "", tok)
	ret := httptest.NewRequest(http.MethodGet, u, nil)
	res2, err := VerifyResult(ret.URL.Query().Get("jwt"), sig)
	require.NoError(t, err)
	require.Equal(t, res, res2)
}
