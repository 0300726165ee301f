package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	etpayclient "github.com/pasarela/pasarela/client/etpay"
	"github.com/pasarela/pasarela/internal/testgateway"
	"github.com/pasarela/pasarela/keyring"
	"github.com/pasarela/pasarela/payment"
)

// A SQLite deployment moves to PostgreSQL with export and import: after the
// move a node on PostgreSQL (same data directory, same master key) knows
// every payment with its status, the sandbox merchant's credentials still
// work, and the notifications that were still failing when the SQLite node
// stopped are delivered from PostgreSQL, with their ids.
func TestExportImportMovesSQLiteToPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := testgateway.FreshDatabase(t)
	data := t.TempDir()
	rc := newWebhookReceiver()
	rc.down.Store(true)
	recv := httptest.NewServer(rc)
	defer recv.Close()
	flags := []string{"--notify-schedule", "300ms,2s,2s,2s,2s,2s,2s,2s,2s,2s,2s,2s", "--notify-poll", "20ms"}

	// On SQLite: payments completed, failed and left open; every
	// notification fails while the SQLite node runs.
	sq := testgateway.Start(t, data, flags...)
	cm := sq.Credentials(t)
	_, _, err := run(t, "merchant", "update", cm.ID, "--data", data, "--notification-url", recv.URL)
	require.NoError(t, err)
	c := &etpayclient.Client{APIURL: sq.URL, PmtURL: sq.URL, MerchantCode: cm.ETpay.MerchantCode, APIToken: cm.ETpay.MerchantAPIToken}
	mn := &multiNode{cm: cm, etpay: c, http: http.DefaultClient, pr: prClient(sq, cm), url: sq.URL}
	var ps []tracked
	for i, action := range []string{"complete", "fail", "", "complete"} {
		p, err := mn.create(ctx, 0, i)
		require.NoError(t, err)
		if action != "" {
			st, _, err := mn.sandbox(ctx, *p, action)
			require.NoError(t, err)
			p.told = st
		}
		ps = append(ps, *p)
	}
	require.Eventually(t, func() bool { seen, _ := rc.counts(); return seen == 3 }, 20*time.Second, 20*time.Millisecond,
		"every notification was attempted on SQLite")
	require.NoError(t, sq.Stop(t))

	file := filepath.Join(t.TempDir(), "pasarela.export")
	_, stderr, err := run(t, "export", "--data", data, "--out", file)
	require.NoError(t, err)
	require.Contains(t, stderr, "3 notifications")
	require.Contains(t, stderr, "0 vault cards")
	st, err := os.Stat(file)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the export holds every payment: owner only")
	_, _, err = run(t, "export", "--data", data, "--out", file)
	require.ErrorContains(t, err, "refusing to overwrite")

	// A wrong master key is refused before anything is stored.
	other := filepath.Join(t.TempDir(), "other.key")
	_, err = keyring.GenerateMasterKeyFile(other)
	require.NoError(t, err)
	_, _, err = run(t, "import", "--database-url", dbURL, "--master-key-file", other, "--in", file)
	require.ErrorContains(t, err, "does not open the exported keysets")
	_, _, err = run(t, "import", "--database-url", dbURL, "--data", t.TempDir(), "--in", file)
	require.ErrorContains(t, err, "master key", "a missing key file is an error, never created")

	_, stderr, err = run(t, "import", "--database-url", dbURL, "--data", data, "--in", file)
	require.NoError(t, err)
	require.Contains(t, stderr, "4 payments")
	_, _, err = run(t, "import", "--database-url", dbURL, "--data", data, "--in", file)
	require.ErrorContains(t, err, "not empty")

	db, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer db.Close(ctx)
	// Failed, or pending when the stop cut an attempt short: either way
	// not delivered, and queued again by the import.
	rows, err := db.Query(ctx, `SELECT id FROM notifications WHERE status IN ('failed', 'pending') ORDER BY id`)
	require.NoError(t, err)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Len(t, ids, 3)

	// On PostgreSQL, from the same data directory: the same sandbox
	// merchant, the same payments, and the failed notifications delivered.
	rc.down.Store(false)
	pg := testgateway.Start(t, data, append(flags, "--database-url", dbURL)...)
	require.Equal(t, cm, pg.Credentials(t))
	mn.etpay.APIURL, mn.pr, mn.url = pg.URL, prClient(pg, cm), pg.URL
	for _, p := range ps {
		got, err := mn.status(ctx, p)
		require.NoError(t, err, "payment %s after the move", p.ref)
		require.True(t, mn.same(p, got, p.told), "%s: told %s, answered %s", p.ref, p.told, got)
	}
	require.Eventually(t, func() bool { _, delivered := rc.counts(); return delivered == 3 }, 20*time.Second, 20*time.Millisecond,
		"the notifications pending at the move are delivered from PostgreSQL")
	// The merchant answers before the node records the attempt: wait for it.
	require.Eventually(t, func() bool {
		var delivered int
		err := db.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE status = 'delivered' AND id = ANY($1)`, ids).Scan(&delivered)
		return err == nil && delivered == 3
	}, 10*time.Second, 20*time.Millisecond, "the same notifications, by id, are delivered")
	seen, _ := rc.counts()
	require.Equal(t, 3, seen, "no notification got a new id in the move")

	// Payments keep moving on the new database.
	p, err := mn.create(ctx, 0, 10)
	require.NoError(t, err)
	got, _, err := mn.sandbox(ctx, *p, "complete")
	require.NoError(t, err)
	require.Equal(t, payment.StatusCompleted, got)
}

func TestExportImportFlags(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"export without out":   {[]string{"export", "--data", data}, "--out is required"},
		"import without in":    {[]string{"import", "--data", data}, "--in is required"},
		"export of nothing":    {[]string{"export", "--data", data, "--out", filepath.Join(data, "x")}, "no database to export"},
		"import of no file":    {[]string{"import", "--data", data, "--master-key-file", writeFile(t, "junk"), "--in", "nope"}, "master key"},
		"import without a key": {[]string{"import", "--data", data, "--in", "nope"}, "master key"},
	} {
		_, _, err := run(t, tc.args...)
		require.ErrorContains(t, err, tc.want, name)
	}
	_, err := os.Stat(filepath.Join(data, "master.key"))
	require.ErrorIs(t, err, os.ErrNotExist, "import never creates a master key")

	// A SQLite database exported to standard output imports from standard
	// input into another SQLite file.
	_, _, err = run(t, "merchant", "create", "--data", data, "--name", "Shop")
	require.NoError(t, err)
	out, stderr, err := run(t, "export", "--data", data, "--out", "-")
	require.NoError(t, err)
	require.Contains(t, stderr, "1 merchants")
	target := filepath.Join(t.TempDir(), "copy.db")
	var stdout bytes.Buffer
	cmd := newRootCmd(&stdout, &stdout)
	cmd.SetIn(strings.NewReader(out))
	cmd.SetArgs([]string{"import", "--database-url", "sqlite://" + target, "--data", data, "--in", "-"})
	require.NoError(t, cmd.ExecuteContext(context.Background()))
	list, _, err := run(t, "merchant", "list", "--database-url", "sqlite://"+target, "--data", data)
	require.NoError(t, err)
	require.Contains(t, list, "Shop")
}
