package etpay

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"https://shop.example/ok", "http://localhost:8080/hook", "HTTPS://SHOP.EXAMPLE/OK",
		"https://shop.example/ok?a=1&b=2#frag", "https://[::1]:8443/x", "https://192.0.2.1/x",
		"https://tienda.example/pago/éxito",
	} {
		require.Nil(t, checkURL(u, "f"), u)
	}
	for _, u := range []string{
		"", "shop.example/ok", "//shop.example/ok", "/ok", "mailto:a@b.cl", "data:text/html,x",
		"javascript:alert(1)", "https:shop.example", "https://", "https://:443/", "https://a@shop.example/",
		"https://a:b@shop.example/", "https://shop.example/\x00", "https://shop.example/a b",
		"https://shop.example/\u00a0", "https://shop.example/" + strings.Repeat("a", MaxURLLen),
		"https://shop.example:99999999999/", "https://shop.example/%zz",
	} {
		e := checkURL(u, "f")
		require.NotNil(t, e, u)
		require.Equal(t, CodeInvalidURL, e.Code)
		require.Equal(t, "f", e.Field)
	}
}

func TestCheckEmail(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"payer@example.com", "a.b+c@mail.example.cl", "ñandú@example.cl"} {
		require.Nil(t, checkEmail(s), s)
	}
	for _, s := range []string{
		"", "payer", "@example.com", "payer@", "payer@example", "payer@example.", "payer@.example.com",
		"payer@[192.0.2.1]", "Payer <payer@example.com>", "<payer@example.com>", "payer@example.com ",
		"pa yer@example.com", "payer@exa mple.com", "a@b@example.com", "payer@example.com\n",
		strings.Repeat("a", 65) + "@example.com",
	} {
		e := checkEmail(s)
		require.NotNil(t, e, s)
		require.Equal(t, CodeInvalidEmail, e.Code)
	}
}

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	ok := map[string]string{
		"5512345678": "5512345678", "55 1234 5678": "5512345678", "(55) 1234-5678": "5512345678",
		"+52 55 1234 5678": "5512345678", "525512345678": "5512345678", "55.1234.5678": "5512345678",
		" 5512345678 ": "5512345678",
	}
	for in, want := range ok {
		got, valid := NormalizePhone(in)
		require.True(t, valid, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "551234567", "55123456789", "+1 5512345678", "+5512345678",
		"55-CALL-ME", "５５12345678", "++525512345678", "55+12345678", "5512345678x"} {
		got, valid := NormalizePhone(in)
		require.False(t, valid, in)
		require.Equal(t, in, got)
	}
}

func TestPrintable(t *testing.T) {
	t.Parallel()
	require.True(t, printable("OC-1 ñ €"))
	require.True(t, printable(""))
	for _, s := range []string{"a\tb", "a\nb", "a\x7fb", "\xff", "a\u200bb", "a\u202eb", "a\u00a0b"} {
		require.False(t, printable(s), "%q", s)
	}
}
