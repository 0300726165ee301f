package payretailers_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/pasarela/pasarela/client/payretailers"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/token"
)

// TestHostedPageStates: GET /pay-direct/{id} shows what the payment's
// state calls for. The subtests run in turn, not in parallel: "expired"
// moves the bundle's clock, which every other payment's expiry reads.
func TestHostedPageStates(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	t.Run("unknown", func(t *testing.T) {
		pg := b.payer(t, "no-such-transaction").get("")
		require.Equal(t, http.StatusNotFound, pg.status)
		require.Contains(t, pg.body, "page-error")
		require.Contains(t, pg.header.Get("Content-Security-Policy"), "default-src 'none'")
	})
	t.Run("another dialect's payment", func(t *testing.T) {
		p, err := b.payments.Create(ctx, payment.Payment{
			Amount: payment.Money{Amount: 1000, Currency: "CLP"}, Dialect: payment.DialectETpay,
			ExpiresAt: time.Now().Add(time.Hour), MerchantID: b.merchant.ID, Ref: token.Alnum(64),
		})
		require.NoError(t, err)
		require.Equal(t, http.StatusNotFound, b.payer(t, p.Ref).get("").status)
	})
	t.Run("method pages", func(t *testing.T) {
		for method, marker := range map[string]string{
			"creditcard": `name="number"`, "webpay": `name="password"`, "servipag": `id="voucher-reference"`,
		} {
			pg := b.payer(t, b.createMethod(t, method)).get("")
			require.Equal(t, http.StatusOK, pg.status, method)
			require.Contains(t, pg.body, marker, method)
			require.Equal(t, "no-store", pg.header.Get("Cache-Control"))
			require.Contains(t, pg.header.Get("Content-Security-Policy"), "form-action 'self' https://shop.example",
				"the approve and cancel forms may redirect to the merchant")
		}
	})
	t.Run("final", func(t *testing.T) {
		ref := b.createMethod(t, "webpay")
		p := b.current(t, ref)
		_, err := b.payments.Transition(ctx, p.ID, payment.StatusFailed, "rejected", payment.ActorRail)
		require.NoError(t, err)
		pg := b.payer(t, ref).get("")
		require.Equal(t, http.StatusOK, pg.status)
		require.Contains(t, pg.body, `id="reason"`)
		// A plain link (not a redirect) to the signed cancel URL.
		link := returnLink(t, pg.body)
		b.requireReturn(t, link, "https://shop.example/pago-cancelado", ref, "failed")
	})
	t.Run("expired", func(t *testing.T) {
		ref := b.createMethod(t, "creditcard")
		p := b.payer(t, ref)
		tok := p.token()
		b.clock.Add(31 * time.Minute)
		defer b.clock.Add(-31 * time.Minute)
		pg := p.post("/card", withToken(tok, b.validCard("4242424242424242")))
		require.Equal(t, http.StatusGone, pg.status, "past its expiry, before the sweeper")
		// Expired on the spot, as the sweeper would, IPN and all, so the
		// status in the link back is true.
		got := b.current(t, ref)
		require.Equal(t, payment.StatusExpired, got.Status)
		require.Equal(t, "expired", got.StatusDetail)
		require.Equal(t, payment.ActorSweeper, b.events(t, ref)[1].Actor)
		pg = p.get("")
		require.Equal(t, http.StatusGone, pg.status)
		b.requireReturn(t, returnLink(t, pg.body), "https://shop.example/pago-cancelado", ref, "expired")
	})
	t.Run("expired by the sweeper", func(t *testing.T) {
		ref := b.createMethod(t, "creditcard")
		_, err := b.payments.Transition(ctx, b.current(t, ref).ID, payment.StatusExpired, "expired", payment.ActorSweeper)
		require.NoError(t, err)
		require.Equal(t, http.StatusGone, b.payer(t, ref).get("").status)
	})
	t.Run("a GET on a form action goes back to the page", func(t *testing.T) {
		p := b.payer(t, b.createMethod(t, "creditcard"))
		pg := p.get("/card")
		require.Equal(t, http.StatusSeeOther, pg.status)
		require.Equal(t, p.path(""), pg.location)
	})
}

// returnLink is the href of the page's "return to the merchant" link.
func returnLink(t *testing.T, body string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `href="`)
	for ok && !strings.HasPrefix(rest, "http") {
		_, rest, ok = strings.Cut(rest, `href="`)
	}
	require.True(t, ok, "no link back to the merchant in %s", body)
	link, _, _ := strings.Cut(rest, `"`)
	return html.UnescapeString(link) // what the browser follows
}

func withToken(tok string, fields url.Values) url.Values {
	form := url.Values{"csrf_token": {tok}}
	for k, v := range fields {
		form[k] = v
	}
	return form
}

