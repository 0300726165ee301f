package payretailers_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/pasarela/pasarela/client/payretailers"
	"github.com/pasarela/pasarela/payretailers"
)

func TestAuthToken(t *testing.T) {
	t.Parallel()
	b := setup(t)

	tok, err := b.client.AuthToken(context.Background())
	require.NoError(t, err)
	require.Regexp(t, `^[0-9a-f]{82}$`, tok)

	a := b.signed(t, http.MethodGet, payretailers.PathAuthToken, map[string]any{"pg_serviceid": b.creds.ServiceID})
	require.Equal(t, http.StatusOK, a.status)
	require.Equal(t, 0, a.result())
	require.InDelta(t, 3600, a.fields["expires_in"], 0)
	require.NotEqual(t, tok, a.fields["token"], "every token is fresh")
}

// TestResponseSignatureHeaderLine reads the answer off the wire: the PHP
// SDK matches the raw line "X-PG-SIG: <hex>" case-sensitively, which Go's
// client would hide by canonicalising the name.
func TestResponseSignatureHeaderLine(t *testing.T) {
	t.Parallel()
	b := setup(t)

	for name, fields := range map[string]string{
		"success":        `{"pg_serviceid":"` + b.creds.ServiceID + `"}`,
		"business error": `{"pg_serviceid":"` + b.creds.ServiceID + `","pg_token":"nope","transaction_id":"x"}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := payretailers.PathAuthToken
			if name != "success" {
				path = payretailers.PathPaymentStatus
			}
			conn, err := net.Dial("tcp", b.srv.Listener.Addr().String())
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
			sig := payretailers.Sign([]byte(b.creds.SecretKey), []byte(fields))
			// GET with a JSON body, as the official SDK sends it.
			_, err = fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nX-PG-SIG: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
				path, sig, len(fields), fields)
			require.NoError(t, err)
			raw, err := io.ReadAll(bufio.NewReader(conn))
			require.NoError(t, err)
			head, body, ok := strings.Cut(string(raw), "\r\n\r\n")
			require.True(t, ok)
			require.True(t, strings.HasPrefix(head, "HTTP/1.1 200 "), head)
			// Exactly the SDK's check, line by line.
			sdkLine := regexp.MustCompile(`^X\-PG\-SIG:\s([0-9a-f]{64})$`)
			var found []string
			for _, line := range strings.Split(head, "\r\n") {
				if m := sdkLine.FindStringSubmatch(line); m != nil {
					found = append(found, m[1])
				}
			}
			require.Len(t, found, 1, head)
			require.Equal(t, payretailers.Sign([]byte(b.creds.SecretKey), []byte(body)), found[0])
			require.NotContains(t, head, "X-Pg-Sig")
			require.Contains(t, body, `"result":`)
		})
	}
}

func TestRequestAuthentication(t *testing.T) {
	t.Parallel()
	b := setup(t)
	secret := []byte(b.creds.SecretKey)
	body := []byte(`{"pg_serviceid":"` + b.creds.ServiceID + `"}`)

	tests := []struct {
		name   string
		body   []byte
		sig    string
		status int
		code   string
	}{
		{"no signature", body, "", http.StatusUnauthorized, payretailers.CodeInvalidSignature},
		{"wrong secret", body, payretailers.Sign([]byte("wrong"), body), http.StatusUnauthorized, payretailers.CodeInvalidSignature},
		{"another merchant's secret", body, payretailers.Sign([]byte(b.other.Secret), body), http.StatusUnauthorized, payretailers.CodeInvalidSignature},
		{"body changed after signing", []byte(`{"pg_serviceid":"` + b.creds.ServiceID + `" }`), payretailers.Sign(secret, body), http.StatusUnauthorized, payretailers.CodeInvalidSignature},
		{"not hex", body, strings.Repeat("z", 64), http.StatusUnauthorized, payretailers.CodeInvalidSignature},
		{"unknown service", []byte(`{"pg_serviceid":"999999999"}`), payretailers.Sign(secret, []byte(`{"pg_serviceid":"999999999"}`)), http.StatusUnauthorized, payretailers.CodeUnknownService},
		{"no service", []byte(`{}`), payretailers.Sign(secret, []byte(`{}`)), http.StatusBadRequest, payretailers.CodeMissingField},
		{"not JSON", []byte(`pg_serviceid=1`), payretailers.Sign(secret, []byte(`pg_serviceid=1`)), http.StatusBadRequest, payretailers.CodeInvalidJSON},
		{"empty body", nil, payretailers.Sign(secret, nil), http.StatusBadRequest, payretailers.CodeInvalidJSON},
		{"service as object", []byte(`{"pg_serviceid":{}}`), payretailers.Sign(secret, []byte(`{"pg_serviceid":{}}`)), http.StatusBadRequest, payretailers.CodeInvalidField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := b.send(t, http.MethodPost, payretailers.PathAuthToken, tt.body, tt.sig)
			require.Equal(t, tt.status, a.status, string(a.body))
			require.Equal(t, tt.code, a.errorCode(), string(a.body))
			require.NotZero(t, a.result())
			require.Empty(t, a.header.Get("X-Pg-Sig"), "nothing to sign with before authentication")
		})
	}

	t.Run("signature header in any case", func(t *testing.T) {
		t.Parallel()
		for _, name := range []string{"x-pg-sig", "X-Pg-Sig", "X-PG-SIG"} {
			req, err := http.NewRequest(http.MethodPost, b.srv.URL+payretailers.PathAuthToken, strings.NewReader(string(body)))
			require.NoError(t, err)
			req.Header[name] = []string{payretailers.Sign(secret, body)}
			resp, err := b.srv.Client().Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode, name)
		}
	})

	t.Run("SDK with a wrong secret", func(t *testing.T) {
		t.Parallel()
		c := &sdk.Client{BaseURL: b.srv.URL, ServiceID: b.creds.ServiceID, Secret: []byte("wrong")}
		_, err := c.AuthToken(context.Background())
		var apiErr *sdk.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, http.StatusUnauthorized, apiErr.HTTPStatus)
		require.Equal(t, payretailers.CodeInvalidSignature, apiErr.Code)
	})
}

func TestServiceIDAsNumberAndGETBodies(t *testing.T) {
	t.Parallel()
	b := setup(t)
	secret := []byte(b.creds.SecretKey)

	// The official SDK sends pg_serviceid as the PHP int it was given, and
	// every call as a GET with a JSON body.
	body := []byte(`{"pg_serviceid":` + b.creds.ServiceID + `}`)
	a := b.send(t, http.MethodGet, payretailers.PathAuthToken, body, payretailers.Sign(secret, body))
	require.Equal(t, http.StatusOK, a.status, string(a.body))
	tok := a.fields["token"].(string)

	body = []byte(`{"pg_currency":"CLP","pg_price":3500,"pg_country":"CL","pg_language":"es","pg_mode":"api","pg_method":"webpay",` +
		`"pg_first_name":"Roberto","pg_last_name":"Fernandez","pg_email":"roberto@gmail.com","pg_ip":"190.22.1.1",` +
		`"pg_return_url":"https://shop.example/ok","pg_cancel_url":"https://shop.example/no",` +
		`"pg_serviceid":` + b.creds.ServiceID + `,"pg_token":"` + tok + `"}`)
	a = b.send(t, http.MethodGet, payretailers.PathPaymentCreate, body, payretailers.Sign(secret, body))
	require.Equal(t, http.StatusOK, a.status, string(a.body))
	require.Equal(t, 0, a.result(), string(a.body))
	data := a.fields["data"].(map[string]any)
	require.Equal(t, "3500.00", data["amount"])
	require.Equal(t, b.creds.ServiceID, data["service_id"])
}

func TestTokens(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	p, err := b.client.CreatePayment(ctx, params())
	require.NoError(t, err)
	status := func(t *testing.T, tok string) answer {
		return b.signed(t, http.MethodPost, payretailers.PathPaymentStatus, map[string]any{
			"pg_serviceid": b.creds.ServiceID, "pg_token": tok, "transaction_id": p.TransactionID,
		})
	}
	otherTok, err := b.other.AuthToken(ctx)
	require.NoError(t, err)
	good := b.token(t)
	flipped := []byte(good)
	flipped[70] = map[bool]byte{true: '1', false: '0'}[flipped[70] == '0'] // a tag digit

	for name, tok := range map[string]string{
		"missing":                "",
		"garbage":                "dce5b070ba65626dccd4ad700fdf3c1d219105a1",
		"right length, all zero": strings.Repeat("0", 82),
		"tampered":               string(flipped),
		"another service's":      otherTok,
		"not hex":                strings.Repeat("x", 82),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := status(t, tok)
			require.Equal(t, http.StatusOK, a.status)
			require.Equal(t, payretailers.CodeInvalidToken, a.errorCode(), string(a.body))
			require.Equal(t, payretailers.ResultUnauthorized, a.result())
		})
	}
	a := status(t, good)
	require.Equal(t, 0, a.result(), string(a.body))

}

func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	p, err := b.client.CreatePayment(ctx, params())
	require.NoError(t, err)
	status := func(tok string) answer {
		return b.signed(t, http.MethodPost, payretailers.PathPaymentStatus, map[string]any{
			"pg_serviceid": b.creds.ServiceID, "pg_token": tok, "transaction_id": p.TransactionID,
		})
	}
	tok := b.token(t)
	b.clock.Add(59*time.Minute + 59*time.Second)
	require.Equal(t, 0, status(tok).result())
	b.clock.Add(time.Second)
	a := status(tok)
	require.Equal(t, payretailers.CodeInvalidToken, a.errorCode(), string(a.body))

	// The SDK, whose cached token the gateway no longer takes, renews it
	// and retries once.
	got, err := b.client.PaymentStatus(ctx, p.TransactionID)
	require.NoError(t, err)
	require.Equal(t, "created", got.Status)
}

func TestTokenRequiredWhereWIRESaysSo(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sid := b.creds.ServiceID

	// Required: create, status, notification/status.
	for _, path := range []string{payretailers.PathPaymentCreate, payretailers.PathPaymentStatus, payretailers.PathNotificationStatus} {
		fields := b.createFields("")
		fields["transaction_id"] = "b023a79c-222f-454f-9ce9-dcf9c5712f4c"
		a := b.signed(t, http.MethodPost, path, fields)
		require.Equal(t, payretailers.CodeInvalidToken, a.errorCode(), path)
	}
	// Optional on methods and webcheckout (the signature authenticates;
	// plugins that only build a checkout send none), checked when sent.
	a := b.signed(t, http.MethodPost, payretailers.PathPaymentMethods, map[string]any{"pg_serviceid": sid, "pg_country": "CL"})
	require.Equal(t, 0, a.result(), string(a.body))
	a = b.signed(t, http.MethodPost, payretailers.PathPaymentWebcheckout, map[string]any{"pg_serviceid": sid, "pg_price": "10.00", "pg_currency": "USD"})
	require.Equal(t, 0, a.result(), string(a.body))
	a = b.signed(t, http.MethodPost, payretailers.PathPaymentMethods, map[string]any{"pg_serviceid": sid, "pg_country": "CL", "pg_token": "stale"})
	require.Equal(t, payretailers.CodeInvalidToken, a.errorCode())
	require.Empty(t, b.paymentsOf(t, b.otherM.ID))
}

func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	b := setup(t)
	fields := b.createFields(b.token(t))
	fields["pg_custom"] = strings.Repeat("x", payretailers.MaxBodyBytes)
	a := b.signed(t, http.MethodPost, payretailers.PathPaymentCreate, fields)
	require.Equal(t, http.StatusRequestEntityTooLarge, a.status)
	require.Equal(t, payretailers.CodeBodyTooLarge, a.errorCode(), string(a.body))
	require.Empty(t, b.paymentsOf(t, b.merchant.ID))
}
