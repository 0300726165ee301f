// Package checkout renders the payer's hosted pages: the layout, the
// generic error and result pages, the embedded stylesheet and icons, the
// strings in Spanish, English and Portuguese, money formatting, CSRF
// protection for forms and the security headers.
//
// Pages work without JavaScript and carry no inline style or script, so the
// Content-Security-Policy can forbid both (see ContentSecurityPolicy).
//
// # Wiring
//
//	rd, err := checkout.New(checkout.Options{
//		CSRFKey:  key,              // ≥32 bytes, same on every node
//		Pages:    pagesFS,          // the dialect's *.html page templates
//		Messages: myMessages,       // the dialect's strings
//		Sandbox:  cfg.Sandbox,
//	})
//	mux.Handle("GET "+checkout.AssetPrefix, checkout.SecureHeaders(checkout.Assets()))
//	mux.Handle("GET /pay/{token}", checkout.SecureHeaders(showPage))
//	mux.Handle("POST /pay/{token}", checkout.SecureHeaders(rd.CrossOriginGuard(submit)))
//
// # Adding a page
//
// A page is one html/template file, named after the page ("banks.html" is
// the page "banks"), that defines "content" and optionally "title":
//
//	{{define "title"}}{{t "etpay.banks.title"}}{{end}}
//	{{define "content"}}
//	<h1 class="title">{{t "etpay.banks.title"}}</h1>
//	<form method="post">
//	  {{$.CSRF}}
//	  <ul class="options">
//	  {{range .Data.Banks}}<li><button class="option" name="bank" value="{{.Code}}">
//	    <img src="{{asset "bank.svg"}}" alt="" width="28" height="28">{{.Name}}</button></li>
//	  {{end}}</ul>
//	</form>
//	{{end}}
//
// The layout around it shows the merchant name, the amount and the
// language switcher; a page may also define "amount-label" to change the
// words above the amount (the result page says "Total", not "Total to
// pay"). The template's data is a View: the handler's data is
// .Data; inside range or with, reach the View as $ ($.CSRF, $.Data).
//
// The data passed to Render should embed an Order by value; the layout
// reads the merchant, amount, description and reference from it, the
// language from its Language, and Order.Binding (the payment token in the
// URL) binds the CSRF token. Every POST form contains {{$.CSRF}}; its
// handler starts with
//
//	if !rd.CSRF().Verify(r, token) { rd.Error(w, r, http.StatusForbidden); return }
//
// and answers with a 303 redirect (never a page) on success, so a reload
// does not post twice. If that redirect can leave the gateway (merchant
// return URL, a bank), list those URLs in Order.FormTargets: Chromium
// applies the CSP form-action directive to every redirect after a form
// POST and would stop there.
//
// Template functions: {{t "key" args…}} looks a string up in the payer's
// language (fmt verbs take the args); {{money .Amount .Currency}} formats
// minor units (see FormatMoney); {{asset "name"}} is the hashed URL of an
// embedded asset (checkout.css, lock.svg, bank.svg, card.svg, cash.svg,
// success.svg, failure.svg, pending.svg). New checks every literal key and
// asset name at start-up; test that each page renders in every language
// (Renderer.Pages, Languages) to cover computed keys.
//
// # Adding strings
//
// Strings are a Catalog: a key and its three translations side by side.
// A dialect passes its own in Options.Messages, with keys namespaced by the
// dialect ("etpay.banks.title"); a key may not redefine a built-in one.
// Catalog.Check (run by New) fails when a translation is empty or the
// translations disagree on fmt verbs. No HTML in strings: they are escaped.
//
// # Components of the stylesheet
//
// Page content may use these classes (and nothing inline):
//
//	.title .lead .muted .center       heading, intro text, small print
//	.notice[.error|.success|.warning] a boxed message
//	.field > label, input|select, .hint, .field-error; .row (two fields side by side)
//	.actions > .btn[.secondary|.link]  full-width buttons (on <button> or <a>)
//	.options > li > .option (img, .sub) a list of choices: banks, methods
//	.details (dl: dt, dd)             label/value pairs
//	.voucher .voucher-label .voucher-code .steps  a cash voucher
//	.status (img)                     the big status icon
//	.no-print .print-only .sr-only    print and screen-reader helpers
//
// Mark invalid inputs with aria-invalid="true" and aria-describedby
// pointing at their .field-error. The print stylesheet hides the footer,
// buttons and .no-print, keeps the sandbox banner, and prints vouchers
// black on white.
package checkout
