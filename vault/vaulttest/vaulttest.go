// Package vaulttest is the conformance suite for vault.Store: every engine
// that keeps cards (store/sqlite, store/postgres, vault.SQLStore) runs Run
// and so behaves the same, the way store/storetest does for the rest of
// the store.
package vaulttest

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/keyring"
	"github.com/pasarela/pasarela/token"
	"github.com/pasarela/pasarela/vault"
)

// Open returns a fresh Store and a function creating a merchant in it
// (cards reference merchants) that returns the merchant's id.
type Open func(t *testing.T) (st vault.Store, newMerchant func(t *testing.T) string)

// Test card numbers (network test cards, Luhn-valid).
const (
	Visa       = "4242424242424242"
	Mastercard = "5555555555554444"
	Amex       = "378282246310005"
)

// Run runs the suite; every subtest opens its own store.
func Run(t *testing.T, open Open) {
	t.Run("RoundTrip", func(t *testing.T) { t.Parallel(); testRoundTrip(t, open) })
	t.Run("Isolation", func(t *testing.T) { t.Parallel(); testIsolation(t, open) })
	t.Run("Duplicates", func(t *testing.T) { t.Parallel(); testDuplicates(t, open) })
	t.Run("ConcurrentDuplicates", func(t *testing.T) { t.Parallel(); testConcurrentDuplicates(t, open) })
	t.Run("Delete", func(t *testing.T) { t.Parallel(); testDelete(t, open) })
	t.Run("StoreContract", func(t *testing.T) { t.Parallel(); testStoreContract(t, open) })
}

// memKeysets is a keyring.Store in memory: the suite is about cards, not
// about where the vault keyset lives.
type memKeysets struct {
	mu   sync.Mutex
	sets map[string][]byte
}

func (m *memKeysets) GetKeyset(_ context.Context, name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.sets[name]
	if !ok {
		return nil, keyring.ErrNoKeyset
	}
	return b, nil
}

func (m *memKeysets) PutKeysetIfAbsent(_ context.Context, name string, wrapped []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.sets[name]; !ok {
		m.sets[name] = wrapped
	}
	return nil
}

// NewVault is a vault over st with fresh keys, for tests.
func NewVault(t testing.TB, st vault.Store) *vault.Vault {
	t.Helper()
	master, err := keyring.GenerateMasterKeyFile(filepath.Join(t.TempDir(), "master.key"))
	require.NoError(t, err)
	kek, err := keyring.Open(context.Background(), &memKeysets{sets: map[string][]byte{}}, vault.KeysetName, master)
	require.NoError(t, err)
	v, err := vault.New(st, kek, token.Bytes(32))
	require.NoError(t, err)
	return v
}

func nextYear() int { return time.Now().Year() + 3 }

func testRoundTrip(t *testing.T, open Open) {
	ctx := context.Background()
	st, newMerchant := open(t)
	v := NewVault(t, st)
	m := newMerchant(t)

	c, err := v.Enroll(ctx, m, "  Ana@Example.COM ", "4242 4242 4242 4242", 12, nextYear())
	require.NoError(t, err)
	require.Regexp(t, `^card_[A-Za-z0-9]{30}$`, c.ID)
	require.Equal(t, m, c.MerchantID)
	require.Equal(t, "ana@example.com", c.CustomerEmail, "emails are normalised")
	require.Equal(t, vault.BrandVisa, c.Brand)
	require.Equal(t, "424242XXXXXX4242", c.Masked)
	require.Equal(t, "XXXXXXXXXXXX4242", c.Last4Masked())
	require.False(t, c.CreatedAt.IsZero())

	got, pan, exp, err := v.Load(ctx, m, "ana@example.com", c.ID)
	require.NoError(t, err)
	require.Equal(t, c, got)
	require.Equal(t, Visa, string(pan))
	require.Equal(t, vault.Expiry{Month: 12, Year: nextYear()}, exp)

	c2, err := v.Enroll(ctx, m, "ana@example.com", Amex, 1, nextYear())
	require.NoError(t, err)
	require.Equal(t, vault.BrandAmex, c2.Brand)
	list, err := v.List(ctx, m, "ANA@example.com")
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.ElementsMatch(t, []string{c.ID, c2.ID}, []string{list[0].ID, list[1].ID})
	_, pan, exp, err = v.Load(ctx, m, "ana@example.com", c2.ID)
	require.NoError(t, err)
	require.Equal(t, Amex, string(pan))
	require.Equal(t, 1, exp.Month)
}

