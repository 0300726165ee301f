package payretailers_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/payretailers"
)

// FuzzCreateHandler feeds payment/create correctly signed bodies: raw
// bytes, raw bytes after a valid service and token, and a valid request
// with fuzzed field values. Whatever arrives, the answer is never a 5xx
// or a panic, and every 200 is signed JSON with a result.
func FuzzCreateHandler(f *testing.F) {
	b := setup(f)
	tok := b.token(f)
	secret := []byte(b.creds.SecretKey)
	mux := http.NewServeMux()
	b.api.Mount(mux)
	prefix := []byte(`{"pg_serviceid":"` + b.creds.ServiceID + `","pg_token":"` + tok + `",`)

	f.Add([]byte(`"pg_price":1e400}`), "3500.00", "CLP", "CL", "webpay", "a@b.co", "x")
	f.Add([]byte(`"pg_price":"10.00","pg_currency":"USD"}`), "10.00", "usd", "cl", "CREDITCARD", "a@b.co", "Niño 😀")
	f.Add([]byte(`"pg_price":[1],"pg_serviceid":null}`), "1e3", "PYG", "PY", "creditcard", "x", "\x00")
	f.Add([]byte("\xff\xfe"), "-0.00", "", "", "", "", "")
	f.Add([]byte(`"a":"\ud800"}`), "0000000000000000000001.00", "CLP", "CL", "servipag", "a@b", "/")

	check := func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, payretailers.PathPaymentCreate, bytes.NewReader(body))
		req.Header["X-PG-SIG"] = []string{payretailers.Sign(secret, body)}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		require.Less(t, rec.Code, 500, rec.Body.String())
		if rec.Code != http.StatusOK {
			return
		}
		require.True(t, payretailers.Verify(secret, rec.Body.Bytes(), rec.Header().Get("X-Pg-Sig")))
		var out map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		require.Contains(t, out, "result")
	}
	f.Fuzz(func(t *testing.T, raw []byte, price, currency, country, method, email, custom string) {
		check(t, raw)
		check(t, append(bytes.Clone(prefix), raw...))
		fields := b.createFields(tok)
		for k, v := range map[string]string{
			"pg_price": price, "pg_currency": currency, "pg_country": country,
			"pg_method": method, "pg_email": email, "pg_custom": custom,
		} {
			fields[k] = v
		}
		body, err := json.Marshal(fields)
		require.NoError(t, err)
		check(t, body)
	})
}
