// Package keyring seals the secrets the gateway must read back (HMAC keys,
// webhook secrets, per-session signature tokens). A tink AEAD keyset does the
// sealing; the keyset is stored in the database only wrapped by a master key
// that lives in a file outside it (DESIGN invariant 5), so a copy of the
// database alone reveals no secret.
package keyring

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/aead/subtle"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/pasarela/pasarela/token"
)

// Store keeps wrapped keysets by name.
type Store interface {
	GetKeyset(ctx context.Context, name string) ([]byte, error)
	// PutKeysetIfAbsent stores wrapped under name unless a keyset is already
	// there, so two nodes starting together agree on one keyset.
	PutKeysetIfAbsent(ctx context.Context, name string, wrapped []byte) error
}

// ErrNoKeyset is what Store.GetKeyset returns for an unknown name.
var ErrNoKeyset = errors.New("keyset not found")

// keysetAAD binds a wrapped keyset to its purpose.
const keysetAAD = "pasarela/keyring/v1"

// Keyring seals and opens secrets with associated data.
type Keyring struct {
	aead tink.AEAD
}

// Open loads (or, the first time, creates) the keyset named name from st,
// unwrapping it with master.
//
// previous are older master keys tried, in order, when master cannot unwrap
// the keyset. They exist for master key rotation: nodes restarted with the
// new key as master and the old one as previous keep starting whether or
// not `pasarela vault rotate-key` has re-wrapped this keyset yet. Open never
// re-wraps a keyset itself: a node given a wrong master key would otherwise
// lock every other node out. A new keyset is always wrapped with master.
func Open(ctx context.Context, st Store, name string, master tink.AEAD, previous ...tink.AEAD) (*Keyring, error) {
	wrapped, err := st.GetKeyset(ctx, name)
	if errors.Is(err, ErrNoKeyset) {
		h, herr := keyset.NewHandle(aead.AES256GCMKeyTemplate())
		if herr != nil {
			return nil, fmt.Errorf("creating keyset: %w", herr)
		}
		fresh, werr := wrap(h, master)
		if werr != nil {
			return nil, fmt.Errorf("wrapping keyset: %w", werr)
		}
		if perr := st.PutKeysetIfAbsent(ctx, name, fresh); perr != nil {
			return nil, fmt.Errorf("storing keyset: %w", perr)
		}
		wrapped, err = st.GetKeyset(ctx, name)
	}
	if err != nil {
		return nil, fmt.Errorf("loading keyset %s: %w", name, err)
	}
	h, _, err := unwrap(wrapped, append([]tink.AEAD{master}, previous...)...)
	if err != nil {
		return nil, fmt.Errorf("unwrapping keyset %s (wrong master key?): %w", name, err)
	}
	a, err := aead.New(h)
	if err != nil {
		return nil, fmt.Errorf("keyset %s: %w", name, err)
	}
	return &Keyring{aead: a}, nil
}

// wrap serialises h encrypted by master. Never call keyset's Write with a
// nil master: tink panics.
func wrap(h *keyset.Handle, master tink.AEAD) ([]byte, error) {
	var buf bytes.Buffer
	if err := h.WriteWithAssociatedData(keyset.NewBinaryWriter(&buf), master, []byte(keysetAAD)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// unwrap opens wrapped with the first of masters that can, and says which.
func unwrap(wrapped []byte, masters ...tink.AEAD) (*keyset.Handle, int, error) {
	var errs []error
	for i, m := range masters {
		if m == nil {
			continue
		}
		h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(wrapped)), m, []byte(keysetAAD))
		if err == nil {
			return h, i, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, -1, errors.New("no master key given")
	}
	return nil, -1, errors.Join(errs...)
}

// Seal encrypts plaintext bound to associatedData.
func (k *Keyring) Seal(plaintext, associatedData []byte) ([]byte, error) {
	return k.aead.Encrypt(plaintext, associatedData)
}

// Open decrypts what Seal made with the same associatedData.
func (k *Keyring) Open(ciphertext, associatedData []byte) ([]byte, error) {
	return k.aead.Decrypt(ciphertext, associatedData)
}

// masterKeyPrefix marks the file format so a wrong file is refused clearly.
const masterKeyPrefix = "pasarela-master-key-v1:"

// LoadOrCreateMasterKey reads the master key file at path, creating it with
// mode 0600 and a fresh 256-bit key when it does not exist.
func LoadOrCreateMasterKey(path string) (tink.AEAD, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		a, gerr := GenerateMasterKeyFile(path)
		if errors.Is(gerr, os.ErrExist) { // another process won the race
			return LoadOrCreateMasterKey(path)
		}
		return a, gerr
	} else if err != nil {
		return nil, fmt.Errorf("reading master key file: %w", err)
	}
	return ParseMasterKey(raw)
}

// GenerateMasterKeyFile writes a fresh 256-bit master key to path, which
// must not exist yet (the error then wraps os.ErrExist): overwriting a
// master key would make everything it wraps unreadable. The file gets mode
// 0600 (its directory 0700 if created) and is synced, with its directory,
// before returning, so a key that has wrapped data survives a power cut.
func GenerateMasterKeyFile(path string) (tink.AEAD, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating master key directory: %w", err)
	}
	content := masterKeyPrefix + base64.StdEncoding.EncodeToString(token.Bytes(32)) + "\n"
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating master key file: %w", err)
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return nil, fmt.Errorf("writing master key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("syncing master key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("closing master key file: %w", err)
	}
	// The directory entry must be durable too, or a crash can lose the file.
	if d, err := os.Open(dir); err == nil {
		serr := d.Sync()
		d.Close()
		if serr != nil {
			return nil, fmt.Errorf("syncing master key directory: %w", serr)
		}
	}
	return ParseMasterKey([]byte(content))
}

// ParseMasterKey turns the content of a master key file into an AEAD.
func ParseMasterKey(raw []byte) (tink.AEAD, error) {
	s := strings.TrimSpace(string(raw))
	if !strings.HasPrefix(s, masterKeyPrefix) {
		return nil, errors.New("master key file is not a pasarela master key")
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, masterKeyPrefix))
	if err != nil || len(key) != 32 {
		return nil, errors.New("master key file is corrupt: want 32 base64-encoded bytes")
	}
	return subtle.NewAESGCM(key)
}
