package e2e_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/checkout"
	"github.com/pasarela/pasarela/e2e"
)

// demoMessages are the strings of the demo pages in testdata/pages: a card
// form, a bank chooser and a cash voucher written the way a dialect writes
// its pages, so the stylesheet is seen with real content.
var demoMessages = checkout.Catalog{
	"demo.banks.lead":              {ES: "Te llevaremos a tu banco para que apruebes la transferencia.", EN: "We will take you to your bank to approve the transfer.", PT: "Levaremos você ao seu banco para aprovar a transferência."},
	"demo.banks.note":              {ES: "No guardamos tus claves bancarias.", EN: "We never store your bank passwords.", PT: "Não guardamos suas senhas bancárias."},
	"demo.banks.title":             {ES: "Elige tu banco", EN: "Choose your bank", PT: "Escolha seu banco"},
	"demo.banks.transfer":          {ES: "Transferencia inmediata", EN: "Instant transfer", PT: "Transferência imediata"},
	"demo.cancel":                  {ES: "Cancelar y volver al comercio", EN: "Cancel and return to the store", PT: "Cancelar e voltar à loja"},
	"demo.card.cvc":                {ES: "Código de seguridad", EN: "Security code", PT: "Código de segurança"},
	"demo.card.cvc_hint":           {ES: "3 o 4 dígitos al reverso", EN: "3 or 4 digits on the back", PT: "3 ou 4 dígitos no verso"},
	"demo.card.expiry":             {ES: "Vencimiento", EN: "Expiry date", PT: "Validade"},
	"demo.card.expiry_placeholder": {ES: "MM/AA", EN: "MM/YY", PT: "MM/AA"},
	"demo.card.fix":                {ES: "Revisa los datos marcados.", EN: "Please check the marked fields.", PT: "Verifique os campos marcados."},
	"demo.card.holder":             {ES: "Nombre en la tarjeta", EN: "Name on card", PT: "Nome no cartão"},
	"demo.card.lead":               {ES: "Aceptamos Visa, Mastercard y American Express.", EN: "We accept Visa, Mastercard and American Express.", PT: "Aceitamos Visa, Mastercard e American Express."},
	"demo.card.number":             {ES: "Número de tarjeta", EN: "Card number", PT: "Número do cartão"},
	"demo.card.number_invalid":     {ES: "El número de tarjeta no es válido.", EN: "The card number is not valid.", PT: "O número do cartão não é válido."},
	"demo.card.pay":                {ES: "Pagar %s", EN: "Pay %s", PT: "Pagar %s"},
	"demo.card.title":              {ES: "Paga con tarjeta", EN: "Pay by card", PT: "Pague com cartão"},
	"demo.voucher.code":            {ES: "Código de pago", EN: "Payment code", PT: "Código de pagamento"},
	"demo.voucher.expires":         {ES: "Paga antes del", EN: "Pay before", PT: "Pague até"},
	"demo.voucher.lead":            {ES: "Paga en efectivo con este código en cualquier punto de pago.", EN: "Pay in cash with this code at any payment point.", PT: "Pague em dinheiro com este código em qualquer ponto de pagamento."},
	"demo.voucher.network":         {ES: "Dónde pagar", EN: "Where to pay", PT: "Onde pagar"},
	"demo.voucher.print":           {ES: "Imprime esta página o guárdala como PDF.", EN: "Print this page or save it as a PDF.", PT: "Imprima esta página ou salve-a como PDF."},
	"demo.voucher.printed":         {ES: "Conserva este comprobante hasta que tu pago se confirme.", EN: "Keep this voucher until your payment is confirmed.", PT: "Guarde este comprovante até seu pagamento ser confirmado."},
	"demo.voucher.step1":           {ES: "Ve a un local de %s.", EN: "Go to any %s outlet.", PT: "Vá a um ponto %s."},
	"demo.voucher.step2":           {ES: "Indica el código de pago y el monto.", EN: "Give the payment code and the amount.", PT: "Informe o código de pagamento e o valor."},
	"demo.voucher.step3":           {ES: "Guarda el comprobante de la caja.", EN: "Keep the receipt from the till.", PT: "Guarde o recibo do caixa."},
	"demo.voucher.title":           {ES: "Tu cupón de pago", EN: "Your payment voucher", PT: "Seu boleto de pagamento"},
}

type cardPage struct {
	checkout.Order
	CancelURL string
	Invalid   bool
}

type bank struct{ Code, Name string }

