package payretailers_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/pasarela/pasarela/client/payretailers"
	"github.com/pasarela/pasarela/e2e"
)

// The hosted pages end to end: the real gateway (gateway.Open and Serve,
// notification workers and all), a merchant shop on another port, and a
// phone-sized headless Chromium clicking through. For each flow the shop
// must receive an IPN that VerifyNotification accepts, see the payer come
// back with a return that VerifyReturn accepts, and read the same final
// status from payment/status. Screenshots of every page go to
// e2e/screenshots/ (see package e2e).

// futureExpiry is a card expiry two years ahead, as typed (MM/YY).
func futureExpiry() string { return time.Now().AddDate(2, 0, 0).Format("01/06") }

// transactionOf is the transaction id in the URL of a hosted page.
func transactionOf(t *testing.T, pageURL string) string {
	t.Helper()
	u, err := url.Parse(pageURL)
	require.NoError(t, err)
	rest, ok := strings.CutPrefix(u.Path, "/pay-direct/")
	require.True(t, ok, pageURL)
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// TestHostedE2ECards pays by card: approved through the API, declined
// through the Webcheckout form and the method choice; then no card number
// may be found in the database files or the log.
func TestHostedE2ECards(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	sh := l.shop
	ph := newPhone(t)

	// payment/create with pg_method=creditcard: straight to the card form.
	p := sh.create(t, "creditcard", "pedido-1001")
	require.Equal(t, l.url+"/pay-direct/"+p.TransactionID, p.PaymentMethodURL)
	ph.open(p.PaymentMethodURL, "#number")
	ph.shot("card")
	require.Equal(t, "$25.000", ph.text(".amount"))
	require.Equal(t, "Pagar $25.000", ph.text("#pay"))
	bottom := e2e.Eval[float64](t, ph.ctx, "document.getElementById('pay').getBoundingClientRect().bottom")
	require.LessOrEqual(t, bottom, float64(e2e.Phone.Height), "the pay button is on the first screen")

	// A number failing Luhn: the form again, the number not echoed.
	ph.fill(map[string]string{"#number": "4242 4242 4242 4241", "#expiry": futureExpiry(), "#cvc": "123", "#holder": "Ana Pérez"})
	ph.click("#pay", "#number-error")
	ph.shot("card-invalid")
	require.Empty(t, e2e.Eval[string](t, ph.ctx, "document.getElementById('number').value"))
	require.Empty(t, e2e.Eval[string](t, ph.ctx, "document.getElementById('cvc').value"))
	require.Equal(t, "Ana Pérez", e2e.Eval[string](t, ph.ctx, "document.getElementById('holder').value"))

	// 4242…: approved, and straight back to pg_return_url (the 303 passes
	// the CSP form-action because the page listed the shop's origin).
	ph.fill(map[string]string{"#number": "4242 4242 4242 4242", "#expiry": futureExpiry(), "#cvc": "123"})
	ph.click("#pay", "#shop")
	require.True(t, strings.HasPrefix(ph.url(), sh.srv.URL+"/ok?"), ph.url())
	sh.expect(t, p.TransactionID, "/ok", "completed", "pedido-1001")

	// The Webcheckout form without pg_method, in English: choose a method.
	ph.open(sh.srv.URL+"/shop?lang=en&custom=pedido-1002", "#buy")
	ph.click("#buy", "#method-creditcard")
	ph.shot("methods-en")
	require.Equal(t, "Choose how to pay", ph.text("h1"))
	id := transactionOf(t, ph.url())
	ph.click("#method-creditcard", "#number")
	ph.shot("card-en")

	// 4000…0002: declined. The page says why and links back.
	ph.fill(map[string]string{"#number": "4000000000000002", "#expiry": futureExpiry(), "#cvc": "321", "#holder": "Ana Pérez"})
	ph.click("#pay", "#reason")
	ph.shot("result-declined-en")
	require.Equal(t, "Payment declined", ph.text("h1"))
	require.Equal(t, "The card issuer declined the card.", ph.text("#reason"))
	ph.click("#return", "#shop")
	sh.expect(t, id, "/cancel", "failed", "pedido-1002")

	l.requireNoCardData(t, "4242 4242 4242 4242", "4242 4242 4242 4241", "4000000000000002")
}

// TestHostedE2EBanksAndVouchers pays by bank (approved, rejected,
// canceled) and by cash voucher (issued, then paid through the sandbox
// helper), and shows the not-found and expired pages.
func TestHostedE2EBanksAndVouchers(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	sh := l.shop
	ph := newPhone(t)

	// webpay through the API: a wrong password, then "approve".
	p := sh.create(t, "webpay", "pedido-2001")
	ph.open(p.PaymentMethodURL, "#password")
	ph.shot("bank-login")
	ph.fill(map[string]string{"#document": "11.111.111-1", "#password": "wrong"})
	ph.click("#login", "#password-error")
	ph.shot("bank-login-wrong")
	require.Contains(t, ph.text("#password-error"), "Intentos restantes: 4")
	ph.fill(map[string]string{"#password": "approve"})
	ph.click("#login", "#approve")
	ph.shot("bank-approve")
	ph.click("#approve", "#shop")
	sh.expect(t, p.TransactionID, "/ok", "completed", "pedido-2001")

	// webpay through the Webcheckout form, in Portuguese: "reject".
	ph.open(sh.srv.URL+"/shop?method=webpay&lang=pt&custom=pedido-2002", "#buy")
	ph.click("#buy", "#password")
	id := transactionOf(t, ph.url())
	ph.fill(map[string]string{"#document": "12.345.678-5", "#password": "reject"})
	ph.click("#login", "#approve")
	ph.click("#approve", "#reason")
	ph.shot("result-rejected-pt")
	require.Equal(t, "Pagamento recusado", ph.text("h1"))
	ph.click("#return", "#shop")
	sh.expect(t, id, "/cancel", "failed", "pedido-2002")

	// "pending": the bank confirms later. The payer sees it pending and
	// may go back at once; the IPN comes with the confirmation.
	p = sh.create(t, "webpay", "pedido-2006")
	ph.open(p.PaymentMethodURL, "#password")
	ph.fill(map[string]string{"#document": "11.111.111-1", "#password": "pending"})
	ph.click("#login", "#approve")
	ph.click("#approve", "#return")
	ph.shot("result-pending")
	require.Equal(t, "Pago en proceso", ph.text("h1"))
	ph.click("#return", "#shop")
	sh.mu.Lock()
	require.Equal(t, shopReturn{path: "/cancel", ret: sdk.Return{Custom: "pedido-2006", Status: "pending", TransactionID: p.TransactionID}},
		sh.returns[p.TransactionID])
	sh.mu.Unlock()
	l.confirmBankTransfers(t, 1)
	sh.expect(t, p.TransactionID, "", "completed", "pedido-2006")

	// khipu: the payer cancels at the bank.
	p = sh.create(t, "khipu", "pedido-2003")
	ph.open(p.PaymentMethodURL, "#password")
	ph.click("#cancel", "#shop")
	sh.expect(t, p.TransactionID, "/cancel", "canceled", "pedido-2003")

	// servipag: the voucher is issued when the payer opens the page.
	p = sh.create(t, "servipag", "pedido-2004")
	ph.open(p.PaymentMethodURL, "#voucher-reference")
	ph.shot("voucher")
	require.Regexp(t, `^\d{4}-\d{4}-\d{4}-\d{4}$`, ph.text("#voucher-reference"))
	require.Equal(t, 1, e2e.Eval[int](t, ph.ctx, "document.getElementById('voucher-reference').getClientRects().length"),
		"the payment code fits on one line of a phone")
	require.Equal(t, 72.0, e2e.Eval[float64](t, ph.ctx, "document.querySelector('.voucher svg').getBoundingClientRect().height"))
	sh.waitIPN(t, p.TransactionID, "pending")
	// On paper: an A4 sheet's width, in print media.
	e2e.SetViewport(t, ph.ctx, e2e.Viewport{Name: "a4", Width: 794, Height: 1123})
	e2e.EmulatePrint(t, ph.ctx, true)
	e2e.Screenshot(t, ph.ctx, "voucher-print")
	require.Equal(t, "rgb(255, 255, 255)", e2e.Eval[string](t, ph.ctx, "getComputedStyle(document.body).backgroundColor"))
	require.Equal(t, "none", e2e.Eval[string](t, ph.ctx, "getComputedStyle(document.querySelector('.footer')).display"))
	require.Equal(t, "none", e2e.Eval[string](t, ph.ctx, "getComputedStyle(document.querySelector('.no-print')).display"))
	e2e.EmulatePrint(t, ph.ctx, false)
	e2e.SetViewport(t, ph.ctx, e2e.Phone)
	// The counter takes the cash: the shop's CI plays it with the helper.
	sh.sandboxHelper(t, p.TransactionID, "complete")
	sh.expect(t, p.TransactionID, "", "completed", "pedido-2004")
	ph.open(p.PaymentMethodURL, "#return")
	ph.shot("voucher-paid")
	ph.click("#return", "#shop")
	sh.expect(t, p.TransactionID, "/ok", "completed", "pedido-2004")

	// Too late: the expired page, still in the payment's language.
	p = sh.create(t, "creditcard", "pedido-2005")
	sh.sandboxHelper(t, p.TransactionID, "expire")
	ph.open(p.PaymentMethodURL, "#return")
	ph.shot("expired")
	require.Equal(t, "Pago expirado", ph.text("h1"))
	sh.expect(t, p.TransactionID, "", "expired", "pedido-2005")

	ph.open(l.url+"/pay-direct/no-such-transaction", "h1")
	ph.shot("not-found")
	require.Equal(t, "Pago no encontrado", ph.text("h1"))
}
