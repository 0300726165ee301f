package jsontext_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/internal/jsontext"
)

func TestMembers(t *testing.T) {
	type member struct{ Key, Value string }
	collect := func(body string) ([]member, error) {
		var got []member
		err := jsontext.Members([]byte(body), func(k, v []byte) { got = append(got, member{string(k), string(v)}) })
		return got, err
	}
	got, err := collect(" {\"a\" : 1 ,\"b\\u0041\":\"x\\\"}\",\"c\":{\"d\":[1,{\"e\":\"]\"}]},\"n\":null,\"a\":[ ] } ")
	require.NoError(t, err)
	require.Equal(t, []member{{"a", "1"}, {"bA", `"x\"}"`}, {"c", `{"d":[1,{"e":"]"}]}`}, {"n", "null"}, {"a", "[ ]"}}, got)

	// Keys and values may be kept past the callback (payretailers.Fields
	// does): escaped keys are not unescaped into a reused buffer.
	var keys, values [][]byte
	require.NoError(t, jsontext.Members([]byte(`{"\u0078":1,"\u0079":2,"z":3}`), func(k, v []byte) {
		keys, values = append(keys, k), append(values, v)
	}))
	require.Equal(t, [][]byte{[]byte("x"), []byte("y"), []byte("z")}, keys)
	require.Equal(t, [][]byte{[]byte("1"), []byte("2"), []byte("3")}, values)

	got, err = collect(`{}`)
	require.NoError(t, err)
	require.Empty(t, got)

	for body, want := range map[string]error{
		`[1]`: jsontext.ErrNotObject, `"x"`: jsontext.ErrNotObject, `null`: jsontext.ErrNotObject,
		``: jsontext.ErrInvalid, `{`: jsontext.ErrInvalid, `{"a":1,}`: jsontext.ErrInvalid, `{"a":1}{}`: jsontext.ErrInvalid,
		"{\"a\":\"\xff\"": jsontext.ErrInvalid, `{a:1}`: jsontext.ErrInvalid,
	} {
		_, err := collect(body)
		require.ErrorIs(t, err, want, "body %q", body)
	}
}

func TestElements(t *testing.T) {
	var got []string
	require.NoError(t, jsontext.Elements([]byte(` [ 1, "a,]", {"b":[2]} ,null] `), func(v []byte) { got = append(got, string(v)) }))
	require.Equal(t, []string{"1", `"a,]"`, `{"b":[2]}`, "null"}, got)
	require.NoError(t, jsontext.Elements([]byte(`[]`), func([]byte) { t.Fatal("no element") }))
	require.ErrorIs(t, jsontext.Elements([]byte(`{}`), func([]byte) {}), jsontext.ErrNotArray)
	require.ErrorIs(t, jsontext.Elements([]byte(`[1,]`), func([]byte) {}), jsontext.ErrInvalid)
}

// FuzzMembers holds Members to what it replaces: json.Unmarshal into a
// map of raw values (keys unescaped, the last duplicate winning, values
// byte for byte).
func FuzzMembers(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":"x"}`, `{"a\u00e9":[1,{"b":null}],"a\u00e9":true}`, `{"\ud800":"\xff"}`,
		` { "k" : -1.5e3 } `, `[1,2]`, `{"a":}`, `{"a":"\\\""}`, "{\"\xe9\":1}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got := map[string]string{}
		err := jsontext.Members(body, func(k, v []byte) { got[string(k)] = string(v) })
		var want map[string]json.RawMessage
		werr := json.Unmarshal(body, &want)
		if werr != nil || want == nil {
			require.Error(t, err, "json.Unmarshal refused %q", body)
			return
		}
		require.NoError(t, err)
		require.Len(t, got, len(want))
		for k, v := range want {
			require.Equal(t, string(v), got[k], "member %q of %q", k, body)
		}
	})
}

// FuzzElements holds Elements to json.Unmarshal into []json.RawMessage.
func FuzzElements(f *testing.F) {
	for _, s := range []string{`[1,"a",{"b":[]},null]`, `[]`, ` [ "x" ] `, `{"a":1}`, `[1,]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got []string
		err := jsontext.Elements(body, func(v []byte) { got = append(got, string(v)) })
		var want []json.RawMessage
		if werr := json.Unmarshal(body, &want); werr != nil || want == nil {
			require.Error(t, err, "json.Unmarshal refused %q", body)
			return
		}
		require.NoError(t, err)
		require.Len(t, got, len(want))
		for i := range want {
			require.Equal(t, string(want[i]), got[i])
		}
	})
}
