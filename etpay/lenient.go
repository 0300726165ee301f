package etpay

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/pasarela/pasarela/internal/jsontext"
)

// This file decodes the individual JSON values of a request the way real
// merchant SDKs send them: strings that arrive as numbers, booleans that
// arrive as "True", a body that arrives as a JSON string. Every function
// takes the raw bytes of one value (already known to be valid JSON, since
// they come out of encoding/json) and the field's wire name for errors.

// utf8BOM is stripped from bodies: some Windows-built clients send it.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// objectBody returns the JSON object a request body holds. The body is
// JSON whatever its content type says (the official Python SDK sends no
// Content-Type). A body that is a JSON string holding a JSON object, which
// clients produce by encoding twice (requests' json=json.dumps(...)), is
// unwrapped once.
func objectBody(body []byte) ([]byte, *Error) {
	body = bytes.TrimSpace(bytes.TrimPrefix(body, utf8BOM))
	if len(body) > 0 && body[0] == '"' {
		var inner string
		if json.Unmarshal(body, &inner) == nil {
			body = bytes.TrimSpace([]byte(inner))
		}
	}
	// Whether it is valid JSON is for the caller's json.Unmarshal to say
	// (it answers the same error); scanning it here too cost a third of
	// the parse.
	if len(body) == 0 || body[0] != '{' {
		return nil, NewInvalid(CodeInvalidJSON, "", "the body must be a JSON object")
	}
	return body, nil
}

// isNull reports an absent or null value; both mean "not given".
func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || bytes.Equal(raw, []byte("null"))
}

// decodeText reads a value that should be a string. A number is accepted
// as its literal text, because PHP and JavaScript clients send order ids,
// RUTs and phones as numbers; booleans, arrays and objects are errors.
func decodeText(raw json.RawMessage, field string) (string, *Error) {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return "", nil
	}
	switch c := raw[0]; {
	case c == '"':
		if s, ok := jsontext.Plain(raw); ok {
			return s, nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", NewInvalid(CodeInvalidField, field, field+" must be a string")
		}
		return s, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return string(raw), nil
	}
	return "", NewInvalid(CodeInvalidField, field, field+" must be a string")
}

// decodeFlag reads a boolean sent as true/false, as a string ("True",
// "true", "False", "1", "0", "" — Python clients send str(True)) or as the
// number 0 or 1.
func decodeFlag(raw json.RawMessage, field string) (bool, *Error) {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return false, nil
	}
	text := string(raw)
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return false, flagError(field)
		}
		text = strings.ToLower(strings.TrimSpace(s))
	}
	switch text {
	case "true", "1":
		return true, nil
	case "false", "0", "":
		return false, nil
	}
	return false, flagError(field)
}

func flagError(field string) *Error {
	return NewInvalid(CodeInvalidField, field, field+` must be a boolean (true, false, "True" or "False")`)
}
