// Package vault keeps customers' card numbers so a merchant can charge a
// returning customer again without the card being typed (OneClick).
//
// # Envelope encryption
//
// Every card gets its own random 256-bit data key. The number and the
// expiry date are sealed with it (AES-256-GCM); the data key is sealed by the
// vault keyset (KeysetName, a tink AEAD keyset in the keysets table); that
// keyset is stored only wrapped by the master key, a file outside the
// database (package keyring). A copy of the database alone opens nothing.
// Rotating the master key re-wraps the keyset only (keyring.RotateMaster):
// no card is touched.
//
// Both seals take the card's id, merchant and customer email as associated
// data, so a sealed number or wrapped key copied into another row (another
// card, merchant or customer) fails to open instead of being charged on the
// wrong account.
//
// # Fingerprints
//
// To see that a customer enrolls a card they already have, the vault keeps
// an HMAC-SHA256 of merchant id, email and number under a key of its own
// (FingerprintPurpose, derived from the keyring's MAC root), never a plain
// hash. Card numbers have little entropy: the masked number stored beside
// the fingerprint gives the first six and last four digits, and the Luhn
// check removes one more, so about 100,000 candidates remain for a 16-digit
// number, and a plain SHA-256 would give it back in well under a second.
// Computing even one candidate HMAC needs the key, which is not in the
// database in usable form (it is derived from a root sealed by the keyring,
// whose keyset the master key wraps), so fingerprints stolen with a database
// cannot be searched offline. Whoever holds the key can also reach the
// master key and decrypt the numbers outright, so the fingerprint gives them
// nothing more. Because merchant and email are inside the HMAC, equal cards
// of different customers or merchants get unrelated fingerprints: the vault
// cannot link them, by design.
//
// # Deleting: what crypto-shredding does and does not guarantee
//
// Delete clears the card's wrapped data key, sealed data and fingerprint,
// leaving a tombstone (id, owner, brand, masked number, times) for the
// audit trail. From then on the live database has nothing that opens the
// card. That is all that shredding a per-card key can promise here, because
// the wrapped key lived in the database next to the ciphertext:
//
//   - A backup taken before the delete still holds both. The wrapped key
//     opens with the vault keyset, which is the same in that backup and in
//     today's database (master rotation re-wraps it without changing it),
//     so the backup plus today's database and master key give the card
//     back. Such backups stop being a risk only when they are destroyed;
//     or, once the vault keyset itself can be rotated (not yet), when the
//     old key material and the master keys that wrapped it are destroyed.
//   - SQLite keeps deleted bytes in free pages of the file unless the
//     connection runs with PRAGMA secure_delete=ON, which zeroes them; and
//     its WAL keeps old page images until they are overwritten or the WAL
//     is truncated (wal_checkpoint(TRUNCATE), journal_size_limit).
//     PostgreSQL keeps the old row version until VACUUM reuses the space,
//     and in WAL archives and replicas for as long as those are kept.
//
// The per-card key still earns its place: shredding does not depend on
// finding every copy of the ciphertext (an export, a cache), only of the
// small wrapped_key column, and one card's ciphertext or key says nothing
// about another's. It costs one AES key setup per operation (see the
// benchmarks).
//
// # What never leaves the package
//
// No error, log line or Card carries a number, an expiry or a CVV. The
// vault does not log, and never takes a CVV. Errors are fixed sentinel
// values for anything about the card itself. PAN and Expiry mask
// themselves when printed, logged or encoded. Masks show at most the first
// six and last four digits.
package vault

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tink-crypto/tink-go/v2/aead/subtle"

	"github.com/pasarela/pasarela/token"
)

// KeysetName is the keyring keyset (in the keysets table, wrapped by the
// master key) that seals every card's data key. Open it with keyring.Open
// and include it in master key rotations.
const KeysetName = "vault"

// FingerprintPurpose is the keyring.Root purpose of the fingerprint key:
// root.Derive(FingerprintPurpose).
const FingerprintPurpose = "vault/fingerprint"

