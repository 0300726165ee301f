// Package phpjson reproduces, byte for byte, what PHP's json_encode (default
// flags) makes of a flat array of strings after PayRetailers' PHP SDK has
// ksort()ed it, and the SDK's whole decode-sort-encode round trip. The
// gateway signs IPN bodies with it and the Go client SDK verifies them with
// it; it imports nothing of the gateway, so the SDK stays light.
package phpjson

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The official PHP SDK does not verify an IPN over the bytes it received: it
// json_decode()s the body into an array, ksort()s it with
// SORT_NATURAL|SORT_FLAG_CASE, json_encode()s it again with default flags
// and compares the HMAC of that. A notification verifies only if our body is
// a fixed point of that round trip, so this file reproduces PHP's encoder
// byte for byte and, for tests and for proof, the whole merchant-side check.
//
// The SDK's sort is natural and case-insensitive, not the byte order of a
// plain ksort(). The two agree on keys made of lowercase letters and "_"
// unless "_" meets a letter at the same position (a test pins that the IPN
// key set is such a set), so merchants using either flavour reproduce our
// order.

// ErrUnencodable reports a map that PHP would not give back unchanged, so a
// signature over its encoding could never verify on the merchant side.
var ErrUnencodable = errors.New("not encodable as a PHP-stable JSON object")

// Encode encodes fields as PHP's json_encode (default flags) encodes the
// same array after the merchant's ksort: keys in PHP's natural
// case-insensitive order, every value a JSON string, "/" as "\/", every
// non-ASCII character as lowercase \uXXXX (UTF-16 surrogate pairs above
// U+FFFF), control characters as \b \f \n \r \t or \u00XX, no escaping of
// < > &, no spaces. An empty map is "[]", as PHP encodes an empty array.
//
// Keys are restricted so that every PHP version sorts them the same way:
// no ASCII digit (PHP turns "12" into an integer key and compares digit runs
// numerically), no ASCII whitespace (natural sort skips it), and no two keys
// that differ only in ASCII case (they tie, and PHP 7's sort is unstable).
// Keys and values must be valid UTF-8, which json_encode requires.
func Encode(fields map[string]string) ([]byte, error) {
	keys := make([]string, 0, len(fields))
	size := 2
	for k, v := range fields {
		if err := checkPHPKey(k); err != nil {
			return nil, err
		}
		if !utf8.ValidString(v) {
			return nil, fmt.Errorf("%w: value of %q is not valid UTF-8", ErrUnencodable, k)
		}
		keys = append(keys, k)
		size += len(k) + len(v) + 6
	}
	if len(keys) == 0 {
		return []byte("[]"), nil
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := NatCaseCompare(a, b); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	for i := 1; i < len(keys); i++ {
		if NatCaseCompare(keys[i-1], keys[i]) == 0 {
			return nil, fmt.Errorf("%w: keys %q and %q differ only in case", ErrUnencodable, keys[i-1], keys[i])
		}
	}
	out := make([]byte, 0, size)
	out = append(out, '{')
	for i, k := range keys {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendPHPString(out, k)
		out = append(out, ':')
		out = appendPHPString(out, fields[k])
	}
	return append(out, '}'), nil
}

// checkPHPKey enforces the key rules documented on Encode.
func checkPHPKey(k string) error {
	if !utf8.ValidString(k) {
		return fmt.Errorf("%w: key %q is not valid UTF-8", ErrUnencodable, k)
	}
	for i := 0; i < len(k); i++ {
		if isCDigit(k[i]) || isCSpace(k[i]) {
			return fmt.Errorf("%w: key %q has a digit or whitespace", ErrUnencodable, k)
		}
	}
	return nil
}

// Reencode does what the official PHP SDK does to an IPN body before
// computing its HMAC: json_decode($body, true), ksort($params,
// SORT_NATURAL|SORT_FLAG_CASE), json_encode($params). A body verifies on the
// merchant side exactly when Reencode returns it unchanged.
//
// It models PHP 8 for what pasarela can send, a flat object of strings:
// duplicate keys keep the first position and the last value, integer-like
// keys "0".."n-1" make json_encode emit a list, the sort is stable. It
// refuses what PHP would refuse (malformed JSON, invalid UTF-8, a lone UTF-16
// surrogate escape, raw control characters) and, rather than guess, any
// non-string value and any top level other than an object.
func Reencode(body []byte) ([]byte, error) {
	pairs, err := parsePHPObject(body)
	if err != nil {
		return nil, err
	}
	if len(pairs) == 0 {
		return []byte("[]"), nil
	}
	slices.SortStableFunc(pairs, func(a, b phpPair) int {
		return NatCaseCompare(a.key, b.key)
	})
	list := true
	for i, p := range pairs {
		if p.key != strconv.Itoa(i) {
			list = false
			break
		}
	}
	out := make([]byte, 0, len(body)+16)
	if list {
		out = append(out, '[')
	} else {
		out = append(out, '{')
	}
	for i, p := range pairs {
		if i > 0 {
			out = append(out, ',')
		}
		if !list {
			out = appendPHPString(out, p.key)
			out = append(out, ':')
		}
		out = appendPHPString(out, p.value)
	}
	if list {
		return append(out, ']'), nil
	}
	return append(out, '}'), nil
}

// hexLower is what PHP's encoder uses for \u escapes: lowercase.
const hexLower = "0123456789abcdef"

// appendPHPString appends s, which must be valid UTF-8, as json_encode
// writes a string with default flags.
func appendPHPString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for _, r := range s {
		switch {
		case r == '"':
			dst = append(dst, '\\', '"')
		case r == '\\':
			dst = append(dst, '\\', '\\')
		case r == '/':
			dst = append(dst, '\\', '/')
		case r == '\b':
			dst = append(dst, '\\', 'b')
		case r == '\f':
			dst = append(dst, '\\', 'f')
		case r == '\n':
			dst = append(dst, '\\', 'n')
		case r == '\r':
			dst = append(dst, '\\', 'r')
		case r == '\t':
			dst = append(dst, '\\', 't')
		case r < 0x20, r >= 0x80 && r < 0x10000:
			dst = appendUEscape(dst, r)
		case r < 0x80:
			// DEL (0x7f) included: PHP leaves it raw.
			dst = append(dst, byte(r))
		default:
			hi, lo := utf16.EncodeRune(r)
			dst = appendUEscape(appendUEscape(dst, hi), lo)
		}
	}
	return append(dst, '"')
}

