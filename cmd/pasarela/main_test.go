package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/gateway"
)

// run executes the CLI in-process and returns stdout, stderr and the error.
func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newRootCmd(&out, &errOut)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestMerchantCreateJSONRoundTrip(t *testing.T) {
	t.Parallel()

	data := t.TempDir()
	out, _, err := run(t, "merchant", "create", "--data", data, "--name", "Shop",
		"--notification-url", "https://shop.example/notify", "--json")
	require.NoError(t, err)

	// Exactly the documented shape, nothing more.
	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	require.ElementsMatch(t, []string{"id", "name", "etpay", "payretailers"}, keys(raw))
	require.ElementsMatch(t, []string{"merchant_code", "merchant_api_token"}, keys(raw["etpay"].(map[string]any)))
	require.ElementsMatch(t, []string{"service_id", "secret_key"}, keys(raw["payretailers"].(map[string]any)))

	var cm gateway.CreatedMerchant
	require.NoError(t, json.Unmarshal([]byte(out), &cm))
	require.Equal(t, "Shop", cm.Name)
	require.Len(t, cm.ETpay.MerchantAPIToken, 64)
	require.NotEmpty(t, cm.PayRetailers.SecretKey)

	show, _, err := run(t, "merchant", "show", cm.ID, "--data", data, "--json")
	require.NoError(t, err)
	require.Contains(t, show, "https://shop.example/notify")
	require.NotContains(t, show, cm.ETpay.MerchantAPIToken, "show never prints secrets")
	require.NotContains(t, show, cm.PayRetailers.SecretKey)

	_, _, err = run(t, "merchant", "update", cm.ID, "--data", data, "--success-url", "https://shop.example/ok")
	require.NoError(t, err)
	list, _, err := run(t, "merchant", "list", "--data", data, "--json")
	require.NoError(t, err)
	var views []merchantView
	require.NoError(t, json.Unmarshal([]byte(list), &views))
	require.Len(t, views, 1)
	require.Equal(t, "https://shop.example/ok", views[0].SuccessURL)
	require.Equal(t, "https://shop.example/notify", views[0].NotificationURL, "update keeps what was not given")

	rotated, _, err := run(t, "merchant", "rotate-credentials", cm.ID, "--data", data, "--json")
	require.NoError(t, err)
	var cm2 gateway.CreatedMerchant
	require.NoError(t, json.Unmarshal([]byte(rotated), &cm2))
	require.Equal(t, cm.ID, cm2.ID)
	require.NotEqual(t, cm.ETpay.MerchantAPIToken, cm2.ETpay.MerchantAPIToken)
	require.NotEqual(t, cm.PayRetailers.SecretKey, cm2.PayRetailers.SecretKey)

	whsec, _, err := run(t, "merchant", "webhook-secret", cm.ID, "--data", data)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(whsec, "whsec_"), whsec)

	// Invariant 5: no secret in clear anywhere in the database files.
	requireNoPlaintext(t, data, cm.ETpay.MerchantAPIToken, cm.PayRetailers.SecretKey,
		cm2.ETpay.MerchantAPIToken, cm2.PayRetailers.SecretKey, strings.TrimSpace(whsec))
}

func TestBadFlagsAndConfig(t *testing.T) {
	t.Parallel()

	data := t.TempDir()
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"create without name":     {[]string{"merchant", "create", "--data", data}, "--name is required"},
		"bad url":                 {[]string{"merchant", "create", "--data", data, "--name", "x", "--notification-url", "ftp://x"}, "http"},
		"unknown merchant":        {[]string{"merchant", "show", "mer_nope", "--data", data}, "not found"},
		"unknown flag":            {[]string{"serve", "--nope"}, "unknown flag"},
		"bad mode":                {[]string{"serve", "--data", data, "--mode", "live"}, "--mode"},
		"bad listen":              {[]string{"serve", "--data", data, "--listen", "nonsense"}, "--listen"},
		"bad log format":          {[]string{"migrate", "--data", data, "--log-format", "xml"}, "--log-format"},
		"bad database url":        {[]string{"migrate", "--data", data, "--database-url", "mysql://x"}, "scheme"},
		"bad session ttl":         {[]string{"serve", "--data", data, "--session-ttl", "1s"}, "--session-ttl"},
		"bad prefix":              {[]string{"serve", "--data", data, "--etpay-prefix", "sandbox"}, "--etpay-prefix"},
		"bad notification status": {[]string{"notification", "list", "--data", data, "--status", "lost"}, "not a notification status"},
		"public debug listener":   {[]string{"serve", "--data", data, "--debug-listen", "0.0.0.0:6060"}, "loopback"},
		"bad debug listener":      {[]string{"serve", "--data", data, "--debug-listen", "6060"}, "--debug-listen"},
		"bad duration":            {[]string{"serve", "--session-ttl", "soon"}, "invalid argument"},
		"missing arg":             {[]string{"merchant", "show"}, "accepts 1 arg"},
		"corrupt master key":      {[]string{"migrate", "--data", data, "--master-key-file", writeFile(t, "junk")}, "not a pasarela master key"},
		"unreadable data path":    {[]string{"migrate", "--data", "/proc/nope"}, ""},
	} {
		_, _, err := run(t, tc.args...)
		require.Error(t, err, name)
		require.Contains(t, err.Error(), tc.want, name)
	}
}

func TestEnvironmentConfiguresFlags(t *testing.T) {
	// Not parallel: it sets process environment.
	data := t.TempDir()
	t.Setenv("PASARELA_DATA", data)
	t.Setenv("PASARELA_NAME", "From Env")
	out, _, err := run(t, "merchant", "create", "--json")
	require.NoError(t, err)
	require.Contains(t, out, `"From Env"`)
	_, err = os.Stat(filepath.Join(data, "pasarela.db"))
	require.NoError(t, err, "PASARELA_DATA chose the data directory")

	t.Setenv("PASARELA_LOG_FORMAT", "yaml")
	_, _, err = run(t, "merchant", "list")
	require.ErrorContains(t, err, "--log-format")
}

func TestHelpExplainsEveryCommand(t *testing.T) {
	t.Parallel()

	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"migrate", "--help"}, {"merchant", "create", "--help"},
		{"merchant", "update", "--help"}, {"merchant", "rotate-credentials", "--help"}} {
		out, _, err := run(t, args...)
		require.NoError(t, err)
		require.Contains(t, out, "Usage:")
	}
	out, _, _ := run(t, "serve", "--help")
	require.Contains(t, out, "--listen")
	require.Contains(t, out, "--database-url")
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

// requireNoPlaintext greps every database file under dir for each secret.
func requireNoPlaintext(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "pasarela.db*"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, s := range secrets {
			require.False(t, strings.Contains(string(b), s), "%s contains a secret in clear", f)
		}
	}
}
