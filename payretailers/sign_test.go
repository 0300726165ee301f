package payretailers

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// wireSecret is the secret of every WIRE.md test vector.
const wireSecret = "7c1a6a24-7943-102d-92f8-29573711ad31"

func TestSignWireVectors(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		body string
		want string
	}{
		{"auth request", `{"pg_serviceid":"123"}`, "23afa5728d97a8eb08fb49bc1aec64bf946272db7b8565223683d9a3a5bbcfde"},
		{"ipn body", wireIPNBody, "a8b56325019eabec81db76233c5d563ce64ed5989ee6b27425bac7dc17679c6b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			require.Equal(t, tt.want, Sign([]byte(wireSecret), []byte(tt.body)))
			require.True(t, Verify([]byte(wireSecret), []byte(tt.body), tt.want))
		})
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()

	secret := []byte(wireSecret)
	body := []byte(`{"pg_serviceid":"123"}`)
	good := Sign(secret, body)

	tests := []struct {
		name   string
		secret []byte
		body   []byte
		sig    string
		want   bool
	}{
		{"lowercase", secret, body, good, true},
		{"uppercase hex accepted", secret, body, strings.ToUpper(good), true},
		{"empty signature", secret, body, "", false},
		{"short", secret, body, good[:63], false},
		{"long", secret, body, good + "0", false},
		{"not hex", secret, body, "zz" + good[2:], false},
		{"other body", secret, []byte(`{"pg_serviceid":"124"}`), good, false},
		{"re-encoded body", secret, []byte(`{"pg_serviceid": "123"}`), good, false},
		{"other secret", []byte("other"), body, good, false},
		{"empty secret never verifies", nil, body, Sign(nil, body), false},
		{"padded", secret, body, " " + good[1:], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			require.Equal(t, tt.want, Verify(tt.secret, tt.body, tt.sig))
		})
	}
}

func TestReturnKeyWireVector(t *testing.T) {
	t.Parallel()

	const want = "b7980eed80d82130e8865d8448ccbb2c0545bbce4845168aa399b45482eb51c5"
	require.Equal(t, want, ReturnKey(wireSecret, "ABCD-ZZZZ-BIKE-1234", "completed", "MTAw"))
	require.True(t, VerifyReturnKey(wireSecret, "ABCD-ZZZZ-BIKE-1234", "completed", "MTAw", want))
	require.False(t, VerifyReturnKey(wireSecret, "ABCD-ZZZZ-BIKE-1234", "failed", "MTAw", want))
	require.False(t, VerifyReturnKey(wireSecret, "ABCD-ZZZZ-BIKE-1234", "completed", "MTAx", want))
}

func FuzzVerify(f *testing.F) {
	f.Add([]byte(wireSecret), []byte(`{"pg_serviceid":"123"}`), "23afa5728d97a8eb08fb49bc1aec64bf946272db7b8565223683d9a3a5bbcfde", uint(3))
	f.Add([]byte("k"), []byte{}, "", uint(0))
	f.Add([]byte{0}, []byte{0xff, 0xfe}, "ZZ", uint(100))
	f.Fuzz(func(t *testing.T, secret, body []byte, sig string, flip uint) {
		// Arbitrary signatures never panic and verify only if right.
		if Verify(secret, body, sig) {
			require.NotEmpty(t, secret)
			require.Equal(t, Sign(secret, body), strings.ToLower(sig))
		}
		if len(secret) == 0 {
			return
		}
		good := Sign(secret, body)
		require.Len(t, good, 64)
		require.Equal(t, strings.ToLower(good), good)
		require.True(t, Verify(secret, body, good))

		// Any flipped hex digit of the signature fails.
		i := int(flip % uint(len(good)))
		bad := []byte(good)
		bad[i] = "1032547698badcfe"[strings.IndexByte("0123456789abcdef", bad[i])]
		require.False(t, Verify(secret, body, string(bad)))

		// Any flipped bit of the body fails.
		if len(body) > 0 {
			changed := append([]byte(nil), body...)
			changed[int(flip%uint(len(body)))] ^= 1 << (flip % 8)
			require.False(t, Verify(secret, changed, good))
		}
	})
}

// Reused HMAC states must give what a fresh one gives, whatever ran on
// them before and whichever key, and the set of keys stays bounded.
func TestMACReuse(t *testing.T) {
	fresh := func(key []byte, parts ...[]byte) []byte {
		m := hmac.New(sha256.New, key)
		for _, p := range parts {
			m.Write(p)
		}
		return m.Sum(nil)
	}
	keys := [][]byte{[]byte("secret-a"), []byte("secret-b"), {}, bytes.Repeat([]byte("k"), 100)}
	for round := range 3 {
		for i, key := range keys {
			body := []byte(fmt.Sprintf("body %d %d", round, i))
			require.Equal(t, fresh(key, body), mac(key, body))
			require.Equal(t, fresh(key, []byte("a"), body, []byte{0}), mac(key, []byte("a"), body, []byte{0}))
		}
	}
	key := []byte("mutable")
	want := fresh([]byte("mutable"), []byte("x"))
	mac(key, []byte("x"))
	copy(key, "MUTABLE") // a caller reusing its buffer does not change the kept key
	require.Equal(t, want, mac([]byte("mutable"), []byte("x")))

	for i := range maxMACKeys + 10 {
		mac([]byte(fmt.Sprint("key-", i)), nil)
	}
	macs.mu.Lock()
	n := len(macs.pools)
	macs.mu.Unlock()
	require.LessOrEqual(t, n, maxMACKeys)
}
