package payretailers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/pasarela/pasarela/client/payretailers"
	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/payretailers"
)

func TestPaymentMethods(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	ms, err := b.client.Methods(ctx, "cl")
	require.NoError(t, err)
	var codes []string
	for _, m := range ms {
		codes = append(codes, m.Code)
		require.True(t, strings.HasPrefix(m.Image, publicURL+"/"), m.Image)
		require.NotEmpty(t, m.Name)
	}
	require.Equal(t, []string{"creditcard", "webpay", "khipu", "servipag"}, codes)

	ms, err = b.client.Methods(ctx, "US")
	require.NoError(t, err)
	require.Empty(t, ms)

	_, err = b.client.Methods(ctx, "XX")
	var apiErr *sdk.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, payretailers.CodeInvalidCountry, apiErr.Code)
}

func TestCreatePayment(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	in := params()
	in.Phone, in.PersonalID, in.Address, in.City = "+56 9 1234 5678", "11.111.111-1", "Av. Siempre Viva 742", "Santiago"
	in.Name, in.Language, in.SubMerchantID, in.SubMerchantURL = "Plan VIP", "es", "sub-7", "https://sub.example"
	got, err := b.client.CreatePayment(ctx, in)
	require.NoError(t, err)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, got.TransactionID)
	require.Equal(t, &sdk.Payment{
		Amount: "3500.00", Currency: "CLP", Custom: "Pago cuenta VIP",
		Customer: sdk.Customer{
			Country: "CL", Email: "roberto@gmail.com", FirstName: "Roberto", LastName: "Fernandez",
			PersonalID: "11.111.111-1", Phone: "+56 9 1234 5678",
		},
		PaymentMethod:    "webpay",
		PaymentMethodURL: publicURL + "/pay-direct/" + got.TransactionID,
		RedirectURLs:     sdk.RedirectURLs{CancelURL: "https://shop.example/pago-cancelado", SuccessURL: "https://shop.example/pago-ok"},
		ServiceID:        b.creds.ServiceID, Status: "created", TransactionID: got.TransactionID,
	}, got)

	ps := b.paymentsOf(t, b.merchant.ID)
	require.Len(t, ps, 1)
	p := ps[0]
	require.Equal(t, payment.DialectPayRetailers, p.Dialect)
	require.Equal(t, got.TransactionID, p.Ref)
	require.Empty(t, p.OrderID)
	require.Equal(t, payment.Money{Amount: 3500, Currency: "CLP"}, p.Amount)
	require.Equal(t, "webpay", p.Method)
	require.Equal(t, "CL", p.Country)
	require.Equal(t, "Plan VIP", p.Description)
	require.Equal(t, payment.Payer{
		Address: "Av. Siempre Viva 742", City: "Santiago", DocumentID: "11.111.111-1", Email: "roberto@gmail.com",
		FirstName: "Roberto", IP: "190.22.1.1", LastName: "Fernandez", Phone: "+56 9 1234 5678",
	}, p.Payer)
	require.Equal(t, payment.URLs{Cancel: "https://shop.example/pago-cancelado", Success: "https://shop.example/pago-ok"}, p.URLs)
	require.Equal(t, map[string]string{
		payretailers.ExtraCustom: "Pago cuenta VIP", payretailers.ExtraLanguage: "es",
		payretailers.ExtraSubMerchantID: "sub-7", payretailers.ExtraSubMerchantURL: "https://sub.example",
	}, p.Extra)
	require.Equal(t, payment.StatusCreated, p.Status)
	require.True(t, p.ExpiresAt.Equal(b.clock.Now().Add(payretailers.DefaultSessionTTL)), p.ExpiresAt)

	t.Run("cash voucher lives longer", func(t *testing.T) {
		t.Parallel()
		in := params()
		in.Method = "servipag"
		got, err := b.client.CreatePayment(ctx, in)
		require.NoError(t, err)
		p, err := b.payments.GetByRef(ctx, got.TransactionID)
		require.NoError(t, err)
		require.True(t, p.ExpiresAt.Equal(b.clock.Now().Add(payretailers.DefaultCashTTL)), p.ExpiresAt)
	})

	t.Run("redirect URLs fall back to the merchant's", func(t *testing.T) {
		t.Parallel()
		in := params()
		in.ReturnURL, in.CancelURL = "", ""
		got, err := b.client.CreatePayment(ctx, in)
		require.NoError(t, err)
		require.Equal(t, sdk.RedirectURLs{CancelURL: "https://shop.example/cancel", SuccessURL: "https://shop.example/ok"}, got.RedirectURLs)
	})

	t.Run("no redirect URL anywhere", func(t *testing.T) {
		t.Parallel()
		in := params()
		in.ReturnURL = ""
		_, err := b.other.CreatePayment(ctx, in) // Tienda Dos has no defaults
		var apiErr *sdk.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, payretailers.CodeMissingField, apiErr.Code)
		require.Contains(t, apiErr.Message, "pg_return_url")
		require.Empty(t, b.paymentsOf(t, b.otherM.ID))
	})
}

func TestCreatePaymentFieldErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.token(t)

	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		field string
		value any // nil deletes the field
		code  string
	}{
		{"pg_ip", nil, payretailers.CodeMissingField},
		{"pg_ip", "999.1.1.1", payretailers.CodeInvalidIP},
		{"pg_ip", "fe80::1%eth0", payretailers.CodeInvalidIP},
		{"pg_price", nil, payretailers.CodeMissingField},
		{"pg_price", "3500", payretailers.CodeInvalidPrice},
		{"pg_price", "3500.5", payretailers.CodeInvalidPrice},
		{"pg_price", "3500.50", payretailers.CodeInvalidPrice}, // CLP has no cents
		{"pg_price", "0.00", payretailers.CodeInvalidPrice},
		{"pg_price", "-1.00", payretailers.CodeInvalidPrice},
		{"pg_price", "1e3", payretailers.CodeInvalidPrice},
		{"pg_price", 0, payretailers.CodeInvalidPrice},
		{"pg_price", 10.5, payretailers.CodeInvalidPrice},
		{"pg_price", "99999999999999999999.00", payretailers.CodeInvalidPrice},
		{"pg_price", true, payretailers.CodeInvalidField},
		{"pg_currency", nil, payretailers.CodeMissingField},
		{"pg_currency", "XXX", payretailers.CodeInvalidCurrency},
		{"pg_country", nil, payretailers.CodeMissingField},
		{"pg_country", "Chile", payretailers.CodeInvalidCountry},
		{"pg_country", "BR", payretailers.CodeInvalidMethod}, // webpay is Chilean
		{"pg_method", nil, payretailers.CodeMissingField},
		{"pg_method", "bitcoin", payretailers.CodeInvalidMethod},
		{"pg_method", "oxxo", payretailers.CodeInvalidMethod},
		{"pg_email", nil, payretailers.CodeMissingField},
		{"pg_email", "roberto", payretailers.CodeInvalidEmail},
		{"pg_email", "Roberto <r@gmail.com>", payretailers.CodeInvalidEmail},
		{"pg_first_name", nil, payretailers.CodeMissingField},
		{"pg_first_name", long(65), payretailers.CodeFieldTooLong},
		{"pg_first_name", "Ro\nberto", payretailers.CodeInvalidField},
		{"pg_last_name", nil, payretailers.CodeMissingField},
		{"pg_last_name", []any{"x"}, payretailers.CodeInvalidField},
		{"pg_personalid", long(33), payretailers.CodeFieldTooLong},
		{"pg_phone", long(33), payretailers.CodeFieldTooLong},
		{"pg_sub_merchant_id", long(65), payretailers.CodeFieldTooLong},
		{"pg_sub_merchant_url", "ftp://sub.example", payretailers.CodeInvalidURL},
		{"pg_return_url", "/relative", payretailers.CodeInvalidURL},
		{"pg_cancel_url", "javascript:alert(1)", payretailers.CodeInvalidURL},
		{"pg_custom", long(256), payretailers.CodeFieldTooLong},
		{"pg_address", long(257), payretailers.CodeFieldTooLong},
		{"pg_city", long(65), payretailers.CodeFieldTooLong},
		{"pg_name", long(256), payretailers.CodeFieldTooLong},
		{"pg_language", "fr", payretailers.CodeInvalidLanguage},
		{"pg_serviceid", map[string]any{}, ""}, // cannot even be attributed: 400, below
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.field, i), func(t *testing.T) {
			t.Parallel()
			fields := b.createFields(tok)
			if tt.value == nil {
				delete(fields, tt.field)
			} else {
				fields[tt.field] = tt.value
			}
			a := b.signed(t, http.MethodPost, payretailers.PathPaymentCreate, fields)
			if tt.code == "" {
				require.Equal(t, http.StatusBadRequest, a.status)
				return
			}
			require.Equal(t, http.StatusOK, a.status, "business errors are 200 so the PHP SDK reads them")
			require.Equal(t, tt.code, a.errorCode(), string(a.body))
			require.NotZero(t, a.result())
			msg := a.fields["error"].(map[string]any)["message"].(string)
			require.True(t, strings.HasPrefix(msg, tt.code+": "), msg)
			require.NotContains(t, msg[len(tt.code)+2:], ":", "the SDK shows what follows the first colon")
		})
	}
	// The parent's cleanup runs once every parallel subtest is done.
	t.Cleanup(func() { require.Empty(t, b.paymentsOf(t, b.merchant.ID)) })
}

