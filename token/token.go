// Package token makes every identifier and secret a payer or merchant sees.
// All of them come from crypto/rand with at least 128 bits (DESIGN invariant 7).
package token

import (
	"crypto/rand"
	"encoding/hex"
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

// ID returns prefix + "_" + 26 random alphanumerics (about 154 bits): ids
// that say what they name ("pay_…", "mer_…") and cannot be guessed.
func ID(prefix string) string {
	return prefix + "_" + Alnum(26)
}

// UUIDShaped returns 16 random bytes in the 8-4-4-4-12 hex layout that
// PayRetailers transaction ids have. Unlike a v4 UUID no bits are fixed, so
// all 128 bits are random.
func UUIDShaped() string {
	h := Hex(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
