package notify

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/require"
)

// newWebhookSecret returns a secret shaped like the ones merchant.Service
// issues.
func newWebhookSecret(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

func TestSignatureMatchesReferenceLibrary(t *testing.T) {
	t.Parallel()
	secret := newWebhookSecret(t)
	key, err := webhookKey([]byte(secret))
	require.NoError(t, err)
	body := []byte(`{"status":"paid","amount":1000}`)
	ts := time.Now()

	h := http.Header{}
	h.Set("webhook-id", "ntf_123")
	h.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	h.Set("webhook-signature", signature(key, "ntf_123", ts.Unix(), body))

	wh, err := standardwebhooks.NewWebhook(secret)
	require.NoError(t, err)
	require.NoError(t, wh.Verify(body, h))
	require.Error(t, wh.Verify([]byte(`{"status":"paid","amount":9999}`), h), "tampered body")

	want, err := wh.Sign("ntf_123", ts, body)
	require.NoError(t, err)
	require.Equal(t, want, h.Get("webhook-signature"))
}

func TestWebhookKey(t *testing.T) {
	t.Parallel()
	raw := []byte("0123456789abcdef0123456789abcdef")
	enc := base64.StdEncoding.EncodeToString(raw)

	key, err := webhookKey([]byte("whsec_" + enc))
	require.NoError(t, err)
	require.Equal(t, raw, key)

	key, err = webhookKey([]byte(enc))
	require.NoError(t, err, "the prefix is optional, as in the reference libraries")
	require.Equal(t, raw, key)

	for _, bad := range []string{"whsec_", "whsec_not base64!", "whsec_" + enc[:len(enc)-1]} {
		_, err := webhookKey([]byte(bad))
		require.ErrorIs(t, err, errWebhookSecret, bad)
		require.NotContains(t, err.Error(), enc[:8], "errors never repeat the secret")
	}
}