func testIsolation(t *testing.T, open Open) {
	ctx := context.Background()
	st, newMerchant := open(t)
	v := NewVault(t, st)
	m1, m2 := newMerchant(t), newMerchant(t)
	c, err := v.Enroll(ctx, m1, "ana@example.com", Visa, 12, nextYear())
	require.NoError(t, err)

	unknown := token.ID("card")
	for _, who := range []struct{ merchant, email, id string }{
		{m2, "ana@example.com", c.ID},    // another merchant
		{m1, "bob@example.com", c.ID},    // another customer
		{m1, "ana@example.com", unknown}, // no such card
		{m1, "ana@example.com", "card_../../etc"},
	} {
		_, _, _, err := v.Load(ctx, who.merchant, who.email, who.id)
		require.ErrorIs(t, err, vault.ErrNotFound, who)
		require.Equal(t, vault.ErrNotFound.Error(), err.Error(), "indistinguishable from an unknown card")
		require.ErrorIs(t, v.Delete(ctx, who.merchant, who.email, who.id), vault.ErrNotFound, who)
	}
	list, err := v.List(ctx, m2, "ana@example.com")
	require.NoError(t, err)
	require.Empty(t, list)
	list, err = v.List(ctx, m1, "bob@example.com")
	require.NoError(t, err)
	require.Empty(t, list)

	// Still there for its owner.
	_, _, _, err = v.Load(ctx, m1, "ana@example.com", c.ID)
	require.NoError(t, err)
}

func testDuplicates(t *testing.T, open Open) {
	ctx := context.Background()
	st, newMerchant := open(t)
	v := NewVault(t, st)
	m1, m2 := newMerchant(t), newMerchant(t)
	c, err := v.Enroll(ctx, m1, "ana@example.com", Visa, 12, nextYear())
	require.NoError(t, err)

	// Same merchant, same customer (any spelling), same number (any
	// spacing, any expiry): a duplicate naming the existing card.
	_, err = v.Enroll(ctx, m1, "Ana@Example.com", "4242-4242-4242-4242", 1, nextYear()+1)
	require.ErrorIs(t, err, vault.ErrDuplicate)
	var dup *vault.DuplicateError
	require.True(t, errors.As(err, &dup))
	require.Equal(t, c, dup.Existing)
	require.NotContains(t, err.Error(), "4242")

	// Another customer or another merchant: separate enrollments.
	_, err = v.Enroll(ctx, m1, "bob@example.com", Visa, 12, nextYear())
	require.NoError(t, err)
	_, err = v.Enroll(ctx, m2, "ana@example.com", Visa, 12, nextYear())
	require.NoError(t, err)
	// Another card of the same customer.
	_, err = v.Enroll(ctx, m1, "ana@example.com", Mastercard, 12, nextYear())
	require.NoError(t, err)

	list, err := v.List(ctx, m1, "ana@example.com")
	require.NoError(t, err)
	require.Len(t, list, 2)
}

func testConcurrentDuplicates(t *testing.T, open Open) {
	ctx := context.Background()
	st, newMerchant := open(t)
	v := NewVault(t, st)
	m := newMerchant(t)

	const n = 8
	cards := make([]vault.Card, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { cards[i], errs[i] = v.Enroll(ctx, m, "ana@example.com", Visa, 12, nextYear()) })
	}
	wg.Wait()
	var winner string
	for i := range n {
		if errs[i] == nil {
			require.Empty(t, winner, "only one enrollment may win")
			winner = cards[i].ID
		}
	}
	require.NotEmpty(t, winner)
	for i := range n {
		if errs[i] != nil {
			var dup *vault.DuplicateError
			require.True(t, errors.As(errs[i], &dup), "%v", errs[i])
			require.Equal(t, winner, dup.Existing.ID)
		}
	}
}