func appendUEscape(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u',
		hexLower[r>>12&0xf], hexLower[r>>8&0xf], hexLower[r>>4&0xf], hexLower[r&0xf])
}

// phpPair is one decoded member, in body order.
type phpPair struct {
	key   string
	value string
}

// parsePHPObject decodes a flat JSON object of strings with json_decode's
// strictness.
func parsePHPObject(body []byte) ([]phpPair, error) {
	p := phpParser{b: body}
	p.skipSpace()
	if !p.eat('{') {
		return nil, p.fail("expected an object")
	}
	var pairs []phpPair
	index := map[string]int{}
	p.skipSpace()
	if !p.eat('}') {
		for {
			p.skipSpace()
			key, err := p.str()
			if err != nil {
				return nil, err
			}
			p.skipSpace()
			if !p.eat(':') {
				return nil, p.fail("expected ':'")
			}
			p.skipSpace()
			value, err := p.str()
			if err != nil {
				return nil, err
			}
			if i, ok := index[key]; ok {
				pairs[i].value = value
			} else {
				index[key] = len(pairs)
				pairs = append(pairs, phpPair{key: key, value: value})
			}
			p.skipSpace()
			if p.eat(',') {
				continue
			}
			if p.eat('}') {
				break
			}
			return nil, p.fail("expected ',' or '}'")
		}
	}
	p.skipSpace()
	if p.i != len(p.b) {
		return nil, p.fail("trailing data")
	}
	return pairs, nil
}

// phpParser walks a body byte by byte.
type phpParser struct {
	b []byte
	i int
}

func (p *phpParser) fail(what string) error {
	return fmt.Errorf("php json_decode would fail at byte %d: %s", p.i, what)
}

func (p *phpParser) skipSpace() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *phpParser) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads one JSON string.
func (p *phpParser) str() (string, error) {
	if !p.eat('"') {
		return "", p.fail("expected a string")
	}
	var sb strings.Builder
	for {
		if p.i >= len(p.b) {
			return "", p.fail("unterminated string")
		}
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return sb.String(), nil
		case c == '\\':
			p.i++
			if err := p.escape(&sb); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", p.fail("control character in string")
		case c < 0x80:
			sb.WriteByte(c)
			p.i++
		default:
			r, n := utf8.DecodeRune(p.b[p.i:])
			if r == utf8.RuneError && n <= 1 {
				return "", p.fail("malformed UTF-8")
			}
			sb.Write(p.b[p.i : p.i+n])
			p.i += n
		}
	}
}

