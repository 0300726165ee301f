package payretailers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/checkout"
	sdk "github.com/pasarela/pasarela/client/payretailers"
	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/payretailers"
)

// The OneClick calls and the enrollment page over HTTP, with the real
// vault on the test's SQLite file and the merchant SDK as the caller.
// The browser flow is in oneclick_e2e_test.go.

// TestOneClickFlow runs the whole life of a card: enrolled, listed,
// charged (an approved and a declining card), deleted, refused.
func TestOneClickFlow(t *testing.T) {
	t.Parallel()
	b := setupOneClick(t)
	ctx := context.Background()

	card := b.enroll(t, "Ana@Example.com", "4242 4242 4242 4242")
	require.Equal(t, "visa", card.Type)
	require.Equal(t, "XXXXXXXXXXXX4242", card.Number)
	require.True(t, strings.HasPrefix(card.ID, "card_"), card.ID)

	// The same number again for the same payer is the same card; another
	// number is another card. Emails are matched without case.
	again := b.enroll(t, "ana@example.com", "4242424242424242")
	require.Equal(t, card, again)
	master := b.enroll(t, "ana@example.com", "5555555555554444")
	require.Equal(t, "mastercard", master.Type)
	require.Equal(t, "XXXXXXXXXXXX4444", master.Number)
	cards, err := b.client.Cards(ctx, "ana@example.com")
	require.NoError(t, err)
	require.Equal(t, []sdk.Card{*card, *master}, cards)

	// Charged: the same payment as any other, completed in the answer.
	ch, err := b.client.Charge(ctx, charge(card.ID, "ana@example.com"))
	require.NoError(t, err)
	require.Equal(t, "completed", ch.Status)
	require.Equal(t, "oneclick", ch.PaymentMethod)
	require.Equal(t, "5000", string(ch.Amount))
	require.Equal(t, sdk.Customer{Country: "CL", Email: "ana@example.com", FirstName: "Roberto", LastName: "Fernandez"}, ch.Customer)
	st, err := b.client.PaymentStatus(ctx, ch.TransactionID)
	require.NoError(t, err)
	require.Equal(t, "completed", st.Status)
	require.Equal(t, "oneclick", st.PaymentMethod)
	p := b.current(t, ch.TransactionID)
	require.Equal(t, card.ID, p.Extra[payretailers.ExtraOneClickCard])
	var moves []string
	for _, ev := range b.events(t, ch.TransactionID) {
		moves = append(moves, string(ev.To)+"/"+ev.Actor)
	}
	require.Equal(t, []string{"created/api", "pending/api", "completed/rail"}, moves)

	// Its transaction page, should anyone open it, is its result; it takes
	// no form.
	pg := b.payer(t, ch.TransactionID).get("")
	require.Equal(t, http.StatusOK, pg.status)
	require.Contains(t, pg.body, "Pago aprobado")
	require.NotContains(t, pg.body, "<form")

	// The IPN is the dialect's usual one, signed, method "oneclick".
	notes, err := b.store.ListNotifications(ctx, notify.Filter{PaymentID: p.ID})
	require.NoError(t, err)
	require.Len(t, notes, 1)
	req, err := http.NewRequest(http.MethodPost, "https://shop.example/ipn", strings.NewReader(string(notes[0].Body)))
	require.NoError(t, err)
	for k, v := range notes[0].Headers {
		req.Header[k] = []string{v}
	}
	ipn, err := b.client.VerifyNotification(req)
	require.NoError(t, err)
	require.Equal(t, "completed", ipn.Status)
	require.Equal(t, "oneclick", ipn.Method)
	require.Equal(t, "suscripcion-7", ipn.Custom)

	// Unregistered: gone from the list, refused for charges, and its
	// ciphertext is erased (the vault cannot open it any more).
	require.NoError(t, b.client.Unregister(ctx, "ana@example.com", card.ID))
	cards, err = b.client.Cards(ctx, "ana@example.com")
	require.NoError(t, err)
	require.Equal(t, []sdk.Card{*master}, cards)
	_, err = b.client.Charge(ctx, charge(card.ID, "ana@example.com"))
	requireAPIError(t, err, payretailers.CodeNotFound)
	_, _, _, err = b.vault.Load(ctx, b.merchant.ID, "ana@example.com", card.ID)
	require.Error(t, err)

	// Nothing of the cards went anywhere but the vault's ciphertext.
	var bodies strings.Builder
	all, err := b.store.ListNotifications(ctx, notify.Filter{MerchantID: b.merchant.ID})
	require.NoError(t, err)
	for _, n := range all {
		bodies.Write(n.Body)
		bodies.WriteString(n.URL)
	}
	for _, ev := range b.events(t, ch.TransactionID) {
		bodies.WriteString(ev.Detail)
	}
	for _, where := range []string{b.log.String(), bodies.String()} {
		for _, n := range []string{"4242424242424242", "42424242", "5555555555554444", "55554444"} {
			require.NotContains(t, where, n)
		}
	}
}