// Errors of the vault. Those about a card never contain its number.
var (
	// ErrNotFound: no such card for this merchant and customer. A card of
	// another merchant or customer, and a deleted card, give the same error
	// as one that never existed, so it tells nobody what exists.
	ErrNotFound = errors.New("vault: card not found")
	// ErrDuplicate: the customer already has this card; errors.As gives the
	// *DuplicateError with the existing card.
	ErrDuplicate = errors.New("vault: card already enrolled")
	// ErrUnreadable: a stored card does not open. Its row was tampered
	// with or copied from another card, or the vault keyset is not the one
	// that sealed it. Worth an alert: it does not happen otherwise.
	ErrUnreadable = errors.New("vault: stored card cannot be decrypted")
	// ErrInvalidMerchant: an empty merchant id or one with control characters.
	ErrInvalidMerchant = errors.New("vault: invalid merchant id")
)

// DuplicateError is returned by Enroll when the customer has enrolled the
// same card number before. The caller decides: show the existing card, or
// Delete it and enroll again (say, to record a reissued card's new expiry).
type DuplicateError struct {
	Existing Card
}

func (e *DuplicateError) Error() string {
	return "vault: card already enrolled as " + e.Existing.ID
}

// Is makes errors.Is(err, ErrDuplicate) true.
func (e *DuplicateError) Is(target error) bool { return target == ErrDuplicate }

// KEK seals the per-card data keys: a *keyring.Keyring over KeysetName.
type KEK interface {
	Seal(plaintext, associatedData []byte) ([]byte, error)
	Open(ciphertext, associatedData []byte) ([]byte, error)
}

// Store keeps card records. Every method sees only active (not deleted)
// cards, and only those of the merchant and customer email it is given.
// store/sqlite and store/postgres implement it (see SQLStore); the
// conformance suite is vault/vaulttest.
type Store interface {
	// InsertCard stores a new card. It returns ErrDuplicate, storing
	// nothing, when an active card has the same fingerprint.
	InsertCard(ctx context.Context, r Record) error
	// GetCard returns the active card id of the customer email at
	// merchantID, or ErrNotFound.
	GetCard(ctx context.Context, merchantID, email, id string) (Record, error)
	// ListCards returns the customer's active cards, oldest first.
	ListCards(ctx context.Context, merchantID, email string) ([]Card, error)
	// FindCardByFingerprint returns the customer's active card with this
	// fingerprint, or ErrNotFound.
	FindCardByFingerprint(ctx context.Context, merchantID, email string, fingerprint []byte) (Record, error)
	// DeleteCard crypto-shreds an active card: it erases its fingerprint,
	// wrapped key and sealed data and sets DeletedAt to at. ErrNotFound if
	// there is no such active card.
	DeleteCard(ctx context.Context, merchantID, email, id string, at time.Time) error
}

// Vault enrolls, loads, lists and deletes cards. Safe for concurrent use.
type Vault struct {
	store Store
	kek   KEK
	fpKey []byte
	now   func() time.Time
}

// New returns a vault keeping cards in st, sealing their data keys with kek
// and fingerprinting them with fingerprintKey (at least 32 bytes; use
// root.Derive(FingerprintPurpose), never a key used for anything else).
func New(st Store, kek KEK, fingerprintKey []byte) (*Vault, error) {
	if st == nil || kek == nil {
		return nil, errors.New("vault: a store and a key-encryption key are required")
	}
	if len(fingerprintKey) < 32 {
		return nil, errors.New("vault: the fingerprint key must have at least 32 bytes")
	}
	return &Vault{store: st, kek: kek, fpKey: append([]byte(nil), fingerprintKey...), now: time.Now}, nil
}

// Labels separating the uses of each key, so a value made for one use
// never passes for another. v1 names this format.
const (
	labelData        = "pasarela/vault/v1/card"
	labelKey         = "pasarela/vault/v1/data-key"
	labelFingerprint = "pasarela/vault/v1/fingerprint"
)

// binding is the associated data tying a sealed value to its row. Fields
// are NUL-separated: no field can contain NUL (ids and emails are checked),
// so no two different rows share a binding.
func binding(label string, c Card) []byte {
	return []byte(label + "\x00" + c.ID + "\x00" + c.MerchantID + "\x00" + c.CustomerEmail)
}

