package payretailers_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/pasarela/pasarela/client/payretailers"
	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/payretailers"
)

// noticeRequest is the request the notify engine would send for n.
func noticeRequest(t *testing.T, n payment.Notice) *http.Request {
	t.Helper()
	r := httptest.NewRequest(n.Method, n.URL, bytes.NewReader(n.Body))
	for k, v := range n.Headers {
		r.Header[k] = []string{v}
	}
	if n.ContentType != "" {
		r.Header.Set("Content-Type", n.ContentType)
	}
	return r
}

// createVia creates a payment through the API as merchant c.
func createVia(t *testing.T, b *testBundle, c *sdk.Client, in sdk.PaymentParams) payment.Payment {
	t.Helper()
	ctx := context.Background()
	got, err := c.CreatePayment(ctx, in)
	require.NoError(t, err)
	p, err := b.payments.GetByRef(ctx, got.TransactionID)
	require.NoError(t, err)
	return p
}

func TestRendererIPN(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	rd := payretailers.NewRenderer(b.merchants)

	in := params()
	in.Custom = "Producto 1 / Niño <&> 😀"
	p := createVia(t, b, b.client, in)

	// Through the service, as a rail would: the renderer runs inside the
	// transition and its notices are stored with it.
	_, err := b.payments.Transition(ctx, p.ID, payment.StatusPending, "", payment.ActorPayer)
	require.NoError(t, err)
	done, err := b.payments.Transition(ctx, p.ID, payment.StatusCompleted, "", payment.ActorRail)
	require.NoError(t, err)

	ns, err := rd.Notices(ctx, done)
	require.NoError(t, err)
	require.Len(t, ns, 1)
	n := ns[0]
	require.Equal(t, http.MethodPost, n.Method)
	require.Equal(t, "https://shop.example/ipn", n.URL)
	require.Equal(t, "application/json", n.ContentType)
	require.Equal(t, []string{"X-Pg-Sig"}, keys(n.Headers), "Content-Type is the engine's to set")

	got, err := b.client.VerifyNotification(noticeRequest(t, n))
	require.NoError(t, err)
	require.Equal(t, sdk.Notification{
		CompletedAt: done.CompletedAt.UTC().Format(payretailers.TimeLayout), Country: "CL",
		CreatedAt: done.CreatedAt.UTC().Format(payretailers.TimeLayout), Currency: "CLP",
		Custom: in.Custom, Fields: got.Fields, Method: "webpay", Price: "3500.00",
		ServiceID: b.creds.ServiceID, Status: "completed", TransactionID: p.Ref,
	}, got)
	require.Len(t, got.Fields, 10)

	// Another merchant's SDK does not accept it.
	_, err = b.other.VerifyNotification(noticeRequest(t, n))
	require.Error(t, err)
}

func TestRendererStatuses(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	rd := payretailers.NewRenderer(b.merchants)

	bank := createVia(t, b, b.client, params())
	in := params()
	in.Method = "servipag"
	cash := createVia(t, b, b.client, in)
	completedAt := time.Now().UTC()

	tests := []struct {
		p      payment.Payment
		status payment.Status
		want   string // "" for no notice
	}{
		{bank, payment.StatusCreated, ""},
		{bank, payment.StatusPending, ""},
		{cash, payment.StatusPending, "pending"},
		{bank, payment.StatusCompleted, "completed"},
		{bank, payment.StatusFailed, "failed"},
		{bank, payment.StatusCanceled, "canceled"},
		{bank, payment.StatusExpired, "expired"},
		{cash, payment.StatusExpired, "expired"},
		{bank, payment.StatusRefunded, "refunded"},
	}
	for _, tt := range tests {
		t.Run(tt.p.Method+"/"+string(tt.status), func(t *testing.T) {
			t.Parallel()
			p := tt.p
			p.Status = tt.status
			if tt.status == payment.StatusCompleted || tt.status == payment.StatusRefunded {
				p.CompletedAt = &completedAt
			}
			ns, err := rd.Notices(ctx, p)
			require.NoError(t, err)
			if tt.want == "" {
				require.Empty(t, ns)
				return
			}
			require.Len(t, ns, 1)
			got, err := b.client.VerifyNotification(noticeRequest(t, ns[0]))
			require.NoError(t, err)
			require.Equal(t, tt.want, got.Status)
			if tt.status != payment.StatusCompleted && tt.status != payment.StatusRefunded {
				require.Empty(t, got.CompletedAt)
			}
		})
	}
}

func TestRendererTargets(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	rd := payretailers.NewRenderer(b.merchants)

	t.Run("payment URL wins", func(t *testing.T) {
		t.Parallel()
		p := createVia(t, b, b.client, params())
		p.Status, p.URLs.Notification = payment.StatusFailed, "https://elsewhere.example/n"
		ns, err := rd.Notices(ctx, p)
		require.NoError(t, err)
		require.Len(t, ns, 1)
		require.Equal(t, "https://elsewhere.example/n", ns[0].URL)
	})

	t.Run("no URL, no notice", func(t *testing.T) {
		t.Parallel()
		m, creds := b.newMerchant(t, merchant.Settings{Name: "Sin IPN", SuccessURL: "https://x.example/ok", CancelURL: "https://x.example/no"})
		p := createVia(t, b, b.sdkClient(creds), params())
		require.Equal(t, m.ID, p.MerchantID)
		p.Status = payment.StatusFailed
		ns, err := rd.Notices(ctx, p)
		require.NoError(t, err)
		require.Empty(t, ns)
	})

	t.Run("legacy v1", func(t *testing.T) {
		t.Parallel()
		set := merchant.Settings{Name: "Viejo", NotificationURL: "https://old.example/?wc-api=WC_Paygol_Gateway", LegacyIPN: true}
		m, creds := b.newMerchant(t, set)
		p := createVia(t, b, b.sdkClient(creds), params())

		for _, s := range []payment.Status{payment.StatusPending, payment.StatusFailed, payment.StatusCanceled, payment.StatusExpired, payment.StatusRefunded} {
			p.Status = s
			ns, err := rd.Notices(ctx, p)
			require.NoError(t, err)
			require.Empty(t, ns, "v1 has no status: only a paid payment is announced (%s)", s)
		}
		now := time.Now()
		p.Status, p.CompletedAt = payment.StatusCompleted, &now
		ns, err := rd.Notices(ctx, p)
		require.NoError(t, err)
		require.Len(t, ns, 1)
		require.Equal(t, http.MethodGet, ns[0].Method)
		require.Empty(t, ns[0].Body)
		require.Empty(t, ns[0].Headers)
		u, err := url.Parse(ns[0].URL)
		require.NoError(t, err)
		require.Equal(t, "old.example", u.Host)
		q := u.Query()
		require.Equal(t, "WC_Paygol_Gateway", q.Get("wc-api"))
		require.Equal(t, p.Ref, q.Get("transaction_id"))
		require.Equal(t, m.ServiceID, q.Get("service_id"))
		require.Equal(t, "3500.00", q.Get("price"))
		require.Equal(t, "Pago cuenta VIP", q.Get("custom"))
		require.True(t, payretailers.VerifyLegacyKey(creds.SecretKey, q.Get("key")))
	})
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
