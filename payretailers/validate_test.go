package payretailers

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// validCreate is a create request that passes; each case breaks one field.
func validCreate() CreatePaymentRequest {
	return CreatePaymentRequest{
		Address:        "Av. Providencia 1234",
		CancelURL:      "http://www.mi-sitio.com/pago-cancelado",
		City:           "Santiago",
		Country:        "cl",
		Currency:       "clp",
		Custom:         "Pago cuenta VIP",
		Email:          "roberto@gmail.com",
		FirstName:      "Roberto",
		IP:             "190.22.1.1",
		Language:       "es-CL",
		LastName:       "Fernández",
		Method:         "WebPay",
		Name:           "Cuenta VIP",
		PersonalID:     "11.111.111-1",
		Phone:          "+56 9 1234 5678",
		Price:          Price{Kind: PriceString, Raw: "3500.00"},
		ReturnURL:      "https://www.mi-sitio.com/pago-ok",
		ServiceID:      "123",
		SubMerchantID:  "sub-1",
		SubMerchantURL: "https://sub.example",
	}
}

func TestCreatePaymentValidateNormalises(t *testing.T) {
	t.Parallel()

	r := validCreate()
	require.NoError(t, r.Validate())
	require.Equal(t, "CL", r.Country)
	require.Equal(t, "CLP", r.Currency)
	require.Equal(t, "webpay", r.Method)
	require.Equal(t, "es", r.Language)
	require.Equal(t, int64(3500), r.Amount)

	// Redirect URLs may be left to the merchant's defaults.
	r = validCreate()
	r.ReturnURL, r.CancelURL = "", ""
	require.NoError(t, r.Validate())

	// Control characters are fine in the merchant's opaque field.
	r = validCreate()
	r.Custom = "line1\nline2\x00"
	require.NoError(t, r.Validate())

	r = validCreate()
	r.IP = "2001:db8::1"
	r.Price = Price{Kind: PriceNumber, Raw: "3500"}
	require.NoError(t, r.Validate())
}