func (v *Vault) fingerprint(merchantID, email string, pan PAN) []byte {
	m := hmac.New(sha256.New, v.fpKey)
	m.Write([]byte(labelFingerprint + "\x00" + merchantID + "\x00" + email + "\x00" + string(pan)))
	return m.Sum(nil)
}

// Enroll stores a card for the customer email of merchantID and returns
// it. pan may contain spaces or hyphens (NormalizePAN). It returns a
// *DuplicateError (errors.Is ErrDuplicate) when the customer already has
// this number; the same number for another customer or merchant is a
// separate enrollment. There is no CVV parameter: CVVs are never stored.
func (v *Vault) Enroll(ctx context.Context, merchantID, email, pan string, expMonth, expYear int) (Card, error) {
	if err := checkMerchant(merchantID); err != nil {
		return Card{}, err
	}
	email, err := normalizeEmail(email)
	if err != nil {
		return Card{}, err
	}
	number, err := NormalizePAN(pan)
	if err != nil {
		return Card{}, err
	}
	exp := Expiry{Month: expMonth, Year: expYear}
	if !exp.Valid(v.now()) {
		return Card{}, ErrInvalidExpiry
	}
	fp := v.fingerprint(merchantID, email, number)

	// Fast path for the common duplicate; the unique index on the
	// fingerprint settles races below.
	if existing, err := v.store.FindCardByFingerprint(ctx, merchantID, email, fp); err == nil {
		return Card{}, &DuplicateError{Existing: existing.Card}
	} else if !errors.Is(err, ErrNotFound) {
		return Card{}, fmt.Errorf("vault: looking for the card: %w", err)
	}

	c := Card{
		ID: token.ID("card"), MerchantID: merchantID, CustomerEmail: email,
		Brand: BrandOf(number), Masked: Mask(string(number)),
		CreatedAt: v.now().UTC().Truncate(time.Millisecond), // the stores keep milliseconds
	}
	wrapped, sealed, err := v.seal(c, number, exp)
	if err != nil {
		return Card{}, err
	}
	err = v.store.InsertCard(ctx, Record{Card: c, Fingerprint: fp, WrappedKey: wrapped, Sealed: sealed})
	if errors.Is(err, ErrDuplicate) {
		// Lost a race with another enrollment of this card.
		existing, ferr := v.store.FindCardByFingerprint(ctx, merchantID, email, fp)
		if errors.Is(ferr, ErrNotFound) {
			return Card{}, errors.New("vault: the card was enrolled and deleted concurrently; try again")
		}
		if ferr != nil {
			return Card{}, fmt.Errorf("vault: looking for the card: %w", ferr)
		}
		return Card{}, &DuplicateError{Existing: existing.Card}
	}
	if err != nil {
		return Card{}, fmt.Errorf("vault: storing card: %w", err)
	}
	return c, nil
}

// seal makes a fresh data key, seals number and expiry with it and wraps it
// with the KEK, both bound to c.
func (v *Vault) seal(c Card, number PAN, exp Expiry) (wrapped, sealed []byte, err error) {
	dek := token.Bytes(32)
	// Best effort: Go may have copied these elsewhere, but there is no
	// reason to leave them lying in this buffer.
	defer clear(dek)
	gcm, err := subtle.NewAESGCM(dek)
	if err != nil {
		return nil, nil, fmt.Errorf("vault: data key: %w", err)
	}
	payload := encodePayload(number, exp)
	defer clear(payload)
	if sealed, err = gcm.Encrypt(payload, binding(labelData, c)); err != nil {
		return nil, nil, errors.New("vault: sealing card failed")
	}
	if wrapped, err = v.kek.Seal(dek, binding(labelKey, c)); err != nil {
		return nil, nil, errors.New("vault: wrapping data key failed")
	}
	return wrapped, sealed, nil
}

// encodePayload lays out what is sealed: MMYYYY then the digits. Fixed
// widths, digits only, so decoding cannot be confused.
func encodePayload(number PAN, exp Expiry) []byte {
	return fmt.Appendf(nil, "%02d%04d%s", exp.Month, exp.Year, string(number))
}