// TestOneClickChargeOutcomes: sandbox charges follow the enrolled test
// card. "Insufficient funds" passes the zero-amount verification (no money
// moves) and its charges fail; an IPN announces the failure.
func TestOneClickChargeOutcomes(t *testing.T) {
	t.Parallel()
	b := setupOneClick(t)
	ctx := context.Background()
	card := b.enroll(t, "luis@example.com", "4000000000009995")
	ch, err := b.client.Charge(ctx, charge(card.ID, "luis@example.com"))
	require.NoError(t, err)
	require.Equal(t, "failed", ch.Status)
	p := b.current(t, ch.TransactionID)
	require.Equal(t, payment.StatusFailed, p.Status)
	require.Equal(t, "insufficient_funds", p.StatusDetail)
	notes, err := b.store.ListNotifications(ctx, notify.Filter{PaymentID: p.ID})
	require.NoError(t, err)
	require.Len(t, notes, 1)
	require.Contains(t, string(notes[0].Body), `"status":"failed"`)

	// USD has cents: the amount is a JSON number with them.
	in := charge(card.ID, "luis@example.com")
	in.Currency, in.Amount, in.Country = "USD", 1050, ""
	card2 := b.enroll(t, "luis@example.com", "4111111111111111")
	in.Card = card2.ID
	ch, err = b.client.Charge(ctx, in)
	require.NoError(t, err)
	require.Equal(t, "completed", ch.Status)
	require.Equal(t, "10.50", string(ch.Amount))
}

// TestOneClickConfirmOnce: a token confirms once, sequentially and
// concurrently, and a payer who reopens the page afterwards cannot slip a
// second card under the spent token.
func TestOneClickConfirmOnce(t *testing.T) {
	t.Parallel()
	b := setupOneClick(t)
	ctx := context.Background()
	enr := b.register(t, "eva@example.com")
	e := b.enroller(t, enr)
	// A tab left open keeps a CSRF token that stays valid for this
	// browser and enrollment.
	lateToken := e.csrf()
	e.enterCard("4242424242424242")

	// A double submit of the form changes nothing: back to the page, which
	// says the card is saved.
	pg := e.post(lateToken, b.validCard("5555555555554444"))
	require.Equal(t, http.StatusSeeOther, pg.status)
	require.Equal(t, "/oneclick/session/"+enr.Token, pg.location)
	pg = e.get("")
	require.Equal(t, http.StatusOK, pg.status)
	require.Contains(t, pg.body, `id="return"`)

	const racers = 4
	var wg sync.WaitGroup
	results := make([]error, racers)
	cards := make([]*sdk.Card, racers)
	for i := range racers {
		wg.Go(func() { cards[i], results[i] = b.client.Confirm(ctx, enr.Token) })
	}
	wg.Wait()
	var won *sdk.Card
	for i, err := range results {
		if err == nil {
			require.Nil(t, won, "two confirms won")
			won = cards[i]
			continue
		}
		requireAPIError(t, err, payretailers.CodeConflict)
	}
	require.NotNil(t, won, "one confirm wins")
	require.Equal(t, "XXXXXXXXXXXX4242", won.Number)

	_, err := b.client.Confirm(ctx, enr.Token)
	requireAPIError(t, err, payretailers.CodeConflict)

	// The page now says the card is saved and takes no other card.
	pg = e.get("en")
	require.Equal(t, http.StatusOK, pg.status)
	require.Contains(t, pg.body, "Card saved")
	require.NotContains(t, pg.body, "<form")
	pg = e.post(lateToken, b.validCard("5555555555554444"))
	require.Equal(t, http.StatusSeeOther, pg.status)
	require.Equal(t, "/oneclick/session/"+enr.Token, pg.location)
	_, err = b.client.Confirm(ctx, enr.Token)
	requireAPIError(t, err, payretailers.CodeConflict)
	cards2, err := b.client.Cards(ctx, "eva@example.com")
	require.NoError(t, err)
	require.Equal(t, []sdk.Card{*won}, cards2)
	require.Empty(t, b.cards.active(t, "@pending.oneclick.invalid"), "the entered card was moved, not copied")
	require.Len(t, b.cards.active(t, "@confirmed.oneclick.invalid"), 1, "one marker spends the token")
}