// escape reads what follows a backslash.
func (p *phpParser) escape(sb *strings.Builder) error {
	if p.i >= len(p.b) {
		return p.fail("unterminated escape")
	}
	c := p.b[p.i]
	p.i++
	switch c {
	case '"', '\\', '/':
		sb.WriteByte(c)
	case 'b':
		sb.WriteByte('\b')
	case 'f':
		sb.WriteByte('\f')
	case 'n':
		sb.WriteByte('\n')
	case 'r':
		sb.WriteByte('\r')
	case 't':
		sb.WriteByte('\t')
	case 'u':
		r, err := p.hex4()
		if err != nil {
			return err
		}
		switch {
		case utf16.IsSurrogate(r) && r < 0xdc00:
			if !p.eat('\\') || !p.eat('u') {
				return p.fail("single unpaired UTF-16 surrogate")
			}
			lo, err := p.hex4()
			if err != nil {
				return err
			}
			if lo < 0xdc00 || lo > 0xdfff {
				return p.fail("single unpaired UTF-16 surrogate")
			}
			sb.WriteRune(utf16.DecodeRune(r, lo))
		case utf16.IsSurrogate(r):
			return p.fail("single unpaired UTF-16 surrogate")
		default:
			sb.WriteRune(r)
		}
	default:
		return p.fail("invalid escape")
	}
	return nil
}

func (p *phpParser) hex4() (rune, error) {
	if p.i+4 > len(p.b) {
		return 0, p.fail("short \\u escape")
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, p.fail("bad hex digit in \\u escape")
		}
		r = r<<4 | rune(d)
	}
	p.i += 4
	return r, nil
}

// NatCaseCompare is PHP's strnatcasecmp (strnatcmp_ex with fold_case):
// what ksort(SORT_NATURAL|SORT_FLAG_CASE) compares keys with. Digit runs
// compare as numbers (leading zeros only skipped at the very start, runs
// starting with 0 compared left-aligned), whitespace is skipped, ASCII
// letters compare upper-cased. Reading past the end yields 0, like the C
// code reading a zend_string's terminating NUL.
func NatCaseCompare(a, b string) int {
	if len(a) == 0 || len(b) == 0 {
		return cmpInt(len(a), len(b))
	}
	at := func(s string, i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	ai, bi := 0, 0
	leading := true
	for {
		ca, cb := at(a, ai), at(b, bi)
		for leading && ca == '0' && ai+1 < len(a) && isCDigit(a[ai+1]) {
			ai++
			ca = a[ai]
		}
		for leading && cb == '0' && bi+1 < len(b) && isCDigit(b[bi+1]) {
			bi++
			cb = b[bi]
		}
		leading = false
		for isCSpace(ca) {
			ai++
			ca = at(a, ai)
		}
		for isCSpace(cb) {
			bi++
			cb = at(b, bi)
		}
		if isCDigit(ca) && isCDigit(cb) {
			var r int
			if ca == '0' || cb == '0' {
				r = natCompareLeft(a, &ai, b, &bi)
			} else {
				r = natCompareRight(a, &ai, b, &bi)
			}
			switch {
			case r != 0:
				return r
			case ai == len(a) && bi == len(b):
				return 0
			case ai == len(a):
				return -1
			case bi == len(b):
				return 1
			}
			ca, cb = a[ai], b[bi]
		}
		ca, cb = asciiUpper(ca), asciiUpper(cb)
		if ca != cb {
			return cmpInt(int(ca), int(cb))
		}
		ai++
		bi++
		switch {
		case ai >= len(a) && bi >= len(b):
			return 0
		case ai >= len(a):
			return -1
		case bi >= len(b):
			return 1
		}
	}
}

// natCompareLeft compares two digit runs left-aligned (fractional parts):
// the first different digit wins.
func natCompareLeft(a string, ai *int, b string, bi *int) int {
	for ; ; *ai, *bi = *ai+1, *bi+1 {
		da := *ai < len(a) && isCDigit(a[*ai])
		db := *bi < len(b) && isCDigit(b[*bi])
		switch {
		case !da && !db:
			return 0
		case !da:
			return -1
		case !db:
			return 1
		case a[*ai] != b[*bi]:
			return cmpInt(int(a[*ai]), int(b[*bi]))
		}
	}
}

// natCompareRight compares two digit runs right-aligned (integers): the
// longer run wins, else the first different digit.
func natCompareRight(a string, ai *int, b string, bi *int) int {
	bias := 0
	for ; ; *ai, *bi = *ai+1, *bi+1 {
		da := *ai < len(a) && isCDigit(a[*ai])
		db := *bi < len(b) && isCDigit(b[*bi])
		switch {
		case !da && !db:
			return bias
		case !da:
			return -1
		case !db:
			return 1
		case bias == 0 && a[*ai] != b[*bi]:
			bias = cmpInt(int(a[*ai]), int(b[*bi]))
		}
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// isCDigit and isCSpace are C's isdigit and isspace in the "C" locale,
// which PHP 8 uses for LC_CTYPE.
func isCDigit(c byte) bool { return '0' <= c && c <= '9' }

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func asciiUpper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
