package etpay

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteJSON(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	WriteJSON(w, 200, InitializeResponse{Token: "t", SignatureToken: "s", TermsURL: "https://x.example/t.pdf"})
	require.Equal(t, 200, w.Code)
	require.Equal(t, "application/json; charset=utf-8", w.Header().Get("Content-Type"))
	require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	require.JSONEq(t, `{"token":"t","signature_token":"s","terms_url":"https://x.example/t.pdf"}`, w.Body.String())

	w = httptest.NewRecorder()
	WriteJSON(w, 200, []StatusRecord{})
	require.Equal(t, "[]\n", w.Body.String())

	w = httptest.NewRecorder()
	WriteJSON(w, 200, func() {})
	require.Equal(t, 500, w.Code)
}

func TestLogValueRedacts(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	log.Info("init", "req", InitializeRequest{
		MerchantCode: "cl_demo", MerchantAPIToken: "SECRET-TOKEN", MerchantOrderID: "OC-1", OrderAmount: 5,
		CustomerEmail: "payer@example.com", UserRUT: "11111111-1",
	})
	log.Info("status", "req", StatusRequest{MerchantAPIToken: "SECRET-TOKEN", SessionToken: "st"})
	out := buf.String()
	require.Contains(t, out, "req.merchant_order_id=OC-1")
	require.Contains(t, out, "req.session_token=st")
	for _, secret := range []string{"SECRET-TOKEN", "payer@example.com", "11111111-1"} {
		require.NotContains(t, out, secret)
	}
}