// TestOneClickConfirmScope: a token is its service's. Another service
// confirming it learns nothing (NOT_FOUND, as for a made-up token) and
// does not spend it.
func TestOneClickConfirmScope(t *testing.T) {
	t.Parallel()
	b := setupOneClick(t)
	ctx := context.Background()
	enr := b.register(t, "eva@example.com")
	b.enroller(t, enr).enterCard("4242424242424242")

	_, err := b.other.Confirm(ctx, enr.Token)
	requireAPIError(t, err, payretailers.CodeNotFound)
	for _, forged := range []string{"x", enr.Token[:len(enr.Token)-2] + "AA", strings.Repeat("A", len(enr.Token))} {
		_, err = b.client.Confirm(ctx, forged)
		requireAPIError(t, err, payretailers.CodeNotFound)
	}
	card, err := b.client.Confirm(ctx, enr.Token)
	require.NoError(t, err)

	// The other service sees, charges and deletes none of A's cards, even
	// with the right email and card id.
	cards, err := b.other.Cards(ctx, "eva@example.com")
	require.NoError(t, err)
	require.Empty(t, cards)
	_, err = b.other.Charge(ctx, charge(card.ID, "eva@example.com"))
	requireAPIError(t, err, payretailers.CodeNotFound)
	requireAPIError(t, b.other.Unregister(ctx, "eva@example.com", card.ID), payretailers.CodeNotFound)

	// Confirm before the payer entered a card: not yet.
	open := b.register(t, "eva@example.com")
	_, err = b.client.Confirm(ctx, open.Token)
	requireAPIError(t, err, payretailers.CodeConflict)
}

// TestOneClickCustomerScope: a card is its payer's. Another email at the
// same merchant cannot see, charge or delete it, and learns nothing from
// trying (the answers are those of an unknown card).
func TestOneClickCustomerScope(t *testing.T) {
	t.Parallel()
	b := setupOneClick(t)
	ctx := context.Background()
	card := b.enroll(t, "eva@example.com", "4242424242424242")

	cards, err := b.client.Cards(ctx, "mallory@example.com")
	require.NoError(t, err)
	require.Empty(t, cards)
	_, err = b.client.Charge(ctx, charge(card.ID, "mallory@example.com"))
	requireAPIError(t, err, payretailers.CodeNotFound)
	_, unknown := b.client.Charge(ctx, charge("card_00000000000000000000000000", "eva@example.com"))
	requireAPIError(t, unknown, payretailers.CodeNotFound)
	require.Equal(t, err.Error(), unknown.Error(), "another payer's card reads as an unknown one")
	requireAPIError(t, b.client.Unregister(ctx, "mallory@example.com", card.ID), payretailers.CodeNotFound)
	require.Empty(t, b.paymentsOf(t, b.merchant.ID), "refused charges create no payment")

	// Unregistering twice: the second is NOT_FOUND.
	require.NoError(t, b.client.Unregister(ctx, "eva@example.com", card.ID))
	requireAPIError(t, b.client.Unregister(ctx, "eva@example.com", card.ID), payretailers.CodeNotFound)

	// The pseudo-customers' domain is not a payer's.
	_, err = b.client.Cards(ctx, "x@pending.oneclick.invalid")
	requireAPIError(t, err, payretailers.CodeInvalidEmail)
	_, err = b.client.Register(ctx, sdk.EnrollParams{Email: "a@b.invalid", ReturnURL: shopOK, CancelURL: shopKO})
	requireAPIError(t, err, payretailers.CodeInvalidEmail)
}

// TestOneClickExpiredEnrollment: past the session TTL the page answers
// 410 with a way back, confirm answers CONFLICT, and a card entered in
// time but not confirmed in time is shredded.
func TestOneClickExpiredEnrollment(t *testing.T) {
	t.Parallel()
	b := setupOneClick(t)
	ctx := context.Background()
	late := b.register(t, "eva@example.com")
	entered := b.register(t, "eva@example.com")
	e := b.enroller(t, entered)
	e.enterCard("4242424242424242")
	lateTab := b.enroller(t, late)
	token := lateTab.csrf()

	b.clock.Add(payretailers.DefaultSessionTTL)
	pg := lateTab.get("en")
	require.Equal(t, http.StatusGone, pg.status)
	require.Contains(t, pg.body, "This card registration has expired")
	require.Contains(t, pg.body, `href="`+strings.ReplaceAll(shopKO+"?pg_token="+late.Token, "&", "&amp;")+`"`)
	require.Equal(t, http.StatusGone, lateTab.post(token, b.validCard("4242424242424242")).status)

	_, err := b.client.Confirm(ctx, late.Token)
	requireAPIError(t, err, payretailers.CodeConflict)
	_, err = b.client.Confirm(ctx, entered.Token)
	requireAPIError(t, err, payretailers.CodeConflict)
	cards, err := b.client.Cards(ctx, "eva@example.com")
	require.NoError(t, err)
	require.Empty(t, cards)
	require.Empty(t, b.cards.active(t, ""), "the unconfirmed card is shredded")
}

