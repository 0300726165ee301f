// Package token makes every identifier and secret a payer or merchant sees.
// All of them come from crypto/rand with at least 128 bits (DESIGN invariant 7).
package token

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// Alnum returns n random characters from [A-Za-z0-9]; n=22 already carries
// 130 bits, the gateway uses 32 or more.
func Alnum(n int) string {
	out := make([]byte, 0, n)
	// Rejection sampling keeps every character equally likely: a random
	// byte below 248 (= 4 x 62) maps to alnum[b % 62], others are dropped.
	// One read of n + n/8 + 8 bytes almost always suffices.
	buf := make([]byte, n+n/8+8)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic("crypto/rand failed: " + err.Error()) // the OS has no entropy: nothing is safe to do
		}
		for _, b := range buf {
			if b < 248 && len(out) < n {
				out = append(out, alnum[b%62])
			}
		}
	}
	return string(out)
}

// Hex returns nbytes random bytes as lowercase hex.
func Hex(nbytes int) string {
	return hex.EncodeToString(Bytes(nbytes))
}

// Bytes returns n random bytes.
func Bytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return b
}

// ID returns prefix + "_" + 8 characters of creation time + 22 random
// alphanumerics (about 130 bits): ids that say what they name ("pay_…",
// "ntf_…"), cannot be guessed, and sort by creation time. The time comes
// first so that a database index on ids grows at one end: the rows written
// together share a few index pages instead of each dirtying a random page,
// which is most of the bytes an SQLite commit writes.
func ID(prefix string) string {
	return prefix + "_" + timePrefix(time.Now()) + Alnum(22)
}

// Sortable returns n (at least 30) alphanumerics that begin with the
// creation time, like ID, then random ones (n-8 of them, at least 130
// bits): for secrets that are also database keys, such as session tokens,
// so that their unique index grows at one end.
func Sortable(n int) string {
	return timePrefix(time.Now()) + Alnum(max(n-8, 22))
}

// sortable is base 62 in ASCII order, so that text order is numeric order.
const sortable = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// timePrefix writes t's Unix milliseconds as 8 base-62 digits (enough until
// the year 8888).
func timePrefix(t time.Time) string {
	var b [8]byte
	v := uint64(max(t.UnixMilli(), 0))
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = sortable[v%62]
		v /= 62
	}
	return string(b[:])
}

// UUIDShaped returns 16 random bytes in the 8-4-4-4-12 hex layout that
// PayRetailers transaction ids have. Unlike a v4 UUID no bits are fixed, so
// all 128 bits are random.
func UUIDShaped() string {
	h := Hex(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