func TestCreatePaymentValidateRejects(t *testing.T) {
	t.Parallel()

	long := func(n int) string { return strings.Repeat("ñ", n) }
	tests := []struct {
		name   string
		change func(r *CreatePaymentRequest)
		code   string
		field  string
	}{
		{"missing service", func(r *CreatePaymentRequest) { r.ServiceID = "" }, CodeMissingField, "pg_serviceid"},
		{"long service", func(r *CreatePaymentRequest) { r.ServiceID = long(65) }, CodeFieldTooLong, "pg_serviceid"},
		{"missing ip", func(r *CreatePaymentRequest) { r.IP = "" }, CodeMissingField, "pg_ip"},
		{"bad ip", func(r *CreatePaymentRequest) { r.IP = "999.1.1.1" }, CodeInvalidIP, "pg_ip"},
		{"ip with zone", func(r *CreatePaymentRequest) { r.IP = "fe80::1%eth0" }, CodeInvalidIP, "pg_ip"},
		{"ip with port", func(r *CreatePaymentRequest) { r.IP = "1.2.3.4:80" }, CodeInvalidIP, "pg_ip"},
		{"missing currency", func(r *CreatePaymentRequest) { r.Currency = "" }, CodeMissingField, "pg_currency"},
		{"unknown currency", func(r *CreatePaymentRequest) { r.Currency = "XXX" }, CodeInvalidCurrency, "pg_currency"},
		{"currency name", func(r *CreatePaymentRequest) { r.Currency = "pesos" }, CodeInvalidCurrency, "pg_currency"},
		{"missing price", func(r *CreatePaymentRequest) { r.Price = Price{} }, CodeMissingField, "pg_price"},
		{"price without cents", func(r *CreatePaymentRequest) { r.Price = Price{Kind: PriceString, Raw: "3500"} }, CodeInvalidPrice, "pg_price"},
		{"price with CLP cents", func(r *CreatePaymentRequest) { r.Price = Price{Kind: PriceString, Raw: "3500.50"} }, CodeInvalidPrice, "pg_price"},
		{"zero price", func(r *CreatePaymentRequest) { r.Price = Price{Kind: PriceString, Raw: "0.00"} }, CodeInvalidPrice, "pg_price"},
		{"negative number", func(r *CreatePaymentRequest) { r.Price = Price{Kind: PriceNumber, Raw: "-5"} }, CodeInvalidPrice, "pg_price"},
		{"fractional CLP number", func(r *CreatePaymentRequest) { r.Price = Price{Kind: PriceNumber, Raw: "10.5"} }, CodeInvalidPrice, "pg_price"},
		{"missing country", func(r *CreatePaymentRequest) { r.Country = "" }, CodeMissingField, "pg_country"},
		{"unassigned country", func(r *CreatePaymentRequest) { r.Country = "XX" }, CodeInvalidCountry, "pg_country"},
		{"alpha-3 country", func(r *CreatePaymentRequest) { r.Country = "CHL" }, CodeInvalidCountry, "pg_country"},
		{"subdivision", func(r *CreatePaymentRequest) { r.Country = "CL-RM" }, CodeInvalidCountry, "pg_country"},
		{"missing method", func(r *CreatePaymentRequest) { r.Method = "" }, CodeMissingField, "pg_method"},
		{"unknown method", func(r *CreatePaymentRequest) { r.Method = "bitcoin" }, CodeInvalidMethod, "pg_method"},
		{"method of another country", func(r *CreatePaymentRequest) { r.Method = "oxxo" }, CodeInvalidMethod, "pg_method"},
		{"method in wrong currency", func(r *CreatePaymentRequest) {
			r.Currency, r.Price = "USD", Price{Kind: PriceString, Raw: "10.00"}
		}, CodeInvalidMethod, "pg_method"},
		{"card in a country without cards", func(r *CreatePaymentRequest) { r.Method, r.Country = "creditcard", "FR" }, CodeInvalidMethod, "pg_method"},
		{"missing email", func(r *CreatePaymentRequest) { r.Email = "" }, CodeMissingField, "pg_email"},
		{"email without at", func(r *CreatePaymentRequest) { r.Email = "roberto.gmail.com" }, CodeInvalidEmail, "pg_email"},
		{"email with name", func(r *CreatePaymentRequest) { r.Email = "Roberto <roberto@gmail.com>" }, CodeInvalidEmail, "pg_email"},
		{"email with spaces", func(r *CreatePaymentRequest) { r.Email = " roberto@gmail.com" }, CodeInvalidEmail, "pg_email"},
		{"two emails", func(r *CreatePaymentRequest) { r.Email = "a@b.cl,c@d.cl" }, CodeInvalidEmail, "pg_email"},
		{"long email", func(r *CreatePaymentRequest) { r.Email = strings.Repeat("a", 250) + "@b.cl" }, CodeFieldTooLong, "pg_email"},
		{"missing first name", func(r *CreatePaymentRequest) { r.FirstName = "" }, CodeMissingField, "pg_first_name"},
		{"long first name", func(r *CreatePaymentRequest) { r.FirstName = long(65) }, CodeFieldTooLong, "pg_first_name"},
		{"control in first name", func(r *CreatePaymentRequest) { r.FirstName = "Ro\x00berto" }, CodeInvalidField, "pg_first_name"},
		{"missing last name", func(r *CreatePaymentRequest) { r.LastName = "" }, CodeMissingField, "pg_last_name"},
		{"newline in last name", func(r *CreatePaymentRequest) { r.LastName = "A\nB" }, CodeInvalidField, "pg_last_name"},
		{"C1 control in last name", func(r *CreatePaymentRequest) { r.LastName = "A\u0085B" }, CodeInvalidField, "pg_last_name"},
		{"long personal id", func(r *CreatePaymentRequest) { r.PersonalID = long(33) }, CodeFieldTooLong, "pg_personalid"},
		{"long phone", func(r *CreatePaymentRequest) { r.Phone = long(33) }, CodeFieldTooLong, "pg_phone"},
		{"long sub merchant", func(r *CreatePaymentRequest) { r.SubMerchantID = long(65) }, CodeFieldTooLong, "pg_sub_merchant_id"},
		{"relative sub merchant url", func(r *CreatePaymentRequest) { r.SubMerchantURL = "/shop" }, CodeInvalidURL, "pg_sub_merchant_url"},
		{"ftp return url", func(r *CreatePaymentRequest) { r.ReturnURL = "ftp://a.cl/ok" }, CodeInvalidURL, "pg_return_url"},
		{"javascript return url", func(r *CreatePaymentRequest) { r.ReturnURL = "javascript:alert(1)" }, CodeInvalidURL, "pg_return_url"},
		{"hostless return url", func(r *CreatePaymentRequest) { r.ReturnURL = "https:///ok" }, CodeInvalidURL, "pg_return_url"},
		{"return url with space", func(r *CreatePaymentRequest) { r.ReturnURL = "https://a.cl/o k" }, CodeInvalidURL, "pg_return_url"},
		{"long return url", func(r *CreatePaymentRequest) { r.ReturnURL = "https://a.cl/" + strings.Repeat("a", 2048) }, CodeFieldTooLong, "pg_return_url"},
		{"unparsable cancel url", func(r *CreatePaymentRequest) { r.CancelURL = "http://a.cl/%zz" }, CodeInvalidURL, "pg_cancel_url"},
		{"long custom", func(r *CreatePaymentRequest) { r.Custom = long(256) }, CodeFieldTooLong, "pg_custom"},
		{"long address", func(r *CreatePaymentRequest) { r.Address = long(257) }, CodeFieldTooLong, "pg_address"},
		{"long city", func(r *CreatePaymentRequest) { r.City = long(65) }, CodeFieldTooLong, "pg_city"},
		{"long name", func(r *CreatePaymentRequest) { r.Name = long(256) }, CodeFieldTooLong, "pg_name"},
		{"unknown language", func(r *CreatePaymentRequest) { r.Language = "de" }, CodeInvalidLanguage, "pg_language"},
		{"bad language region", func(r *CreatePaymentRequest) { r.Language = "es-419" }, CodeInvalidLanguage, "pg_language"},
		{"long iban", func(r *CreatePaymentRequest) { r.IBAN = long(35) }, CodeFieldTooLong, "pg_iban"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			r := validCreate()
			tt.change(&r)
			err := r.Validate()
			requireCode(t, err, tt.code)
			require.Equal(t, tt.field, err.(*Error).Field)
		})
	}
}

