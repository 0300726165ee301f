package payretailers

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAuthTokenFormat(t *testing.T) {
	t.Parallel()
	ti := tokenIssuer{key: bytes.Repeat([]byte{7}, 32)}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tok := ti.issue("mer_a", "123456789", now.Add(AuthTokenTTL))

	require.Len(t, tok, 82)
	require.True(t, ti.valid(tok, "mer_a", "123456789", now))
	require.True(t, ti.valid(tok, "mer_a", "123456789", now.Add(AuthTokenTTL-time.Second)))
	require.False(t, ti.valid(tok, "mer_a", "123456789", now.Add(AuthTokenTTL)), "expired at the hour")
	require.False(t, ti.valid(tok, "mer_b", "123456789", now), "bound to the merchant")
	require.False(t, ti.valid(tok, "mer_a", "987654321", now), "bound to the service")
	require.False(t, tokenIssuer{key: bytes.Repeat([]byte{8}, 32)}.valid(tok, "mer_a", "123456789", now), "bound to the key")
	require.False(t, ti.valid("", "mer_a", "123456789", now))
	require.False(t, ti.valid(tok[:80], "mer_a", "123456789", now))
	require.False(t, ti.valid(tok+"00", "mer_a", "123456789", now))

	// Changing any byte (the expiry included: no extending a token)
	// invalidates it.
	raw, err := hex.DecodeString(tok)
	require.NoError(t, err)
	for i := range raw {
		bad := bytes.Clone(raw)
		bad[i] ^= 0x01
		require.False(t, ti.valid(hex.EncodeToString(bad), "mer_a", "123456789", now), "byte %d", i)
	}

	// 128 random bits: tokens for the same second differ.
	seen := map[string]bool{}
	for range 100 {
		tok := ti.issue("mer_a", "123456789", now)
		require.False(t, seen[tok])
		seen[tok] = true
	}
}
