package payretailers

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReturnURL(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name   string
		base   string
		custom string
		prefix string
	}{
		{"no query", "https://shop.example/ok", "MTAw", "https://shop.example/ok?PGID="},
		{"existing query kept", "https://shop.example/ok?order=7&x=a%2Fb", "MTAw", "https://shop.example/ok?order=7&x=a%2Fb&PGID="},
		{"custom needing escapes", "http://shop.example/ok", "a b&c=d/ñ", "http://shop.example/ok?PGID="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			raw, err := ReturnURL(tt.base, wireSecret, "ABCD-ZZZZ-BIKE-1234", "completed", tt.custom)
			require.NoError(t, err)
			require.Contains(t, raw, tt.prefix)

			// The merchant reads $_GET and recomputes the key.
			u, err := url.Parse(raw)
			require.NoError(t, err)
			q := u.Query()
			require.Equal(t, tt.custom, q.Get("custom"))
			require.True(t, VerifyReturnKey(wireSecret, q.Get("PGID"), q.Get("status"), q.Get("custom"), q.Get("key")))
		})
	}

	raw, err := ReturnURL("https://shop.example/ok", wireSecret, "ABCD-ZZZZ-BIKE-1234", "completed", "MTAw")
	require.NoError(t, err)
	require.Equal(t, "https://shop.example/ok?PGID=ABCD-ZZZZ-BIKE-1234&status=completed&custom=MTAw&key=b7980eed80d82130e8865d8448ccbb2c0545bbce4845168aa399b45482eb51c5", raw)

	_, err = ReturnURL("http://bad host/%zz", wireSecret, "a", "b", "c")
	require.Error(t, err)
}
