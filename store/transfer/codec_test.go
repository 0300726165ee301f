package transfer_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/store/transfer"
	"github.com/pasarela/pasarela/vault"
)

func items() []transfer.Item {
	at := time.UnixMilli(1_700_000_000_123).UTC()
	later := at.Add(time.Hour)
	return []transfer.Item{
		{Keyset: &transfer.Keyset{Name: "secrets", Wrapped: []byte{0, 1, 2, 255}, CreatedAt: at}},
		{Merchant: &merchant.Merchant{ID: "mer_1", Name: "Ñandú", ETpayCode: "cl_x", ETpayTokenHash: []byte{9},
			ServiceID: "123", SealedSecretKey: []byte{1}, SealedWebhookSecret: []byte{2}, LegacyIPN: true, CreatedAt: at, UpdatedAt: at}},
		{Card: &vault.Record{Card: vault.Card{ID: "card_1", MerchantID: "mer_1", CustomerEmail: "ana@example.com", Brand: vault.BrandVisa,
			Masked: "424242XXXXXX4242", CreatedAt: at}, Fingerprint: []byte{3}, WrappedKey: []byte{4, 0}, Sealed: []byte{}}},
		// A tombstone: its NULLs come back nil, not empty like Sealed above.
		{Card: &vault.Record{Card: vault.Card{ID: "card_2", MerchantID: "mer_1", CustomerEmail: "ana@example.com", Brand: vault.BrandAmex,
			Masked: "378282XXXXX0005", CreatedAt: at}, DeletedAt: later}},
		{Payment: &payment.Payment{ID: "pay_1", MerchantID: "mer_1", Dialect: payment.DialectETpay, Ref: "r", AttemptRef: "a",
			Amount: payment.Money{Amount: 50000, Currency: "CLP"}, Payer: payment.Payer{Email: "p@example.com"},
			Metadata: []payment.Metadata{{Name: "n", Value: "v", Show: true}}, Extra: map[string]string{"k": "v"},
			Status: payment.StatusCompleted, Version: 3, CreatedAt: at, UpdatedAt: at, ExpiresAt: later, CompletedAt: &later}},
		{Event: &payment.Event{ID: 7, PaymentID: "pay_1", Type: payment.EventCreated, To: payment.StatusCreated, Actor: "api", CreatedAt: at}},
		{Notification: &notify.Record{Notification: notify.Notification{ID: "ntf_1", PaymentID: "pay_1", MerchantID: "mer_1",
			URL: "https://shop.example/n", Method: "POST", Body: []byte(`{"a":1}`), Headers: map[string]string{"X-Pg-Sig": "s"}, CreatedAt: at},
			Status: notify.StatusFailed, Attempts: 1, NextAttemptAt: &later, UpdatedAt: at}},
		{Attempt: &notify.Attempt{NotificationID: "ntf_1", Number: 1, At: at, URL: "https://shop.example/n", StatusCode: 500,
			Latency: 1500 * time.Microsecond, Error: "HTTP 500", ResponseBody: "no"}},
	}
}

func write(t *testing.T, its []transfer.Item) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := transfer.NewWriter(&buf, "test")
	require.NoError(t, err)
	for _, it := range its {
		require.NoError(t, w.Write(it))
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func readAll(raw []byte) ([]transfer.Item, error) {
	r, err := transfer.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	var out []transfer.Item
	for {
		it, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, it)
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	raw := write(t, items())
	got, err := readAll(raw)
	require.NoError(t, err)
	require.Equal(t, items(), got)
	r, err := transfer.NewReader(bytes.NewReader(raw))
	require.NoError(t, err)
	require.Equal(t, "test", r.Header().Engine)
}

func TestReaderRefusesIncompleteOrForeignFiles(t *testing.T) {
	t.Parallel()
	raw := string(write(t, items()))
	lines := strings.SplitAfter(raw, "\n")
	for name, file := range map[string]string{
		"no trailer":        strings.Join(lines[:len(lines)-2], ""),
		"a row lost":        strings.Join(append(append([]string{}, lines[:2]...), lines[3:]...), ""),
		"two rows per line": lines[0] + `{"keyset":{"name":"a"},"event":{"id":1}}` + "\n" + `{"end":{}}` + "\n",
		"empty line object": lines[0] + "{}\n",
		"other format":      `{"format":"pg_dump","version":1}` + "\n",
		"newer version":     `{"format":"pasarela-export","version":2}` + "\n",
		"empty":             "",
	} {
		_, err := readAll([]byte(file))
		require.ErrorIs(t, err, transfer.ErrFormat, name)
	}
}
