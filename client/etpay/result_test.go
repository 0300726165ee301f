package etpay

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

const sig = "ab76d624f2e9cfde7b3a" // a session's signature_token

func signHS256(t *testing.T, claims jwt.MapClaims, key string) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(key))
	require.NoError(t, err)
	return s
}

func fullClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"session_token": "sess_tok", "payment_status": "success", "payment_token": "pt_1",
		"user_rut": "11111111-1", "merchant_order_id": "OC-700104", "merchant_code": "cl_demo_cl",
		"order_amount": 50000, "user_bank_code": "cl_bch", "iat": 1772366400,
	}
}

func TestVerifyResult(t *testing.T) {
	t.Parallel()
	res, err := VerifyResult(signHS256(t, fullClaims(), sig), sig)
	require.NoError(t, err)
	require.Equal(t, Result{
		SessionToken: "sess_tok", PaymentStatus: "success", PaymentToken: "pt_1", UserRUT: "11111111-1",
		MerchantOrderID: "OC-700104", MerchantCode: "cl_demo_cl", OrderAmount: 50000, UserBankCode: "cl_bch",
		IssuedAt: time.Unix(1772366400, 0).UTC(),
	}, res)
	require.True(t, res.Success())
}

// TestVerifyResultLenient: a result with only the claims real merchants
// read, or with Python-style values, still verifies.
func TestVerifyResultLenient(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		claims jwt.MapClaims
		want   Result
	}{
		"minimal": {jwt.MapClaims{"session_token": "s", "payment_status": "error"}, Result{SessionToken: "s", PaymentStatus: "error"}},
		"float iat and amount": {jwt.MapClaims{"session_token": "s", "payment_status": "success", "iat": 1772366400.25, "order_amount": 50000.0},
			Result{SessionToken: "s", PaymentStatus: "success", IssuedAt: time.Unix(1772366400, 0).UTC(), OrderAmount: 50000}},
		"string amount, numeric order id": {jwt.MapClaims{"session_token": "s", "payment_status": "success", "order_amount": "50000", "merchant_order_id": 42},
			Result{SessionToken: "s", PaymentStatus: "success", OrderAmount: 50000, MerchantOrderID: "42"}},
		"detail": {jwt.MapClaims{"session_token": "s", "payment_status": "error", "status_detail": "cancelled"},
			Result{SessionToken: "s", PaymentStatus: "error", StatusDetail: "cancelled"}},
		"expired exp is ignored": {jwt.MapClaims{"session_token": "s", "payment_status": "success", "exp": 1},
			Result{SessionToken: "s", PaymentStatus: "success"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := VerifyResult(signHS256(t, tc.claims, sig), sig)
			require.NoError(t, err)
			require.Equal(t, tc.want, res)
		})
	}
}

func TestVerifyResultRejects(t *testing.T) {
	t.Parallel()
	good := signHS256(t, fullClaims(), sig)
	parts := strings.Split(good, ".")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	rs256, err := jwt.NewWithClaims(jwt.SigningMethodRS256, fullClaims()).SignedString(rsaKey)
	require.NoError(t, err)
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, fullClaims()).SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)
	hs512, err := jwt.NewWithClaims(jwt.SigningMethodHS512, fullClaims()).SignedString([]byte(sig))
	require.NoError(t, err)
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"session_token":"sess_tok","payment_status":"success","order_amount":1}`)) + "." + parts[2]

	for name, tok := range map[string]string{
		"wrong key":         signHS256(t, fullClaims(), "another"),
		"alg none":          none,
		"RS256":             rs256,
		"HS512":             hs512,
		"forged payload":    forged,
		"fractional amount": signHS256(t, jwt.MapClaims{"session_token": "s", "order_amount": 10.5}, sig),
		"garbage":           "garbage",
		"empty":             "",
		"too long":          good + strings.Repeat("a", maxJWT),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := VerifyResult(tok, sig)
			require.ErrorIs(t, err, ErrInvalidJWT)
		})
	}
	_, err = VerifyResult(good, "")
	require.ErrorIs(t, err, ErrEmptyKey)
}

func TestParseWebhook(t *testing.T) {
	t.Parallel()
	tok := signHS256(t, fullClaims(), sig)
	for name, body := range map[string]string{
		"json":             `{"payment":"` + tok + `"}`,
		"json with spaces": " {\"payment\": \" " + tok + " \", \"other\": 1}\n",
		"form":             "payment=" + tok,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/etpay/webhook", strings.NewReader(body))
			gotJWT, session, err := ParseWebhook(r)
			require.NoError(t, err)
			require.Equal(t, tok, gotJWT)
			require.Equal(t, "sess_tok", session)
			res, err := VerifyResult(gotJWT, sig)
			require.NoError(t, err)
			require.True(t, res.Success())
		})
	}
}

func TestParseWebhookRejects(t *testing.T) {
	t.Parallel()
	noSession := signHS256(t, jwt.MapClaims{"payment_status": "success"}, sig)
	for name, body := range map[string]string{
		"empty":          "",
		"no payment":     `{"jwt":"a.b.c"}`,
		"payment number": `{"payment":1}`,
		"bad json":       `{"payment":`,
		"not a jwt":      `{"payment":"hello"}`,
		"no session":     `{"payment":"` + noSession + `"}`,
		"too large":      `{"payment":"` + strings.Repeat("a", maxWebhookBody) + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body))
			_, _, err := ParseWebhook(r)
			require.ErrorIs(t, err, ErrMalformed)
		})
	}
	t.Run("read error", func(t *testing.T) {
		t.Parallel()
		r := httptest.NewRequest(http.MethodPost, "/hook", errReader{})
		_, _, err := ParseWebhook(r)
		require.Error(t, err)
	})
	t.Run("nil body", func(t *testing.T) {
		t.Parallel()
		r := httptest.NewRequest(http.MethodPost, "/hook", nil)
		r.Body = nil
		_, _, err := ParseWebhook(r)
		require.ErrorIs(t, err, ErrMalformed)
	})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
