package payretailers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/internal/phpjson"
)

// wireIPN is WIRE.md's IPN vector and its signature.
const (
	wireIPNBody = `{"completed_at":"2019-06-14 10:05:00","country":"ES","created_at":"2019-06-14 10:00:00","currency":"USD","custom":"Producto 1 \/ Ni\u00f1o <&>","method":"teleingreso","price":"10.00","service_id":"123","status":"completed","transaction_id":"ZISS-A7Q8-RE2Z-S73W"}`
	wireIPNSig  = "a8b56325019eabec81db76233c5d563ce64ed5989ee6b27425bac7dc17679c6b"
)

func ipnRequest(method, body, sig string) *http.Request {
	r := httptest.NewRequest(method, "https://shop.example/ipn", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if sig != "" {
		r.Header.Set("X-Pg-Sig", sig)
	}
	return r
}

func TestVerifyNotificationWireVector(t *testing.T) {
	t.Parallel()

	c := &Client{ServiceID: "123", Secret: []byte(testSecret)}
	n, err := c.VerifyNotification(ipnRequest(http.MethodPost, wireIPNBody, wireIPNSig))
	require.NoError(t, err)
	require.Equal(t, "ZISS-A7Q8-RE2Z-S73W", n.TransactionID)
	require.Equal(t, "completed", n.Status)
	require.Equal(t, "Producto 1 / Niño <&>", n.Custom)
	require.Equal(t, "2019-06-14 10:05:00", n.CompletedAt)
	require.Equal(t, "teleingreso", n.Method)
	require.Len(t, n.Fields, 10)
	minor, err := n.Price.Minor(n.Currency)
	require.NoError(t, err)
	require.Equal(t, int64(1000), minor)
}

func TestVerifyNotificationLikePHP(t *testing.T) {
	t.Parallel()

	// The PHP SDK re-sorts and re-encodes before checking, so the same
	// content in another order or spacing verifies; changed content or a
	// differently written signature does not.
	reordered := `{ "transaction_id":"ZISS-A7Q8-RE2Z-S73W", "status":"completed","service_id":"123","price":"10.00","method":"teleingreso","custom":"Producto 1 / Ni\u00F1o <&>","currency":"USD","created_at":"2019-06-14 10:00:00","country":"ES","completed_at":"2019-06-14 10:05:00"}`
	tests := []struct {
		name   string
		method string
		body   string
		sig    string
		secret string
		want   error
	}{
		{"reordered and respaced", http.MethodPost, reordered, wireIPNSig, testSecret, nil},
		{"changed custom", http.MethodPost, strings.Replace(wireIPNBody, "Producto 1", "Producto 2", 1), wireIPNSig, testSecret, ErrBadSignature},
		{"changed price", http.MethodPost, strings.Replace(wireIPNBody, "10.00", "1000.00", 1), wireIPNSig, testSecret, ErrBadSignature},
		{"added field", http.MethodPost, strings.Replace(wireIPNBody, `{`, `{"x":"y",`, 1), wireIPNSig, testSecret, ErrBadSignature},
		{"uppercase signature", http.MethodPost, wireIPNBody, strings.ToUpper(wireIPNSig), testSecret, ErrBadSignature},
		{"no signature", http.MethodPost, wireIPNBody, "", testSecret, ErrBadSignature},
		{"other secret", http.MethodPost, wireIPNBody, wireIPNSig, "other", ErrBadSignature},
		{"empty secret", http.MethodPost, wireIPNBody, wireIPNSig, "", ErrBadSignature},
		{"not JSON", http.MethodPost, `price=10.00`, wireIPNSig, testSecret, ErrMalformed},
		{"number value", http.MethodPost, `{"price":10}`, wireIPNSig, testSecret, ErrMalformed},
		{"too large", http.MethodPost, `{"a":"` + strings.Repeat("a", MaxNotificationBytes) + `"}`, wireIPNSig, testSecret, ErrNotificationTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			c := &Client{Secret: []byte(tt.secret)}
			_, err := c.VerifyNotification(ipnRequest(tt.method, tt.body, tt.sig))
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestVerifyNotificationRefusesGETAndOtherService(t *testing.T) {
	t.Parallel()

	c := &Client{ServiceID: "123", Secret: []byte(testSecret)}
	_, err := c.VerifyNotification(ipnRequest(http.MethodGet, wireIPNBody, wireIPNSig))
	require.ErrorContains(t, err, "must be a POST")

	c.ServiceID = "999"
	_, err = c.VerifyNotification(ipnRequest(http.MethodPost, wireIPNBody, wireIPNSig))
	require.ErrorIs(t, err, ErrWrongService)
}

func TestMerchantReencode(t *testing.T) {
	t.Parallel()

	got, err := phpjson.Reencode([]byte(`{"b_c":"1","bc":"\u00e9","A":"/"}`))
	require.NoError(t, err)
	require.Equal(t, `{"A":"\/","bc":"\u00e9","b_c":"1"}`, string(got))
	got, err = phpjson.Reencode([]byte(`{}`))
	require.NoError(t, err)
	require.Equal(t, `[]`, string(got))
	_, err = phpjson.Reencode([]byte(`{"a":"\ud800"}`))
	require.Error(t, err)
}

func FuzzVerifyNotification(f *testing.F) {
	f.Add([]byte(wireIPNBody), wireIPNSig)
	f.Add([]byte(`{"a":"\ud83d\ude00"}`), "")
	f.Add([]byte(`{"0":"a","1":"b"}`), "x")
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		c := &Client{Secret: []byte(testSecret)}
		r := httptest.NewRequest(http.MethodPost, "/ipn", strings.NewReader(string(body)))
		r.Header.Set("X-Pg-Sig", sig)
		n, err := c.VerifyNotification(r)
		if err != nil {
			return
		}
		// Whatever verifies was signed, in PHP's form, with the secret.
		canonical, rerr := phpjson.Reencode(body)
		require.NoError(t, rerr)
		require.Equal(t, sign([]byte(testSecret), canonical), sig)
		require.NotNil(t, n.Fields)
	})
}