func TestValidateLimitsAreInclusive(t *testing.T) {
	t.Parallel()

	r := validCreate()
	r.Name = strings.Repeat("ñ", 255)
	r.Custom = strings.Repeat("ñ", 255)
	r.Address = strings.Repeat("ñ", 256)
	r.City = strings.Repeat("ñ", 64)
	r.FirstName = strings.Repeat("ñ", 64)
	require.NoError(t, r.Validate())
}

func TestValidateLanguage(t *testing.T) {
	t.Parallel()

	for in, want := range map[string]string{"": "", "es": "es", "EN": "en", "pt-BR": "pt", "pt_br": "pt", "Es-Cl": "es"} {
		r := validCreate()
		r.Language = in
		require.NoError(t, r.Validate(), in)
		require.Equal(t, want, r.Language, in)
	}
}

func TestWebcheckoutValidate(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name  string
		req   WebcheckoutRequest
		code  string
		field string
	}{
		{"minimal", WebcheckoutRequest{ServiceID: "1", Currency: "USD", Price: Price{Kind: PriceString, Raw: "1.00"}}, "", ""},
		{"country only", WebcheckoutRequest{ServiceID: "1", Currency: "CLP", Country: "cl", Price: Price{Kind: PriceForm, Raw: "3500"}}, "", ""},
		{"method only", WebcheckoutRequest{ServiceID: "1", Currency: "BRL", Method: "pix", Price: Price{Kind: PriceForm, Raw: "10"}}, "", ""},
		{"missing service", WebcheckoutRequest{Currency: "USD", Price: Price{Kind: PriceString, Raw: "1.00"}}, CodeMissingField, "pg_serviceid"},
		{"missing currency", WebcheckoutRequest{ServiceID: "1", Price: Price{Kind: PriceString, Raw: "1.00"}}, CodeMissingField, "pg_currency"},
		{"missing price", WebcheckoutRequest{ServiceID: "1", Currency: "USD"}, CodeMissingField, "pg_price"},
		{"bad country", WebcheckoutRequest{ServiceID: "1", Currency: "USD", Country: "ZZ", Price: Price{Kind: PriceString, Raw: "1.00"}}, CodeInvalidCountry, "pg_country"},
		{"nothing for currency in country", WebcheckoutRequest{ServiceID: "1", Currency: "BRL", Country: "CL", Price: Price{Kind: PriceString, Raw: "1.00"}}, CodeInvalidMethod, "pg_country"},
		{"method not for currency", WebcheckoutRequest{ServiceID: "1", Currency: "USD", Method: "pix", Price: Price{Kind: PriceString, Raw: "1.00"}}, CodeInvalidMethod, "pg_method"},
		{"bad email", WebcheckoutRequest{ServiceID: "1", Currency: "USD", Email: "x", Price: Price{Kind: PriceString, Raw: "1.00"}}, CodeInvalidEmail, "pg_email"},
		{"bad ip", WebcheckoutRequest{ServiceID: "1", Currency: "USD", IP: "x", Price: Price{Kind: PriceString, Raw: "1.00"}}, CodeInvalidIP, "pg_ip"},
		{"bad form price", WebcheckoutRequest{ServiceID: "1", Currency: "CLP", Price: Price{Kind: PriceForm, Raw: "3500.5"}}, CodeInvalidPrice, "pg_price"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			r := tt.req
			err := r.Validate()
			if tt.code == "" {
				require.NoError(t, err)
				require.Positive(t, r.Amount)
				return
			}
			requireCode(t, err, tt.code)
			require.Equal(t, tt.field, err.(*Error).Field)
		})
	}
}

