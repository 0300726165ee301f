package payretailers

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/internal/phpjson"
)

// wireNotification is WIRE.md's IPN vector as a Notification.
// wireIPNBody is WIRE.md's IPN test vector, byte for byte.
const wireIPNBody = `{"completed_at":"2019-06-14 10:05:00","country":"ES","created_at":"2019-06-14 10:00:00","currency":"USD","custom":"Producto 1 \/ Ni\u00f1o <&>","method":"teleingreso","price":"10.00","service_id":"123","status":"completed","transaction_id":"ZISS-A7Q8-RE2Z-S73W"}`

func wireNotification() Notification {
	return Notification{
		Amount:        1000,
		CompletedAt:   time.Date(2019, 6, 14, 10, 5, 0, 0, time.UTC),
		Country:       "ES",
		CreatedAt:     time.Date(2019, 6, 14, 10, 0, 0, 0, time.UTC),
		Currency:      "USD",
		Custom:        "Producto 1 / Niño <&>",
		Method:        "teleingreso",
		ServiceID:     "123",
		Status:        "completed",
		TransactionID: "ZISS-A7Q8-RE2Z-S73W",
	}
}

func TestBuildIPNWireVector(t *testing.T) {
	t.Parallel()

	ipn, err := BuildIPN([]byte(wireSecret), wireNotification())
	require.NoError(t, err)
	require.Equal(t, wireIPNBody, string(ipn.Body))
	require.Equal(t, "a8b56325019eabec81db76233c5d563ce64ed5989ee6b27425bac7dc17679c6b", ipn.Signature)
	require.Equal(t, map[string]string{
		"Content-Type": "application/json",
		"X-Pg-Sig":     ipn.Signature,
	}, ipn.Headers())

	// What the merchant's SDK computes from the body verifies.
	again, err := phpjson.Reencode(ipn.Body)
	require.NoError(t, err)
	require.True(t, Verify([]byte(wireSecret), again, ipn.Signature))
}

func TestBuildIPNNotCompleted(t *testing.T) {
	t.Parallel()

	n := wireNotification()
	n.Status = "failed"
	n.CompletedAt = time.Time{}
	n.Amount = 3500
	n.Currency = "CLP"
	n.CreatedAt = time.Date(2020, 11, 26, 16, 19, 27, 0, time.FixedZone("CLT", -3*3600))
	ipn, err := BuildIPN([]byte(wireSecret), n)
	require.NoError(t, err)
	require.Contains(t, string(ipn.Body), `"completed_at":""`)
	require.Contains(t, string(ipn.Body), `"created_at":"2020-11-26 16:19:27"`)
	require.Contains(t, string(ipn.Body), `"price":"3500.00"`)

	n.Currency = "XXX"
	_, err = BuildIPN([]byte(wireSecret), n)
	require.Error(t, err)
}

// TestIPNKeyOrderAgreesAcrossSorts pins that the IPN keys sort the same
// under the official SDK's natural case-insensitive ksort and under a plain
// ksort (byte order), so merchants of either kind reproduce our body.
func TestIPNKeyOrderAgreesAcrossSorts(t *testing.T) {
	t.Parallel()

	fields, err := wireNotification().Fields()
	require.NoError(t, err)
	var keys []string
	for k := range fields {
		keys = append(keys, k)
	}
	natural := slices.Clone(keys)
	slices.SortFunc(natural, phpjson.NatCaseCompare)
	slices.Sort(keys)
	require.Equal(t, keys, natural)
}

func TestLegacyIPN(t *testing.T) {
	t.Parallel()

	n := wireNotification()
	raw, err := LegacyIPNURL("https://shop.example/?wc-api=WC_Paygol_Gateway", wireSecret, n)
	require.NoError(t, err)
	u, err := url.Parse(raw)
	require.NoError(t, err)
	require.Equal(t, url.Values{
		"wc-api":         {"WC_Paygol_Gateway"},
		"transaction_id": {"ZISS-A7Q8-RE2Z-S73W"},
		"service_id":     {"123"},
		"country":        {"ES"},
		"custom":         {"Producto 1 / Niño <&>"},
		"price":          {"10.00"},
		"currency":       {"USD"},
		"frmprice":       {"10.00"},
		"frmcurrency":    {"USD"},
		"key":            {wireSecret},
	}, u.Query())
	require.True(t, VerifyLegacyKey(wireSecret, u.Query().Get("key")))
	require.False(t, VerifyLegacyKey(wireSecret, "x"))
	require.False(t, VerifyLegacyKey("", ""))

	n.Status = "failed"
	_, err = LegacyIPNQuery(wireSecret, n)
	require.ErrorIs(t, err, ErrLegacyNotCompleted)
}
