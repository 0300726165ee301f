package etpay

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

const sigToken = "pPpd7Xq2sQhllk3v9c0aF1n8Zr6YtW4eJmHbUoKiLxDg"

func sampleClaims() ResultClaims {
	return ResultClaims{
		SessionToken: "nzOg6FsessionE0aARi", PaymentStatus: StatusSuccess, PaymentToken: "pt_123",
		UserRUT: "11111111-1", MerchantOrderID: "OC-700104", MerchantCode: "cl_demo_cl",
		OrderAmount: 50000, UserBankCode: "cl_bch", IssuedAt: 1767225600,
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range []ResultClaims{
		sampleClaims(),
		func() ResultClaims {
			c := sampleClaims()
			c.PaymentStatus, c.StatusDetail = StatusError, DetailInsufficientFunds
			return c
		}(),
	} {
		tok, err := SignResult(c, sigToken)
		require.NoError(t, err)
		got, err := VerifyResult(tok, sigToken)
		require.NoError(t, err)
		require.Equal(t, c, got)
	}
}

func TestSignResultWireFormat(t *testing.T) {
	t.Parallel()
	tok, err := SignResult(sampleClaims(), sigToken)
	require.NoError(t, err)
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	require.JSONEq(t, `{"alg":"HS256","typ":"JWT"}`, string(header))
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	// order_amount is a JSON integer, there is no exp, status_detail is
	// omitted on success.
	require.JSONEq(t, `{"session_token":"nzOg6FsessionE0aARi","payment_status":"success","payment_token":"pt_123",
		"user_rut":"11111111-1","merchant_order_id":"OC-700104","merchant_code":"cl_demo_cl",
		"order_amount":50000,"user_bank_code":"cl_bch","iat":1767225600}`, string(payload))
}

func TestSignResultSetsIssuedAt(t *testing.T) {
	t.Parallel()
	c := sampleClaims()
	c.IssuedAt = 0
	before := time.Now().Unix()
	tok, err := SignResult(c, sigToken)
	require.NoError(t, err)
	got, err := VerifyResult(tok, sigToken)
	require.NoError(t, err)
	require.GreaterOrEqual(t, got.IssuedAt, before)
	require.LessOrEqual(t, got.IssuedAt, time.Now().Unix())
}

func TestSignResultRefuses(t *testing.T) {
	t.Parallel()
	_, err := SignResult(sampleClaims(), "")
	require.ErrorIs(t, err, ErrEmptyKey)
	for _, status := range []string{"", "pending", "Success", "completed"} {
		c := sampleClaims()
		c.PaymentStatus = status
		_, err := SignResult(c, sigToken)
		require.Error(t, err, status)
	}
}

// TestVerifyInterop: a merchant verifying with golang-jwt directly, the
// way the documents describe, accepts what SignResult makes, and
// VerifyResult accepts a token another HS256 implementation made.
func TestVerifyInterop(t *testing.T) {
	t.Parallel()
	tok, err := SignResult(sampleClaims(), sigToken)
	require.NoError(t, err)
	parsed, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return []byte(sigToken), nil },
		jwt.WithValidMethods([]string{"HS256"}))
	require.NoError(t, err)
	mc := parsed.Claims.(jwt.MapClaims)
	require.Equal(t, "success", mc["payment_status"])
	require.Equal(t, "nzOg6FsessionE0aARi", mc["session_token"])

	other, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"session_token": "s", "payment_status": "error", "status_detail": "expired", "order_amount": 10,
	}).SignedString([]byte(sigToken))
	require.NoError(t, err)
	got, err := VerifyResult(other, sigToken)
	require.NoError(t, err)
	require.Equal(t, ResultClaims{SessionToken: "s", PaymentStatus: "error", StatusDetail: "expired", OrderAmount: 10}, got)
}

func TestVerifyResultRejects(t *testing.T) {
	t.Parallel()
	good, err := SignResult(sampleClaims(), sigToken)
	require.NoError(t, err)
	parts := strings.Split(good, ".")

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	claims := jwt.MapClaims{"session_token": "s", "payment_status": "success"}
	sign := func(m jwt.SigningMethod, key any) string {
		s, err := jwt.NewWithClaims(m, claims).SignedString(key)
		require.NoError(t, err)
		return s
	}
	tampered := func() string {
		c := sampleClaims()
		c.OrderAmount = 1
		b, _ := json.Marshal(c)
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
	}()
	// The decoded form of a base64-looking key must not verify: the key is
	// the token's raw bytes.
	decodedKey, err := base64.RawStdEncoding.DecodeString(sigToken)
	require.NoError(t, err)

	tests := map[string]string{
		"wrong key":      sign(jwt.SigningMethodHS256, []byte("another-signature-token")),
		"decoded key":    sign(jwt.SigningMethodHS256, decodedKey),
		"alg none":       sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType),
		"none, no sig":   strings.Join([]string{base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)), parts[1], ""}, "."),
		"HS384 same key": sign(jwt.SigningMethodHS384, []byte(sigToken)),
		"HS512 same key": sign(jwt.SigningMethodHS512, []byte(sigToken)),
		"RS256":          sign(jwt.SigningMethodRS256, rsaKey),
		"ES256":          sign(jwt.SigningMethodES256, ecKey),
		"tampered":       tampered,
		"no signature":   parts[0] + "." + parts[1] + ".",
		"two parts":      parts[0] + "." + parts[1],
		"garbage":        "not a jwt",
		"empty":          "",
		"too long":       good + strings.Repeat("A", MaxJWTLen),
		"float amount": func() string {
			s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"order_amount": 10.5}).SignedString([]byte(sigToken))
			require.NoError(t, err)
			return s
		}(),
	}
	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := VerifyResult(tok, sigToken)
			require.ErrorIs(t, err, ErrInvalidResult)
		})
	}
	t.Run("empty key", func(t *testing.T) {
		t.Parallel()
		_, err := VerifyResult(good, "")
		require.ErrorIs(t, err, ErrEmptyKey)
	})
}
