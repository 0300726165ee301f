// Package payretailers is the PayRetailers (ex-Paygol) API v2 dialect.
//
// The wire layer (request.go, validate.go, response.go, sign.go, ipn.go,
// money.go, and internal/phpjson for PHP's json_encode) is the exact bytes pasarela reads from and writes
// to merchants and nothing else: it decodes signed JSON requests
// leniently, validates them with errors in the dialect's own shape, signs
// responses and notifications the way the official PHP SDK checks them,
// and knows the sandbox method catalogue. It has no state.
//
// On top of it, the HTTP layer (api.go, endpoint.go, calls.go, order.go,
// notifications.go, payform.go) serves the API and the Webcheckout form
// over the payment and merchant services; renderer.go turns status changes
// into IPNs and sandbox.go authenticates the sandbox test helper.
//
// The hosted payer pages (hosted*.go, pages/hosted_*.html) are where
// payment_method_url and redirectUrl point, GET /pay-direct/{id}: the
// method choice, the card form, the simulated bank, the cash voucher and
// the result with the signed way back to the merchant. They pay through
// Deps.Rails (rails.go; the simulated ones in sandbox) and move the
// payment with the payment service like any other change, so every
// outcome reaches the merchant as an IPN. bankconfirm.go is the sandbox
// bank confirming, later, the transfers it left pending.
//
// OneClick (oneclick*.go, pages/oneclick_*.html) enrolls a payer's card on
// the enrollment page into Deps.Vault and charges it later by its id
// through the same payment service; enrollment tokens are sealed and
// stateless (oneclick_token.go). Wiring:
//
//	api, err := payretailers.NewAPI(payretailers.Deps{...})
//	api.Mount(server)
//	// on every sweeper tick:
//	api.ConfirmPendingBankTransfers(ctx)
//	payments.SetRenderer(payment.DialectPayRetailers, payretailers.NewRenderer(merchants))
//	sandboxAuth[payment.DialectPayRetailers] = payretailers.NewSandboxAuthenticator(merchants)
//
// Facts and decisions come from WIRE.md ("PayRetailers dialect") and the
// seed document 003; where the code decides something the spec leaves open,
// the comment on that code says so.
package payretailers
