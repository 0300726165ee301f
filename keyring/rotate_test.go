package keyring

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// ReplaceKeyset makes memStore a RotationStore, with the compare-and-swap
// the SQL engines do in one UPDATE … WHERE wrapped = prev.
func (m *memStore) ReplaceKeyset(_ context.Context, name string, prev, next []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.sets[name]
	if !ok {
		return ErrNoKeyset
	}
	if !bytes.Equal(cur, prev) {
		return ErrKeysetChanged
	}
	m.sets[name] = bytes.Clone(next)
	return nil
}

func newMaster(t *testing.T) tink.AEAD {
	t.Helper()
	a, err := GenerateMasterKeyFile(filepath.Join(t.TempDir(), "master.key"))
	require.NoError(t, err)
	return a
}

func TestRotateMasterKeepsSecretsAndDropsTheOldKey(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	oldM, newM := newMaster(t), newMaster(t)
	st := &memStore{sets: map[string][]byte{}}

	k, err := Open(ctx, st, SecretsKeyset, oldM)
	require.NoError(t, err)
	ct, err := k.Seal([]byte("webhook-secret"), []byte("merchant/a"))
	require.NoError(t, err)
	root, err := k.LoadRoot(ctx, st)
	require.NoError(t, err)

	got, err := RotateMaster(ctx, st, []string{SecretsKeyset, "vault"}, oldM, newM)
	require.NoError(t, err)
	require.Equal(t, []Rotation{{SecretsKeyset, Rewrapped}, {"vault", Absent}}, got)

	// Only the new key: everything sealed before the rotation still opens,
	// and the MAC root (sealed by the keyset, not the master) is unchanged.
	k2, err := Open(ctx, st, SecretsKeyset, newM)
	require.NoError(t, err)
	pt, err := k2.Open(ct, []byte("merchant/a"))
	require.NoError(t, err)
	require.Equal(t, "webhook-secret", string(pt))
	root2, err := k2.LoadRoot(ctx, st)
	require.NoError(t, err)
	require.Equal(t, root.Derive("csrf"), root2.Derive("csrf"))

	// Only the old key: refused.
	_, err = Open(ctx, st, SecretsKeyset, oldM)
	require.ErrorContains(t, err, "wrong master key")

	// Both, in either order: works (a node not yet reconfigured).
	_, err = Open(ctx, st, SecretsKeyset, newM, oldM)
	require.NoError(t, err)
	_, err = Open(ctx, st, SecretsKeyset, oldM, newM)
	require.NoError(t, err)

	// A second run changes nothing.
	before := bytes.Clone(st.sets[SecretsKeyset])
	got, err = RotateMaster(ctx, st, []string{SecretsKeyset}, oldM, newM)
	require.NoError(t, err)
	require.Equal(t, []Rotation{{SecretsKeyset, AlreadyRotated}}, got)
	require.Equal(t, before, st.sets[SecretsKeyset])
}

func TestOpenFallsBackMidRotation(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	oldM, newM := newMaster(t), newMaster(t)
	st := &memStore{sets: map[string][]byte{}}
	sealed := map[string][]byte{}
	for _, name := range []string{"a", "b"} {
		k, err := Open(ctx, st, name, oldM)
		require.NoError(t, err)
		sealed[name], err = k.Seal([]byte("secret "+name), []byte(name))
		require.NoError(t, err)
	}

	// Interrupted rotation: a is under the new key, b still under the old.
	_, err := RotateMaster(ctx, st, []string{"a"}, oldM, newM)
	require.NoError(t, err)

	_, err = Open(ctx, st, "b", newM)
	require.Error(t, err, "b is still wrapped by the old key")
	_, err = Open(ctx, st, "a", oldM)
	require.Error(t, err, "a is already wrapped by the new key")
	for _, name := range []string{"a", "b"} {
		k, err := Open(ctx, st, name, newM, oldM) // a node restarted with both keys
		require.NoError(t, err, name)
		pt, err := k.Open(sealed[name], []byte(name))
		require.NoError(t, err)
		require.Equal(t, "secret "+name, string(pt))
	}

	// A new keyset opened with both keys is wrapped by the first (new) one.
	_, err = Open(ctx, st, "c", newM, oldM)
	require.NoError(t, err)
	_, err = Open(ctx, st, "c", newM)
	require.NoError(t, err)

	// Running the rotation again finishes it.
	got, err := RotateMaster(ctx, st, []string{"a", "b", "c"}, oldM, newM)
	require.NoError(t, err)
	require.Equal(t, []Rotation{{"a", AlreadyRotated}, {"b", Rewrapped}, {"c", AlreadyRotated}}, got)
	_, err = Open(ctx, st, "b", newM)
	require.NoError(t, err)
}

