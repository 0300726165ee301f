package payment

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEveryTransition(t *testing.T) {
	t.Parallel()

	allowed := map[[2]Status]bool{
		{StatusCreated, StatusPending}: true, {StatusCreated, StatusCompleted}: true,
		{StatusCreated, StatusFailed}: true, {StatusCreated, StatusCanceled}: true,
		{StatusCreated, StatusExpired}: true, {StatusPending, StatusCompleted}: true,
		{StatusPending, StatusFailed}: true, {StatusPending, StatusCanceled}: true,
		{StatusPending, StatusExpired}: true, {StatusCompleted, StatusRefunded}: true,
	}
	for _, from := range Statuses() {
		for _, to := range append(Statuses(), Status("bogus")) {
			want := allowed[[2]Status{from, to}]
			require.Equal(t, want, from.CanTransition(to), "%s -> %s", from, to)
			err := checkTransition(from, to)
			if want {
				require.NoError(t, err)
			} else {
				var te *TransitionError
				require.ErrorAs(t, err, &te)
				require.Equal(t, from, te.From)
			}
		}
	}
}

func TestStatusPredicates(t *testing.T) {
	t.Parallel()

	for _, s := range Statuses() {
		require.True(t, s.Valid())
		require.NotEqual(t, s.Open(), s.Final(), s)
	}
	require.False(t, Status("").Valid())
	require.False(t, Status("done").Final())
}

func TestMoney(t *testing.T) {
	t.Parallel()

	m, err := NewMoney(50000, "CLP")
	require.NoError(t, err)
	require.Equal(t, "50000", m.Decimal())
	require.Equal(t, "50000 CLP", m.String())
	m, err = NewMoney(1, "USD")
	require.NoError(t, err)
	require.Equal(t, "0.01", m.Decimal())
	m, err = NewMoney(350000, "MXN")
	require.NoError(t, err)
	require.Equal(t, "3500.00", m.Decimal())

	for _, bad := range []Money{{0, "CLP"}, {-5, "CLP"}, {1, "XXX"}, {1, ""}, {maxAmount + 1, "USD"}} {
		_, err := NewMoney(bad.Amount, bad.Currency)
		require.ErrorIs(t, err, ErrInvalidMoney, bad)
	}
	d, ok := Decimals("PYG")
	require.True(t, ok)
	require.Zero(t, d)
}
