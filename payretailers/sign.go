package payretailers

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"
)

// Header names. The dialect uses two spellings and each matters:
//   - responses: the PHP SDK matches the raw header line with
//     /^X\-PG\-SIG:\s([0-9a-f]{64})$/, case-sensitively, so the name must be
//     written verbatim as HeaderResponseSignature (see WriteSigned);
//   - notifications: the PHP SDK looks the name up in getallheaders() as
//     "X-Pg-Sig", and Apache's getallheaders() keeps the sender's case, so
//     IPNs must use HeaderNotificationSignature, which is also Go's
//     canonical form.
//
// Requests may use any case: net/http canonicalises incoming names.
const (
	HeaderNotificationSignature = "X-Pg-Sig"
	HeaderRequestSignature      = "X-Pg-Sig"
	HeaderResponseSignature     = "X-PG-SIG"
)

// Sign returns the lowercase hex HMAC-SHA256 of body under secret: the
// signature of requests, responses and IPNs alike. It signs the exact bytes;
// callers must send exactly what they signed.
func Sign(secret, body []byte) string {
	return hex.EncodeToString(mac(secret, body))
}

// Verify reports whether sig is the HMAC-SHA256 of the raw body under
// secret, in constant time. The check is over the bytes received, never a
// re-encoding: the official SDK signs what it sends without sorting, other
// clients sort first, and both verify this way (WIRE.md).
//
// sig must be 64 hex digits. WIRE.md says lowercase; uppercase is accepted
// too because hex case carries no information and a client that upper-cases
// its digest has still proved it knows the secret. An empty secret never
// verifies: anyone can compute an HMAC under the empty key, so a merchant
// whose secret failed to load must not authenticate.
func Verify(secret, body []byte, sig string) bool {
	if len(secret) == 0 || len(sig) != hex.EncodedLen(sha256.Size) {
		return false
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	return hmac.Equal(got, mac(secret, body))
}

// ReturnKey is the key parameter of the payer's return to pg_return_url or
// pg_cancel_url: hex HMAC-SHA256 under secret of
// "PGID=<id>&status=<status>&custom=<custom>" with the raw, unescaped
// values in that order.
func ReturnKey(secret, pgid, status, custom string) string {
	return Sign([]byte(secret), []byte("PGID="+pgid+"&status="+status+"&custom="+custom))
}

// VerifyReturnKey reports in constant time whether key is the ReturnKey of
// the other values; it is what merchants do, offered for tests and the
// sandbox.
func VerifyReturnKey(secret, pgid, status, custom, key string) bool {
	return Verify([]byte(secret), []byte("PGID="+pgid+"&status="+status+"&custom="+custom), key)
}

// mac is HMAC-SHA256 under key of the parts written one after another.
func mac(key []byte, parts ...[]byte) []byte {
	pool := macs.pool(key)
	h := pool.Get().(hash.Hash)
	for _, p := range parts {
		h.Write(p)
	}
	sum := h.Sum(nil)
	h.Reset() // back to just after the key
	pool.Put(h)
	return sum
}

// macs keeps HMAC-SHA256 states for reuse, by key. A signed call computes
// two or three (the request, its auth token, the response), and a new
// state costs two SHA-256 blocks for the padded key and half a KiB.
var macs = macPools{pools: map[string]*sync.Pool{}}

// maxMACKeys bounds the keys kept (merchants' secrets and the token key);
// past it the set is dropped and refilled, so a secret rotated away does
// not stay in memory for the life of the process.
const maxMACKeys = 1024

type macPools struct {
	mu    sync.Mutex
	pools map[string]*sync.Pool
}

func (m *macPools) pool(key []byte) *sync.Pool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p, ok := m.pools[string(key)]; ok {
		return p
	}
	if len(m.pools) >= maxMACKeys {
		clear(m.pools)
	}
	k := bytes.Clone(key) // the caller's slice may be reused
	p := &sync.Pool{New: func() any { return hmac.New(sha256.New, k) }}
	m.pools[string(k)] = p
	return p
}
