package phpjson

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// wireIPNBody is WIRE.md's IPN test vector, byte for byte.
const wireIPNBody = `{"completed_at":"2019-06-14 10:05:00","country":"ES","created_at":"2019-06-14 10:00:00","currency":"USD","custom":"Producto 1 \/ Ni\u00f1o <&>","method":"teleingreso","price":"10.00","service_id":"123","status":"completed","transaction_id":"ZISS-A7Q8-RE2Z-S73W"}`

func TestEncodePHPWireVector(t *testing.T) {
	t.Parallel()

	body, err := Encode(map[string]string{
		"transaction_id": "ZISS-A7Q8-RE2Z-S73W",
		"service_id":     "123",
		"status":         "completed",
		"method":         "teleingreso",
		"price":          "10.00",
		"currency":       "USD",
		"country":        "ES",
		"custom":         "Producto 1 / Niño <&>",
		"created_at":     "2019-06-14 10:00:00",
		"completed_at":   "2019-06-14 10:05:00",
	})
	require.NoError(t, err)
	require.Equal(t, wireIPNBody, string(body))

	again, err := Reencode(body)
	require.NoError(t, err)
	require.Equal(t, wireIPNBody, string(again))
}

func TestEncodePHPEscapes(t *testing.T) {
	t.Parallel()

	// Expected outputs are what PHP 8's json_encode prints for the value.
	tests := []struct {
		name  string
		value string
		want  string
	}{
		{"empty", "", `""`},
		{"plain", "abc XYZ 09", `"abc XYZ 09"`},
		{"slash", "a/b", `"a\/b"`},
		{"quote and backslash", `"\`, `"\"\\"`},
		{"html chars stay raw", "<a href='x'>&amp;</a>", `"<a href='x'>&amp;<\/a>"`},
		{"short escapes", "\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"other controls", "\x00\x01\x1f\x0b", `"\u0000\u0001\u001f\u000b"`},
		{"DEL stays raw", "\x7f", "\"\x7f\""},
		{"latin", "ñÑé", `"\u00f1\u00d1\u00e9"`},
		{"lowercase hex", "\u00ff\u0abc", `"\u00ff\u0abc"`},
		{"line separators", "\u2028\u2029", `"\u2028\u2029"`},
		{"BOM", "\ufeff", `"\ufeff"`},
		{"replacement char", "\ufffd", `"\ufffd"`},
		{"astral", "😀", `"\ud83d\ude00"`},
		{"max rune", "\U0010ffff", `"\udbff\udfff"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			body, err := Encode(map[string]string{"v": tt.value})
			require.NoError(t, err)
			require.Equal(t, `{"v":`+tt.want+`}`, string(body))

			var back map[string]string
			require.NoError(t, json.Unmarshal(body, &back))
			require.Equal(t, tt.value, back["v"])
		})
	}
}

func TestEncodePHPOrder(t *testing.T) {
	t.Parallel()

	// PHP's natural case-insensitive sort upper-cases letters, which puts
	// them before "_" (0x5F); byte order would put "_" first.
	body, err := Encode(map[string]string{"b_c": "1", "bc": "2", "B": "3", "a": "4", "": "5"})
	require.NoError(t, err)
	require.Equal(t, `{"":"5","a":"4","B":"3","bc":"2","b_c":"1"}`, string(body))

	empty, err := Encode(nil)
	require.NoError(t, err)
	require.Equal(t, "[]", string(empty))
}

func TestEncodePHPRefuses(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name   string
		fields map[string]string
	}{
		{"digit in key", map[string]string{"a1": "x"}},
		{"integer key", map[string]string{"0": "x"}},
		{"space in key", map[string]string{"a b": "x"}},
		{"tab in key", map[string]string{"\ta": "x"}},
		{"keys differing in case", map[string]string{"ab": "x", "AB": "y"}},
		{"invalid UTF-8 key", map[string]string{"a\xff": "x"}},
		{"invalid UTF-8 value", map[string]string{"a": "\xc3"}},
		{"surrogate bytes in value", map[string]string{"a": "\xed\xa0\x80"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			_, err := Encode(tt.fields)
			require.ErrorIs(t, err, ErrUnencodable)
		})
	}
}