type banksPage struct {
	checkout.Order
	Banks []bank
}

type voucherPage struct {
	checkout.Order
	Code, Expires, Network string
}

// demo is a gateway-shaped test server: payer routes behind SecureHeaders
// and the cross-origin guard, a merchant site on another origin.
type demo struct {
	merchant *httptest.Server
	rd       *checkout.Renderer
	srv      *httptest.Server
}

func newDemo(t *testing.T) *demo {
	t.Helper()
	rd, err := checkout.New(checkout.Options{
		CSRFKey:  []byte("e2e-test-key-0123456789abcdef0123"),
		Messages: demoMessages,
		Pages:    os.DirFS("testdata/pages"),
		Sandbox:  true,
	})
	require.NoError(t, err)
	d := &demo{rd: rd}

	// The merchant: another origin (another port on loopback).
	d.merchant = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Tienda</title><h1 id="merchant">back at the merchant: %s</h1>`, r.URL.Path)
	}))
	t.Cleanup(d.merchant.Close)

	order := func(token string) checkout.Order {
		o := checkout.Order{
			Amount: 50000, Currency: "CLP", Binding: token,
			Merchant: "Tienda Ñandú", Description: "Zapatillas de trail, talla 42", Reference: "ORD-2024-0077",
		}
		if token == "leave-listed" {
			o.FormTargets = []string{d.merchant.URL + "/return"}
		}
		return o
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+checkout.AssetPrefix, checkout.Assets())
	mux.Handle("GET "+checkout.FaviconPath, checkout.Favicon())
	mux.HandleFunc("GET /card/{token}", func(w http.ResponseWriter, r *http.Request) {
		rd.Render(w, r, http.StatusOK, "card", cardPage{
			Order: order(r.PathValue("token")), CancelURL: d.merchant.URL + "/cancel",
			Invalid: r.URL.Query().Has("invalid"),
		})
	})
	mux.HandleFunc("POST /card/{token}", func(w http.ResponseWriter, r *http.Request) {
		token := r.PathValue("token")
		if !rd.CSRF().Verify(r, token) {
			rd.Error(w, r, http.StatusForbidden)
			return
		}
		if strings.HasPrefix(token, "leave") {
			// Straight back to the merchant, as a result redirect does.
			http.Redirect(w, r, d.merchant.URL+"/return", http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/done/"+token, http.StatusSeeOther)
	})
	mux.HandleFunc("GET /done/{token}", func(w http.ResponseWriter, r *http.Request) {
		rd.Render(w, r, http.StatusOK, "result", checkout.Result{
			Order: order(r.PathValue("token")), Outcome: checkout.Approved, ReturnURL: d.merchant.URL + "/return",
		})
	})
	mux.HandleFunc("GET /banks/{token}", func(w http.ResponseWriter, r *http.Request) {
		rd.Render(w, r, http.StatusOK, "banks", banksPage{Order: order(r.PathValue("token")), Banks: []bank{
			{"012", "Banco del Estado de Chile"}, {"037", "Banco Santander"}, {"001", "Banco de Chile"}, {"016", "BCI"},
		}})
	})
	mux.HandleFunc("GET /voucher/{token}", func(w http.ResponseWriter, r *http.Request) {
		rd.Render(w, r, http.StatusOK, "voucher", voucherPage{
			Order: order(r.PathValue("token")), Code: "8472 1190 3358", Expires: "24-11-2025 23:59", Network: "Servipag",
		})
	})
	mux.HandleFunc("GET /expired", func(w http.ResponseWriter, r *http.Request) { rd.Error(w, r, http.StatusGone) })
	// The CSP canary: an inline style the policy must refuse, proving that
	// the violation detector of these tests can see violations at all.
	mux.HandleFunc("GET /canary", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>canary</title><p style="color: red">inline</p>`)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { rd.Error(w, r, http.StatusNotFound) })

	d.srv = httptest.NewServer(checkout.SecureHeaders(rd.CrossOriginGuard(mux)))
	t.Cleanup(d.srv.Close)
	return d
}

