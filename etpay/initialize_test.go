package etpay

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// base is a valid request; tests change one field at a time.
func base() map[string]any {
	return map[string]any{
		"merchant_code":      "cl_demo_cl",
		"merchant_api_token": "4a005f0eca91cd9474cadce4e5fc6f91c64a608b48f7b4b31344f8b20e270079",
		"merchant_order_id":  "OC-700104",
		"order_amount":       50000,
	}
}

// with returns base() with key set to value (or removed when value is
// the remove marker).
func with(kv ...any) []byte {
	m := base()
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == remove {
			delete(m, kv[i].(string))
			continue
		}
		m[kv[i].(string)] = kv[i+1]
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

type removeMarker struct{}

var remove = removeMarker{}

func requireCode(t *testing.T, err error, code, field string) {
	t.Helper()
	var e *Error
	require.True(t, errors.As(err, &e), "want *Error, got %v", err)
	require.Equal(t, code, e.Code, e.Message)
	require.Equal(t, 400, e.Status)
	if field != "" {
		require.Equal(t, field, e.Field)
	}
	require.NotEmpty(t, e.Message)
}

func TestParseInitializeSeedExample(t *testing.T) {
	t.Parallel()
	// The seed document's call, as the official SDK sends it.
	body := `{"merchant_code":"cl_demo_cl","merchant_api_token":"4a005f0eca91cd9474cadce4e5fc6f91c64a608b48f7b4b31344f8b20e270079",
	"merchant_order_id":"OC-700104","order_amount":50000,"customer_email":"payer@example.com",
	"metadata":[{"name":"Cuenta Servicio Gas","value":"30.215","show":true}]}`
	r, err := ParseInitialize([]byte(body))
	require.NoError(t, err)
	require.NoError(t, r.Validate(false))
	require.Equal(t, InitializeRequest{
		MerchantCode:     "cl_demo_cl",
		MerchantAPIToken: "4a005f0eca91cd9474cadce4e5fc6f91c64a608b48f7b4b31344f8b20e270079",
		MerchantOrderID:  "OC-700104",
		OrderAmount:      50000,
		CustomerEmail:    "payer@example.com",
		Metadata:         []Metadata{{Name: "Cuenta Servicio Gas", Value: "30.215", Show: true}},
	}, r)
	require.Equal(t, "CL", r.Country())
	require.Equal(t, "CLP", r.Currency())
	require.Equal(t, int64(50000), r.AmountMinor())
}

func TestParseInitializeAllFields(t *testing.T) {
	t.Parallel()
	body := with(
		"customer_email", " payer@example.com ",
		"metadata", []any{
			map[string]any{"name": "Cuenta", "value": 30.215, "show": "True"},
			map[string]any{"name": "Hidden", "value": "x", "show": false},
			map[string]any{"name": "Default", "value": true},
		},
		"user_bank_code", "CL_BCH",
		"user_rut", "11.111.111-1",
		"is_rut_block", "True",
		"payment_completed_url", "https://shop.example/ok?order=1",
		"payment_cancellation_url", "https://shop.example/fail",
		"payment_webhook_url", "https://shop.example/hook",
		"concat", "&",
		"unknown_field", map[string]any{"ignored": true},
	)
	r, err := ParseInitialize(body)
	require.NoError(t, err)
	require.NoError(t, r.Validate(false))
	require.Equal(t, "payer@example.com", r.CustomerEmail)
	require.Equal(t, "cl_bch", r.UserBankCode)
	require.Equal(t, "11111111-1", r.UserRUT)
	require.True(t, r.IsRUTBlock)
	require.Equal(t, []Metadata{
		{Name: "Cuenta", Value: "30.215", Show: true},
		{Name: "Hidden", Value: "x", Show: false},
		{Name: "Default", Value: "true", Show: true},
	}, r.Metadata)
	require.Equal(t, "https://shop.example/ok?order=1", r.PaymentCompletedURL)
	require.Equal(t, "https://shop.example/fail", r.PaymentCancellationURL)
	require.Equal(t, "https://shop.example/hook", r.PaymentWebhookURL)
	require.Equal(t, "&", r.Concat)
}

func TestParseInitializeLenient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		body  []byte
		check func(*testing.T, InitializeRequest)
	}{
		{"amount integral float", with("order_amount", json.RawMessage("1000.0")), amountIs(1000)},
		{"amount exponent", with("order_amount", json.RawMessage("5e4")), amountIs(50000)},
		{"amount exponent with fraction", with("order_amount", json.RawMessage("1.5E3")), amountIs(1500)},
		{"amount trailing zeros", with("order_amount", json.RawMessage("1000.000")), amountIs(1000)},
		{"amount leading zero fraction", with("order_amount", json.RawMessage("0.1e4")), amountIs(1000)},
		{"amount string", with("order_amount", "1000"), amountIs(1000)},
		{"amount string spaces", with("order_amount", " 1000 "), amountIs(1000)},
		{"amount string .0", with("order_amount", "1000.0"), amountIs(1000)},
		{"amount string .00", with("order_amount", "1000.00"), amountIs(1000)},
		{"amount max", with("order_amount", MaxOrderAmount), amountIs(MaxOrderAmount)},
		{"amount max as float", with("order_amount", json.RawMessage("1e12")), amountIs(MaxOrderAmount)},
		{"bank upper case", with("user_bank_code", "CL_BCH"), func(t *testing.T, r InitializeRequest) { require.Equal(t, "cl_bch", r.UserBankCode) }},
		{"is_rut_block True", with("is_rut_block", "True", "user_rut", "111111111"), rutBlock(true)},
		{"is_rut_block true", with("is_rut_block", "true"), rutBlock(true)},
		{"is_rut_block bool", with("is_rut_block", true), rutBlock(true)},
		{"is_rut_block False", with("is_rut_block", "False"), rutBlock(false)},
		{"is_rut_block 1", with("is_rut_block", 1), rutBlock(true)},
		{"is_rut_block null", with("is_rut_block", nil), rutBlock(false)},
		{"rut plain", with("user_rut", "111111111"), rutIs("11111111-1")},
		{"rut number", with("user_rut", 111111111), rutIs("11111111-1")},
		{"rut k", with("user_rut", "1.000.005-k"), rutIs("1000005-K")},
		{"order id number", with("merchant_order_id", 700104), func(t *testing.T, r InitializeRequest) { require.Equal(t, "700104", r.MerchantOrderID) }},
		{"order id kept exactly", with("merchant_order_id", " OC 1 "), func(t *testing.T, r InitializeRequest) { require.Equal(t, " OC 1 ", r.MerchantOrderID) }},
		{"metadata number value keeps text", with("metadata", []any{map[string]any{"name": "n", "value": json.RawMessage("30.2150")}}), func(t *testing.T, r InitializeRequest) {
			require.Equal(t, "30.2150", r.Metadata[0].Value)
		}},
		{"metadata empty array", with("metadata", []any{}), func(t *testing.T, r InitializeRequest) { require.Nil(t, r.Metadata) }},
		{"null fields", with("customer_email", nil, "metadata", nil, "user_bank_code", nil), func(t *testing.T, r InitializeRequest) {
			require.Empty(t, r.CustomerEmail)
			require.Nil(t, r.Metadata)
		}},
		{"upper-case keys", []byte(`{"MERCHANT_CODE":"c","Merchant_Api_Token":"t","merchant_order_id":"o","ORDER_AMOUNT":"10"}`), amountIs(10)},
		{"double-encoded body", mustJSON(string(with())), amountIs(50000)},
		{"BOM", append([]byte{0xEF, 0xBB, 0xBF}, with()...), amountIs(50000)},
		{"mexican", with("user_bank_code", "MX_BBVA", "target_flow", "CoDi", "customer_phone", "+52 (55) 1234-5678"), func(t *testing.T, r InitializeRequest) {
			require.Equal(t, "mx_bbva", r.UserBankCode)
			require.Equal(t, "codi", r.TargetFlow)
			require.Equal(t, "5512345678", r.CustomerPhone)
			require.Equal(t, "MX", r.Country())
			require.Equal(t, "MXN", r.Currency())
			require.Equal(t, int64(5000000), r.AmountMinor())
		}},
		{"mexican phone as number", with("user_bank_code", "mx_bbva", "customer_phone", 5512345678), func(t *testing.T, r InitializeRequest) {
			require.Equal(t, "5512345678", r.CustomerPhone)
		}},
		{"mexican by target flow", with("target_flow", "spei"), func(t *testing.T, r InitializeRequest) { require.Equal(t, "MXN", r.Currency()) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := ParseInitialize(tc.body)
			require.NoError(t, err)
			require.NoError(t, r.Validate(false))
			tc.check(t, r)
		})
	}
}

