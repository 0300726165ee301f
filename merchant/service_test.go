package merchant_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/keyring"
	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/store/sqlite"
)

func setup(t *testing.T) *merchant.Service {
	svc, _ := setupShared(t)
	return svc
}

// setupShared also returns a constructor of other Services on the same
// database and keys: another process (the CLI) or another node.
func setupShared(t *testing.T) (*merchant.Service, func() *merchant.Service) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "m.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(ctx))
	master, err := keyring.LoadOrCreateMasterKey(filepath.Join(dir, "master.key"))
	require.NoError(t, err)
	kr, err := keyring.Open(ctx, st, "secrets", master)
	require.NoError(t, err)
	return merchant.NewService(st, kr), func() *merchant.Service { return merchant.NewService(st, kr) }
}

func TestCreateIssuesCredentialsForBothDialects(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	svc := setup(t)
	m, c, err := svc.Create(ctx, merchant.Settings{Name: "Tienda Ñandú"}, false)
	require.NoError(t, err)
	require.Regexp(t, regexp.MustCompile(`^cl_tienda_and_[a-z0-9]{8}$`), c.ETpayCode)
	require.Regexp(t, regexp.MustCompile(`^[0-9a-f]{64}$`), c.ETpayAPIToken)
	require.Regexp(t, regexp.MustCompile(`^[1-9][0-9]{8}$`), c.ServiceID)
	require.True(t, strings.HasPrefix(c.WebhookSecret, "whsec_"))
	require.NotContains(t, string(m.SealedSecretKey), c.SecretKey)
	require.NotEqual(t, []byte(c.ETpayAPIToken), m.ETpayTokenHash)

	key, err := svc.SecretKey(m)
	require.NoError(t, err)
	require.Equal(t, c.SecretKey, string(key))
	wh, err := svc.WebhookSecret(m)
	require.NoError(t, err)
	require.Equal(t, c.WebhookSecret, wh)
	byService, err := svc.ByServiceID(ctx, c.ServiceID)
	require.NoError(t, err)
	require.Equal(t, m.ID, byService.ID)
}

func TestAuthenticateETpay(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	svc := setup(t)
	m, c, err := svc.Create(ctx, merchant.Settings{Name: "Shop"}, false)
	require.NoError(t, err)
	_, other, err := svc.Create(ctx, merchant.Settings{Name: "Other"}, false)
	require.NoError(t, err)

	got, err := svc.AuthenticateETpay(ctx, c.ETpayCode, c.ETpayAPIToken)
	require.NoError(t, err)
	require.Equal(t, m.ID, got.ID)
	got, err = svc.AuthenticateETpay(ctx, "", c.ETpayAPIToken) // the official SDK sends no code
	require.NoError(t, err)
	require.Equal(t, m.ID, got.ID)

	for name, tc := range map[string][2]string{
		"wrong token":     {c.ETpayCode, strings.Repeat("0", 64)},
		"empty token":     {c.ETpayCode, ""},
		"unknown code":    {"cl_nobody", c.ETpayAPIToken},
		"other's code":    {other.ETpayCode, c.ETpayAPIToken},
		"token as code":   {c.ETpayAPIToken, c.ETpayAPIToken},
		"no code, wrong":  {"", "nope"},
		"prefix of token": {c.ETpayCode, c.ETpayAPIToken[:63]},
	} {
		_, err := svc.AuthenticateETpay(ctx, tc[0], tc[1])
		require.ErrorIs(t, err, merchant.ErrUnauthorized, name)
	}
}

func TestRotateCredentialsRevokesOldOnes(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	svc := setup(t)
	m, old, err := svc.Create(ctx, merchant.Settings{Name: "Shop"}, false)
	require.NoError(t, err)
	m2, fresh, err := svc.RotateCredentials(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, old.ETpayCode, fresh.ETpayCode, "identifiers stay")
	require.Equal(t, old.ServiceID, fresh.ServiceID)
	_, err = svc.AuthenticateETpay(ctx, old.ETpayCode, old.ETpayAPIToken)
	require.ErrorIs(t, err, merchant.ErrUnauthorized)
	_, err = svc.AuthenticateETpay(ctx, fresh.ETpayCode, fresh.ETpayAPIToken)
	require.NoError(t, err)
	key, err := svc.SecretKey(m2)
	require.NoError(t, err)
	require.Equal(t, fresh.SecretKey, string(key))
	_, _, err = svc.RotateCredentials(ctx, "mer_missing")
	require.ErrorIs(t, err, merchant.ErrNotFound)
}

