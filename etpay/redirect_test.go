package etpay

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestResultURL(t *testing.T) {
	t.Parallel()
	const jwt = "aaa.bbb.ccc"
	tests := []struct {
		name, base, concat, want string
	}{
		{"no query", "https://shop.example/ok", "", "https://shop.example/ok?jwt=aaa.bbb.ccc"},
		{"query", "https://shop.example/ok?order=1", "", "https://shop.example/ok?order=1&jwt=aaa.bbb.ccc"},
		{"ends with ?", "https://shop.example/ok?", "", "https://shop.example/ok?jwt=aaa.bbb.ccc"},
		{"ends with &", "https://shop.example/ok?a=1&", "", "https://shop.example/ok?a=1&jwt=aaa.bbb.ccc"},
		{"hash route", "https://shop.example/#/done", "", "https://shop.example/#/done?jwt=aaa.bbb.ccc"},
		{"hash route with query", "https://shop.example/#/done?x=1", "", "https://shop.example/#/done?x=1&jwt=aaa.bbb.ccc"},
		{"concat &", "https://shop.example/ok?order=1", "&", "https://shop.example/ok?order=1&jwt=aaa.bbb.ccc"},
		{"concat ? on query (merchant's choice)", "https://shop.example/ok?order=1", "?", "https://shop.example/ok?order=1?jwt=aaa.bbb.ccc"},
		{"concat #", "https://shop.example/ok", "#", "https://shop.example/ok#jwt=aaa.bbb.ccc"},
		{"concat /", "https://shop.example/ok", "/", "https://shop.example/ok/jwt=aaa.bbb.ccc"},
		{"concat ;", "https://shop.example/ok", ";", "https://shop.example/ok;jwt=aaa.bbb.ccc"},
		{"bare host", "https://shop.example", "", "https://shop.example?jwt=aaa.bbb.ccc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, ResultURL(tc.base, tc.concat, jwt))
		})
	}
}
