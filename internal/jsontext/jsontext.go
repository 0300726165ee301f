// Package jsontext reads JSON string literals cheaply. Both dialects parse
// request bodies leniently, value by value, and most values are plain text
// that a second pass of encoding/json would only copy.
package jsontext

import "unicode/utf8"

// Plain returns the text of raw when raw is a JSON string literal that
// needs no unescaping: no backslash, no quote or control character inside,
// valid UTF-8. Otherwise ok is false and the caller decodes raw with
// encoding/json, which also says whether it is valid at all.
func Plain(raw []byte) (text string, ok bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	for _, c := range inner {
		if c == '"' || c == '\\' || c < 0x20 {
			return "", false
		}
	}
	if !utf8.Valid(inner) {
		return "", false
	}
	return string(inner), true
}
