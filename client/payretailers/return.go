package payretailers

import "net/url"

// Return is the payer's verified return to pg_return_url or pg_cancel_url.
// It only tells the payer's browser what to show: ship goods on the IPN
// (VerifyNotification), which the payer cannot forge or skip.
type Return struct {
	Custom        string
	Status        string
	TransactionID string
}

// VerifyReturn checks the query of a return URL: key must be the lowercase
// hex HMAC-SHA256 of "PGID=<PGID>&status=<status>&custom=<custom>" with the
// raw values. When a name repeats (the gateway appends its parameters to a
// return URL that may already have some), the last value counts, as in
// PHP's $_GET.
func (c *Client) VerifyReturn(q url.Values) (Return, error) {
	last := func(name string) string {
		vs := q[name]
		if len(vs) == 0 {
			return ""
		}
		return vs[len(vs)-1]
	}
	r := Return{Custom: last("custom"), Status: last("status"), TransactionID: last("PGID")}
	msg := "PGID=" + r.TransactionID + "&status=" + r.Status + "&custom=" + r.Custom
	if r.TransactionID == "" || !verifyHex(c.Secret, []byte(msg), last("key")) {
		return Return{}, ErrBadSignature
	}
	return r, nil
}
