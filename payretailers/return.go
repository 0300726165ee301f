package payretailers

import "net/url"

// ReturnURL is where the payer goes back to: base (the merchant's
// pg_return_url or pg_cancel_url) with PGID, status, custom and key
// appended after any query it already has. key is ReturnKey over the raw
// values; the query escapes them, and PHP's $_GET unescapes them back to
// the same raw values before the merchant recomputes the key.
func ReturnURL(base, secret, pgid, status, custom string) (string, error) {
	q := "PGID=" + url.QueryEscape(pgid) +
		"&status=" + url.QueryEscape(status) +
		"&custom=" + url.QueryEscape(custom) +
		"&key=" + ReturnKey(secret, pgid, status, custom)
	return appendQuery(base, q)
}