// TestHostedPostsNeedTheirToken: every payer POST refuses a missing or
// forged CSRF token, a token of another payment and a cross-site
// request, and changes nothing.
func TestHostedPostsNeedTheirToken(t *testing.T) {
	t.Parallel()
	b := setup(t)
	actions := map[string]string{
		"/method": "", "/card": "creditcard", "/bank/login": "webpay", "/bank/approve": "webpay", "/cancel": "creditcard",
	}
	for action, method := range actions {
		var ref string
		if method == "" {
			co, err := b.client.Webcheckout(context.Background(), sdk.PaymentParams{Amount: 3500, Currency: "CLP", Country: "CL"})
			require.NoError(t, err)
			ref = co.TransactionID
		} else {
			ref = b.createMethod(t, method)
		}
		p := b.payer(t, ref)
		good := p.token()
		other := b.payer(t, b.createMethod(t, "creditcard"))
		otherTok := other.token()
		fields := url.Values{"method": {"webpay"}, "document": {"11111111-1"}, "password": {"approve"}}
		for k, v := range b.validCard("4242424242424242") {
			fields[k] = v
		}
		before := b.current(t, ref)
		for name, tok := range map[string]string{
			"missing": "", "forged": strings.Repeat("A", 43), "another payment's": otherTok, "not base64": "%%%",
		} {
			form := withToken(tok, fields)
			if tok == "" {
				form.Del("csrf_token")
			}
			pg := p.post(action, form)
			require.Equal(t, http.StatusForbidden, pg.status, "%s %s", action, name)
			require.Contains(t, pg.body, "page-error")
		}
		// The token without its cookie (another browser) is refused too.
		pg := b.payer(t, ref).post(action, withToken(good, fields))
		require.Equal(t, http.StatusForbidden, pg.status, action)
		// A cross-site POST is stopped by the guard before any handler.
		req, err := http.NewRequest(http.MethodPost, b.srv.URL+p.path(action), strings.NewReader(withToken(good, fields).Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		require.Equal(t, http.StatusForbidden, p.do(req).status, action)

		after := b.current(t, ref)
		require.Equal(t, before.Version, after.Version, "%s: nothing changed", action)
		require.Equal(t, payment.StatusCreated, after.Status)
	}
}

// TestHostedMethodChoice: a payment without pg_method offers the methods
// of its country and currency, or of its currency alone.
func TestHostedMethodChoice(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	webcheckout := func(in sdk.PaymentParams) *payer {
		t.Helper()
		in.ReturnURL, in.CancelURL, in.Custom = "https://shop.example/pago-ok", "https://shop.example/pago-cancelado", params().Custom
		co, err := b.client.Webcheckout(ctx, in)
		require.NoError(t, err)
		return b.payer(t, co.TransactionID)
	}
	offered := func(body string) []string {
		var out []string
		for _, part := range strings.Split(body, `name="method" value="`)[1:] {
			code, _, _ := strings.Cut(part, `"`)
			out = append(out, code)
		}
		return out
	}

	p := webcheckout(sdk.PaymentParams{Amount: 3500, Currency: "CLP"})
	pg := p.get("")
	require.Equal(t, http.StatusOK, pg.status)
	require.Equal(t, []string{"creditcard", "webpay", "khipu", "servipag"}, offered(pg.body), "no country: the methods taking CLP")

	// Not an offered method: the choice again, 422, nothing changed.
	for _, bad := range []string{"", "pix", "nope"} {
		pg = p.submit("/method", url.Values{"method": {bad}})
		require.Equal(t, http.StatusUnprocessableEntity, pg.status, bad)
		require.Contains(t, pg.body, `class="notice error"`)
		require.Empty(t, b.current(t, p.ref).Method)
	}

	pg = p.submit("/method", url.Values{"method": {"webpay"}})
	require.Equal(t, http.StatusSeeOther, pg.status)
	require.Equal(t, p.path(""), pg.location)
	got := b.current(t, p.ref)
	require.Equal(t, "webpay", got.Method)
	require.Equal(t, "CL", got.Country, "webpay serves CLP in Chile only")
	require.Contains(t, p.get("").body, `name="password"`)

	// Chosen already (a second tab): back to the page, unchanged.
	pg = p.post("/method", withToken(p.token(), url.Values{"method": {"creditcard"}}))
	require.Equal(t, http.StatusSeeOther, pg.status)
	require.Equal(t, "webpay", b.current(t, p.ref).Method)

	br := webcheckout(sdk.PaymentParams{Amount: 10000, Currency: "BRL", Country: "BR"})
	require.Equal(t, []string{"creditcard", "pix", "boleto"}, offered(br.get("").body))

	usd := webcheckout(sdk.PaymentParams{Amount: 1000, Currency: "USD"})
	require.Equal(t, []string{"creditcard"}, offered(usd.get("").body))
	require.Equal(t, http.StatusSeeOther, usd.submit("/method", url.Values{"method": {"creditcard"}}).status)
	require.Empty(t, b.current(t, usd.ref).Country, "cards take USD in many countries: none is guessed")

	// Cancel from the choice: straight back to the merchant's cancel URL.
	c := webcheckout(sdk.PaymentParams{Amount: 3500, Currency: "CLP"})
	pg = c.submit("/cancel", nil)
	require.Equal(t, http.StatusSeeOther, pg.status)
	b.requireReturn(t, pg.location, "https://shop.example/pago-cancelado", c.ref, "canceled")
	got = b.current(t, c.ref)
	require.Equal(t, payment.StatusCanceled, got.Status)
	require.Equal(t, "cancelled", got.StatusDetail)
	pg = c.post("/cancel", withToken(c.lastToken, nil))
	require.Equal(t, http.StatusSeeOther, pg.status, "canceled already: to the page")
	require.Equal(t, c.path(""), pg.location)
}