func decodePayload(b []byte) (PAN, Expiry, bool) {
	if len(b) < 6+12 || len(b) > 6+19 {
		return "", Expiry{}, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return "", Expiry{}, false
		}
	}
	num := func(s []byte) int {
		n := 0
		for _, c := range s {
			n = n*10 + int(c-'0')
		}
		return n
	}
	return PAN(b[6:]), Expiry{Month: num(b[:2]), Year: num(b[2:6])}, true
}

// Load returns the card cardID of the customer email at merchantID with its
// number and expiry. A card of another merchant or customer, a deleted card
// and an unknown id all give ErrNotFound.
func (v *Vault) Load(ctx context.Context, merchantID, email, cardID string) (Card, PAN, Expiry, error) {
	if err := checkMerchant(merchantID); err != nil {
		return Card{}, "", Expiry{}, err
	}
	email, err := normalizeEmail(email)
	if err != nil {
		return Card{}, "", Expiry{}, err
	}
	if !validCardID(cardID) {
		return Card{}, "", Expiry{}, ErrNotFound
	}
	r, err := v.store.GetCard(ctx, merchantID, email, cardID)
	if errors.Is(err, ErrNotFound) {
		return Card{}, "", Expiry{}, ErrNotFound
	}
	if err != nil {
		return Card{}, "", Expiry{}, fmt.Errorf("vault: loading card: %w", err)
	}
	// The row's own columns make the binding: if they were edited, or the
	// blobs came from another row, the seals do not open.
	dek, err := v.kek.Open(r.WrappedKey, binding(labelKey, r.Card))
	if err != nil {
		return Card{}, "", Expiry{}, ErrUnreadable
	}
	defer clear(dek)
	gcm, err := subtle.NewAESGCM(dek)
	if err != nil {
		return Card{}, "", Expiry{}, ErrUnreadable
	}
	payload, err := gcm.Decrypt(r.Sealed, binding(labelData, r.Card))
	if err != nil {
		return Card{}, "", Expiry{}, ErrUnreadable
	}
	defer clear(payload)
	number, exp, ok := decodePayload(payload)
	if !ok {
		return Card{}, "", Expiry{}, ErrUnreadable
	}
	return r.Card, number, exp, nil
}

// List returns the customer's cards at merchantID, oldest first.
func (v *Vault) List(ctx context.Context, merchantID, email string) ([]Card, error) {
	if err := checkMerchant(merchantID); err != nil {
		return nil, err
	}
	email, err := normalizeEmail(email)
	if err != nil {
		return nil, err
	}
	cards, err := v.store.ListCards(ctx, merchantID, email)
	if err != nil {
		return nil, fmt.Errorf("vault: listing cards: %w", err)
	}
	if cards == nil {
		cards = []Card{} // encodes as [], not null
	}
	return cards, nil
}

// Delete crypto-shreds the card: its wrapped data key and sealed data are
// erased, so nothing left in the live database opens it (see the package
// documentation for backups). Deleting it again, or a card of another
// merchant or customer, gives ErrNotFound.
func (v *Vault) Delete(ctx context.Context, merchantID, email, cardID string) error {
	if err := checkMerchant(merchantID); err != nil {
		return err
	}
	email, err := normalizeEmail(email)
	if err != nil {
		return err
	}
	if !validCardID(cardID) {
		return ErrNotFound
	}
	err = v.store.DeleteCard(ctx, merchantID, email, cardID, v.now().UTC().Truncate(time.Millisecond))
	if errors.Is(err, ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("vault: deleting card: %w", err)
	}
	return nil
}

func checkMerchant(id string) error {
	if id == "" || len(id) > 128 {
		return ErrInvalidMerchant
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return ErrInvalidMerchant
		}
	}
	return nil
}

// validCardID reports whether id has the shape token.ID("card") makes (30
// characters; 26 before ids began with their creation time), so garbage is
// refused before it reaches the database.
func validCardID(id string) bool {
	rest, ok := strings.CutPrefix(id, "card_")
	if !ok || (len(rest) != 30 && len(rest) != 26) {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
