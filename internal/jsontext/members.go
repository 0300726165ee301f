package jsontext

import (
	"encoding/json"
	"errors"
)

// ErrNotObject and ErrNotArray say that valid JSON was not the container
// the caller asked for; invalid JSON is ErrInvalid.
var (
	ErrInvalid   = errors.New("jsontext: invalid JSON")
	ErrNotObject = errors.New("jsontext: not a JSON object")
	ErrNotArray  = errors.New("jsontext: not a JSON array")
)

// Members validates data as one JSON value and, when it is an object, calls
// fn with each member in order: the key, unescaped, and the value's exact
// bytes (a sub-slice of data, as a json.RawMessage field would hold them).
// It is what json.Unmarshal into a struct of json.RawMessage fields or a
// map[string]json.RawMessage does, without reflection or copies: the
// request parsers of both dialects spent most of their time there. Both
// slices stay valid after fn returns (sub-slices of data, or a fresh
// unescaped key), so a caller may keep them as long as data.
func Members(data []byte, fn func(key, value []byte)) error {
	if !json.Valid(data) {
		return ErrInvalid
	}
	i := skipSpace(data, 0)
	if data[i] != '{' {
		return ErrNotObject
	}
	eachMember(data, i, fn)
	return nil
}

// Elements is Members for an array: fn gets each element's exact bytes.
func Elements(data []byte, fn func(value []byte)) error {
	if !json.Valid(data) {
		return ErrInvalid
	}
	i := skipSpace(data, 0)
	if data[i] != '[' {
		return ErrNotArray
	}
	i = skipSpace(data, i+1)
	if data[i] == ']' {
		return nil
	}
	for {
		end := skipValue(data, i)
		fn(data[i:end])
		i = skipSpace(data, end)
		if data[i] == ']' {
			return nil
		}
		i = skipSpace(data, i+1) // the comma
	}
}

// eachMember walks the valid object starting at data[i] == '{'.
func eachMember(data []byte, i int, fn func(key, value []byte)) {
	i = skipSpace(data, i+1)
	if data[i] == '}' {
		return
	}
	for {
		end := skipValue(data, i) // the key, a string
		key := data[i+1 : end-1]
		if needsUnescape(key) {
			var s string
			_ = json.Unmarshal(data[i:end], &s) // valid: checked by the caller
			key = []byte(s)
		}
		i = skipSpace(data, end)
		i = skipSpace(data, i+1) // the colon
		end = skipValue(data, i)
		fn(key, data[i:end])
		i = skipSpace(data, end)
		if data[i] == '}' {
			return
		}
		i = skipSpace(data, i+1) // the comma
	}
}

// needsUnescape reports whether a key's bytes differ from its text: an
// escape, or invalid UTF-8 that encoding/json would replace.
func needsUnescape(key []byte) bool {
	for _, c := range key {
		if c == '\\' || c >= 0x80 {
			return true
		}
	}
	return false
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipValue returns the end of the valid JSON value starting at data[i].
func skipValue(data []byte, i int) int {
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i = skipString(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	default: // number, true, false, null
		for i < len(data) {
			switch data[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return i
	}
}

// skipString returns the end of the string literal starting at data[i].
func skipString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++ // the escaped character; \uXXXX's digits need no care
		case '"':
			return i + 1
		}
	}
	return i
}