func TestOtherRequestsValidate(t *testing.T) {
	t.Parallel()

	price := Price{Kind: PriceString, Raw: "5000.00"}
	tests := []struct {
		name  string
		req   interface{ Validate() error }
		code  string
		field string
	}{
		{"token ok", &AuthTokenRequest{ServiceID: "1"}, "", ""},
		{"token missing service", &AuthTokenRequest{}, CodeMissingField, "pg_serviceid"},
		{"methods ok", &MethodsRequest{ServiceID: "1", Country: "br"}, "", ""},
		{"methods missing country", &MethodsRequest{ServiceID: "1"}, CodeMissingField, "pg_country"},
		{"methods bad country", &MethodsRequest{ServiceID: "1", Country: "Chile"}, CodeInvalidCountry, "pg_country"},
		{"status ok", &PaymentStatusRequest{ServiceID: "1", TransactionID: "t"}, "", ""},
		{"status missing transaction", &PaymentStatusRequest{ServiceID: "1"}, CodeMissingField, "transaction_id"},
		{"status long transaction", &PaymentStatusRequest{ServiceID: "1", TransactionID: strings.Repeat("t", 65)}, CodeFieldTooLong, "transaction_id"},
		{"notifications ok", &NotificationStatusRequest{ServiceID: "1", TransactionID: "t"}, "", ""},
		{"notifications missing transaction", &NotificationStatusRequest{ServiceID: "1"}, CodeMissingField, "transaction_id"},
		{"register ok", &OneClickRegisterRequest{ServiceID: "1", Email: "a@b.cl", ReturnURL: "https://a.cl/ok", CancelURL: "https://a.cl/ko"}, "", ""},
		{"register missing return", &OneClickRegisterRequest{ServiceID: "1", Email: "a@b.cl", CancelURL: "https://a.cl/ko"}, CodeMissingField, "pg_return_url"},
		{"register missing cancel", &OneClickRegisterRequest{ServiceID: "1", Email: "a@b.cl", ReturnURL: "https://a.cl/ok"}, CodeMissingField, "pg_cancel_url"},
		{"register bad email", &OneClickRegisterRequest{ServiceID: "1", Email: "a", ReturnURL: "https://a.cl/ok", CancelURL: "https://a.cl/ko"}, CodeInvalidEmail, "pg_email"},
		{"confirm ok", &OneClickConfirmRequest{ServiceID: "1", EnrollmentToken: "t"}, "", ""},
		{"confirm missing token", &OneClickConfirmRequest{ServiceID: "1"}, CodeMissingField, "pg_token"},
		{"charge ok", &OneClickChargeRequest{ServiceID: "1", Price: price, Currency: "CLP", FirstName: "A", LastName: "B", Email: "a@b.cl", Card: "c"}, "", ""},
		{"charge with country", &OneClickChargeRequest{ServiceID: "1", Price: price, Currency: "USD", Country: "EC", FirstName: "A", LastName: "B", Email: "a@b.cl", Card: "c"}, "", ""},
		{"charge missing card", &OneClickChargeRequest{ServiceID: "1", Price: price, Currency: "CLP", FirstName: "A", LastName: "B", Email: "a@b.cl"}, CodeMissingField, "pg_oneclick_card"},
		{"charge currency without cards", &OneClickChargeRequest{ServiceID: "1", Price: price, Currency: "CLP", Country: "MX", FirstName: "A", LastName: "B", Email: "a@b.cl", Card: "c"}, CodeInvalidMethod, "pg_currency"},
		{"charge missing price", &OneClickChargeRequest{ServiceID: "1", Currency: "CLP", FirstName: "A", LastName: "B", Email: "a@b.cl", Card: "c"}, CodeMissingField, "pg_price"},
		{"unregister ok", &OneClickUnregisterRequest{ServiceID: "1", Email: "a@b.cl", Card: "c"}, "", ""},
		{"unregister missing card", &OneClickUnregisterRequest{ServiceID: "1", Email: "a@b.cl"}, CodeMissingField, "pg_oneclick_card"},
		{"cards ok", &OneClickCardsRequest{ServiceID: "1", Email: "a@b.cl"}, "", ""},
		{"cards missing email", &OneClickCardsRequest{ServiceID: "1"}, CodeMissingField, "pg_email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			err := tt.req.Validate()
			if tt.code == "" {
				require.NoError(t, err)
				return
			}
			requireCode(t, err, tt.code)
			require.Equal(t, tt.field, err.(*Error).Field)
		})
	}
}
