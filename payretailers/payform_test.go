package payretailers_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/checkout"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/payretailers"
)

// formAnswer is the answer to a POST /pay, redirects not followed.
type formAnswer struct {
	body     string
	header   http.Header
	location string
	status   int
}

func (b *testBundle) postForm(t *testing.T, contentType string, body io.Reader, header http.Header) formAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+payretailers.PathPayForm, body)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	// The form comes from the merchant's site, another origin.
	req.Header.Set("Origin", "https://shop.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return formAnswer{body: string(raw), header: resp.Header, location: resp.Header.Get("Location"), status: resp.StatusCode}
}

func (b *testBundle) form() url.Values {
	return url.Values{
		"pg_serviceid": {b.creds.ServiceID}, "pg_price": {"3500"}, "pg_currency": {"CLP"},
		"pg_country": {"CL"}, "pg_custom": {"order-77"}, "pg_return_url": {"https://shop.example/gracias"},
		"pg_name": {"Zapatillas"}, "pg_email": {"payer@example.com"},
	}
}

func TestPayForm(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	a := b.postForm(t, "application/x-www-form-urlencoded", strings.NewReader(b.form().Encode()), nil)
	require.Equal(t, http.StatusSeeOther, a.status, a.body)
	require.True(t, strings.HasPrefix(a.location, publicURL+"/pay-direct/"), a.location)
	ref := strings.TrimPrefix(a.location, publicURL+"/pay-direct/")
	p, err := b.payments.GetByRef(ctx, ref)
	require.NoError(t, err)
	require.Equal(t, b.merchant.ID, p.MerchantID)
	require.Equal(t, payment.DialectPayRetailers, p.Dialect)
	require.Equal(t, payment.Money{Amount: 3500, Currency: "CLP"}, p.Amount)
	require.Equal(t, "order-77", p.Extra[payretailers.ExtraCustom])
	require.Equal(t, "Zapatillas", p.Description)
	require.Equal(t, "https://shop.example/gracias", p.URLs.Success)
	require.Empty(t, p.URLs.Notification, "a form cannot choose where notifications go")

	t.Run("multipart", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, vs := range b.form() {
			require.NoError(t, mw.WriteField(k, vs[0]))
		}
		require.NoError(t, mw.Close())
		a := b.postForm(t, mw.FormDataContentType(), &buf, nil)
		require.Equal(t, http.StatusSeeOther, a.status, a.body)
	})

	t.Run("query string is ignored", func(t *testing.T) {
		t.Parallel()
		f := b.form()
		f.Del("pg_price")
		req, err := http.NewRequest(http.MethodPost, b.srv.URL+"/pay?pg_price=10", strings.NewReader(f.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultTransport.RoundTrip(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	})
}

func TestPayFormErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)

	tests := []struct {
		name   string
		change func(url.Values)
		field  string
		status int
		// text is a phrase the payer reads (Spanish unless lang says).
		text string
		lang string
	}{
		{"no service", func(f url.Values) { f.Del("pg_serviceid") }, "pg_serviceid", 400, "Falta el dato", "es"},
		{"unknown service", func(f url.Values) { f.Set("pg_serviceid", "123") }, "pg_serviceid", 400, "no está registrado", "es"},
		{"no price", func(f url.Values) { f.Del("pg_price") }, "pg_price", 400, "Falta el dato", "es"},
		{"bad price", func(f url.Values) { f.Set("pg_price", "3.500,00") }, "pg_price", 400, "El monto", "es"},
		{"cents in CLP", func(f url.Values) { f.Set("pg_price", "3500.5") }, "pg_price", 400, "El monto", "es"},
		{"zero", func(f url.Values) { f.Set("pg_price", "0") }, "pg_price", 400, "El monto", "es"},
		{"currency", func(f url.Values) { f.Set("pg_currency", "CLPX") }, "pg_currency", 400, "La moneda", "es"},
		{"country", func(f url.Values) { f.Set("pg_country", "ZZ") }, "pg_country", 400, "El país", "es"},
		{"no method there", func(f url.Values) { f.Set("pg_country", "US") }, "pg_country", 400, "No hay un medio de pago", "es"},
		{"method", func(f url.Values) { f.Set("pg_method", "pix") }, "pg_method", 400, "No hay un medio de pago", "es"},
		{"email", func(f url.Values) { f.Set("pg_email", "nope") }, "pg_email", 400, "correo", "es"},
		{"return URL", func(f url.Values) { f.Set("pg_return_url", "javascript:alert(1)") }, "pg_return_url", 400, "dirección web", "es"},
		{"custom too long", func(f url.Values) { f.Set("pg_custom", strings.Repeat("x", 256)) }, "pg_custom", 400, "demasiado largo", "es"},
		{"name with a newline", func(f url.Values) { f.Set("pg_name", "a\nb") }, "pg_name", 400, "no es válido", "es"},
		{"english by pg_language", func(f url.Values) { f.Set("pg_language", "en"); f.Set("pg_price", "x") }, "pg_price", 400, "The amount", "en"},
		{"portuguese by pg_language with region", func(f url.Values) { f.Set("pg_language", "pt-BR"); f.Set("pg_price", "x") }, "pg_price", 400, "O valor", "pt"},
		{"bad language still explained", func(f url.Values) { f.Set("pg_language", "xx") }, "pg_language", 400, "El idioma", "es"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := b.form()
			tt.change(f)
			a := b.postForm(t, "application/x-www-form-urlencoded", strings.NewReader(f.Encode()), nil)
			require.Equal(t, tt.status, a.status, a.body)
			require.Empty(t, a.location)
			require.Equal(t, "text/html; charset=utf-8", a.header.Get("Content-Type"))
			require.Equal(t, tt.lang, a.header.Get("Content-Language"))
			require.Contains(t, a.header.Get("Content-Security-Policy"), "default-src 'none'; style-src 'self'")
			require.Contains(t, a.body, tt.text)
			require.Contains(t, a.body, tt.field)
			require.NotContains(t, a.body, "<script")
		})
	}

	t.Run("Accept-Language when pg_language is absent", func(t *testing.T) {
		t.Parallel()
		f := b.form()
		f.Set("pg_price", "x")
		a := b.postForm(t, "application/x-www-form-urlencoded", strings.NewReader(f.Encode()),
			http.Header{"Accept-Language": {"pt-BR,pt;q=0.9,en;q=0.5"}})
		require.Equal(t, http.StatusBadRequest, a.status)
		require.Equal(t, "pt", a.header.Get("Content-Language"))
		require.Contains(t, a.body, "Tienda Uno", "the merchant is named once known")
	})

	t.Run("not a form", func(t *testing.T) {
		t.Parallel()
		a := b.postForm(t, "application/json", strings.NewReader(`{"pg_serviceid":"1"}`), nil)
		require.Equal(t, http.StatusBadRequest, a.status)
		require.Contains(t, a.body, "No pudimos leer el formulario")
	})

	t.Run("too large", func(t *testing.T) {
		t.Parallel()
		f := b.form()
		f.Set("pg_custom", strings.Repeat("x", payretailers.MaxBodyBytes))
		a := b.postForm(t, "application/x-www-form-urlencoded", strings.NewReader(f.Encode()), nil)
		require.Equal(t, http.StatusRequestEntityTooLarge, a.status)
		require.Contains(t, a.body, "demasiado grande")
	})

	t.Cleanup(func() { require.Empty(t, b.paymentsOf(t, b.merchant.ID), "a bad form creates nothing") })
}

