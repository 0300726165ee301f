package etpay

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeText(t *testing.T) {
	t.Parallel()
	ok := map[string]string{
		`"abc"`: "abc", `"  a  "`: "  a  ", `123`: "123", `-1.50`: "-1.50", `null`: "", ``: "",
		`"\u00f1"`: "ñ", `"a\nb"`: "a\nb",
	}
	for raw, want := range ok {
		got, e := decodeText(json.RawMessage(raw), "f")
		require.Nil(t, e, raw)
		require.Equal(t, want, got, raw)
	}
	for _, raw := range []string{`true`, `false`, `{}`, `[]`, `["a"]`} {
		_, e := decodeText(json.RawMessage(raw), "f")
		require.NotNil(t, e, raw)
		require.Equal(t, CodeInvalidField, e.Code)
		require.Equal(t, "f", e.Field)
	}
}

func TestDecodeFlag(t *testing.T) {
	t.Parallel()
	ok := map[string]bool{
		`true`: true, `false`: false, `"True"`: true, `"TRUE"`: true, `"true"`: true, `" True "`: true,
		`"False"`: false, `"false"`: false, `"1"`: true, `"0"`: false, `""`: false, `1`: true, `0`: false,
		`null`: false, ``: false,
	}
	for raw, want := range ok {
		got, e := decodeFlag(json.RawMessage(raw), "f")
		require.Nil(t, e, raw)
		require.Equal(t, want, got, raw)
	}
	for _, raw := range []string{`"yes please"`, `2`, `1.0`, `-1`, `{}`, `[]`, `"T"`} {
		_, e := decodeFlag(json.RawMessage(raw), "f")
		require.NotNil(t, e, raw)
		require.Equal(t, CodeInvalidField, e.Code)
	}
}

func TestObjectBody(t *testing.T) {
	t.Parallel()
	ok := map[string]string{
		`{"a":1}`:            `{"a":1}`,
		"  {\"a\":1}\n":      `{"a":1}`,
		"\xEF\xBB\xBF{}":     `{}`,
		`"{\"a\":1}"`:        `{"a":1}`,
		`" {\"a\":1} "`:      `{"a":1}`,
		"\xEF\xBB\xBF\"{}\"": `{}`,
	}
	for in, want := range ok {
		got, e := objectBody([]byte(in))
		require.Nil(t, e, in)
		require.Equal(t, want, string(got), in)
	}
	// Only one level of string is unwrapped, and only to an object.
	for _, in := range []string{``, ` `, `null`, `1`, `"x"`, `[]`, `"[]"`, `"\"{}\""`} {
		_, e := objectBody([]byte(in))
		require.NotNil(t, e, in)
		require.Equal(t, CodeInvalidJSON, e.Code)
	}
	// Broken JSON after the brace is the parsers' json.Unmarshal to refuse.
	for _, in := range []string{`{"a":1`, `{} {}`, `{"a":1}x`, `"{\"a\":1"`} {
		_, err := ParseInitialize([]byte(in))
		require.Equal(t, CodeInvalidJSON, asError(err).Code, in)
		_, err = ParseStatus([]byte(in))
		require.Equal(t, CodeInvalidJSON, asError(err).Code, in)
	}
}

func TestDecodeTextMatchesTheDecoder(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{`""`, `"abc"`, `"ñandú"`, `"a\"b"`, `"\u00f1"`, "\"\xff\"", `"a\\b"`, `"tab\there"`} {
		var want string
		require.NoError(t, json.Unmarshal([]byte(raw), &want), raw)
		got, e := decodeText(json.RawMessage(raw), "f")
		require.Nil(t, e, raw)
		require.Equal(t, want, got, raw)
	}
}
