// Package payretailers is a merchant-side Go SDK for the PayRetailers
// (ex-Paygol) API v2 as pasarela serves it: it calls the signed JSON API,
// verifies the signature of every response, and verifies the two things a
// merchant receives from the gateway, IPN notifications
// (Client.VerifyNotification) and the payer's return (Client.VerifyReturn).
//
// It stands alone on purpose: it does not import pasarela's server-side
// dialect package, so a merchant's program pulls in nothing of the gateway.
// The small PHP-compatible JSON encoder it needs is duplicated here for
// that reason.
//
// Money is never a float: amounts go out as integer minor units of their
// ISO 4217 currency and come back as Decimal strings that convert to minor
// units exactly.
package payretailers