// TestOneClickBadCardOnPage: card data the form or the acquirer refuses
// gets the form back (422) with the reason, never the number or CVC, and
// stores nothing; the page is protected like the payment pages.
func TestOneClickBadCardOnPage(t *testing.T) {
	t.Parallel()
	b := setupOneClick(t)
	ctx := context.Background()
	enr := b.register(t, "eva@example.com")
	e := b.enroller(t, enr)
	valid := b.validCard("4242424242424242")
	with := func(field, value string) url.Values {
		v := url.Values{}
		for k, vs := range valid {
			v[k] = vs
		}
		v.Set(field, value)
		return v
	}
	cases := []struct {
		name  string
		form  url.Values
		shows string
	}{
		{"luhn", with("number", "4242 4242 4242 4241"), `id="number-error"`},
		{"short", with("number", "4242"), `id="number-error"`},
		{"past expiry", with("expiry", "01/20"), `id="expiry-error"`},
		{"expiry far ahead", with("expiry", "01/2090"), `id="expiry-error"`},
		{"bad expiry", with("expiry", "13/30"), `id="expiry-error"`},
		{"cvc", with("cvc", "12"), `id="cvc-error"`},
		{"holder", with("holder", " "), `id="holder-error"`},
		{"declined", with("number", "4000000000000002"), "El banco emisor rechazó la tarjeta."},
		{"wrong cvc", with("number", "4000 0000 0000 0127"), "El código de seguridad es incorrecto."},
		{"expired card", with("number", "4000000000000069"), "La tarjeta está vencida."},
		{"processing", with("number", "4000000000000119"), "Hubo un error al procesar el pago."},
	}
	for _, c := range cases {
		pg := e.submit(c.form)
		require.Equal(t, http.StatusUnprocessableEntity, pg.status, c.name)
		require.Contains(t, pg.body, c.shows, c.name)
		if number := strings.ReplaceAll(c.form.Get("number"), " ", ""); len(number) >= 12 {
			require.NotContains(t, pg.body, number, c.name)
		}
		require.NotContains(t, pg.body, `value="`+c.form.Get("cvc")+`"`, c.name)
	}
	_, err := b.client.Confirm(ctx, enr.Token)
	requireAPIError(t, err, payretailers.CodeConflict)
	require.Empty(t, b.cards.active(t, ""), "no refused card was stored")

	// No CSRF token, another enrollment's token, a forged enrollment.
	require.Equal(t, http.StatusForbidden, e.post("", valid).status)
	other := b.enroller(t, b.register(t, "eva@example.com"))
	other.client.Jar = e.client.Jar
	require.Equal(t, http.StatusForbidden, e.post(other.csrf(), valid).status)
	forged := b.enroller(t, &sdk.Enrollment{Token: "AAAA", RedirectURL: publicURL + "/oneclick/session/AAAA"})
	require.Equal(t, http.StatusNotFound, forged.get("").status)

	// A card tester gets five refusals per enrollment, then nothing, not
	// even for a good card.
	tester := b.enroller(t, b.register(t, "eva@example.com"))
	testerToken := tester.csrf()
	for i := range 5 {
		pg := tester.post(testerToken, with("number", "4000000000000002"))
		if i < 4 {
			require.Equal(t, http.StatusUnprocessableEntity, pg.status)
		} else {
			require.Equal(t, http.StatusTooManyRequests, pg.status)
			require.Contains(t, pg.body, "Demasiados intentos")
		}
	}
	require.Equal(t, http.StatusTooManyRequests, tester.get("").status)
	require.Equal(t, http.StatusTooManyRequests, tester.post(testerToken, valid).status)
	require.Empty(t, b.cards.active(t, ""))

	// Only then the right card.
	e.enterCard("4242424242424242")
	card, err := b.client.Confirm(ctx, enr.Token)
	require.NoError(t, err)
	require.Equal(t, "XXXXXXXXXXXX4242", card.Number)
	require.NotContains(t, b.log.String(), "4242424242424242")
}

