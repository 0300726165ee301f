package dashboard_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/dashboard"
	"github.com/pasarela/pasarela/keyring"
	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/server"
	"github.com/pasarela/pasarela/store/sqlite"
	"github.com/pasarela/pasarela/store/storetest"
	"github.com/pasarela/pasarela/token"
)

const adminToken = "operator-token-0123456789abcdef0123456789"

type bundle struct {
	other, shop  merchant.Credentials
	otherNotice  string
	shopNotice   string
	srv          *httptest.Server
	store        *sqlite.Store
	shopMerchant merchant.Merchant
}

func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "d.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(ctx))
	master, err := keyring.LoadOrCreateMasterKey(filepath.Join(dir, "master.key"))
	require.NoError(t, err)
	kr, err := keyring.Open(ctx, st, "secrets", master)
	require.NoError(t, err)
	ms := merchant.NewService(st, kr)
	b := &bundle{store: st}
	var shop, other merchant.Merchant
	shop, b.shop, err = ms.Create(ctx, merchant.Settings{Name: "Shop"}, false)
	require.NoError(t, err)
	other, b.other, err = ms.Create(ctx, merchant.Settings{Name: "Other"}, false)
	require.NoError(t, err)
	b.shopMerchant = shop
	b.shopNotice = notice(t, st, shop)
	b.otherNotice = notice(t, st, other)

	s := server.New(server.NewLogger(io.Discard, "text", 0), prometheus.NewRegistry(), st.Ready)
	dashboard.NewAdmin(st, ms, adminToken, server.NewLogger(io.Discard, "text", 0)).Mount(s)
	b.srv = httptest.NewServer(s.Handler())
	t.Cleanup(b.srv.Close)
	return b
}

// notice completes a payment of m with one notification and returns its id.
func notice(t *testing.T, st *sqlite.Store, m merchant.Merchant) string {
	p := storetest.NewPayment(t, st, m, "")
	n := payment.Notice{ID: token.ID("ntf"), URL: "https://x.example/n", Method: "POST", ContentType: "application/json", Body: []byte(`{}`)}
	require.NoError(t, st.ApplyChange(context.Background(), storetest.Change(p, payment.StatusCompleted, n)))
	next := time.Now().Add(time.Hour)
	require.NoError(t, st.RecordAttempt(context.Background(), notify.Attempt{NotificationID: n.ID, Number: 1, At: time.Now(),
		URL: n.URL, StatusCode: 500, Error: "HTTP 500"}, notify.StatusFailed, &next, 0))
	return n.ID
}

func (b *bundle) do(t *testing.T, method, path, tok string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, b.srv.URL+path, nil)
	require.NoError(t, err)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

func TestAdminAuthentication(t *testing.T) {
	t.Parallel()

	b := setup(t)
	for _, tok := range []string{"", "nope", strings.Repeat("a", 64), adminToken + "x"} {
		code, body := b.do(t, "GET", "/admin/api/notifications", tok)
		require.Equal(t, http.StatusUnauthorized, code, tok)
		require.Equal(t, "unauthorized", body["code"])
	}
}

func TestMerchantSeesOnlyItsNotifications(t *testing.T) {
	t.Parallel()

	b := setup(t)
	code, body := b.do(t, "GET", "/admin/api/notifications", b.shop.ETpayAPIToken)
	require.Equal(t, http.StatusOK, code)
	list := body["notifications"].([]any)
	require.Len(t, list, 1)
	require.Equal(t, b.shopNotice, list[0].(map[string]any)["id"])

	// Another merchant's notification is not found, and cannot be resent.
	code, _ = b.do(t, "GET", "/admin/api/notifications/"+b.otherNotice, b.shop.ETpayAPIToken)
	require.Equal(t, http.StatusNotFound, code)
	code, _ = b.do(t, "POST", "/admin/api/notifications/"+b.otherNotice+"/resend", b.shop.ETpayAPIToken)
	require.Equal(t, http.StatusNotFound, code)
	rec, err := b.store.GetNotification(context.Background(), b.otherNotice)
	require.NoError(t, err)
	require.Equal(t, notify.StatusFailed, rec.Status, "nothing changed")

	// Its own: shown with attempts, resent.
	code, body = b.do(t, "GET", "/admin/api/notifications/"+b.shopNotice, b.shop.ETpayAPIToken)
	require.Equal(t, http.StatusOK, code)
	require.Len(t, body["attempts"].([]any), 1)
	code, _ = b.do(t, "POST", "/admin/api/notifications/"+b.shopNotice+"/resend", b.shop.ETpayAPIToken)
	require.Equal(t, http.StatusAccepted, code)
	rec, err = b.store.GetNotification(context.Background(), b.shopNotice)
	require.NoError(t, err)
	require.Equal(t, notify.StatusPending, rec.Status)

	// resend-failed as a merchant touches only its own.
	code, body = b.do(t, "POST", "/admin/api/notifications/resend-failed", b.other.ETpayAPIToken)
	require.Equal(t, http.StatusAccepted, code)
	require.Equal(t, []any{b.otherNotice}, body["resent"])
}

func TestOperatorSeesEverythingAndBadQueries(t *testing.T) {
	t.Parallel()

	b := setup(t)
	code, body := b.do(t, "GET", "/admin/api/notifications?status=failed", adminToken)
	require.Equal(t, http.StatusOK, code)
	require.Len(t, body["notifications"].([]any), 2)
	code, body = b.do(t, "GET", "/admin/api/notifications?merchant_id="+b.shopMerchant.ID, adminToken)
	require.Equal(t, http.StatusOK, code)
	require.Len(t, body["notifications"].([]any), 1)

	for _, q := range []string{"?status=bogus", "?limit=0", "?limit=abc", "?limit=5000"} {
		code, body = b.do(t, "GET", "/admin/api/notifications"+q, adminToken)
		require.Equal(t, http.StatusBadRequest, code, q)
		require.NotEmpty(t, body["message"])
	}
	code, _ = b.do(t, "GET", "/admin/api/notifications/ntf_missing", adminToken)
	require.Equal(t, http.StatusNotFound, code)
	code, body = b.do(t, "POST", "/admin/api/notifications/resend-failed", adminToken)
	require.Equal(t, http.StatusAccepted, code)
	require.Len(t, body["resent"].([]any), 2)
}
