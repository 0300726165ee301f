package payretailers

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func testSealer(t *testing.T, b byte) enrollmentSealer {
	t.Helper()
	s, err := newEnrollmentSealer(bytes.Repeat([]byte{b}, 32), bytes.Repeat([]byte{b + 1}, 32))
	require.NoError(t, err)
	return s
}

func TestEnrollmentToken(t *testing.T) {
	t.Parallel()
	s := testSealer(t, 7)
	in := enrollment{
		CancelURL: "https://shop.example/ko", Email: "Ana@Example.com",
		Expiry: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), MerchantID: "mer_a",
		ReturnURL: "https://shop.example/ok?x=1&y=ñ",
	}
	tok := s.issue(in)
	require.Regexp(t, `^[A-Za-z0-9_-]+$`, tok, "safe in a path and a query without escaping")
	out, ok := s.open(tok)
	require.True(t, ok)
	require.NotEqual(t, [enrollIDLen]byte{}, out.ID)
	require.True(t, out.Expiry.Equal(in.Expiry))
	out.ID, out.Expiry = in.ID, in.Expiry
	require.Equal(t, in, out)
	require.NotContains(t, tok, "shop", "the payload is encrypted")

	// Every token is new: a fresh id, so fresh pseudo-customers.
	again, _ := s.open(s.issue(in))
	other, _ := s.open(tok)
	require.NotEqual(t, again.ID, other.ID)
	require.NotEqual(t, s.pendingEmail(again), s.pendingEmail(other))
	require.Equal(t, s.pendingEmail(other), s.pendingEmail(other))
	require.NotEqual(t, s.pendingEmail(other), s.confirmedEmail(other))
	require.True(t, strings.HasSuffix(s.pendingEmail(other), "@pending.oneclick.invalid"))
	require.True(t, reservedEmail(s.confirmedEmail(other)))
	require.False(t, reservedEmail("ana@example.com"))

	// Another key, any changed byte, a cut or extended token: not ours.
	_, ok = testSealer(t, 9).open(tok)
	require.False(t, ok, "bound to the key")
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	require.NoError(t, err)
	for i := range raw {
		changed := bytes.Clone(raw)
		changed[i] ^= 1
		_, ok := s.open(base64.RawURLEncoding.EncodeToString(changed))
		require.False(t, ok, "byte %d", i)
	}
	for _, bad := range []string{"", "x", tok[:len(tok)-1], tok + "A", "!" + tok[1:], strings.Repeat("A", maxEnrollmentTok+1)} {
		_, ok := s.open(bad)
		require.False(t, ok, bad)
	}
}
