package payretailers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/payment"
)

// TestHostedCardInvalid: bad card data gets the form back with the field
// marked (422), the number and CVC never echoed, and nothing changed.
func TestHostedCardInvalid(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.payer(t, b.createMethod(t, "creditcard"))
	lastYear := b.clock.Now().AddDate(-1, 0, 0).Format("01/06")
	cases := map[string]struct {
		change func(url.Values)
		field  string
	}{
		"luhn":            {func(f url.Values) { f.Set("number", "4242424242424241") }, "number"},
		"letters":         {func(f url.Values) { f.Set("number", "4242abcd42424242") }, "number"},
		"short":           {func(f url.Values) { f.Set("number", "4242") }, "number"},
		"no number":       {func(f url.Values) { f.Del("number") }, "number"},
		"past expiry":     {func(f url.Values) { f.Set("expiry", lastYear) }, "expiry"},
		"month 13":        {func(f url.Values) { f.Set("expiry", "13/40") }, "expiry"},
		"expiry words":    {func(f url.Values) { f.Set("expiry", "soon") }, "expiry"},
		"cvc letters":     {func(f url.Values) { f.Set("cvc", "12a") }, "cvc"},
		"cvc too long":    {func(f url.Values) { f.Set("cvc", "12345") }, "cvc"},
		"no holder":       {func(f url.Values) { f.Set("holder", "   ") }, "holder"},
		"holder too long": {func(f url.Values) { f.Set("holder", strings.Repeat("a", 65)) }, "holder"},
	}
	for name, c := range cases {
		// Not a documented test card: the sandbox page lists those.
		form := b.validCard("4111 1111 1111 1111")
		form.Set("cvc", "987")
		c.change(form)
		pg := p.submit("/card", form)
		require.Equal(t, http.StatusUnprocessableEntity, pg.status, name)
		require.Contains(t, pg.body, `id="`+c.field+`-error"`, name)
		require.Contains(t, pg.body, `aria-invalid="true"`, name)
		require.NotContains(t, pg.body, "4111", "%s: the number never comes back", name)
		require.NotContains(t, pg.body, "4242424242424241", name)
		require.NotRegexp(t, `id="(number|cvc)"[^>]*value=`, pg.body, "%s: number and CVC inputs come back empty", name)
		require.NotContains(t, pg.body, `"987"`, "%s: the CVC never comes back", name)
		if c.field != "holder" {
			require.Contains(t, pg.body, `value="Ana Pérez"`, "%s: the holder's name is kept", name)
		}
	}
	got := b.current(t, p.ref)
	require.Equal(t, payment.StatusCreated, got.Status)
	require.Len(t, b.events(t, p.ref), 1, "only the creation")
	require.NotContains(t, b.log.String(), "4111", "card data is never logged")
}

// TestHostedCardOutcomes: each sandbox test card drives the payment to
// its documented end, through pending, with the merchant's return.
func TestHostedCardOutcomes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := map[string]struct {
		status payment.Status
		detail string
	}{
		"4242424242424242": {payment.StatusCompleted, ""},
		"5555555555554444": {payment.StatusCompleted, ""},
		"4111111111111111": {payment.StatusCompleted, ""},
		"4000000000000002": {payment.StatusFailed, "card_declined"},
		"4000000000009995": {payment.StatusFailed, "insufficient_funds"},
		"4000000000000069": {payment.StatusFailed, "expired_card"},
		"4000000000000127": {payment.StatusFailed, "incorrect_cvc"},
		"4000000000000119": {payment.StatusFailed, "processing_error"},
	}
	for number, want := range cases {
		p := b.payer(t, b.createMethod(t, "creditcard"))
		pg := p.submit("/card", b.validCard(number))
		require.Equal(t, http.StatusSeeOther, pg.status, number)
		got := b.current(t, p.ref)
		require.Equal(t, want.status, got.Status, number)
		require.Equal(t, want.detail, got.StatusDetail, number)

		evs := b.events(t, p.ref)
		require.Len(t, evs, 3, number)
		require.Equal(t, payment.StatusPending, evs[1].To, "%s: created → pending → end", number)
		require.Equal(t, payment.ActorPayer, evs[1].Actor)
		require.Equal(t, payment.ActorRail, evs[2].Actor)

		if want.status == payment.StatusCompleted {
			// Straight back to the merchant, signed.
			b.requireReturn(t, pg.location, "https://shop.example/pago-ok", p.ref, "completed")
			continue
		}
		// A failure shows why, and links to the cancel URL.
		require.Equal(t, p.path(""), pg.location, number)
		result := p.get("")
		require.Contains(t, result.body, `id="reason"`, number)
		b.requireReturn(t, returnLink(t, result.body), "https://shop.example/pago-cancelado", p.ref, "failed")

		// A second submit (double click, back button) changes nothing.
		pg = p.post("/card", withToken(p.lastToken, b.validCard("4242424242424242")))
		require.Equal(t, http.StatusSeeOther, pg.status)
		require.Equal(t, p.path(""), pg.location)
		require.Equal(t, want.status, b.current(t, p.ref).Status)
	}
	for _, number := range []string{"4242424242424242", "5555555555554444", "4000000000000002"} {
		require.NotContains(t, b.log.String(), number, "card numbers are never logged")
	}
}

// TestHostedCardWrongFamily: the card action refuses a payment of another
// method, and a card payment takes no bank login.
func TestHostedCardWrongFamily(t *testing.T) {
	t.Parallel()
	b := setup(t)
	bank := b.payer(t, b.createMethod(t, "webpay"))
	pg := bank.submit("/card", b.validCard("4242424242424242"))
	require.Equal(t, http.StatusSeeOther, pg.status)
	require.Equal(t, bank.path(""), pg.location)

	card := b.payer(t, b.createMethod(t, "creditcard"))
	pg = card.submit("/bank/login", url.Values{"document": {"1-9"}, "password": {"approve"}})
	require.Equal(t, http.StatusSeeOther, pg.status)
	for _, ref := range []string{bank.ref, card.ref} {
		require.Len(t, b.events(t, ref), 1, "nothing changed")
	}
}
