// Package payretailers is the wire layer of the PayRetailers (ex-Paygol)
// API v2 dialect: the exact bytes pasarela reads from and writes to
// merchants, and nothing else. It decodes signed JSON requests leniently,
// validates them with errors in the dialect's own shape, signs responses and
// notifications the way the official PHP SDK checks them, and knows the
// sandbox method catalogue. It has no database, no routing and no state.
//
// Facts and decisions come from WIRE.md ("PayRetailers dialect") and the
// seed document 003; where the code decides something the spec leaves open,
// the comment on that code says so.
package payretailers
