package keyring

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

type memStore struct {
	mu   sync.Mutex
	sets map[string][]byte
}

func (m *memStore) GetKeyset(_ context.Context, name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.sets[name]
	if !ok {
		return nil, ErrNoKeyset
	}
	return b, nil
}

func (m *memStore) PutKeysetIfAbsent(_ context.Context, name string, wrapped []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.sets[name]; !ok {
		m.sets[name] = wrapped
	}
	return nil
}

func TestMasterKeyFileIsPrivateAndStable(t *testing.T) {
	t.Parallel()

	path := filepath.Join(t.TempDir(), "sub", "master.key")
	a1, err := LoadOrCreateMasterKey(path)
	require.NoError(t, err)
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	a2, err := LoadOrCreateMasterKey(path)
	require.NoError(t, err)
	ct, err := a1.Encrypt([]byte("x"), nil)
	require.NoError(t, err)
	pt, err := a2.Decrypt(ct, nil)
	require.NoError(t, err)
	require.Equal(t, "x", string(pt))
}

func TestParseMasterKeyRejectsGarbage(t *testing.T) {
	t.Parallel()

	for _, raw := range []string{"", "hello", masterKeyPrefix + "!!!", masterKeyPrefix + "AAAA"} {
		_, err := ParseMasterKey([]byte(raw))
		require.Error(t, err, raw)
	}
}

func TestKeyringSealsWithAssociatedData(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	dir := t.TempDir()
	master, err := LoadOrCreateMasterKey(filepath.Join(dir, "master.key"))
	require.NoError(t, err)
	st := &memStore{sets: map[string][]byte{}}

	k1, err := Open(ctx, st, "secrets", master)
	require.NoError(t, err)
	ct, err := k1.Seal([]byte("s3cret"), []byte("merchant/a"))
	require.NoError(t, err)
	require.NotContains(t, string(ct), "s3cret")
	require.NotContains(t, string(st.sets["secrets"]), "s3cret")

	// A second keyring over the same store opens it: the keyset persisted.
	k2, err := Open(ctx, st, "secrets", master)
	require.NoError(t, err)
	pt, err := k2.Open(ct, []byte("merchant/a"))
	require.NoError(t, err)
	require.Equal(t, "s3cret", string(pt))

	// Moved to another owner, the ciphertext does not open.
	_, err = k2.Open(ct, []byte("merchant/b"))
	require.Error(t, err)

	// Another master key cannot unwrap the keyset.
	other, err := LoadOrCreateMasterKey(filepath.Join(dir, "other.key"))
	require.NoError(t, err)
	_, err = Open(ctx, st, "secrets", other)
	require.ErrorContains(t, err, "wrong master key")
}

func TestRootIsSharedAndDerivesIndependentKeys(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	master, err := LoadOrCreateMasterKey(filepath.Join(t.TempDir(), "master.key"))
	require.NoError(t, err)
	st := &memStore{sets: map[string][]byte{}}
	k, err := Open(ctx, st, "secrets", master)
	require.NoError(t, err)
	r1, err := k.LoadRoot(ctx, st)
	require.NoError(t, err)
	r2, err := k.LoadRoot(ctx, st) // a second node
	require.NoError(t, err)
	require.Equal(t, r1.Derive("csrf"), r2.Derive("csrf"))
	require.NotEqual(t, r1.Derive("csrf"), r1.Derive("sandbox-bank"))
	require.Len(t, r1.Derive("x"), 32)
	require.NotContains(t, string(st.sets[rootName]), string(r1), "the root is stored sealed")
}