func amountIs(want int64) func(*testing.T, InitializeRequest) {
	return func(t *testing.T, r InitializeRequest) { require.Equal(t, want, r.OrderAmount) }
}

func rutBlock(want bool) func(*testing.T, InitializeRequest) {
	return func(t *testing.T, r InitializeRequest) { require.Equal(t, want, r.IsRUTBlock) }
}

func rutIs(want string) func(*testing.T, InitializeRequest) {
	return func(t *testing.T, r InitializeRequest) { require.Equal(t, want, r.UserRUT) }
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// TestParseInitializeRejects covers bodies that cannot be represented at
// all: ParseInitialize itself refuses them.
func TestParseInitializeRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, code, field string
		body              []byte
	}{
		{"empty", CodeInvalidJSON, "", nil},
		{"not json", CodeInvalidJSON, "", []byte("merchant_code=x")},
		{"array", CodeInvalidJSON, "", []byte(`[{"merchant_code":"x"}]`)},
		{"truncated", CodeInvalidJSON, "", []byte(`{"merchant_code":"x"`)},
		{"string of non-object", CodeInvalidJSON, "", []byte(`"hello"`)},
		{"amount fraction", CodeInvalidOrderAmount, "order_amount", with("order_amount", json.RawMessage("1000.5"))},
		{"amount tiny fraction", CodeInvalidOrderAmount, "order_amount", with("order_amount", json.RawMessage("1000.0000001"))},
		{"amount negative exponent", CodeInvalidOrderAmount, "order_amount", with("order_amount", json.RawMessage("1e-1"))},
		{"amount string fraction", CodeInvalidOrderAmount, "order_amount", with("order_amount", "1000.5")},
		{"amount thousands dot", CodeInvalidOrderAmount, "order_amount", with("order_amount", "50.000")},
		{"amount thousands comma", CodeInvalidOrderAmount, "order_amount", with("order_amount", "50,000")},
		{"amount currency sign", CodeInvalidOrderAmount, "order_amount", with("order_amount", "$1000")},
		{"amount empty string", CodeInvalidOrderAmount, "order_amount", with("order_amount", "")},
		{"amount zero", CodeInvalidOrderAmount, "order_amount", with("order_amount", 0)},
		{"amount zero float", CodeInvalidOrderAmount, "order_amount", with("order_amount", json.RawMessage("0.0"))},
		{"amount negative", CodeInvalidOrderAmount, "order_amount", with("order_amount", -1)},
		{"amount negative string", CodeInvalidOrderAmount, "order_amount", with("order_amount", "-1")},
		{"amount too large", CodeInvalidOrderAmount, "order_amount", with("order_amount", MaxOrderAmount+1)},
		{"amount too large float", CodeInvalidOrderAmount, "order_amount", with("order_amount", json.RawMessage("1.0000000000001e12"))},
		{"amount huge", CodeInvalidOrderAmount, "order_amount", with("order_amount", json.RawMessage("99999999999999999999999999"))},
		{"amount huge exponent", CodeInvalidOrderAmount, "order_amount", with("order_amount", json.RawMessage("1e999999999"))},
		{"amount bool", CodeInvalidOrderAmount, "order_amount", with("order_amount", true)},
		{"amount object", CodeInvalidOrderAmount, "order_amount", with("order_amount", map[string]any{})},
		{"amount NaN", CodeInvalidOrderAmount, "order_amount", with("order_amount", "NaN")},
		{"code object", CodeInvalidField, "merchant_code", with("merchant_code", map[string]any{})},
		{"order id bool", CodeInvalidField, "merchant_order_id", with("merchant_order_id", true)},
		{"order id array", CodeInvalidField, "merchant_order_id", with("merchant_order_id", []string{"a"})},
		{"rut block maybe", CodeInvalidField, "is_rut_block", with("is_rut_block", "maybe")},
		{"rut block 2", CodeInvalidField, "is_rut_block", with("is_rut_block", 2)},
		{"metadata object", CodeInvalidMetadata, "metadata", with("metadata", map[string]any{"name": "x"})},
		{"metadata string", CodeInvalidMetadata, "metadata", with("metadata", "x")},
		{"metadata item not object", CodeInvalidMetadata, "metadata", with("metadata", []any{"x"})},
		{"metadata item null", CodeInvalidMetadata, "metadata", with("metadata", []any{nil})},
		{"metadata value object", CodeInvalidMetadata, "metadata", with("metadata", []any{map[string]any{"name": "n", "value": map[string]any{}}})},
		{"metadata show junk", CodeInvalidMetadata, "metadata", with("metadata", []any{map[string]any{"name": "n", "value": "v", "show": "perhaps"}})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseInitialize(tc.body)
			requireCode(t, err, tc.code, tc.field)
		})
	}
}