func TestConcurrentRotationsAgree(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	oldM, newM := newMaster(t), newMaster(t)
	st := &memStore{sets: map[string][]byte{}}
	k, err := Open(ctx, st, SecretsKeyset, oldM)
	require.NoError(t, err)
	ct, err := k.Seal([]byte("x"), nil)
	require.NoError(t, err)

	const n = 8
	results := make([][]Rotation, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i], errs[i] = RotateMaster(ctx, st, []string{SecretsKeyset}, oldM, newM) })
	}
	wg.Wait()
	rewrapped := 0
	for i := range n {
		require.NoError(t, errs[i])
		if results[i][0].Result == Rewrapped {
			rewrapped++
		}
	}
	require.Equal(t, 1, rewrapped, "exactly one rotation stores its result")
	k2, err := Open(ctx, st, SecretsKeyset, newM)
	require.NoError(t, err)
	pt, err := k2.Open(ct, nil)
	require.NoError(t, err)
	require.Equal(t, "x", string(pt))
}

// brokenAEAD encrypts but can never decrypt.
type brokenAEAD struct{ tink.AEAD }

func (brokenAEAD) Decrypt([]byte, []byte) ([]byte, error) { return nil, errors.New("broken") }

func TestRotateMasterRefusesWithoutChanging(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	oldM, newM, stranger := newMaster(t), newMaster(t), newMaster(t)
	st := &memStore{sets: map[string][]byte{}}
	_, err := Open(ctx, st, SecretsKeyset, oldM)
	require.NoError(t, err)
	before := bytes.Clone(st.sets[SecretsKeyset])

	// The wrong "old" key opens nothing.
	_, err = RotateMaster(ctx, st, []string{SecretsKeyset}, stranger, newM)
	require.ErrorContains(t, err, "neither the old nor the new master key")
	require.Equal(t, before, st.sets[SecretsKeyset])

	// A new key that cannot read back what it wrapped is not trusted.
	_, err = RotateMaster(ctx, st, []string{SecretsKeyset}, oldM, brokenAEAD{newM})
	require.ErrorContains(t, err, "cannot open what it wrapped")
	require.Equal(t, before, st.sets[SecretsKeyset])

	_, err = RotateMaster(ctx, st, []string{SecretsKeyset}, oldM, nil)
	require.Error(t, err)
	require.Equal(t, before, st.sets[SecretsKeyset])
}

func TestGenerateMasterKeyFileNeverOverwrites(t *testing.T) {
	t.Parallel()

	path := filepath.Join(t.TempDir(), "keys", "next.key")
	a, err := GenerateMasterKeyFile(path)
	require.NoError(t, err)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	content, err := os.ReadFile(path)
	require.NoError(t, err)

	_, err = GenerateMasterKeyFile(path)
	require.ErrorIs(t, err, os.ErrExist)
	again, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, content, again, "an existing key is never overwritten")

	// What it returned is the key in the file.
	b, err := LoadOrCreateMasterKey(path)
	require.NoError(t, err)
	ct, err := a.Encrypt([]byte("x"), []byte("ad"))
	require.NoError(t, err)
	pt, err := b.Decrypt(ct, []byte("ad"))
	require.NoError(t, err)
	require.Equal(t, "x", string(pt))
}
