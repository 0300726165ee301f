package payretailers

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeRequestLenient(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		body    string
		service string
		price   Price
	}{
		{"strings", `{"pg_serviceid":"123","pg_price":"10.00"}`, "123", Price{Kind: PriceString, Raw: "10.00"}},
		{"numbers", `{"pg_serviceid":123,"pg_price":10}`, "123", Price{Kind: PriceNumber, Raw: "10"}},
		{"php float", `{"pg_serviceid":123,"pg_price":10.5}`, "123", Price{Kind: PriceNumber, Raw: "10.5"}},
		{"nulls", `{"pg_serviceid":null,"pg_price":null}`, "", Price{}},
		{"absent", `{}`, "", Price{}},
		{"whitespace", " {\n \"pg_serviceid\" : \"123\" } ", "123", Price{}},
		{"duplicate keeps last", `{"pg_serviceid":"1","pg_serviceid":"2"}`, "2", Price{}},
		{"unknown fields ignored", `{"pg_serviceid":"1","pg_mode":"api","pg_bic":"X","extra":{"a":[1]}}`, "1", Price{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			var r CreatePaymentRequest
			require.NoError(t, decodeRequest([]byte(tt.body), &r))
			require.Equal(t, tt.service, r.ServiceID)
			require.Equal(t, tt.price, r.Price)
		})
	}
}

func TestDecodeRequestPriceShapesAgree(t *testing.T) {
	t.Parallel()

	// The official SDK may send 10 where the docs say "10.00": both are
	// 1000 cents.
	for _, body := range []string{
		`{"pg_price":"10.00","pg_currency":"USD"}`,
		`{"pg_price":10,"pg_currency":"USD"}`,
		`{"pg_price":10.0,"pg_currency":"USD"}`,
		`{"pg_price":1e1,"pg_currency":"USD"}`,
	} {
		var r CreatePaymentRequest
		require.NoError(t, decodeRequest([]byte(body), &r))
		n, err := r.Price.Minor("pg_price", r.Currency)
		require.NoError(t, err, body)
		require.Equal(t, int64(1000), n, body)
	}
	var r CreatePaymentRequest
	require.NoError(t, decodeRequest([]byte(`{"pg_price":"10","pg_currency":"USD"}`), &r))
	_, err := r.Price.Minor("pg_price", r.Currency)
	requireCode(t, err, CodeInvalidPrice)
	_, err = Price{}.Minor("pg_price", "USD")
	requireCode(t, err, CodeMissingField)
}

func TestDecodeRequestErrors(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name  string
		body  string
		code  string
		field string
	}{
		{"empty", ``, CodeInvalidJSON, ""},
		{"null", `null`, CodeInvalidJSON, ""},
		{"array", `[{"pg_serviceid":"1"}]`, CodeInvalidJSON, ""},
		{"string", `"x"`, CodeInvalidJSON, ""},
		{"truncated", `{"pg_serviceid":"1"`, CodeInvalidJSON, ""},
		{"trailing garbage", `{"pg_serviceid":"1"}x`, CodeInvalidJSON, ""},
		{"invalid UTF-8", "{\"pg_serviceid\":\"\xff\"}", CodeInvalidJSON, ""},
		{"bool service", `{"pg_serviceid":true}`, CodeInvalidField, "pg_serviceid"},
		{"object email", `{"pg_email":{"a":"b"}}`, CodeInvalidField, "pg_email"},
		{"array custom", `{"pg_custom":["a"]}`, CodeInvalidField, "pg_custom"},
		{"bool price", `{"pg_price":false}`, CodeInvalidField, "pg_price"},
		{"array price", `{"pg_price":[10]}`, CodeInvalidField, "pg_price"},
		{"alias wrong type", `{"pg_personal_id":true}`, CodeInvalidField, "pg_personal_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			var r CreatePaymentRequest
			err := decodeRequest([]byte(tt.body), &r)
			requireCode(t, err, tt.code)
			require.Equal(t, tt.field, err.(*Error).Field)
		})
	}
}

func TestDecodeRequestAlias(t *testing.T) {
	t.Parallel()

	var r CreatePaymentRequest
	require.NoError(t, decodeRequest([]byte(`{"pg_personal_id":"11.111.111-1"}`), &r))
	require.Equal(t, "11.111.111-1", r.PersonalID)

	// The documented name wins when both are sent.
	require.NoError(t, decodeRequest([]byte(`{"pg_personal_id":"b","pg_personalid":"a"}`), &r))
	require.Equal(t, "a", r.PersonalID)
}