func TestParseInitializeAmountMessages(t *testing.T) {
	t.Parallel()
	_, err := ParseInitialize(with("order_amount", json.RawMessage("1000.5")))
	require.EqualError(t, err, `etpay: invalid_order_amount: order_amount must be a whole number without decimals (CLP has none), not "1000.5"; send the amount as a whole number of pesos, such as 50000`)
	_, err = ParseInitialize(with("order_amount", "50.000"))
	require.ErrorContains(t, err, "thousands separator")
}

// TestValidateRejects covers each field's bad values: they parse, and
// Validate refuses them with the field's code.
func TestValidateRejects(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("a", n) }
	url := func(n int) string { return "https://shop.example/" + long(n-len("https://shop.example/")) }
	md := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"name": fmt.Sprint("n", i), "value": "v"}
		}
		return out
	}
	tests := []struct {
		name, code, field string
		body              []byte
		sandbox           bool
	}{
		{"no merchant code", CodeMissingField, "merchant_code", with("merchant_code", remove), false},
		{"empty merchant code", CodeMissingField, "merchant_code", with("merchant_code", "  "), false},
		{"long merchant code", CodeInvalidMerchantCode, "merchant_code", with("merchant_code", long(65)), false},
		{"no token", CodeMissingField, "merchant_api_token", with("merchant_api_token", remove), false},
		{"no order id", CodeMissingField, "merchant_order_id", with("merchant_order_id", remove), false},
		{"empty order id", CodeMissingField, "merchant_order_id", with("merchant_order_id", ""), false},
		{"long order id", CodeInvalidOrderID, "merchant_order_id", with("merchant_order_id", long(65)), false},
		{"long order id in runes", CodeInvalidOrderID, "merchant_order_id", with("merchant_order_id", strings.Repeat("ñ", 65)), false},
		{"order id newline", CodeInvalidOrderID, "merchant_order_id", with("merchant_order_id", "OC\n1"), false},
		{"order id tab", CodeInvalidOrderID, "merchant_order_id", with("merchant_order_id", "OC\t1"), false},
		{"order id NUL", CodeInvalidOrderID, "merchant_order_id", with("merchant_order_id", "OC\x001"), false},
		{"order id RTL override", CodeInvalidOrderID, "merchant_order_id", with("merchant_order_id", "OC\u202e1"), false},
		{"no amount", CodeMissingField, "order_amount", with("order_amount", remove), false},
		{"null amount", CodeMissingField, "order_amount", with("order_amount", nil), false},
		{"unknown bank", CodeInvalidBankCode, "user_bank_code", with("user_bank_code", "cl_nope"), false},
		{"test bank in production", CodeInvalidBankCode, "user_bank_code", with("user_bank_code", "cl_test"), false},
		{"mx test bank in production", CodeInvalidBankCode, "user_bank_code", with("user_bank_code", "MX_TEST"), false},
		{"bad rut", CodeInvalidUserRUT, "user_rut", with("user_rut", "11.111.111-2"), false},
		{"rut letters", CodeInvalidUserRUT, "user_rut", with("user_rut", "abc"), false},
		{"rut in mexico", CodeInvalidUserRUT, "user_rut", with("user_bank_code", "mx_bbva", "user_rut", "11111111-1"), false},
		{"relative url", CodeInvalidURL, "payment_completed_url", with("payment_completed_url", "/ok"), false},
		{"ftp url", CodeInvalidURL, "payment_completed_url", with("payment_completed_url", "ftp://shop.example/ok"), false},
		{"javascript url", CodeInvalidURL, "payment_cancellation_url", with("payment_cancellation_url", "javascript:alert(1)"), false},
		{"no host", CodeInvalidURL, "payment_webhook_url", with("payment_webhook_url", "https:///ok"), false},
		{"user info", CodeInvalidURL, "payment_completed_url", with("payment_completed_url", "https://bank.cl@evil.example/"), false},
		{"space in url", CodeInvalidURL, "payment_completed_url", with("payment_completed_url", "https://shop.example/o k"), false},
		{"long url", CodeInvalidURL, "payment_webhook_url", with("payment_webhook_url", url(2049)), false},
		{"url bad port", CodeInvalidURL, "payment_webhook_url", with("payment_webhook_url", "https://shop.example:port/"), false},
		{"too much metadata", CodeInvalidMetadata, "metadata", with("metadata", md(21)), false},
		{"metadata no name", CodeInvalidMetadata, "metadata", with("metadata", []any{map[string]any{"value": "v"}}), false},
		{"metadata long name", CodeInvalidMetadata, "metadata", with("metadata", []any{map[string]any{"name": long(65), "value": "v"}}), false},
		{"metadata long value", CodeInvalidMetadata, "metadata", with("metadata", []any{map[string]any{"name": "n", "value": long(257)}}), false},
		{"metadata control char", CodeInvalidMetadata, "metadata", with("metadata", []any{map[string]any{"name": "n", "value": "a\x07"}}), false},
		{"email no at", CodeInvalidEmail, "customer_email", with("customer_email", "payer.example.com"), false},
		{"email display name", CodeInvalidEmail, "customer_email", with("customer_email", "Payer <payer@example.com>"), false},
		{"email no dot", CodeInvalidEmail, "customer_email", with("customer_email", "payer@localhost"), false},
		{"email two ats", CodeInvalidEmail, "customer_email", with("customer_email", "a@b@example.com"), false},
		{"email long", CodeInvalidEmail, "customer_email", with("customer_email", long(250)+"@example.com"), false},
		{"concat two chars", CodeInvalidConcat, "concat", with("concat", "&&"), false},
		{"concat letter", CodeInvalidConcat, "concat", with("concat", "x"), false},
		{"concat at", CodeInvalidConcat, "concat", with("concat", "@"), false},
		{"target flow in chile", CodeInvalidTargetFlow, "target_flow", with("user_bank_code", "cl_bch", "target_flow", "spei"), false},
		{"target flow unknown", CodeInvalidTargetFlow, "target_flow", with("user_bank_code", "mx_bbva", "target_flow", "cash"), false},
		{"target flow unknown no bank", CodeInvalidTargetFlow, "target_flow", with("target_flow", "wire"), false},
		{"phone in chile", CodeInvalidCustomerPhone, "customer_phone", with("customer_phone", "5512345678"), false},
		{"phone short", CodeInvalidCustomerPhone, "customer_phone", with("user_bank_code", "mx_bbva", "customer_phone", "551234567"), false},
		{"phone long", CodeInvalidCustomerPhone, "customer_phone", with("user_bank_code", "mx_bbva", "customer_phone", "55123456789"), false},
		{"phone letters", CodeInvalidCustomerPhone, "customer_phone", with("user_bank_code", "mx_bbva", "customer_phone", "55-CALL-ME"), false},
		{"phone other country", CodeInvalidCustomerPhone, "customer_phone", with("user_bank_code", "mx_bbva", "customer_phone", "+1 5512345678"), false},
		{"codi without phone", CodeMissingField, "customer_phone", with("user_bank_code", "mx_bbva", "target_flow", "codi"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := ParseInitialize(tc.body)
			require.NoError(t, err)
			requireCode(t, r.Validate(tc.sandbox), tc.code, tc.field)
		})
	}
}

