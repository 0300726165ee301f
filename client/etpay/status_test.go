package etpay

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCheckPaymentStatus(t *testing.T) {
	t.Parallel()
	var got map[string]json.RawMessage
	var gotPath string
	g := newFakeGateway(t, func(w http.ResponseWriter, path string, body map[string]json.RawMessage) {
		got, gotPath = body, path
		_, _ = io.WriteString(w, `[
		 {"payment_token":"pt_1","payment_status":"error","status_detail":"insufficient_funds","session_token":"s1",
		  "merchant_order_id":"OC-1","order_amount":50000,"currency":"CLP","user_bank_code":"cl_bch","user_rut":"11111111-1",
		  "created_at":"2026-03-01T12:00:00Z","updated_at":"2026-03-01T12:05:00Z","extra":{"x":1}},
		 {"payment_token":"pt_2","payment_status":"success","session_token":"s2","merchant_order_id":"OC-1",
		  "order_amount":50000,"completed_at":"2026-03-01T12:10:00Z"}
		]`)
	})
	recs, err := g.client().CheckPaymentStatus(context.Background(), StatusQuery{MerchantOrderID: "OC-1"})
	require.NoError(t, err)
	require.Equal(t, "/sandbox/merchant/check_payment_status", gotPath)
	// As the official SDK: the token and the selector, no merchant_code.
	require.Equal(t, []string{"merchant_api_token", "merchant_order_id"}, keys(got))
	require.Len(t, recs, 2)
	require.False(t, recs[0].Success())
	require.Equal(t, "insufficient_funds", recs[0].StatusDetail)
	require.Equal(t, int64(50000), recs[0].OrderAmount)
	require.Equal(t, "CLP", recs[0].Currency)
	require.Equal(t, "11111111-1", recs[0].UserRUT)
	require.Equal(t, time.Date(2026, 3, 1, 12, 5, 0, 0, time.UTC), recs[0].UpdatedAt)
	require.Contains(t, string(recs[0].Raw), `"extra"`)
	require.True(t, recs[1].Success())
	require.Equal(t, "pt_2", recs[1].PaymentToken)
	require.Equal(t, time.Date(2026, 3, 1, 12, 10, 0, 0, time.UTC), recs[1].CompletedAt)
	require.True(t, recs[1].CreatedAt.IsZero())
}

func TestCheckPaymentStatusSelectors(t *testing.T) {
	t.Parallel()
	var got map[string]json.RawMessage
	g := newFakeGateway(t, func(w http.ResponseWriter, _ string, body map[string]json.RawMessage) {
		got = body
		_, _ = io.WriteString(w, `[]`)
	})
	recs, err := g.client().CheckPaymentStatus(context.Background(), StatusQuery{PaymentToken: "p", SessionToken: "s"})
	require.NoError(t, err)
	require.Empty(t, recs)
	require.Equal(t, []string{"merchant_api_token", "payment_token", "session_token"}, keys(got))

	_, err = g.client().CheckPaymentStatus(context.Background(), StatusQuery{})
	require.ErrorIs(t, err, ErrInvalidRequest)
}

// TestCheckPaymentStatusLenient: answers a Python server may produce
// decode without losing the payment.
func TestCheckPaymentStatusLenient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, answer string
		want         PaymentStatus
	}{
		{"float amount", `[{"payment_token":"p","payment_status":"success","order_amount":50000.0}]`,
			PaymentStatus{PaymentToken: "p", PaymentStatus: "success", OrderAmount: 50000}},
		{"string amount", `[{"payment_token":"p","payment_status":"success","order_amount":"50000"}]`,
			PaymentStatus{PaymentToken: "p", PaymentStatus: "success", OrderAmount: 50000}},
		{"numeric ids", `[{"payment_token":123,"payment_status":"pending","merchant_order_id":700104}]`,
			PaymentStatus{PaymentToken: "123", PaymentStatus: "pending", MerchantOrderID: "700104"}},
		{"nulls and odd times", `[{"payment_token":null,"payment_status":"error","created_at":"yesterday","updated_at":1772366400,"completed_at":"2026-03-01 12:00:00"}]`,
			PaymentStatus{PaymentStatus: "error", UpdatedAt: time.Unix(1772366400, 0).UTC(), CompletedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}},
		{"single object", `{"payment_token":"p","payment_status":"success"}`,
			PaymentStatus{PaymentToken: "p", PaymentStatus: "success"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newFakeGateway(t, func(w http.ResponseWriter, _ string, _ map[string]json.RawMessage) {
				_, _ = io.WriteString(w, tc.answer)
			})
			recs, err := g.client().CheckPaymentStatus(context.Background(), StatusQuery{SessionToken: "s"})
			require.NoError(t, err)
			require.Len(t, recs, 1)
			recs[0].Raw = nil
			require.Equal(t, tc.want, recs[0])
		})
	}
}

func TestCheckPaymentStatusErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, answer string
		status       int
	}{
		{"fractional amount", `[{"payment_status":"success","order_amount":500.5}]`, 200},
		{"amount object", `[{"payment_status":"success","order_amount":{}}]`, 200},
		{"not an array", `"ok"`, 200},
		{"array of strings", `["a"]`, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newFakeGateway(t, func(w http.ResponseWriter, _ string, _ map[string]json.RawMessage) {
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.answer)
			})
			_, err := g.client().CheckPaymentStatus(context.Background(), StatusQuery{SessionToken: "s"})
			require.ErrorIs(t, err, ErrMalformed)
		})
	}
	t.Run("404", func(t *testing.T) {
		t.Parallel()
		g := newFakeGateway(t, func(w http.ResponseWriter, _ string, _ map[string]json.RawMessage) {
			writeJSON(w, 404, map[string]string{"message": "no session matches for this merchant", "code": "session_not_found"})
		})
		_, err := g.client().CheckPaymentStatus(context.Background(), StatusQuery{SessionToken: "s"})
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, 404, apiErr.StatusCode)
		require.Equal(t, "session_not_found", apiErr.Code)
	})
}

func TestParseWhole(t *testing.T) {
	t.Parallel()
	ok := map[string]int64{"0": 0, "1": 1, "50000": 50000, "50000.0": 50000, "5e4": 50000, "-5": -5, "1.50e2": 150, "007": 7}
	for in, want := range ok {
		got, err := parseWhole(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"", ".", "1.5", "1e-1", "abc", "1e100", "1234567890123456", "1,000", "--1", "+1"} {
		_, err := parseWhole(in)
		require.Error(t, err, in)
	}
}
