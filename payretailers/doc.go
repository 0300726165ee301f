// Package payretailers is the PayRetailers (ex-Paygol) API v2 dialect.
//
// The wire layer (request.go, validate.go, response.go, sign.go, ipn.go,
// money.go, phpjson.go) is the exact bytes pasarela reads from and writes
// to merchants and nothing else: it decodes signed JSON requests
// leniently, validates them with errors in the dialect's own shape, signs
// responses and notifications the way the official PHP SDK checks them,
// and knows the sandbox method catalogue. It has no state.
//
// On top of it, the HTTP layer (api.go, endpoint.go, calls.go, order.go,
// notifications.go, payform.go) serves the API and the Webcheckout form
// over the payment and merchant services; renderer.go turns status changes
// into IPNs and sandbox.go authenticates the sandbox test helper. Wiring:
//
//	api, err := payretailers.NewAPI(payretailers.Deps{...})
//	api.Mount(server)
//	payments.SetRenderer(payment.DialectPayRetailers, payretailers.NewRenderer(merchants))
//	sandboxAuth[payment.DialectPayRetailers] = payretailers.NewSandboxAuthenticator(merchants)
//
// Facts and decisions come from WIRE.md ("PayRetailers dialect") and the
// seed document 003; where the code decides something the spec leaves open,
// the comment on that code says so.
package payretailers
