package etpay

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    *Error
		status int
		code   string
	}{
		{"invalid", NewInvalid(CodeInvalidOrderAmount, "order_amount", "bad"), 400, "invalid_order_amount"},
		{"unauthorized", NewUnauthorized(), 401, "unauthorized"},
		{"not found", NewSessionNotFound(), 404, "session_not_found"},
		{"method", NewMethodNotAllowed("POST"), 405, "method_not_allowed"},
		{"paid", NewOrderAlreadyPaid("OC-1"), 409, "order_already_paid"},
		{"too large", NewBodyTooLarge(MaxBodyBytes), 413, "body_too_large"},
		{"internal", NewInternal(), 500, "internal_error"},
		{"nil", nil, 500, "internal_error"},
		{"no status", &Error{Code: "x", Message: "y"}, 500, "internal_error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			WriteError(w, tc.err)
			require.Equal(t, tc.status, w.Code)
			require.Equal(t, "application/json; charset=utf-8", w.Header().Get("Content-Type"))
			require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
			var body map[string]string
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
			require.Equal(t, tc.code, body["code"])
			require.NotEmpty(t, body["message"])
			if tc.err != nil && tc.err.Field != "" && tc.status < 500 {
				require.Equal(t, tc.err.Field, body["field"])
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	e := NewOrderAlreadyPaid("OC-1")
	require.Equal(t, `etpay: order_already_paid: merchant_order_id "OC-1" is already paid`, e.Error())
	require.Equal(t, http.StatusConflict, e.Status)
	require.Equal(t, "merchant_order_id", e.Field)
	// Constructors return fresh values: a handler may edit one safely.
	a, b := NewUnauthorized(), NewUnauthorized()
	a.Message = "changed"
	require.NotEqual(t, a.Message, b.Message)
}