func TestDecodeRequestOfficialSDKBody(t *testing.T) {
	t.Parallel()

	// What the PHP SDK's createPayment sends: json_encode(..., JSON_FORCE_OBJECT)
	// of its args, in its own order, price as a PHP number, plus pg_token.
	body := `{"pg_currency":"EUR","pg_price":100,"pg_country":"DE","pg_language":"en","pg_mode":"api","pg_method":"creditcard","pg_first_name":"John","pg_last_name":"Doe","pg_email":"jdoe@my-site.com","pg_ip":"127.0.0.1","pg_bic":"123423432","pg_return_url":"https:\/\/www.my-site.com\/success","pg_cancel_url":"https:\/\/www.my-site.com\/failure","pg_name":"Payment From Paygol","pg_serviceid":"123","pg_token":"dce5b070ba65626dccd4ad700fdf3c1d219105a1"}`
	var r CreatePaymentRequest
	require.NoError(t, decodeRequest([]byte(body), &r))
	require.Equal(t, CreatePaymentRequest{
		BIC: "123423432", CancelURL: "https://www.my-site.com/failure", Country: "DE",
		Currency: "EUR", Email: "jdoe@my-site.com", FirstName: "John", IP: "127.0.0.1",
		Language: "en", LastName: "Doe", Method: "creditcard", Mode: "api",
		Name: "Payment From Paygol", Price: Price{Kind: PriceNumber, Raw: "100"},
		ReturnURL: "https://www.my-site.com/success", ServiceID: "123",
		Token: "dce5b070ba65626dccd4ad700fdf3c1d219105a1",
	}, r)
}

func TestServiceIDOf(t *testing.T) {
	t.Parallel()

	id, err := ServiceIDOf([]byte(`{"pg_serviceid":123,"pg_price":true}`))
	require.NoError(t, err)
	require.Equal(t, "123", id)

	_, err = ServiceIDOf([]byte(`{"pg_price":"1.00"}`))
	requireCode(t, err, CodeMissingField)
	_, err = ServiceIDOf([]byte(`nope`))
	requireCode(t, err, CodeInvalidJSON)
}

func TestDecodeEveryRequestType(t *testing.T) {
	t.Parallel()

	body := []byte(`{"pg_serviceid":7,"pg_token":"tok","pg_country":"cl","transaction_id":"tx","pg_email":"a@b.cl",
		"pg_return_url":"https://a.cl/ok","pg_cancel_url":"https://a.cl/ko","pg_oneclick_card":"card","pg_price":"1.00"}`)
	reqs := []any{
		&AuthTokenRequest{}, &MethodsRequest{}, &CreatePaymentRequest{}, &PaymentStatusRequest{},
		&WebcheckoutRequest{}, &NotificationStatusRequest{}, &OneClickRegisterRequest{},
		&OneClickConfirmRequest{}, &OneClickChargeRequest{}, &OneClickUnregisterRequest{},
		&OneClickCardsRequest{},
	}
	for _, r := range reqs {
		require.NoError(t, decodeRequest(body, r))
	}
	require.Equal(t, "tx", reqs[3].(*PaymentStatusRequest).TransactionID)
	require.Equal(t, "tok", reqs[7].(*OneClickConfirmRequest).EnrollmentToken)
	require.Equal(t, "card", reqs[9].(*OneClickUnregisterRequest).Card)
	require.Equal(t, "7", reqs[10].(*OneClickCardsRequest).ServiceID)

	require.Panics(t, func() { _ = decodeRequest(body, AuthTokenRequest{}) })
}

func TestParseWebcheckoutForm(t *testing.T) {
	t.Parallel()

	form := url.Values{
		"pg_serviceid":   {"123", "999"},
		"pg_price":       {"3500"},
		"pg_currency":    {"CLP"},
		"pg_name":        {"Shop | Order #42"},
		"pg_custom":      {"42"},
		"pg_return_url":  {"https://shop.example/ok"},
		"pg_cancel_url":  {"https://shop.example/ko"},
		"pg_personal_id": {"1-9"},
		"pg_button":      {""},
	}
	r := ParseWebcheckoutForm(form)
	require.Equal(t, WebcheckoutRequest{
		CancelURL: "https://shop.example/ko", Currency: "CLP", Custom: "42",
		Name: "Shop | Order #42", PersonalID: "1-9", Price: Price{Kind: PriceForm, Raw: "3500"},
		ReturnURL: "https://shop.example/ok", ServiceID: "123",
	}, r)
	require.NoError(t, r.Validate())
	require.Equal(t, int64(3500), r.Amount)

	empty := ParseWebcheckoutForm(url.Values{"pg_price": {""}})
	require.Equal(t, Price{}, empty.Price)
}

// decodeRequest is what the endpoint does with a body: ParseFields, then
// Fields.Decode.
func decodeRequest(body []byte, dst any) error {
	f, err := ParseFields(body)
	if err != nil {
		return err
	}
	return f.Decode(dst)
}

// BenchmarkDecodeCreate is the endpoint's parsing of a typical
// payment/create body: its members once, then the request struct.
func BenchmarkDecodeCreate(b *testing.B) {
	body := []byte(`{"pg_cancel_url":"https://shop.example/cancel","pg_country":"CL","pg_currency":"CLP","pg_custom":"n-1",` +
		`"pg_email":"payer1@example.com","pg_first_name":"Ana","pg_ip":"190.22.1.1","pg_last_name":"Pérez","pg_method":"webpay",` +
		`"pg_price":"1000.00","pg_return_url":"https://shop.example/ok","pg_serviceid":"123","pg_token":"abc"}`)
	b.ReportAllocs()
	for b.Loop() {
		f, err := ParseFields(body)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.ServiceID(); err != nil {
			b.Fatal(err)
		}
		var r CreatePaymentRequest
		if err := f.Decode(&r); err != nil {
			b.Fatal(err)
		}
	}
}
