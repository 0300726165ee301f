// Package etpay is the ETpay dialect: the exact bytes pasarela reads from
// and writes to merchants that integrate with ETpay (Chilean pay-by-bank,
// plus its Mexican SPEI/CoDi variant), and the payer's funnel. It parses
// POST /session/initialize and POST /merchant/check_payment_status
// leniently, the way real merchant SDKs send them, validates them strictly
// with errors in the dialect's own shape, knows the bank catalogue and
// Chilean RUTs, signs and verifies the result JWT, and builds the payer's
// result URL.
//
// The funnel (funnel*.go, pages/) is GET {pmt_url}/session/{token}: bank
// choice → the bank's login → review and approve (or cancel) → result →
// the merchant's completed or cancellation URL with ?jwt=. It renders
// checkout's pages, talks to a rail.Bank (the sandbox bank in sandbox
// mode, where the password decides the outcome) and moves the payment
// through the payment service. The API keeps no state between requests:
// the payment is in the database, the payer's bank login in a sealed
// cookie, so any node serves any request.
//
// Facts and decisions come from WIRE.md ("ETpay dialect") and the seed
// documents 000–002; where the code decides something the spec leaves
// open, the comment on that code says so.
//
// Money is never a float here: order_amount is parsed from the literal
// text of the JSON value into an int64 and never passes through float64.
package etpay
