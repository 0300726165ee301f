package token

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTokensAreWellFormedAndUnique(t *testing.T) {
	t.Parallel()

	seen := map[string]bool{}
	for range 2000 {
		for _, v := range []string{Alnum(32), Hex(16), ID("pay"), UUIDShaped()} {
			require.False(t, seen[v], "duplicate token %s", v)
			seen[v] = true
		}
	}
	require.Regexp(t, regexp.MustCompile(`^[A-Za-z0-9]{64}$`), Alnum(64))
	require.Regexp(t, regexp.MustCompile(`^[0-9a-f]{32}$`), Hex(16))
	require.Regexp(t, regexp.MustCompile(`^pay_[A-Za-z0-9]{26}$`), ID("pay"))
	require.Regexp(t, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`), UUIDShaped())
}

func TestAlnumUsesWholeAlphabet(t *testing.T) {
	t.Parallel()

	// A biased or truncated alphabet would show up as missing characters.
	s := Alnum(20000)
	for _, c := range alnum {
		require.Contains(t, s, string(c))
	}
}

// Every character is equally likely: a modulo bias (256 is not a multiple
// of 62) would make the first eight characters a quarter more frequent.
func TestAlnumIsUniform(t *testing.T) {
	t.Parallel()

	const perChar = 10000
	counts := map[rune]int{}
	for _, c := range Alnum(perChar * len(alnum)) {
		counts[c]++
	}
	for _, c := range alnum {
		require.InDelta(t, perChar, counts[c], 600, "character %q", c) // 6 standard deviations
	}
}

func BenchmarkAlnum64(b *testing.B) {
	for b.Loop() {
		_ = Alnum(64)
	}
}
