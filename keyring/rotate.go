package keyring

import (
	"context"
	"errors"
	"fmt"

	"github.com/tink-crypto/tink-go/v2/tink"
	"google.golang.org/protobuf/proto"
)

// SecretsKeyset is the keyset the gateway seals merchant secrets with (and
// the MAC root under it). It is wrapped by the master key directly, so a
// master key rotation must re-wrap it.
const SecretsKeyset = "secrets"

// ErrKeysetChanged is what RotationStore.ReplaceKeyset returns when the
// stored keyset is no longer the one the caller read: someone else replaced
// it meanwhile.
var ErrKeysetChanged = errors.New("keyset changed concurrently")

// RotationStore is a Store that can also replace a keyset, which only
// master key rotation needs.
type RotationStore interface {
	Store
	// ReplaceKeyset stores next under name only if the stored bytes are
	// still exactly prev (compare-and-swap), so two rotations racing, or a
	// rotation racing a restore, cannot overwrite each other's result. It
	// returns ErrKeysetChanged when the bytes differ and ErrNoKeyset when
	// there is no keyset name.
	ReplaceKeyset(ctx context.Context, name string, prev, next []byte) error
}

// RotationResult says what RotateMaster did to one keyset.
type RotationResult int

// What RotateMaster can do to a keyset.
const (
	// Rewrapped: it was wrapped by the old master key and now is by the new.
	Rewrapped RotationResult = iota + 1
	// AlreadyRotated: the new master key already opened it (an earlier,
	// perhaps interrupted, run of the rotation re-wrapped it).
	AlreadyRotated
	// Absent: no such keyset is stored yet; nothing to do. It will be
	// created under whatever master key the first node to need it has.
	Absent
)

func (r RotationResult) String() string {
	switch r {
	case Rewrapped:
		return "re-wrapped under the new master key"
	case AlreadyRotated:
		return "already wrapped by the new master key"
	case Absent:
		return "not created yet, nothing to re-wrap"
	default:
		return fmt.Sprintf("RotationResult(%d)", int(r))
	}
}

// Rotation is the outcome for one keyset.
type Rotation struct {
	Name   string
	Result RotationResult
}

// RotateMaster re-wraps each keyset in names: it unwraps it with oldMaster
// and stores it wrapped by newMaster. Only the wrapping changes, never the
// keys inside, so everything sealed with a keyset before the rotation still
// opens after it, and running nodes (which hold the unwrapped keys in
// memory) never notice: no downtime.
//
// Each keyset is replaced atomically by compare-and-swap, one at a time. A
// crash midway leaves some keysets under the new key and some under the old,
// which nodes opening with both keys (Open's previous) read fine; running
// RotateMaster again finishes the job, as keysets the new key already opens
// are left alone. It stops at the first keyset it cannot rotate and returns
// what it did so far with the error.
//
// names must list the keysets wrapped by the master key itself (such as
// SecretsKeyset), not values sealed with a keyring, such as the MAC root:
// those are sealed by a keyset, which rotation does not change.
func RotateMaster(ctx context.Context, st RotationStore, names []string, oldMaster, newMaster tink.AEAD) ([]Rotation, error) {
	if oldMaster == nil || newMaster == nil {
		return nil, errors.New("rotating master key: both the old and the new master key are needed")
	}
	var done []Rotation
	for _, name := range names {
		res, err := rotateOne(ctx, st, name, oldMaster, newMaster)
		if err != nil {
			return done, fmt.Errorf("rotating keyset %s: %w", name, err)
		}
		done = append(done, Rotation{Name: name, Result: res})
	}
	return done, nil
}

func rotateOne(ctx context.Context, st RotationStore, name string, oldMaster, newMaster tink.AEAD) (RotationResult, error) {
	// A lost compare-and-swap means another rotation stored its result
	// between our read and our write; reading again finds it done.
	const attempts = 3
	for range attempts {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		wrapped, err := st.GetKeyset(ctx, name)
		if errors.Is(err, ErrNoKeyset) {
			return Absent, nil
		}
		if err != nil {
			return 0, err
		}
		// The new key first: that makes a second run a no-op, and it never
		// re-wraps a keyset the new key already opens.
		h, which, err := unwrap(wrapped, newMaster, oldMaster)
		if err != nil {
			return 0, fmt.Errorf("neither the old nor the new master key opens it: %w", err)
		}
		if which == 0 {
			return AlreadyRotated, nil
		}
		next, err := wrap(h, newMaster)
		if err != nil {
			return 0, fmt.Errorf("wrapping with the new master key: %w", err)
		}
		// Read back before storing: a new master key that cannot open what it
		// wrapped (or a keyset that did not survive the round trip) must not
		// replace a keyset that works.
		back, _, err := unwrap(next, newMaster)
		if err != nil {
			return 0, fmt.Errorf("the new master key cannot open what it wrapped: %w", err)
		}
		if !proto.Equal(back.KeysetInfo(), h.KeysetInfo()) {
			return 0, errors.New("re-wrapped keyset differs from the original")
		}
		err = st.ReplaceKeyset(ctx, name, wrapped, next)
		if errors.Is(err, ErrKeysetChanged) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("storing: %w", err)
		}
		return Rewrapped, nil
	}
	return 0, fmt.Errorf("it kept changing during %d attempts", attempts)
}
