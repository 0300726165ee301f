package notify

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOutcomeZeroValueIsRetry(t *testing.T) {
	t.Parallel()
	var o Outcome
	require.Equal(t, Retry, o, "an unset outcome must never lose a notification")
}

func TestOutcomeString(t *testing.T) {
	t.Parallel()
	for o, want := range map[Outcome]string{
		Retry: "retry", Delivered: "delivered", Gone: "gone", Refused: "refused", Deferred: "deferred", Outcome(42): "outcome(42)",
	} {
		require.Equal(t, want, o.String())
	}
}

func TestStatusAfter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		outcome   Outcome
		scheduled bool
		want      Status
		ok        bool
	}{
		{"delivered", Delivered, true, StatusDelivered, true},
		{"delivered on last attempt", Delivered, false, StatusDelivered, true},
		{"gone", Gone, true, StatusGone, true},
		{"refused is dead at once", Refused, true, StatusDead, true},
		{"retry scheduled", Retry, true, StatusFailed, true},
		{"retries exhausted", Retry, false, StatusDead, true},
		{"unknown outcome retries", Outcome(99), true, StatusFailed, true},
		{"deferred changes nothing", Deferred, true, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, ok := StatusAfter(c.outcome, c.scheduled)
			require.Equal(t, c.ok, ok)
			require.Equal(t, c.want, got)
		})
	}
}
