package token

import (
	"regexp"
	"testing"
	"time"

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
	require.Regexp(t, regexp.MustCompile(`^pay_[A-Za-z0-9]{30}$`), ID("pay"))
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

// Ids sort by creation time, across digit and letter boundaries of the
// time prefix.
func TestIDsSortByTime(t *testing.T) {
	t.Parallel()

	base := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	prev := timePrefix(base)
	for _, step := range []time.Duration{time.Millisecond, 9 * time.Millisecond, 61 * time.Millisecond, time.Second, time.Hour, 24 * time.Hour, 5000 * 24 * time.Hour} {
		next := timePrefix(base.Add(step))
		require.Less(t, prev, next, "%s after %s", next, step)
		prev = next
	}
	require.Len(t, timePrefix(time.Date(8888, 1, 1, 0, 0, 0, 0, time.UTC)), 8)
	a := ID("pay")
	time.Sleep(2 * time.Millisecond)
	require.Less(t, a, ID("pay"))
}
