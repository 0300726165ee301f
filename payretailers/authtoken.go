package payretailers

import (
	"crypto/hmac"
	"encoding/binary"
	"encoding/hex"
	"time"

	"github.com/pasarela/pasarela/token"
)

// AuthTokenTTL is how long an auth/token token is accepted (WIRE.md).
const AuthTokenTTL = time.Hour

// Auth tokens are stateless, so any node verifies what any other issued
// without a database round trip or a shared cache:
//
//	token = hex( version(1) | expiry(8, Unix seconds, big endian) | nonce(16) | tag(16) )
//	tag   = HMAC-SHA256(key, domain | version | expiry | nonce | merchant id | 0 | service id)[:16]
//
// 82 lowercase hex digits. The nonce is 128 bits from crypto/rand (DESIGN
// invariant 7), so no two tokens are alike; the tag binds the token to
// the merchant and its service, so one service's token is refused for
// another; the key is derived from the keyring root and never leaves the
// gateway. A 128-bit tag is far beyond forging by guessing.
//
// What this gives up: a token cannot be revoked before it expires, not
// even by rotating the merchant's secret. That is acceptable because a
// token alone authorises nothing: every call must also carry an X-PG-SIG
// made with the merchant's current secret.
const (
	authTokenDomain  = "pasarela/payretailers/auth-token"
	authTokenVersion = 1
	authTokenNonce   = 16
	authTokenTag     = 16
	authTokenLen     = 1 + 8 + authTokenNonce + authTokenTag
)

// tokenIssuer issues and checks auth tokens under one key.
type tokenIssuer struct {
	key []byte
}

// issue returns a token for the merchant's service valid until expiry.
func (ti tokenIssuer) issue(merchantID, serviceID string, expiry time.Time) string {
	raw := make([]byte, 0, authTokenLen)
	raw = append(raw, authTokenVersion)
	raw = binary.BigEndian.AppendUint64(raw, uint64(expiry.Unix()))
	raw = append(raw, token.Bytes(authTokenNonce)...)
	raw = append(raw, ti.tag(raw, merchantID, serviceID)...)
	return hex.EncodeToString(raw)
}

// valid reports whether tok was issued for this merchant and service and
// has not expired at now. The tag is compared in constant time; the
// checks before it only look at the token's public layout.
func (ti tokenIssuer) valid(tok, merchantID, serviceID string, now time.Time) bool {
	if len(tok) != hex.EncodedLen(authTokenLen) {
		return false
	}
	raw, err := hex.DecodeString(tok)
	if err != nil || raw[0] != authTokenVersion {
		return false
	}
	body, tag := raw[:authTokenLen-authTokenTag], raw[authTokenLen-authTokenTag:]
	if !hmac.Equal(tag, ti.tag(body, merchantID, serviceID)) {
		return false
	}
	expiry := int64(binary.BigEndian.Uint64(raw[1:9]))
	return now.Unix() < expiry
}

func (ti tokenIssuer) tag(body []byte, merchantID, serviceID string) []byte {
	return mac(ti.key, []byte(authTokenDomain), body, []byte(merchantID), []byte{0}, []byte(serviceID))[:authTokenTag]
}
