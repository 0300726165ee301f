package payretailers

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestVerifyReturn(t *testing.T) {
	t.Parallel()

	const key = "b7980eed80d82130e8865d8448ccbb2c0545bbce4845168aa399b45482eb51c5"
	tests := []struct {
		name  string
		query string
		ok    bool
	}{
		{"wire vector", "PGID=ABCD-ZZZZ-BIKE-1234&status=completed&custom=MTAw&key=" + key, true},
		{"merchant's own parameters around", "order=7&PGID=ABCD-ZZZZ-BIKE-1234&status=completed&custom=MTAw&key=" + key + "&utm=x", true},
		{"merchant's status overridden by the appended one", "status=pending&PGID=ABCD-ZZZZ-BIKE-1234&status=completed&custom=MTAw&key=" + key, true},
		{"forged status appended", "PGID=ABCD-ZZZZ-BIKE-1234&status=failed&custom=MTAw&key=" + key, false},
		{"status appended after", "PGID=ABCD-ZZZZ-BIKE-1234&status=completed&custom=MTAw&key=" + key + "&status=failed", false},
		{"changed custom", "PGID=ABCD-ZZZZ-BIKE-1234&status=completed&custom=MTAx&key=" + key, false},
		{"uppercase key", "PGID=ABCD-ZZZZ-BIKE-1234&status=completed&custom=MTAw&key=B7980EED80D82130E8865D8448CCBB2C0545BBCE4845168AA399B45482EB51C5", false},
		{"no key", "PGID=ABCD-ZZZZ-BIKE-1234&status=completed&custom=MTAw", false},
		{"nothing", "", false},
	}
	c := &Client{Secret: []byte(testSecret)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			q, err := url.ParseQuery(tt.query)
			require.NoError(t, err)
			ret, err := c.VerifyReturn(q)
			if !tt.ok {
				require.ErrorIs(t, err, ErrBadSignature)
				return
			}
			require.NoError(t, err)
			require.Equal(t, Return{Custom: "MTAw", Status: "completed", TransactionID: "ABCD-ZZZZ-BIKE-1234"}, ret)
		})
	}
}
