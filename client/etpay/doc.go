// Package etpay is a merchant-side Go SDK for the ETpay API (Chilean
// pay-by-bank, plus the Mexican SPEI/CoDi variant), as pasarela serves it
// and as ETpay itself does: it creates payment sessions, builds the payer's
// funnel URL, queries payment status, and verifies the result JWT that
// arrives at the merchant's webhook ({"payment": "<JWT>"}) and in the
// payer's browser (?jwt=).
//
// The flow:
//
//  1. Client.InitializeSession with the order; keep the returned Session's
//     SignatureToken with the order (it is unique per session).
//  2. Redirect the payer to Client.FunnelURL(session.Token).
//  3. At the webhook: ParseWebhook gives the JWT and its (unverified)
//     session token; look the order's SignatureToken up by it, then
//     VerifyResult. This notification is the authoritative result; answer
//     200 once it is stored.
//  4. At the completed/cancellation URL, VerifyResult(r.URL.Query().Get("jwt"), …)
//     is only for showing the payer a message: never ship on it.
//  5. Client.CheckPaymentStatus when in doubt.
//
// Only the fields ETpay documents are sent, amounts go out as JSON integers
// (whole pesos, never floats), so the SDK works against the real ETpay as
// well as against pasarela. It stands alone on purpose: it does not import
// pasarela's server-side packages, so a merchant's program pulls in nothing
// of the gateway.
package etpay