func testDelete(t *testing.T, open Open) {
	ctx := context.Background()
	st, newMerchant := open(t)
	v := NewVault(t, st)
	m := newMerchant(t)
	c, err := v.Enroll(ctx, m, "ana@example.com", Visa, 12, nextYear())
	require.NoError(t, err)
	keep, err := v.Enroll(ctx, m, "ana@example.com", Mastercard, 12, nextYear())
	require.NoError(t, err)

	require.NoError(t, v.Delete(ctx, m, "ana@example.com", c.ID))
	_, _, _, err = v.Load(ctx, m, "ana@example.com", c.ID)
	require.ErrorIs(t, err, vault.ErrNotFound)
	require.ErrorIs(t, v.Delete(ctx, m, "ana@example.com", c.ID), vault.ErrNotFound, "a second delete")
	list, err := v.List(ctx, m, "ana@example.com")
	require.NoError(t, err)
	require.Equal(t, []vault.Card{keep}, list)

	// The store has nothing left of it.
	_, err = st.GetCard(ctx, m, "ana@example.com", c.ID)
	require.ErrorIs(t, err, vault.ErrNotFound)

	// Deleted, the card can be enrolled again, as a new card.
	again, err := v.Enroll(ctx, m, "ana@example.com", Visa, 12, nextYear())
	require.NoError(t, err)
	require.NotEqual(t, c.ID, again.ID)
	_, pan, _, err := v.Load(ctx, m, "ana@example.com", again.ID)
	require.NoError(t, err)
	require.Equal(t, Visa, string(pan))
}

func testStoreContract(t *testing.T, open Open) {
	ctx := context.Background()
	st, newMerchant := open(t)
	m := newMerchant(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	rec := func(fp string) vault.Record {
		return vault.Record{
			Card: vault.Card{ID: token.ID("card"), MerchantID: m, CustomerEmail: "ana@example.com",
				Brand: vault.BrandVisa, Masked: "424242XXXXXX4242", CreatedAt: now},
			Fingerprint: []byte(fp), WrappedKey: []byte("wrapped-" + fp), Sealed: []byte("sealed-" + fp),
		}
	}
	a := rec("fp-a")
	require.NoError(t, st.InsertCard(ctx, a))
	got, err := st.GetCard(ctx, m, "ana@example.com", a.ID)
	require.NoError(t, err)
	require.Equal(t, a, got, "a record round-trips byte for byte")
	got, err = st.FindCardByFingerprint(ctx, m, "ana@example.com", []byte("fp-a"))
	require.NoError(t, err)
	require.Equal(t, a.ID, got.ID)
	_, err = st.FindCardByFingerprint(ctx, m, "bob@example.com", []byte("fp-a"))
	require.ErrorIs(t, err, vault.ErrNotFound)

	dup := rec("fp-a")
	require.ErrorIs(t, st.InsertCard(ctx, dup), vault.ErrDuplicate)
	_, err = st.GetCard(ctx, m, "ana@example.com", dup.ID)
	require.ErrorIs(t, err, vault.ErrNotFound, "a refused duplicate stores nothing")

	require.ErrorIs(t, st.DeleteCard(ctx, m, "bob@example.com", a.ID, now), vault.ErrNotFound)
	require.NoError(t, st.DeleteCard(ctx, m, "ana@example.com", a.ID, now))
	require.ErrorIs(t, st.DeleteCard(ctx, m, "ana@example.com", a.ID, now), vault.ErrNotFound)
	_, err = st.FindCardByFingerprint(ctx, m, "ana@example.com", []byte("fp-a"))
	require.ErrorIs(t, err, vault.ErrNotFound, "the fingerprint goes with the card")
	require.NoError(t, st.InsertCard(ctx, rec("fp-a")), "the fingerprint is free again")

	list, err := st.ListCards(ctx, m, "ana@example.com")
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.False(t, bytes.Equal([]byte(list[0].ID), []byte(a.ID)))
}