func TestValidateSandbox(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"cl_test", "CL_TEST", "mx_test"} {
		r, err := ParseInitialize(with("user_bank_code", code))
		require.NoError(t, err)
		require.NoError(t, r.Validate(true), code)
		require.Error(t, r.Validate(false), code)
	}
}

func TestValidateAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body []byte
	}{
		{"order id 64 runes", with("merchant_order_id", strings.Repeat("ñ", 64))},
		{"order id one char", with("merchant_order_id", "1")},
		{"order id spaces and symbols", with("merchant_order_id", "OC 1/2 #3 (á)")},
		{"20 metadata", with("metadata", func() []any {
			out := make([]any, 20)
			for i := range out {
				out[i] = map[string]any{"name": strings.Repeat("n", 64), "value": strings.Repeat("v", 256)}
			}
			return out
		}())},
		{"metadata empty value", with("metadata", []any{map[string]any{"name": "n", "value": ""}})},
		{"http localhost", with("payment_webhook_url", "http://localhost:8081/hook")},
		{"url with fragment", with("payment_completed_url", "https://shop.example/#/done")},
		{"url 2048", with("payment_completed_url", "https://shop.example/"+strings.Repeat("a", 2048-len("https://shop.example/")))},
		{"each concat", with("concat", "#")},
		{"slash concat", with("concat", "/")},
		{"semicolon concat", with("concat", ";")},
		{"question concat", with("concat", "?")},
		{"email plus", with("customer_email", "payer+tag@mail.example.cl")},
		{"spei without phone", with("user_bank_code", "mx_banorte", "target_flow", "spei")},
		{"mexico without flow", with("user_bank_code", "mx_banorte")},
		{"codi no bank", with("target_flow", "codi", "customer_phone", "55 1234 5678")},
		{"rut block without rut", with("is_rut_block", "True")},
		{"every chilean bank", with("user_bank_code", "cl_mach")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := ParseInitialize(tc.body)
			require.NoError(t, err)
			require.NoError(t, r.Validate(false))
		})
	}
}