func TestMerchantReencode(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		body string
		want string // "" means an error is expected
	}{
		{"sorted stays", `{"a":"1","b":"2"}`, `{"a":"1","b":"2"}`},
		{"unsorted is sorted", `{"b":"2","a":"1"}`, `{"a":"1","b":"2"}`},
		{"whitespace dropped", " {\n\t\"a\" : \"1\" ,\r\"b\":\"2\" } ", `{"a":"1","b":"2"}`},
		{"unicode re-escaped", `{"a":"ñ\u00F1\/"}`, `{"a":"\u00f1\u00f1\/"}`},
		{"pair re-escaped", `{"a":"\uD83D\uDE00"}`, `{"a":"\ud83d\ude00"}`},
		{"duplicate keeps last value", `{"b":"1","a":"x","b":"2"}`, `{"a":"x","b":"2"}`},
		{"empty object is a PHP array", `{}`, `[]`},
		{"integer keys make a list", `{"1":"b","0":"a"}`, `["a","b"]`},
		{"non sequential integer keys stay an object", `{"2":"b","0":"a"}`, `{"0":"a","2":"b"}`},
		{"natural order", `{"a10":"x","a9":"y"}`, `{"a9":"y","a10":"x"}`},
		{"NUL escape", `{"a":"\u0000"}`, `{"a":"\u0000"}`},
		{"not an object", `["a"]`, ""},
		{"number value", `{"a":1}`, ""},
		{"null value", `{"a":null}`, ""},
		{"nested value", `{"a":{"b":"c"}}`, ""},
		{"lone high surrogate", `{"a":"\ud800"}`, ""},
		{"lone low surrogate", `{"a":"\udc00"}`, ""},
		{"high then non-low", `{"a":"\ud800\u0041"}`, ""},
		{"raw control char", "{\"a\":\"\n\"}", ""},
		{"invalid UTF-8", "{\"a\":\"\xff\"}", ""},
		{"bad escape", `{"a":"\x"}`, ""},
		{"short unicode escape", `{"a":"\u12"}`, ""},
		{"trailing data", `{"a":"1"}x`, ""},
		{"trailing comma", `{"a":"1",}`, ""},
		{"unterminated", `{"a":"1"`, ""},
		{"empty body", ``, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			got, err := Reencode([]byte(tt.body))
			if tt.want == "" {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, string(got))
		})
	}
}

func TestPHPNatCaseCompare(t *testing.T) {
	t.Parallel()

	// Signs are those of PHP 8's strnatcasecmp on the same pair.
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "a", -1},
		{"a", "A", 0},
		{"abc", "abd", -1},
		{"ab", "abc", -1},
		{"bc", "b_c", -1},
		{"a2", "a10", -1},
		{"a02", "a1", -1},
		{"001", "1", 0},
		{"a b", "ab", 0},
		{"x1.5", "x1.10", -1},
		{"img12", "img10", 1},
		{"Z", "a", 1},
		{"ñ", "z", 1},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, NatCaseCompare(tt.a, tt.b), "%q vs %q", tt.a, tt.b)
		require.Equal(t, -tt.want, NatCaseCompare(tt.b, tt.a), "%q vs %q", tt.b, tt.a)
	}
}

// TestAgainstRealPHP compares Reencode and the natural comparison
// with a real PHP (Debian's php-cli, which scripts/test installs). Outside
// the script it is skipped when PHP is missing; under it
// (PASARELA_REQUIRE_PHP) a missing PHP fails the test.
func TestAgainstRealPHP(t *testing.T) {
	t.Parallel()

	php, err := exec.LookPath("php")
	if err != nil {
		if os.Getenv("PASARELA_REQUIRE_PHP") != "" {
			t.Fatal("php not installed and PASARELA_REQUIRE_PHP is set: apt-get install php-cli")
		}
		t.Skip("php not installed (set PASARELA_REQUIRE_PHP to fail instead)")
	}
	const script = `while (($l = fgets(STDIN)) !== false) {
  [$kind, $a, $b] = array_pad(explode(" ", trim($l)), 3, "");
  if ($kind === "cmp") { echo strnatcasecmp(base64_decode($a), base64_decode($b)) <=> 0, "\n"; continue; }
  $v = json_decode(base64_decode($a), true);
  if (!is_array($v)) { echo "ERR\n"; continue; }
  ksort($v, SORT_NATURAL | SORT_FLAG_CASE);
  $o = json_encode($v);
  echo $o === false ? "ERR" : base64_encode($o), "\n";
}`
	rng := rand.New(rand.NewPCG(1, 2))
	var in bytes.Buffer
	type pending struct {
		cmp        bool
		a, b, body string
	}
	var cases []pending
	for range 3000 {
		if rng.IntN(3) == 0 {
			a, b := randomPHPString(rng, true), randomPHPString(rng, true)
			cases = append(cases, pending{cmp: true, a: a, b: b})
			in.WriteString("cmp " + base64.StdEncoding.EncodeToString([]byte(a)) + " " + base64.StdEncoding.EncodeToString([]byte(b)) + "\n")
			continue
		}
		body := randomBody(rng)
		cases = append(cases, pending{body: body})
		in.WriteString("enc " + base64.StdEncoding.EncodeToString([]byte(body)) + "\n")
	}
	cmd := exec.Command(php, "-r", script)
	cmd.Stdin = &in
	out, err := cmd.Output()
	require.NoError(t, err)

	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for _, c := range cases {
		require.True(t, sc.Scan())
		line := sc.Text()
		if c.cmp {
			want := map[string]int{"-1": -1, "0": 0, "1": 1}[line]
			require.Equal(t, want, NatCaseCompare(c.a, c.b), "strnatcasecmp(%q, %q)", c.a, c.b)
			continue
		}
		got, err := Reencode([]byte(c.body))
		if line == "ERR" {
			require.Error(t, err, "PHP refused %q", c.body)
			continue
		}
		want, decErr := base64.StdEncoding.DecodeString(line)
		require.NoError(t, decErr)
		require.NoError(t, err, "body %q", c.body)
		require.Equal(t, string(want), string(got), "body %q", c.body)
	}
}