// TestCheckoutPages opens each page at phone and desktop size, checks what
// a payer would notice (styled, nothing cut off, no CSP violations, the
// amount right) and saves screenshots to look at.
func TestCheckoutPages(t *testing.T) {
	t.Parallel()
	d := newDemo(t)
	pages := []struct{ name, path string }{
		{"card", "/card/tok_card"},
		{"card-invalid", "/card/tok_card?invalid=1"},
		{"banks", "/banks/tok_banks"},
		{"voucher", "/voucher/tok_v"},
		{"result", "/done/tok_r"},
		{"not-found", "/pay/nope"},
		{"expired", "/expired"},
		{"card-en", "/card/tok_card?lang=en"}, // last: the choice is remembered
	}
	for _, vp := range []e2e.Viewport{e2e.Phone, e2e.Desktop} {
		t.Run(vp.Name, func(t *testing.T) {
			t.Parallel()
			ctx := e2e.NewBrowser(t)
			e2e.SetViewport(t, ctx, vp)
			console := e2e.RecordConsole(t, ctx)

			// The detector works: an inline style is reported.
			e2e.Navigate(t, ctx, d.srv.URL+"/canary")
			require.NotEmpty(t, console.CSPViolations(t, ctx), "the CSP canary was not reported: the checks below would prove nothing")
			seen := len(console.Messages(t, ctx))

			for _, p := range pages {
				e2e.Navigate(t, ctx, d.srv.URL+p.path)
				e2e.Screenshot(t, ctx, p.name)

				msgs := console.Messages(t, ctx)
				for _, m := range msgs[seen:] {
					// An error page reports its own status; anything else (a
					// CSP violation, an asset that failed) is a defect.
					if m.URL == d.srv.URL+p.path && strings.Contains(m.Text, "Failed to load resource") {
						continue
					}
					t.Errorf("%s: console: %s (%s)", p.name, m, m.URL)
				}
				seen = len(msgs)

				// Styled by the one stylesheet (a CSP or asset failure leaves
				// the browser's default white, 8px-margin body).
				require.Equal(t, "rgb(242, 244, 248)", e2e.Eval[string](t, ctx, "getComputedStyle(document.body).backgroundColor"), p.name)
				// Nothing wider than the screen: no sideways scrolling on a phone.
				require.LessOrEqual(t, e2e.Eval[int](t, ctx, "document.documentElement.scrollWidth"), int(vp.Width), p.name)
				require.NotEmpty(t, e2e.Text(t, ctx, ".sandbox"), p.name)
			}

			e2e.Navigate(t, ctx, d.srv.URL+"/card/tok_card?lang=es")
			require.Equal(t, "$50.000", e2e.Text(t, ctx, ".amount"))
			require.Equal(t, "Pagar $50.000", e2e.Text(t, ctx, "#pay"))
			// The pay button is on the first screen, without scrolling.
			bottom := e2e.Eval[float64](t, ctx, "document.getElementById('pay').getBoundingClientRect().bottom")
			require.LessOrEqual(t, bottom, float64(vp.Height), "pay button below the fold")

			e2e.Navigate(t, ctx, d.srv.URL+"/card/tok_card?lang=en")
			require.Equal(t, "Pay $50.000", e2e.Text(t, ctx, "#pay"))
			require.Equal(t, "Payment securely processed by Pasarela", e2e.Text(t, ctx, ".footer p"))

			e2e.Navigate(t, ctx, d.srv.URL+"/pay/nope")
			require.Equal(t, "Payment not found", e2e.Text(t, ctx, "h1"), "the language choice is remembered")
		})
	}
}

// TestVoucherPrint looks at the voucher as a printer gets it.
func TestVoucherPrint(t *testing.T) {
	t.Parallel()
	d := newDemo(t)
	ctx := e2e.NewBrowser(t)
	e2e.SetViewport(t, ctx, e2e.Viewport{Name: "a4", Width: 794, Height: 1123})
	e2e.Navigate(t, ctx, d.srv.URL+"/voucher/tok_v")
	e2e.EmulatePrint(t, ctx, true)
	e2e.Screenshot(t, ctx, "print")

	require.Equal(t, "8472 1190 3358", e2e.Text(t, ctx, ".voucher-code"))
	require.Equal(t, "none", e2e.Eval[string](t, ctx, "getComputedStyle(document.querySelector('.footer')).display"))
	require.Equal(t, "none", e2e.Eval[string](t, ctx, "getComputedStyle(document.querySelector('.no-print')).display"))
	require.Equal(t, "block", e2e.Eval[string](t, ctx, "getComputedStyle(document.querySelector('.print-only')).display"))
	require.Equal(t, "rgb(255, 255, 255)", e2e.Eval[string](t, ctx, "getComputedStyle(document.body).backgroundColor"))
	require.NotEqual(t, "none", e2e.Eval[string](t, ctx, "getComputedStyle(document.querySelector('.sandbox')).display"),
		"a sandbox voucher must say so on paper")
}

