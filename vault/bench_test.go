package vault_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/vault"
	"github.com/pasarela/pasarela/vault/vaulttest"
)

// The benchmarks run on a real SQLite file set up as the gateway's (WAL,
// synchronous=FULL, so every enrollment waits for its fsync, and
// secure_delete). Run them with
//
//	go test -run '^$' -bench Vault -benchtime 3s ./vault/
//
// and read cards/s. Enroll commits each card alone (SQLStore over InTx), so
// the disk's fsync rate bounds it; store/sqlite's group commit would batch
// concurrent enrollments. BenchmarkVaultSeal is the cryptography alone.

func BenchmarkVaultEnroll(b *testing.B) {
	ctx := context.Background()
	d := openSQLite(b)
	v := vaulttest.NewVault(b, d.store())
	m := newBenchMerchant(b, d)
	i := 0
	for b.Loop() {
		// A new customer each time, so no enrollment is a duplicate.
		_, err := v.Enroll(ctx, m, fmt.Sprintf("c%d@example.com", i), vaulttest.Visa, 12, nextYear())
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cards/s")
}

func BenchmarkVaultLoad(b *testing.B) {
	ctx := context.Background()
	d := openSQLite(b)
	v := vaulttest.NewVault(b, d.store())
	m := newBenchMerchant(b, d)
	const n = 1000
	ids := make([]string, n)
	for i := range n {
		c, err := v.Enroll(ctx, m, fmt.Sprintf("c%d@example.com", i), vaulttest.Mastercard, 12, nextYear())
		require.NoError(b, err)
		ids[i] = c.ID
	}
	i := 0
	for b.Loop() {
		_, pan, _, err := v.Load(ctx, m, fmt.Sprintf("c%d@example.com", i%n), ids[i%n])
		if err != nil || string(pan) != vaulttest.Mastercard {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cards/s")
}

func BenchmarkVaultLoadParallel(b *testing.B) {
	ctx := context.Background()
	d := openSQLite(b)
	v := vaulttest.NewVault(b, d.store())
	m := newBenchMerchant(b, d)
	c, err := v.Enroll(ctx, m, "ana@example.com", vaulttest.Visa, 12, nextYear())
	require.NoError(b, err)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, _, err := v.Load(ctx, m, "ana@example.com", c.ID); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cards/s")
}

// BenchmarkVaultSeal is the cryptography of one enrollment and one load
// without the database: what the vault costs beyond SQL.
func BenchmarkVaultSeal(b *testing.B) {
	ctx := context.Background()
	st := &nullStore{}
	v := vaulttest.NewVault(b, st)
	for b.Loop() {
		c, err := v.Enroll(ctx, "mer_bench", "ana@example.com", vaulttest.Visa, 12, nextYear())
		if err != nil {
			b.Fatal(err)
		}
		if _, _, _, err := v.Load(ctx, "mer_bench", "ana@example.com", c.ID); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cards/s")
}

func newBenchMerchant(b *testing.B, d *sqliteDB) string {
	b.Helper()
	_, err := d.write.Exec(`INSERT INTO merchants (id) VALUES ('mer_bench')`)
	require.NoError(b, err)
	return "mer_bench"
}

// nullStore keeps the last record only and never reports duplicates.
type nullStore struct{ last vault.Record }

func (s *nullStore) InsertCard(_ context.Context, r vault.Record) error { s.last = r; return nil }
func (s *nullStore) GetCard(context.Context, string, string, string) (vault.Record, error) {
	return s.last, nil
}
func (s *nullStore) ListCards(context.Context, string, string) ([]vault.Card, error) { return nil, nil }
func (s *nullStore) FindCardByFingerprint(context.Context, string, string, []byte) (vault.Record, error) {
	return vault.Record{}, vault.ErrNotFound
}
func (s *nullStore) DeleteCard(context.Context, string, string, string, time.Time) error { return nil }