// randomPHPString draws from characters that exercise PHP's natural sort
// and escaping: digits, whitespace, case, "_", controls, non-ASCII.
func randomPHPString(rng *rand.Rand, key bool) string {
	alphabet := []string{"a", "B", "b", "_", "0", "1", "9", " ", "\t", "-", ".", "/", "ñ", "Z", "😀"}
	if !key {
		alphabet = append(alphabet, "\"", "\\", "\x01", "\x7f", "<", "&", "\u2028")
	}
	var sb strings.Builder
	for range rng.IntN(6) {
		sb.WriteString(alphabet[rng.IntN(len(alphabet))])
	}
	return sb.String()
}

// randomBody builds a JSON object of strings, sometimes malformed the ways
// PHP refuses.
func randomBody(rng *rand.Rand) string {
	var sb strings.Builder
	sb.WriteString("{")
	for i := range rng.IntN(6) {
		if i > 0 {
			sb.WriteString(",")
		}
		k, _ := json.Marshal(randomPHPString(rng, true))
		v, _ := json.Marshal(randomPHPString(rng, false))
		sb.Write(k)
		sb.WriteString(":")
		sb.Write(v)
	}
	sb.WriteString("}")
	s := sb.String()
	switch rng.IntN(20) {
	case 0:
		s = strings.Replace(s, `":"`, `":"\ud800`, 1)
	case 1:
		s = strings.Replace(s, `":"`, "\":\"\xff", 1)
	case 2:
		s = strings.Replace(s, `":"`, "\":\"\x02", 1)
	}
	return s
}

func FuzzPHPJSON(f *testing.F) {
	f.Add("transaction_id", "ZISS-A7Q8", "custom", "Producto 1 / Niño <&>", "price", "10.00")
	f.Add("a", "\x00\x1f\x7f", "B", "😀\u2028", "b_c", "\"\\/")
	f.Add("", "", "ab", "x", "AB", "y")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3 string) {
		fields := map[string]string{k1: v1, k2: v2, k3: v3}
		body, err := Encode(fields)
		if err != nil {
			require.ErrorIs(t, err, ErrUnencodable)
			require.True(t, unencodable(fields), "refused %q: %v", fields, err)
			return
		}
		require.True(t, utf8.Valid(body))

		again, err := Reencode(body)
		require.NoError(t, err)
		require.Equal(t, string(body), string(again))

		// An independent decoder must read back the same map.
		var back map[string]string
		if len(fields) == 0 {
			return
		}
		require.NoError(t, json.Unmarshal(body, &back))
		require.Equal(t, fields, back)
	})
}

// unencodable restates Encode's documented refusals.
func unencodable(fields map[string]string) bool {
	folded := map[string]bool{}
	for k, v := range fields {
		if !utf8.ValidString(k) || !utf8.ValidString(v) || strings.ContainsAny(k, "0123456789 \t\n\v\f\r") {
			return true
		}
		if folded[asciiOnlyUpper(k)] {
			return true
		}
		folded[asciiOnlyUpper(k)] = true
	}
	return false
}

func asciiOnlyUpper(s string) string {
	b := []byte(s)
	for i := range b {
		b[i] = asciiUpper(b[i])
	}
	return string(b)
}

func TestUnencodableHelper(t *testing.T) {
	t.Parallel()

	require.False(t, unencodable(map[string]string{"a": "1", "b": "2"}))
	require.True(t, unencodable(map[string]string{"a": "1", "A": "2"}))
	require.False(t, unencodable(map[string]string{"ñ": "1", "Ñ": "2"}))
}
