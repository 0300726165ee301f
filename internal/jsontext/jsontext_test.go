package jsontext

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// Whenever Plain answers, it answers what encoding/json would.
func TestPlainMatchesTheDecoder(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{`""`, `"abc"`, `"ñandú"`, `"a\"b"`, `"\u00f1"`, "\"\xff\"", `"a\\b"`, `"tab\there"`} {
		var want string
		require.NoError(t, json.Unmarshal([]byte(raw), &want), raw)
		if got, ok := Plain([]byte(raw)); ok {
			require.Equal(t, want, got, raw)
		}
	}
	for _, raw := range []string{`"x`, `x"`, `"`, `12`, `null`, ``} {
		_, ok := Plain([]byte(raw))
		require.False(t, ok, raw)
	}
	got, ok := Plain([]byte(`"plain text"`))
	require.True(t, ok)
	require.Equal(t, "plain text", got)
}

func FuzzPlain(f *testing.F) {
	for _, s := range []string{`"abc"`, `"a\"b"`, "\"\xff\"", `""`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, ok := Plain(raw)
		if !ok {
			return
		}
		var want string
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatalf("Plain accepted %q, which is not a JSON string: %v", raw, err)
		}
		if got != want {
			t.Fatalf("Plain(%q) = %q, encoding/json says %q", raw, got, want)
		}
	})
}
