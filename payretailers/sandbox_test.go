package payretailers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/payretailers"
	"github.com/pasarela/pasarela/sandboxapi"
)

func TestSandboxAuthenticator(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	mux := http.NewServeMux()
	mux.Handle(sandboxapi.Pattern, sandboxapi.New(b.payments, map[payment.Dialect]sandboxapi.Authenticator{
		payment.DialectPayRetailers: payretailers.NewSandboxAuthenticator(b.merchants),
	}))
	srv := newServer(t, mux)

	helper := func(t *testing.T, ref, action string, secret []byte, serviceID string) (int, map[string]any) {
		t.Helper()
		body := []byte(`{"pg_serviceid":"` + serviceID + `","reason":"insufficient_funds"}`)
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/sandbox/payments/"+ref+"/"+action, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header["X-PG-SIG"] = []string{payretailers.Sign(secret, body)}
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		var out map[string]any
		require.NoError(t, json.Unmarshal(raw, &out), string(raw))
		return resp.StatusCode, out
	}
	errCode := func(out map[string]any) string {
		e, _ := out["error"].(map[string]any)
		c, _ := e["code"].(string)
		return c
	}

	p := createVia(t, b, b.client, params())
	mine, other := []byte(b.creds.SecretKey), b.other.Secret

	status, out := helper(t, p.Ref, "fail", other, b.other.ServiceID)
	require.Equal(t, http.StatusNotFound, status, "another merchant's valid credentials: as if it did not exist")
	require.Equal(t, "NOT_FOUND", errCode(out))
	require.InDelta(t, payretailers.ResultNotFound, out["result"], 0)

	status, out = helper(t, p.Ref, "fail", []byte("wrong"), b.creds.ServiceID)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, "UNAUTHORIZED", errCode(out))
	require.InDelta(t, payretailers.ResultUnauthorized, out["result"], 0)
	msg := out["error"].(map[string]any)["message"].(string)
	require.Equal(t, "UNAUTHORIZED: invalid merchant credentials", msg)

	status, _ = helper(t, p.Ref, "fail", mine, "404040404")
	require.Equal(t, http.StatusUnauthorized, status)

	got, err := b.payments.Get(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, payment.StatusCreated, got.Status, "refused calls change nothing")

	status, out = helper(t, p.Ref, "fail", mine, b.creds.ServiceID)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "failed", out["status"])
	require.Equal(t, "insufficient_funds", out["status_detail"])

	status, out = helper(t, p.Ref, "complete", mine, b.creds.ServiceID)
	require.Equal(t, http.StatusConflict, status)
	require.Equal(t, "INVALID_TRANSITION", errCode(out))
	require.InDelta(t, payretailers.ResultConflict, out["result"], 0)
}
