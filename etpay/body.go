package etpay

import (
	"errors"
	"io"
	"net/http"
)

// MaxBodyBytes bounds a request body of this dialect. The largest valid
// session/initialize (20 metadata entries of 256 characters, three 2 KiB
// URLs) is under 20 KiB; the rest is headroom.
const MaxBodyBytes = 64 << 10

// ReadBody reads r's body up to limit bytes (MaxBodyBytes when limit <= 0)
// and answers a 413 *Error when it is longer. A read that fails (the
// client went away) is a 400, so a broken client never gets a 5xx.
func ReadBody(r *http.Request, limit int64) ([]byte, *Error) {
	if limit <= 0 {
		limit = MaxBodyBytes
	}
	if r.ContentLength > limit {
		return nil, NewBodyTooLarge(limit)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) { // the server's own, lower, limit
			return nil, NewBodyTooLarge(mbe.Limit)
		}
		return nil, NewInvalid(CodeInvalidJSON, "", "the request body could not be read")
	}
	if int64(len(body)) > limit {
		return nil, NewBodyTooLarge(limit)
	}
	return body, nil
}
