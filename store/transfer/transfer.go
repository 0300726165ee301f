// Package transfer moves a gateway's data between storage engines, such as
// from the embedded SQLite of a single node to the PostgreSQL of several.
//
// An engine exports every row, parents before children, as a stream of
// [Item]s read in one snapshot, and imports such a stream into an empty
// database in one transaction. The stream travels as a file in the format
// of [Writer] and [Reader]: JSON Lines with a header and a trailer that
// counts the rows, so a truncated file is refused rather than half loaded.
//
// Secrets travel as they are stored: API token hashes, sealed secrets and
// keysets wrapped by the master key. Nothing is decrypted on the way, so
// the target needs the source's master key file, and the file is as
// sensitive as a database backup (it holds no secret in clear, but
// everything else about every payment).
//
// Vault cards travel the same way: the sealed number and the wrapped
// per-card key as stored, opened on the target by the vault keyset (one of
// the keysets) and the same master key; a deleted card stays a tombstone,
// its NULL key, seal and fingerprint kept NULL.
//
// Delivery jobs are not copied: they are queue state, rebuilt on import
// from the notifications still pending or failed (see [DeliveryJob]).
package transfer

import (
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/vault"
)

// Keyset is one row of the keysets table: a wrapped keyset, or a sealed
// value kept beside them (the MAC root).
type Keyset struct {
	CreatedAt time.Time
	Name      string
	Wrapped   []byte
}

// Item is one row of one table; exactly one field is set. The order of a
// stream is keysets, merchants, cards, payments, events, notifications,
// attempts: every row comes after the rows it refers to. A Card is a vault
// card; a deleted one has a DeletedAt and nil (NULL) Fingerprint,
// WrappedKey and Sealed.
type Item struct {
	Attempt      *notify.Attempt
	Card         *vault.Record
	Event        *payment.Event
	Keyset       *Keyset
	Merchant     *merchant.Merchant
	Notification *notify.Record
	Payment      *payment.Payment
}

// Counts are how many rows of each table a stream holds.
type Counts struct {
	Attempts      int64 `json:"attempts"`
	Cards         int64 `json:"cards"`
	Events        int64 `json:"events"`
	Keysets       int64 `json:"keysets"`
	Merchants     int64 `json:"merchants"`
	Notifications int64 `json:"notifications"`
	Payments      int64 `json:"payments"`
}

// Add counts it.
func (c *Counts) Add(it Item) {
	switch {
	case it.Attempt != nil:
		c.Attempts++
	case it.Card != nil:
		c.Cards++
	case it.Event != nil:
		c.Events++
	case it.Keyset != nil:
		c.Keysets++
	case it.Merchant != nil:
		c.Merchants++
	case it.Notification != nil:
		c.Notifications++
	case it.Payment != nil:
		c.Payments++
	}
}

// Errors of export and import.
var (
	// ErrNotEmpty: the import target already holds data. Importing into a
	// used database would mix two gateways' merchants and keysets (and a
	// keyset cannot be merged: each one seals its own secrets).
	ErrNotEmpty = errors.New("the target database is not empty")
	// ErrUnknownTable: the source has rows in a table this version cannot
	// export (added by a newer migration); exporting without it would lose
	// data silently.
	ErrUnknownTable = errors.New("table not covered by export")
	// ErrFormat: the file is not a complete pasarela export.
	ErrFormat = errors.New("not a complete pasarela export")
)

// Tables are the gateway's own tables, in export order. The job queue's
// tables (river_*) and the migration version table are not exported: the
// target gets its own from its migrations.
var Tables = []string{"keysets", "merchants", "vault_cards", "payments", "payment_events", "notifications", "notification_attempts"}

// Ignored reports whether a table of the database is deliberately left out
// of an export: migration bookkeeping and queue state.
func Ignored(table string) bool {
	return table == "goose_db_version" || len(table) > 6 && table[:6] == "river_"
}

// DeliveryJob is the delivery job an imported notification needs: one for
// a notification still to be delivered (pending, or failed and waiting for
// its next attempt, which the job keeps), none for one delivered or given
// up. The options match what the engines queue with a status change.
func DeliveryJob(r notify.Record) (river.InsertManyParams, bool) {
	if r.Status != notify.StatusPending && r.Status != notify.StatusFailed {
		return river.InsertManyParams{}, false
	}
	opts := notify.JobOpts()
	if r.NextAttemptAt != nil {
		opts.ScheduledAt = *r.NextAttemptAt
	}
	return river.InsertManyParams{Args: notify.DeliverArgs{NotificationID: r.ID}, InsertOpts: &opts}, true
}