// TestPayFormPageInEveryLanguage renders every reason in every language,
// which checkout cannot check at start-up because the keys are computed.
func TestPayFormPageInEveryLanguage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	reasons := map[string]func(url.Values){
		"country":    func(f url.Values) { f.Set("pg_country", "ZZ") },
		"currency":   func(f url.Values) { f.Set("pg_currency", "ZZZ") },
		"email":      func(f url.Values) { f.Set("pg_email", "x") },
		"field":      func(f url.Values) { f.Set("pg_ip", "x") },
		"language":   func(f url.Values) { f.Set("pg_language", "x") },
		"method":     func(f url.Values) { f.Set("pg_method", "x") },
		"missing":    func(f url.Values) { f.Del("pg_currency") },
		"price":      func(f url.Values) { f.Set("pg_price", "x") },
		"service":    func(f url.Values) { f.Set("pg_serviceid", "x") },
		"too_long":   func(f url.Values) { f.Set("pg_phone", strings.Repeat("1", 40)) },
		"url":        func(f url.Values) { f.Set("pg_cancel_url", "x") },
		"unreadable": nil,
	}
	for name, change := range reasons {
		for _, lang := range checkout.Languages() {
			t.Run(name+"/"+string(lang), func(t *testing.T) {
				t.Parallel()
				ct, body := "application/x-www-form-urlencoded", ""
				if change == nil {
					ct = "text/plain"
				} else {
					f := b.form()
					change(f)
					body = f.Encode()
				}
				a := b.postForm(t, ct, strings.NewReader(body), http.Header{"Accept-Language": {string(lang)}})
				require.Equal(t, http.StatusBadRequest, a.status, a.body)
				require.Equal(t, string(lang), a.header.Get("Content-Language"))
				require.NotContains(t, a.body, "%!", "fmt verbs and arguments agree")
				require.NotContains(t, a.body, "payretailers.payform", "no raw message key")
			})
		}
	}
}