// A settings change made while the credentials rotate (dashboard and CLI at
// once) keeps both: neither writes the other's old values back.
func TestUpdateAndRotationAtOnceKeepBoth(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	svc, other := setupShared(t)
	cli := other()
	m, _, err := svc.Create(ctx, merchant.Settings{Name: "Shop"}, false)
	require.NoError(t, err)
	for i := range 20 {
		name := fmt.Sprintf("Shop %d", i)
		var fresh merchant.Credentials
		var wg sync.WaitGroup
		wg.Go(func() {
			_, err := svc.Update(ctx, m.ID, merchant.Settings{Name: name})
			require.NoError(t, err)
		})
		wg.Go(func() {
			var err error
			_, fresh, err = cli.RotateCredentials(ctx, m.ID)
			require.NoError(t, err)
		})
		wg.Wait()
		got, err := other().AuthenticateETpay(ctx, fresh.ETpayCode, fresh.ETpayAPIToken)
		require.NoError(t, err, "round %d: the rotated token was overwritten", i)
		require.Equal(t, name, got.Name, "round %d: the settings were overwritten", i)
	}
}

func TestSettingsValidation(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	svc := setup(t)
	for name, set := range map[string]merchant.Settings{
		"no name":       {Name: "  "},
		"long name":     {Name: strings.Repeat("x", 201)},
		"relative url":  {Name: "x", SuccessURL: "/ok"},
		"ftp url":       {Name: "x", NotificationURL: "ftp://x/y"},
		"js url":        {Name: "x", CancelURL: "javascript:alert(1)"},
		"huge url":      {Name: "x", NotificationURL: "https://x.example/" + strings.Repeat("a", 2050)},
		"no host":       {Name: "x", NotificationURL: "https:///path"},
		"url with junk": {Name: "x", NotificationURL: "http://[::1"},
	} {
		_, _, err := svc.Create(ctx, set, false)
		require.Error(t, err, name)
	}
	all, err := svc.List(ctx)
	require.NoError(t, err)
	require.Empty(t, all, "nothing was created")

	m, _, err := svc.Create(ctx, merchant.Settings{Name: "Shop"}, false)
	require.NoError(t, err)
	_, err = svc.Update(ctx, m.ID, merchant.Settings{Name: "Shop", SuccessURL: "not a url"})
	require.Error(t, err)
	up, err := svc.Update(ctx, m.ID, merchant.Settings{Name: "Shop 2", SuccessURL: "https://shop.example/ok"})
	require.NoError(t, err)
	require.Equal(t, "Shop 2", up.Name)
}

// With the lookup cache on, this Service's own writes are seen at once and
// another's (the CLI, another node) within the TTL.
func TestLookupCache(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	gateway, other := setupShared(t)
	gateway.EnableCache(2 * time.Second)
	m, old, err := gateway.Create(ctx, merchant.Settings{Name: "Shop"}, false)
	require.NoError(t, err)
	_, err = gateway.AuthenticateETpay(ctx, old.ETpayCode, old.ETpayAPIToken)
	require.NoError(t, err)
	_, err = gateway.AuthenticateETpay(ctx, "", old.ETpayAPIToken) // by token hash
	require.NoError(t, err)
	_, err = gateway.ByServiceID(ctx, old.ServiceID)
	require.NoError(t, err)

	// Rotated here: refused at once, by code and by token alone.
	_, fresh, err := gateway.RotateCredentials(ctx, m.ID)
	require.NoError(t, err)
	_, err = gateway.AuthenticateETpay(ctx, old.ETpayCode, old.ETpayAPIToken)
	require.ErrorIs(t, err, merchant.ErrUnauthorized)
	_, err = gateway.AuthenticateETpay(ctx, "", old.ETpayAPIToken)
	require.ErrorIs(t, err, merchant.ErrUnauthorized)
	_, err = gateway.AuthenticateETpay(ctx, fresh.ETpayCode, fresh.ETpayAPIToken)
	require.NoError(t, err)

	// Rotated elsewhere: the cached merchant answers until the TTL ends.
	_, newest, err := other().RotateCredentials(ctx, m.ID)
	require.NoError(t, err)
	_, err = gateway.AuthenticateETpay(ctx, fresh.ETpayCode, fresh.ETpayAPIToken)
	require.NoError(t, err, "within the TTL the cached credentials still match")
	require.Eventually(t, func() bool {
		_, err := gateway.AuthenticateETpay(ctx, fresh.ETpayCode, fresh.ETpayAPIToken)
		return errors.Is(err, merchant.ErrUnauthorized)
	}, 10*time.Second, 20*time.Millisecond, "after the TTL the rotation is seen")
	_, err = gateway.AuthenticateETpay(ctx, newest.ETpayCode, newest.ETpayAPIToken)
	require.NoError(t, err)

	// Unknown codes are not remembered.
	_, err = gateway.AuthenticateETpay(ctx, "cl_nope", newest.ETpayAPIToken)
	require.ErrorIs(t, err, merchant.ErrUnauthorized)
}