// TestValidateUnnormalised: Validate accepts values as a caller may build
// them by hand, not only as ParseInitialize normalised them, and it returns
// a nil error interface (not a typed nil) on success.
func TestValidateUnnormalised(t *testing.T) {
	t.Parallel()
	r := InitializeRequest{
		MerchantCode: "c", MerchantAPIToken: "t", MerchantOrderID: "o", OrderAmount: 1,
		UserBankCode: "CL_BCI", UserRUT: "11.111.111-1",
	}
	err := r.Validate(false)
	require.NoError(t, err)
	require.True(t, err == nil)

	r.OrderAmount = -5
	requireCode(t, r.Validate(false), CodeInvalidOrderAmount, "order_amount")
	r.OrderAmount = MaxOrderAmount + 1
	requireCode(t, r.Validate(false), CodeInvalidOrderAmount, "order_amount")

	mx := InitializeRequest{
		MerchantCode: "c", MerchantAPIToken: "t", MerchantOrderID: "o", OrderAmount: 1,
		UserBankCode: "MX_BBVA", TargetFlow: "CODI", CustomerPhone: "+52 55 1234 5678",
	}
	require.NoError(t, mx.Validate(false))
}

func TestValidateTokenJunkIsUnauthorized(t *testing.T) {
	t.Parallel()
	r, err := ParseInitialize(with("merchant_api_token", strings.Repeat("x", MaxAPITokenLen+1)))
	require.NoError(t, err)
	var e *Error
	require.ErrorAs(t, r.Validate(false), &e)
	require.Equal(t, 401, e.Status)
}

func TestAmountConversions(t *testing.T) {
	t.Parallel()
	require.Equal(t, int64(50000), MinorUnits(50000, "CLP"))
	require.Equal(t, int64(5000000), MinorUnits(50000, "MXN"))
	require.Equal(t, int64(50000), WireAmount(5000000, "MXN"))
	require.Equal(t, int64(50000), WireAmount(50000, "CLP"))
	// The largest amount still fits the payment domain's bound in centavos.
	require.Equal(t, int64(100_000_000_000_000), MinorUnits(MaxOrderAmount, "MXN"))
}
