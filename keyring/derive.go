package keyring

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/pasarela/pasarela/token"
)

// rootName is the keyset row holding the sealed root of every MAC key.
const rootName = "mac-root"

// LoadRoot reads (creating on first use) the sealed 256-bit root from which
// the gateway's MAC keys are derived. It lives in the database, sealed, so
// every node of a cluster derives the same keys.
func (k *Keyring) LoadRoot(ctx context.Context, st Store) (Root, error) {
	sealed, err := st.GetKeyset(ctx, rootName)
	if errors.Is(err, ErrNoKeyset) {
		fresh, serr := k.Seal(token.Bytes(32), []byte(rootName))
		if serr != nil {
			return nil, serr
		}
		if perr := st.PutKeysetIfAbsent(ctx, rootName, fresh); perr != nil {
			return nil, perr
		}
		sealed, err = st.GetKeyset(ctx, rootName)
	}
	if err != nil {
		return nil, fmt.Errorf("loading MAC root: %w", err)
	}
	root, err := k.Open(sealed, []byte(rootName))
	if err != nil {
		return nil, fmt.Errorf("opening MAC root: %w", err)
	}
	return Root(root), nil
}

// Root derives independent MAC keys by purpose.
type Root []byte

// Derive returns the key for purpose ("csrf", "sandbox-bank", …): keys for
// different purposes are unrelated, so a MAC made for one is useless for
// another.
func (r Root) Derive(purpose string) []byte {
	m := hmac.New(sha256.New, r)
	m.Write([]byte("pasarela/derive/v1/" + purpose))
	return m.Sum(nil)
}