// TestOneClickPagesInEveryLanguage renders every state of the enrollment
// page in es, en and pt: computed message keys are only checked by
// rendering them.
func TestOneClickPagesInEveryLanguage(t *testing.T) {
	t.Parallel()
	b := setupOneClick(t)
	reach := map[string]func(e *enroller, lang string) page{
		"form": func(e *enroller, lang string) page { return e.get(lang) },
		"errors": func(e *enroller, lang string) page {
			return e.postLang(lang, url.Values{"number": {"1"}, "expiry": {"x"}, "cvc": {"x"}})
		},
		"locked": func(e *enroller, lang string) page {
			for range 5 {
				e.postLang(lang, e.b.validCard("4000000000000002"))
			}
			return e.get(lang)
		},
		"declined": func(e *enroller, lang string) page {
			return e.postLang(lang, e.b.validCard("4000000000000002"))
		},
		"done": func(e *enroller, lang string) page {
			e.enterCard("4242424242424242")
			return e.get(lang)
		},
	}
	for name, fn := range reach {
		for _, lang := range checkout.Languages() {
			e := b.enroller(t, b.register(t, "eva@example.com"))
			pg := fn(e, string(lang))
			require.Contains(t, []int{http.StatusOK, http.StatusUnprocessableEntity, http.StatusTooManyRequests}, pg.status, "%s/%s: %s", name, lang, pg.body)
			requireCleanPage(t, pg, string(lang), name)
		}
	}
	e := b.enroller(t, b.register(t, "eva@example.com"))
	b.clock.Add(time.Hour)
	for _, lang := range checkout.Languages() {
		pg := e.get(string(lang))
		require.Equal(t, http.StatusGone, pg.status)
		requireCleanPage(t, pg, string(lang), "expired")
	}
}

// postLang posts the card form with an Accept-Language.
func (e *enroller) postLang(lang string, card url.Values) page {
	e.t.Helper()
	form := url.Values{"csrf_token": {e.csrf()}}
	for k, v := range card {
		form[k] = v
	}
	req, err := http.NewRequest(http.MethodPost, e.b.srv.URL+e.path+"/card", strings.NewReader(form.Encode()))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", lang)
	return e.do(req)
}

func requireCleanPage(t *testing.T, pg page, lang, name string) {
	t.Helper()
	require.Equal(t, lang, pg.header.Get("Content-Language"), name)
	require.NotContains(t, pg.body, "%!", "%s/%s: fmt verbs and arguments agree", name, lang)
	require.NotContains(t, pg.body, "payretailers.", "%s/%s: no raw message key", name, lang)
	require.NotContains(t, pg.body, "style=", "%s/%s: no inline style", name, lang)
	require.NotContains(t, pg.body, "<script", "%s/%s", name, lang)
	require.Contains(t, pg.header.Get("Content-Security-Policy"), "form-action 'self' https://shop.example", name)
	if strings.Contains(pg.body, "<form") {
		require.Contains(t, pg.body, `name="csrf_token"`, "%s/%s: every form is protected", name, lang)
	}
}

// TestOneClickNeedsAuthAndVault: register, create, unregister and cards
// need an auth token of the service; a gateway without a vault answers
// INVALID_METHOD and has no enrollment page.
func TestOneClickNeedsAuthAndVault(t *testing.T) {
	t.Parallel()
	b := setupOneClick(t)
	for _, path := range []string{payretailers.PathOneClickRegister, payretailers.PathOneClickCreate, payretailers.PathOneClickUnregister, payretailers.PathOneClickCards} {
		a := b.signed(t, http.MethodPost, path, map[string]any{"pg_serviceid": b.creds.ServiceID, "pg_email": "a@b.cl"})
		require.Equal(t, payretailers.CodeInvalidToken, a.errorCode(), path)
	}
	a := b.signed(t, http.MethodPost, payretailers.PathOneClickConfirm, map[string]any{"pg_serviceid": b.creds.ServiceID})
	require.Equal(t, payretailers.CodeMissingField, a.errorCode())

	plain := setup(t) // no vault
	_, err := plain.client.Register(context.Background(), sdk.EnrollParams{Email: "a@b.cl", ReturnURL: shopOK, CancelURL: shopKO})
	requireAPIError(t, err, payretailers.CodeInvalidMethod)
	_, err = plain.client.Confirm(context.Background(), "x")
	requireAPIError(t, err, payretailers.CodeInvalidMethod)
	enr := b.register(t, "a@b.cl")
	resp, err := plain.srv.Client().Get(plain.srv.URL + strings.TrimPrefix(enr.RedirectURL, publicURL))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}