func TestPaymentStatus(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	created, err := b.client.CreatePayment(ctx, params())
	require.NoError(t, err)
	got, err := b.client.PaymentStatus(ctx, created.TransactionID)
	require.NoError(t, err)
	require.Equal(t, "created", got.Status)
	require.Empty(t, got.Completed)
	require.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`, got.CreatedAt)

	p, err := b.payments.GetByRef(ctx, created.TransactionID)
	require.NoError(t, err)
	_, err = b.payments.Transition(ctx, p.ID, payment.StatusPending, "", payment.ActorPayer)
	require.NoError(t, err)
	done, err := b.payments.Transition(ctx, p.ID, payment.StatusCompleted, "", payment.ActorRail)
	require.NoError(t, err)

	got, err = b.client.PaymentStatus(ctx, created.TransactionID)
	require.NoError(t, err)
	require.Equal(t, "completed", got.Status)
	require.Equal(t, done.CompletedAt.UTC().Format("2006-01-02 15:04:05"), got.Completed)
	require.Equal(t, sdk.Decimal("3500.00"), got.Amount)
	require.Equal(t, "Pago cuenta VIP", got.Custom)
	require.Equal(t, b.creds.ServiceID, got.ServiceID)
	require.Equal(t, "webpay", got.PaymentMethod)
	require.Equal(t, "Roberto", got.Customer.FirstName)
}

// TestAnotherMerchantsTransaction: another merchant's transaction id is
// answered byte for byte like one that does not exist.
func TestAnotherMerchantsTransaction(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	mine, err := b.client.CreatePayment(ctx, params())
	require.NoError(t, err)
	otherTok, err := b.other.AuthToken(ctx)
	require.NoError(t, err)
	ask := func(path, tx string) answer {
		body := `{"pg_serviceid":"` + b.other.ServiceID + `","pg_token":"` + otherTok + `","transaction_id":"` + tx + `"}`
		return b.send(t, http.MethodPost, path, []byte(body), payretailers.Sign(b.other.Secret, []byte(body)))
	}
	for _, path := range []string{payretailers.PathPaymentStatus, payretailers.PathNotificationStatus} {
		foreign := ask(path, mine.TransactionID)
		unknown := ask(path, "b023a79c-222f-454f-9ce9-dcf9c5712f4c")
		require.Equal(t, payretailers.CodeNotFound, foreign.errorCode(), string(foreign.body))
		require.Equal(t, unknown.status, foreign.status)
		require.Equal(t, string(unknown.body), string(foreign.body))
		require.Equal(t, unknown.header.Get("X-Pg-Sig"), foreign.header.Get("X-Pg-Sig"))
	}
	_, err = b.other.PaymentStatus(ctx, mine.TransactionID)
	var apiErr *sdk.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, payretailers.ResultNotFound, apiErr.Result)
	require.Empty(t, b.notes.asked, "the store is never asked about another merchant's payment")
}

func TestWebcheckout(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	co, err := b.client.Webcheckout(ctx, sdk.PaymentParams{Amount: 1050, Currency: "USD"})
	require.NoError(t, err)
	require.Equal(t, publicURL+"/pay-direct/"+co.TransactionID, co.RedirectURL)
	p, err := b.payments.GetByRef(ctx, co.TransactionID)
	require.NoError(t, err)
	require.Equal(t, payment.Money{Amount: 1050, Currency: "USD"}, p.Amount)
	require.Empty(t, p.Method, "the payer chooses on the hosted page")
	require.Equal(t, b.merchant.SuccessURL, p.URLs.Success)

	in := params()
	in.Method, in.Country = "oxxo", "MX"
	in.Currency, in.Amount = "MXN", 25000
	co, err = b.client.Webcheckout(ctx, in)
	require.NoError(t, err)
	p, err = b.payments.GetByRef(ctx, co.TransactionID)
	require.NoError(t, err)
	require.True(t, p.ExpiresAt.Equal(b.clock.Now().Add(payretailers.DefaultCashTTL)))

	for name, p := range map[string]sdk.PaymentParams{
		"country without the currency": {Amount: 1000, Currency: "CLP", Country: "BR"},
		"method without the currency":  {Amount: 1000, Currency: "CLP", Method: "pix"},
		"bad return URL":               {Amount: 1000, Currency: "CLP", ReturnURL: "shop.example"},
	} {
		_, err := b.client.Webcheckout(ctx, p)
		var apiErr *sdk.APIError
		require.ErrorAs(t, err, &apiErr, name)
	}
	require.Len(t, b.paymentsOf(t, b.merchant.ID), 2)
}

func TestNotificationStatus(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	created, err := b.client.CreatePayment(ctx, params())
	require.NoError(t, err)
	p, err := b.payments.GetByRef(ctx, created.TransactionID)
	require.NoError(t, err)

	recs, err := b.client.NotificationStatus(ctx, created.TransactionID)
	require.NoError(t, err)
	require.NotNil(t, recs)
	require.Empty(t, recs)

	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	b.notes.set(p.ID,
		payretailers.NotificationRecord{
			Attempts: 1, Body: []byte(`{"status":"completed"}`), CreatedAt: at, ID: "ntf_1",
			Headers: map[string]string{"X-Pg-Sig": "abc"}, LastStatusCode: 200, Status: "delivered",
			URL: "https://shop.example/ipn",
		},
		payretailers.NotificationRecord{
			Attempts: 3, CreatedAt: at, ID: "ntf_2", LastStatusCode: 500, NextAttemptAt: at.Add(time.Hour),
			Status: "failed", URL: "https://shop.example/ipn?wc-api=x&key=" + b.creds.SecretKey,
		},
		payretailers.NotificationRecord{CreatedAt: at, ID: "ntf_3", Status: "dead", URL: "https://shop.example/ipn"},
		payretailers.NotificationRecord{CreatedAt: at, ID: "ntf_4", Status: "pending", NextAttemptAt: at, URL: "https://shop.example/ipn"},
	)
	recs, err = b.client.NotificationStatus(ctx, created.TransactionID)
	require.NoError(t, err)
	require.Equal(t, []sdk.NotificationRecord{
		{Attempts: 1, Body: `{"status":"completed"}`, CreatedAt: "2026-03-04 05:06:07", ID: "ntf_1", LastHTTPStatus: 200, Signature: "abc", State: "delivered", URL: "https://shop.example/ipn"},
		{Attempts: 3, CreatedAt: "2026-03-04 05:06:07", ID: "ntf_2", LastHTTPStatus: 500, NextRetryAt: "2026-03-04 06:06:07", State: "pending", URL: "https://shop.example/ipn?key=REDACTED&wc-api=x"},
		{CreatedAt: "2026-03-04 05:06:07", ID: "ntf_3", State: "failed", URL: "https://shop.example/ipn"},
		{CreatedAt: "2026-03-04 05:06:07", ID: "ntf_4", NextRetryAt: "2026-03-04 05:06:07", State: "pending", URL: "https://shop.example/ipn"},
	}, recs)
	require.Contains(t, b.notes.asked, b.merchant.ID+"/"+p.ID)

	// null, not 0 or "", before the first attempt and once retries stop:
	// the raw answer.
	a := b.signed(t, http.MethodPost, payretailers.PathNotificationStatus, map[string]any{
		"pg_serviceid": b.creds.ServiceID, "pg_token": b.token(t), "transaction_id": created.TransactionID,
	})
	require.Contains(t, string(a.body), `"id":"ntf_3","last_http_status":null,"next_retry_at":null`)
}

func TestNotificationStatusWithoutStore(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	api, err := payretailers.NewAPI(payretailers.Deps{
		Keys: b.root, Merchants: b.merchants, Payments: b.payments, PublicURL: publicURL,
		Log: b.apiLog(),
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	api.Mount(mux)
	srv := newServer(t, mux)
	c := &sdk.Client{BaseURL: srv.URL, ServiceID: b.client.ServiceID, Secret: b.client.Secret}

	created, err := c.CreatePayment(ctx, params())
	require.NoError(t, err)
	_, err = c.NotificationStatus(ctx, created.TransactionID)
	var apiErr *sdk.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, payretailers.ResultInternal, apiErr.Result)
	require.Equal(t, payretailers.ErrInternal.Message, apiErr.Message, "no detail reaches the merchant")
	logged := b.log.String()
	require.Contains(t, logged, "no notification store configured")
	for _, secret := range []string{b.creds.SecretKey, "roberto@gmail.com", "Fernandez"} {
		require.NotContains(t, logged, secret, "no secret or payer detail in logs")
	}
}

func TestNewAPIChecksDeps(t *testing.T) {
	t.Parallel()
	b := setup(t)
	good := payretailers.Deps{Keys: b.root, Merchants: b.merchants, Payments: b.payments, PublicURL: publicURL}
	for name, mutate := range map[string]func(*payretailers.Deps){
		"no payments":    func(d *payretailers.Deps) { d.Payments = nil },
		"no merchants":   func(d *payretailers.Deps) { d.Merchants = (*merchant.Service)(nil) },
		"short root":     func(d *payretailers.Deps) { d.Keys = d.Keys[:8] },
		"relative URL":   func(d *payretailers.Deps) { d.PublicURL = "/pay" },
		"negative TTL":   func(d *payretailers.Deps) { d.CashTTL = -time.Hour },
		"ftp public URL": func(d *payretailers.Deps) { d.PublicURL = "ftp://gw.example" },
	} {
		d := good
		mutate(&d)
		_, err := payretailers.NewAPI(d)
		require.Error(t, err, name)
	}
	_, err := payretailers.NewAPI(good)
	require.NoError(t, err)
}