// TestCardFormWithoutJavaScript submits the form the way a payer does,
// in a page where the CSP allows no script: the CSRF cookie and token
// work in a real browser and the POST/303/GET lands on the result page.
func TestCardFormWithoutJavaScript(t *testing.T) {
	t.Parallel()
	d := newDemo(t)
	ctx := e2e.NewBrowser(t)
	e2e.SetViewport(t, ctx, e2e.Phone)

	fill := func() {
		t.Helper()
		require.NoError(t, chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.CSS("#number"), "4111 1111 1111 1111"),
			chromedp.SendKeys(chromedp.CSS("#exp"), "12/30"),
			chromedp.SendKeys(chromedp.CSS("#cvc"), "123"),
			chromedp.SendKeys(chromedp.CSS("#holder"), "Ana Pérez"),
		))
	}

	e2e.Navigate(t, ctx, d.srv.URL+"/card/tok_ok")
	fill()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#pay")),
		chromedp.WaitVisible(chromedp.CSS("body.page-result")),
	))
	e2e.Screenshot(t, ctx, "result")
	require.Equal(t, "Pago aprobado", e2e.Text(t, ctx, "h1"))
	require.Equal(t, d.srv.URL+"/done/tok_ok", e2e.Eval[string](t, ctx, "location.href"))
	require.Equal(t, "Volver a Tienda Ñandú", e2e.Text(t, ctx, ".actions .btn"))

	// A token altered in the page is refused with the 403 page.
	e2e.Navigate(t, ctx, d.srv.URL+"/card/tok_ok")
	fill()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetAttributeValue(chromedp.CSS(`input[name="csrf_token"]`), "value", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
		chromedp.Click(chromedp.CSS("#pay")),
		chromedp.WaitVisible(chromedp.CSS("body.page-error")),
	))
	require.Equal(t, "No pudimos verificar tu solicitud", e2e.Text(t, ctx, "h1"))

	// A token of another payment is refused too.
	e2e.Navigate(t, ctx, d.srv.URL+"/card/tok_other")
	other := e2e.Eval[string](t, ctx, `document.querySelector('input[name="csrf_token"]').value`)
	e2e.Navigate(t, ctx, d.srv.URL+"/card/tok_ok")
	fill()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetAttributeValue(chromedp.CSS(`input[name="csrf_token"]`), "value", other),
		chromedp.Click(chromedp.CSS("#pay")),
		chromedp.WaitVisible(chromedp.CSS("body.page-error")),
	))
	require.Equal(t, "No pudimos verificar tu solicitud", e2e.Text(t, ctx, "h1"))
}

// TestFormActionCoversRedirects pins the browser behaviour behind
// Order.FormTargets: Chromium checks the CSP form-action directive on the
// redirect that answers a form's POST, so a 303 to the merchant is blocked
// unless the page listed the merchant's origin.
func TestFormActionCoversRedirects(t *testing.T) {
	t.Parallel()
	d := newDemo(t)
	ctx := e2e.NewBrowser(t)
	console := e2e.RecordConsole(t, ctx)

	submit := func(token string) {
		t.Helper()
		e2e.Navigate(t, ctx, d.srv.URL+"/card/"+token)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.CSS("#number"), "4111111111111111"),
			chromedp.SendKeys(chromedp.CSS("#exp"), "12/30"),
			chromedp.SendKeys(chromedp.CSS("#cvc"), "123"),
			chromedp.SendKeys(chromedp.CSS("#holder"), "Ana"),
			chromedp.Click(chromedp.CSS("#pay")),
		))
	}

	submit("leave-listed")
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#merchant"))))
	require.Equal(t, "back at the merchant: /return", e2e.Text(t, ctx, "#merchant"))
	require.Empty(t, console.CSPViolations(t, ctx))

	submit("leave-unlisted")
	// The browser refuses the redirect and stays on the form. Wait for the
	// report rather than for a navigation that must not happen.
	var violations []string
	for range 100 {
		if violations = console.CSPViolations(t, ctx); len(violations) > 0 {
			break
		}
	}
	require.NotEmpty(t, violations)
	require.Contains(t, violations[0], "form-action")
	require.Equal(t, d.srv.URL+"/card/leave-unlisted", e2e.Eval[string](t, ctx, "location.href"))
}
