package payretailers

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"

	"github.com/pasarela/pasarela/token"
)

// OneClick enrollment tokens are stateless, like auth tokens: any node
// opens what any other issued, and no table holds enrollment sessions.
// The one token is the pg_token of oneclick/register, the last segment of
// its redirect_url (as in the seed) and the pg_token the payer brings back
// to pg_return_url, so a merchant may confirm with the token it kept or
// with the one in the return URL:
//
//	token     = base64url( version(1) | id(16) | AES-256-GCM(plaintext, aad) )
//	plaintext = expiry(8, Unix seconds, big endian) | merchant id | 0 | email | 0 | return URL | 0 | cancel URL
//	aad       = domain | version | id
//
// The id is 128 bits from crypto/rand (DESIGN invariant 7) and names the
// enrollment (see pendingEmail). The payload is encrypted, not only
// MAC'd, because the token travels in URLs (the payer's history, the
// merchant's access logs) and the payer's email has no business there.
// GCM's tag makes the token unforgeable and binds it to its merchant: a
// token of another merchant, or a modified one, does not open as ours.
// None of the fields may contain NUL: merchant ids are the gateway's own,
// and the email and URLs pass the validator, which refuses control
// characters. The price of carrying the enrollment is length: about 300
// URL-safe characters for usual URLs, not the seed's 36-character UUID;
// oneclick/confirm accepts up to maxEnrollmentTok.
const (
	enrollDomain     = "pasarela/payretailers/oneclick-enrollment"
	enrollVersion    = 1
	enrollIDLen      = 16
	enrollMinRawLen  = 1 + enrollIDLen + 12 + 8 + 3 + 16 // version, id, GCM nonce, expiry, separators, tag
	maxEnrollmentTok = 8 << 10                           // two 2048-character URLs and an email fit easily
)

// enrollment is what an enrollment token carries.
type enrollment struct {
	CancelURL  string
	Email      string
	Expiry     time.Time
	ID         [enrollIDLen]byte
	MerchantID string
	ReturnURL  string
}

// enrollmentSealer issues and opens enrollment tokens and names the
// pseudo-customers an enrollment keeps its card under.
type enrollmentSealer struct {
	aead      cipher.AEAD
	pseudoKey []byte
}

// newEnrollmentSealer keys the tokens with key and the pseudo-customer
// names with pseudoKey (both 32 bytes from the keyring root).
func newEnrollmentSealer(key, pseudoKey []byte) (enrollmentSealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return enrollmentSealer{}, err
	}
	// A random 96-bit nonce per token is prepended by Seal; tokens are made
	// at API speed, far below the 2^32 messages GCM allows per key.
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return enrollmentSealer{}, err
	}
	return enrollmentSealer{aead: aead, pseudoKey: pseudoKey}, nil
}

// issue returns a new token for e, with a fresh id.
func (s enrollmentSealer) issue(e enrollment) string {
	copy(e.ID[:], token.Bytes(enrollIDLen))
	head := append([]byte{enrollVersion}, e.ID[:]...)
	plain := binary.BigEndian.AppendUint64(nil, uint64(e.Expiry.Unix()))
	plain = append(plain, e.MerchantID+"\x00"+e.Email+"\x00"+e.ReturnURL+"\x00"+e.CancelURL...)
	raw := s.aead.Seal(head, nil, plain, s.aad(head))
	return base64.RawURLEncoding.EncodeToString(raw)
}

// open reads a token. It reports false for anything it did not issue,
// whatever the reason, and does not look at the expiry: callers tell an
// expired enrollment from a forged one.
func (s enrollmentSealer) open(tok string) (enrollment, bool) {
	if len(tok) > maxEnrollmentTok {
		return enrollment{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) < enrollMinRawLen || raw[0] != enrollVersion {
		return enrollment{}, false
	}
	head := raw[:1+enrollIDLen]
	plain, err := s.aead.Open(nil, nil, raw[len(head):], s.aad(head))
	if err != nil {
		return enrollment{}, false
	}
	fields := strings.Split(string(plain[8:]), "\x00")
	if len(fields) != 4 {
		return enrollment{}, false
	}
	e := enrollment{
		Expiry:     time.Unix(int64(binary.BigEndian.Uint64(plain[:8])), 0),
		MerchantID: fields[0], Email: fields[1], ReturnURL: fields[2], CancelURL: fields[3],
	}
	copy(e.ID[:], head[1:])
	return e, true
}

func (s enrollmentSealer) aad(head []byte) []byte {
	return append([]byte(enrollDomain+"\x00"), head...)
}

// An enrollment keeps its card in the vault under two pseudo-customers of
// the merchant, named from its id with a key of their own, so nobody but
// the gateway can name them (and merchants cannot use the .invalid
// domain, see reservedEmail):
//
//   - pendingEmail holds the card the payer entered on the page, sealed
//     like any other, until confirm moves it to the real customer (the
//     vault binds a card's ciphertext to its customer, so moving is
//     enrolling again and crypto-shredding the pending copy).
//   - confirmedEmail holds, once confirmed, a marker card with a fixed,
//     invalid-for-payments number. Enrolling it is the compare-and-set
//     that makes a token confirm once: the vault's unique fingerprint
//     index lets exactly one of two concurrent confirms insert it, on
//     every node. It also tells the page, after the pending card is gone,
//     that the enrollment is over and no new card may be entered under
//     this token.
//
// This is how the existing vault gives a one-time guarantee without a
// table of enrollment sessions; an "oneclick_enrollments" table would make
// the markers unnecessary.
const (
	pendingDomain   = "@pending.oneclick.invalid"
	confirmedDomain = "@confirmed.oneclick.invalid"
	// markerPAN passes the Luhn check the vault requires but starts with
	// 0, which no card network issues; it is never sent to an acquirer.
	markerPAN = "000000000000"
)

func (s enrollmentSealer) pendingEmail(e enrollment) string {
	return s.pseudo("pending", e) + pendingDomain
}

func (s enrollmentSealer) confirmedEmail(e enrollment) string {
	return s.pseudo("confirmed", e) + confirmedDomain
}

func (s enrollmentSealer) pseudo(label string, e enrollment) string {
	m := hmac.New(sha256.New, s.pseudoKey)
	m.Write([]byte(label + "\x00"))
	m.Write(e.ID[:])
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// reservedEmail reports whether email is in the .invalid top-level domain
// (RFC 2606), which no real mailbox has and the pseudo-customers use.
func reservedEmail(email string) bool {
	return strings.HasSuffix(strings.ToLower(strings.TrimSpace(email)), ".invalid")
}
