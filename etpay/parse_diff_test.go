package etpay

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/internal/jsontext"
)

// FuzzRawInitializeAsUnmarshal holds the body reader to the json.Unmarshal
// into rawInitialize it replaced: same members kept, names matched
// exactly, else case-insensitively (Unicode folding included), the last
// duplicate winning, values byte for byte.
func FuzzRawInitializeAsUnmarshal(f *testing.F) {
	for _, s := range []string{
		`{"merchant_code":"a","MERCHANT_CODE":"b","Merchant_Code":1}`,
		`{"order_amount":1,"order_amount":"2","ORDER_AMOUNT":null}`,
		"{\"metadata\":[{\"name\":\"x\"}],\"user_rut\":\"1-9\",\"\\u006Doncat\":\"x\"}",
		"{\"ta\u212Aget_flow\":\"x\",\"customer_phone\":5}", `{"x":{"merchant_code":"inner"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if b := bytes.TrimSpace(body); len(b) == 0 || b[0] != '{' {
			return // objectBody refuses these before either reader runs
		}
		var want, got rawInitialize
		werr := json.Unmarshal(body, &want)
		err := jsontext.Members(body, got.set) // as ParseInitialize reads
		if werr != nil {
			require.Error(t, err, "json.Unmarshal refused %q", body)
			return
		}
		require.NoError(t, err)
		wv, gv := reflect.ValueOf(want), reflect.ValueOf(got)
		for i := range wv.NumField() {
			require.Equal(t, string(wv.Field(i).Bytes()), string(gv.Field(i).Bytes()), "field %s of %q", wv.Type().Field(i).Name, body)
		}
	})
}

// FuzzMetadataAsUnmarshal holds decodeMetadata to the json.Unmarshal based
// reading it replaced.
func FuzzMetadataAsUnmarshal(f *testing.F) {
	for _, s := range []string{`[{"name":"a","value":1,"show":"False"}]`, `[{"NAME":"a","name":"b","Value":true}]`,
		`[null]`, `["x"]`, `{}`, `null`, `[]`, `[{"name":{}}]`, "[{\"\u017Fhow\":false}]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		want, wbad := metadataByUnmarshal(raw)
		got, e := decodeMetadata(raw)
		require.Equal(t, wbad, e != nil, "metadata %q", raw)
		if !wbad {
			require.Equal(t, want, got, "metadata %q", raw)
		}
	})
}

// metadataByUnmarshal is the reading decodeMetadata replaced.
func metadataByUnmarshal(raw json.RawMessage) ([]Metadata, bool) {
	if isNull(raw) {
		return nil, false
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, true
	}
	if len(items) == 0 {
		return nil, false
	}
	out := make([]Metadata, 0, len(items))
	for _, item := range items {
		var f struct {
			Name  json.RawMessage `json:"name"`
			Value json.RawMessage `json:"value"`
			Show  json.RawMessage `json:"show"`
		}
		if json.Unmarshal(item, &f) != nil || isNull(item) {
			return nil, true
		}
		m := Metadata{Show: true}
		var e *Error
		if m.Name, e = decodeText(f.Name, "metadata"); e != nil {
			return nil, true
		}
		if m.Value, e = decodeMetadataValue(f.Value); e != nil {
			return nil, true
		}
		if !isNull(f.Show) {
			if m.Show, e = decodeFlag(f.Show, "metadata"); e != nil {
				return nil, true
			}
		}
		out = append(out, m)
	}
	return out, false
}

// Every member of rawInitialize is reachable by its wire name, exactly and
// case-insensitively, so a field added to the struct cannot be forgotten
// by the reader.
func TestRawInitializeNames(t *testing.T) {
	rt := reflect.TypeOf(rawInitialize{})
	require.Len(t, initializeNames, rt.NumField())
	for i := range rt.NumField() {
		name := rt.Field(i).Tag.Get("json")
		require.Contains(t, initializeNames, name)
		var r rawInitialize
		r.set([]byte(strings.ToUpper(name)), []byte(`"x"`))
		require.Equal(t, `"x"`, string(reflect.ValueOf(r).Field(i).Bytes()), name)
	}
}
