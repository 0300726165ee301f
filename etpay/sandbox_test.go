package etpay_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	clientetpay "github.com/pasarela/pasarela/client/etpay"
	"github.com/pasarela/pasarela/payment"
)

func TestSandboxHelperActions(t *testing.T) {
	t.Parallel()

	b := setupAPI(t, "")
	ctx := context.Background()
	c := b.client(b.shop, "")
	newSession := func(order string) string {
		s, err := c.InitializeSession(ctx, clientetpay.SessionRequest{MerchantOrderID: order, OrderAmount: 1000})
		require.NoError(t, err)
		return s.Token
	}
	creds := initBody(b.shop, "")

	code, body := b.post(t, "/sandbox/payments/nope/complete", creds)
	require.Equal(t, http.StatusNotFound, code)
	require.Equal(t, "not_found", body["code"])

	tok := newSession("S-1")
	for name, tc := range map[string]struct {
		path, body string
		code       int
	}{
		"unknown action": {"/sandbox/payments/" + tok + "/refund", creds, 400},
		"not json":       {"/sandbox/payments/" + tok + "/complete", "{", 401},
		"long reason":    {"/sandbox/payments/" + tok + "/fail", initBody(b.shop, `,"reason":"`+strings.Repeat("x", 65)+`"`), 400},
	} {
		code, body := b.post(t, tc.path, tc.body)
		require.Equal(t, tc.code, code, "%s: %v", name, body)
	}
	p, err := b.payments.GetByRef(ctx, tok)
	require.NoError(t, err)
	require.Equal(t, payment.StatusCreated, p.Status, "bad helper calls change nothing")

	code, body = b.post(t, "/sandbox/payments/"+tok+"/fail", initBody(b.shop, `,"reason":"insufficient_funds"`))
	require.Equal(t, http.StatusOK, code, body)
	require.Equal(t, "failed", body["status"])
	require.Equal(t, "insufficient_funds", body["status_detail"])
	events, err := b.payments.Events(ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, events, 3, "created, pending, failed: as a payer and bank would")

	for action, want := range map[string]string{"cancel": "canceled", "expire": "expired", "complete": "completed"} {
		tok := newSession("S-" + action)
		// The helper also finds a payment by its payment_token.
		st, err := c.CheckPaymentStatus(ctx, clientetpay.StatusQuery{SessionToken: tok})
		require.NoError(t, err)
		code, body := b.post(t, "/sandbox/payments/"+st[0].PaymentToken+"/"+action, creds)
		require.Equal(t, http.StatusOK, code, body)
		require.Equal(t, want, body["status"])
	}
}
