package etpay

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want StatusRequest
	}{
		{"official SDK: token and payment_token", `{"merchant_api_token":"tok","payment_token":"pt_1"}`,
			StatusRequest{MerchantAPIToken: "tok", PaymentToken: "pt_1"}},
		{"with merchant_code", `{"merchant_code":"cl_demo","merchant_api_token":" tok ","session_token":"s1"}`,
			StatusRequest{MerchantAPIToken: "tok", MerchantCode: "cl_demo", SessionToken: "s1"}},
		{"numeric order id", `{"merchant_api_token":"tok","merchant_order_id":700104}`,
			StatusRequest{MerchantAPIToken: "tok", MerchantOrderID: "700104"}},
		{"all selectors, unknown field", `{"merchant_api_token":"tok","payment_token":"p","merchant_order_id":"o","session_token":"s","x":[1]}`,
			StatusRequest{MerchantAPIToken: "tok", PaymentToken: "p", MerchantOrderID: "o", SessionToken: "s"}},
		{"double encoded", `"{\"merchant_api_token\":\"tok\",\"session_token\":\"s\"}"`,
			StatusRequest{MerchantAPIToken: "tok", SessionToken: "s"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := ParseStatus([]byte(tc.body))
			require.NoError(t, err)
			require.Equal(t, tc.want, r)
			require.NoError(t, r.Validate())
		})
	}
}

func TestStatusRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, code, field string
		parse                   bool // the error comes from ParseStatus
	}{
		{"not json", `merchant_api_token=x`, CodeInvalidJSON, "", true},
		{"array", `[]`, CodeInvalidJSON, "", true},
		{"token object", `{"merchant_api_token":{},"payment_token":"p"}`, CodeInvalidField, "merchant_api_token", true},
		{"no token", `{"payment_token":"p"}`, CodeMissingField, "merchant_api_token", false},
		{"no selector", `{"merchant_api_token":"tok"}`, CodeMissingField, "payment_token", false},
		{"empty selectors", `{"merchant_api_token":"tok","payment_token":"","session_token":null}`, CodeMissingField, "payment_token", false},
		{"long order id", `{"merchant_api_token":"tok","merchant_order_id":"` + strings.Repeat("a", 65) + `"}`, CodeInvalidOrderID, "merchant_order_id", false},
		{"long session token", `{"merchant_api_token":"tok","session_token":"` + strings.Repeat("a", MaxTokenLen+1) + `"}`, CodeInvalidToken, "session_token", false},
		{"payment token control", `{"merchant_api_token":"tok","payment_token":"a\u0000b"}`, CodeInvalidToken, "payment_token", false},
		{"payment token space", `{"merchant_api_token":"tok","payment_token":"a b"}`, CodeInvalidToken, "payment_token", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := ParseStatus([]byte(tc.body))
			if tc.parse {
				requireCode(t, err, tc.code, tc.field)
				return
			}
			require.NoError(t, err)
			requireCode(t, r.Validate(), tc.code, tc.field)
		})
	}
}

func TestStatusRecordJSON(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rec := []StatusRecord{{
		PaymentToken: "pt", PaymentStatus: StatusSuccess, SessionToken: "st", MerchantOrderID: "OC-1",
		OrderAmount: 50000, Currency: "CLP", UserBankCode: "cl_bch", UserRUT: "11111111-1",
		CreatedAt: created, UpdatedAt: created, CompletedAt: &created,
	}, {
		PaymentStatus: StatusPending, SessionToken: "st2", MerchantOrderID: "OC-2", OrderAmount: 1, Currency: "CLP",
		CreatedAt: created, UpdatedAt: created,
	}}
	b, err := json.Marshal(rec)
	require.NoError(t, err)
	require.JSONEq(t, `[
	 {"payment_token":"pt","payment_status":"success","session_token":"st","merchant_order_id":"OC-1",
	  "order_amount":50000,"currency":"CLP","user_bank_code":"cl_bch","user_rut":"11111111-1",
	  "created_at":"2026-03-01T12:00:00Z","updated_at":"2026-03-01T12:00:00Z","completed_at":"2026-03-01T12:00:00Z"},
	 {"payment_token":"","payment_status":"pending","session_token":"st2","merchant_order_id":"OC-2",
	  "order_amount":1,"currency":"CLP","created_at":"2026-03-01T12:00:00Z","updated_at":"2026-03-01T12:00:00Z"}
	]`, string(b))
}

func TestPaymentStatusOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status, detail, wantStatus, wantDetail string
	}{
		{"created", "", "pending", ""},
		{"pending", "", "pending", ""},
		{"completed", "", "success", ""},
		{"refunded", "", "success", "refunded"},
		{"failed", "insufficient_funds", "error", "insufficient_funds"},
		{"failed", "rejected", "error", "rejected"},
		{"failed", "card_declined", "error", "rejected"},
		{"failed", "", "error", "rejected"},
		{"canceled", "", "error", "cancelled"},
		{"expired", "", "error", "expired"},
		{"something new", "", "pending", ""},
	}
	for _, tc := range tests {
		t.Run(tc.status+"/"+tc.detail, func(t *testing.T) {
			t.Parallel()
			s, d := PaymentStatusOf(tc.status, tc.detail)
			require.Equal(t, tc.wantStatus, s)
			require.Equal(t, tc.wantDetail, d)
		})
	}
}
