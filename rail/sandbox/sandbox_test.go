package sandbox

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/rail"
)

func TestBankPasswordsDecideOutcome(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	b := NewBank([]byte("k"))
	amount := payment.Money{Amount: 1000, Currency: "CLP"}
	for pw, want := range map[string]rail.Outcome{
		"approve": {Status: payment.StatusCompleted},
		"reject":  {Status: payment.StatusFailed, Detail: rail.DetailRejected},
		"nofunds": {Status: payment.StatusFailed, Detail: rail.DetailInsufficientFunds},
		"pending": {Status: payment.StatusPending},
	} {
		auth, err := b.Login(ctx, "cl_bch", "11111111-1", pw, "pay_1")
		require.NoError(t, err)
		require.NotContains(t, auth, "11111111", "the authorization carries no payer data")
		got, err := b.Approve(ctx, auth, "pay_1", amount)
		require.NoError(t, err)
		require.Equal(t, want, got, pw)

		// The authorization is bound to its payment and cannot be edited.
		_, err = b.Approve(ctx, auth, "pay_2", amount)
		require.Error(t, err)
	}
	for _, pw := range []string{"", "Approve", "approve ", "1234"} {
		_, err := b.Login(ctx, "cl_bch", "11111111-1", pw, "pay_1")
		require.ErrorIs(t, err, rail.ErrWrongPassword, pw)
	}
	auth, err := b.Login(ctx, "cl_bch", "1-9", "reject", "pay_1")
	require.NoError(t, err)
	forged := "approve" + auth[len("reject"):]
	_, err = b.Approve(ctx, forged, "pay_1", amount)
	require.Error(t, err, "a payer cannot turn a rejection into an approval")
	_, err = NewBank([]byte("other")).Approve(ctx, auth, "pay_1", amount)
	require.Error(t, err)
}

func TestAcquirerTestCards(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	a := Acquirer{Now: func() time.Time { return now }}
	card := func(n string) rail.Card { return rail.Card{Number: n, ExpMonth: 12, ExpYear: 2030, CVC: "123"} }
	for number, want := range TestCards {
		got, err := a.Authorize(ctx, card(number), payment.Money{})
		require.NoError(t, err, number)
		require.Equal(t, want, got, number)
	}
	got, err := a.Authorize(ctx, card("4111111111111111"), payment.Money{})
	require.NoError(t, err)
	require.Equal(t, payment.StatusCompleted, got.Status)

	for name, c := range map[string]rail.Card{
		"luhn":         {Number: "4242424242424241", ExpMonth: 12, ExpYear: 2030, CVC: "123"},
		"letters":      {Number: "4242abcd42424242", ExpMonth: 12, ExpYear: 2030, CVC: "123"},
		"short":        {Number: "42", ExpMonth: 12, ExpYear: 2030, CVC: "123"},
		"past":         {Number: "4242424242424242", ExpMonth: 10, ExpYear: 2026, CVC: "123"},
		"month 13":     {Number: "4242424242424242", ExpMonth: 13, ExpYear: 2030, CVC: "123"},
		"cvc letters":  {Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "12a"},
		"cvc too long": {Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "12345"},
	} {
		_, err := a.Authorize(ctx, c, payment.Money{})
		require.ErrorIs(t, err, ErrInvalidCard, name)
	}
	// Valid through the end of the expiry month.
	_, err = a.Authorize(ctx, rail.Card{Number: "4242424242424242", ExpMonth: 11, ExpYear: 2026, CVC: "999"}, payment.Money{})
	require.NoError(t, err)
}

func TestBrandAndLuhn(t *testing.T) {
	t.Parallel()

	require.Equal(t, "visa", Brand("4242424242424242"))
	require.Equal(t, "mastercard", Brand("5555555555554444"))
	require.Equal(t, "mastercard", Brand("2223003122003222"))
	require.Equal(t, "amex", Brand("378282246310005"))
	require.True(t, Luhn("378282246310005"))
	require.False(t, Luhn(""))
}

func TestCashVoucher(t *testing.T) {
	t.Parallel()

	exp := time.Now().Add(72 * time.Hour)
	v, err := CashNetwork{}.Issue(context.Background(), payment.Payment{ExpiresAt: exp})
	require.NoError(t, err)
	require.Regexp(t, `^\d{4}-\d{4}-\d{4}-\d{4}$`, v.Reference)
	require.Len(t, v.Barcode, 20)
	require.Equal(t, exp, v.ExpiresAt)
	v2, _ := CashNetwork{}.Issue(context.Background(), payment.Payment{})
	require.NotEqual(t, v.Reference, v2.Reference)
}
