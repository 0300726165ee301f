package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/store/transfer"
	"github.com/pasarela/pasarela/vault"
)

// Engine names this engine in export headers.
const Engine = "sqlite"

// cardColumns are the vault_cards columns, in the order export scans and
// import inserts them.
const cardColumns = `id, merchant_id, customer_email, brand, masked, fingerprint, wrapped_key, sealed, created_at, deleted_at`

// Export streams every row of the gateway's tables to emit, parents before
// children (see transfer.Item), from one read transaction: WAL gives it a
// snapshot, so an export taken while a gateway serves is consistent, and
// the gateway's writes are not held up by it.
func (s *Store) Export(ctx context.Context, emit func(transfer.Item) error) error {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("beginning export: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := checkTables(ctx, tx); err != nil {
		return err
	}
	steps := []struct {
		query string
		row   func(*sql.Rows) (transfer.Item, error)
	}{
		{`SELECT name, wrapped, created_at FROM keysets ORDER BY name`, func(r *sql.Rows) (transfer.Item, error) {
			var k transfer.Keyset
			var at int64
			err := r.Scan(&k.Name, &k.Wrapped, &at)
			k.CreatedAt = fromMS(at)
			return transfer.Item{Keyset: &k}, err
		}},
		{`SELECT ` + merchantColumns + ` FROM merchants ORDER BY created_at, id`, func(r *sql.Rows) (transfer.Item, error) {
			m, err := scanMerchant(r)
			return transfer.Item{Merchant: &m}, err
		}},
		{`SELECT ` + cardColumns + ` FROM vault_cards ORDER BY created_at, id`, func(r *sql.Rows) (transfer.Item, error) {
			var c vault.Record
			var brand string
			var at int64
			var deleted sql.NullInt64
			err := r.Scan(&c.ID, &c.MerchantID, &c.CustomerEmail, &brand, &c.Masked, &c.Fingerprint, &c.WrappedKey, &c.Sealed, &at, &deleted)
			c.Brand, c.CreatedAt = vault.Brand(brand), fromMS(at)
			if deleted.Valid {
				c.DeletedAt = fromMS(deleted.Int64)
			}
			return transfer.Item{Card: &c}, err
		}},
		{`SELECT ` + paymentColumns + ` FROM payments ORDER BY created_at, id`, func(r *sql.Rows) (transfer.Item, error) {
			p, err := scanPayment(r)
			return transfer.Item{Payment: &p}, err
		}},
		{`SELECT id, payment_id, type, from_status, to_status, detail, actor, created_at FROM payment_events ORDER BY id`,
			func(r *sql.Rows) (transfer.Item, error) {
				var e payment.Event
				var from, to string
				var at int64
				err := r.Scan(&e.ID, &e.PaymentID, &e.Type, &from, &to, &e.Detail, &e.Actor, &at)
				e.From, e.To, e.CreatedAt = payment.Status(from), payment.Status(to), fromMS(at)
				return transfer.Item{Event: &e}, err
			}},
		{`SELECT ` + notificationColumns + ` FROM notifications ORDER BY created_at, id`, func(r *sql.Rows) (transfer.Item, error) {
			n, err := scanNotification(r)
			return transfer.Item{Notification: &n}, err
		}},
		{`SELECT notification_id, number, at, url, status_code, latency_us, error, response_body
			FROM notification_attempts ORDER BY id`, func(r *sql.Rows) (transfer.Item, error) {
			var a notify.Attempt
			var at, latency int64
			err := r.Scan(&a.NotificationID, &a.Number, &at, &a.URL, &a.StatusCode, &latency, &a.Error, &a.ResponseBody)
			a.At, a.Latency = fromMS(at), time.Duration(latency)*time.Microsecond
			return transfer.Item{Attempt: &a}, err
		}},
	}
	for _, st := range steps {
		if err := exportRows(ctx, tx, st.query, st.row, emit); err != nil {
			return err
		}
	}
	return nil
}

func exportRows(ctx context.Context, tx *sql.Tx, query string, row func(*sql.Rows) (transfer.Item, error), emit func(transfer.Item) error) error {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("exporting: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		it, err := row(rows)
		if err != nil {
			return fmt.Errorf("exporting: %w", err)
		}
		if err := emit(it); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("exporting: %w", err)
	}
	return nil
}

// checkTables refuses an export that would leave out rows: a table this
// version does not know (a newer migration's) that holds data.
func checkTables(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		return fmt.Errorf("listing tables: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	known := map[string]bool{}
	for _, t := range transfer.Tables {
		known[t] = true
	}
	for _, n := range names {
		if known[n] || transfer.Ignored(n) {
			continue
		}
		var used int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM "`+strings.ReplaceAll(n, `"`, `""`)+`" LIMIT 1)`).Scan(&used)
		if err != nil {
			return fmt.Errorf("checking table %s: %w", n, err)
		}
		if used > 0 {
			return fmt.Errorf("%w: %s holds rows; use the pasarela version that added it", transfer.ErrUnknownTable, n)
		}
	}
	return nil
}

// Import loads the rows next returns (until io.EOF) into this database,
// which must be migrated and empty (transfer.ErrNotEmpty otherwise), in one
// transaction: an import that fails anywhere, or a file that turns out
// truncated, leaves the database as empty as it was. Notifications still to
// be delivered get their delivery jobs in the same transaction. Event ids
// are kept, so a payment's history reads back in the same order.
//
// The transaction runs on the write connection directly, not through the
// group-commit writer: that bounds each batch to 30 seconds, and a large
// import takes longer. Nothing else should write meanwhile.
func (s *Store) Import(ctx context.Context, next func() (transfer.Item, error)) (transfer.Counts, error) {
	var counts transfer.Counts
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return counts, fmt.Errorf("beginning import: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var rows int64
	err = tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM keysets) + (SELECT count(*) FROM merchants)
		+ (SELECT count(*) FROM payments) + (SELECT count(*) FROM notifications)`).Scan(&rows)
	if err != nil {
		return counts, fmt.Errorf("checking the target is empty: %w", err)
	}
	if rows > 0 {
		return counts, fmt.Errorf("%w: it holds %d keysets, merchants, payments or notifications", transfer.ErrNotEmpty, rows)
	}
	ins := &sqliteImport{ctx: ctx, s: s, tx: tx}
	for {
		it, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return counts, err
		}
		if err := ins.insert(it); err != nil {
			return counts, err
		}
		counts.Add(it)
	}
	if err := ins.flushJobs(); err != nil {
		return counts, err
	}
	if err := tx.Commit(); err != nil {
		return counts, fmt.Errorf("committing import: %w", err)
	}
	return counts, nil
}

type sqliteImport struct {
	ctx  context.Context
	jobs []river.InsertManyParams
	s    *Store
	tx   *sql.Tx
}

// exec runs one insert; the connection's statement cache prepares each
// query once for the whole import.
func (in *sqliteImport) exec(query string, args ...any) error {
	_, err := in.tx.ExecContext(in.ctx, query, args...)
	return err
}

func (in *sqliteImport) insert(it transfer.Item) error {
	switch {
	case it.Keyset != nil:
		k := it.Keyset
		if err := in.exec(`INSERT INTO keysets (name, wrapped, created_at) VALUES (?, ?, ?)`, k.Name, k.Wrapped, ms(k.CreatedAt)); err != nil {
			return fmt.Errorf("importing keyset %s: %w", k.Name, err)
		}
	case it.Merchant != nil:
		m := it.Merchant
		err := in.exec(`INSERT INTO merchants (`+merchantColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.ID, m.Name, m.ETpayCode, m.ETpayTokenHash, m.ServiceID, m.SealedSecretKey, m.SealedWebhookSecret,
			m.NotificationURL, m.SuccessURL, m.CancelURL, m.LegacyIPN, m.Sandbox, ms(m.CreatedAt), ms(m.UpdatedAt))
		if err != nil {
			return fmt.Errorf("importing merchant %s: %w", m.ID, err)
		}
	case it.Card != nil:
		// Nil blobs bind as NULL: a tombstone stays one.
		c := it.Card
		var deleted any
		if !c.DeletedAt.IsZero() {
			deleted = ms(c.DeletedAt)
		}
		err := in.exec(`INSERT INTO vault_cards (`+cardColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.MerchantID, c.CustomerEmail, string(c.Brand), c.Masked, c.Fingerprint, c.WrappedKey, c.Sealed,
			ms(c.CreatedAt), deleted)
		if err != nil {
			return fmt.Errorf("importing card %s: %w", c.ID, err)
		}
	case it.Payment != nil:
		p := it.Payment
		payer, urls, meta, extra, err := encodeParts(*p)
		if err != nil {
			return err
		}
		err = in.exec(`INSERT INTO payments (`+paymentColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.MerchantID, string(p.Dialect), p.Ref, nullString(p.AttemptRef), p.OrderID,
			p.Amount.Amount, p.Amount.Currency, p.Method, p.Country, p.Description, payer, urls, meta, extra,
			p.SealedSecret, string(p.Status), p.StatusDetail, p.Version,
			ms(p.CreatedAt), ms(p.UpdatedAt), ms(p.ExpiresAt), nullTime(p.CompletedAt))
		if err != nil {
			return fmt.Errorf("importing payment %s: %w", p.ID, err)
		}
	case it.Event != nil:
		e := it.Event
		// The explicit id keeps the history's order; AUTOINCREMENT moves
		// its counter past it, so later events still get higher ids.
		err := in.exec(`INSERT INTO payment_events (id, payment_id, type, from_status, to_status, detail, actor, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.PaymentID, e.Type, string(e.From), string(e.To), e.Detail, e.Actor, ms(e.CreatedAt))
		if err != nil {
			return fmt.Errorf("importing event %d of payment %s: %w", e.ID, e.PaymentID, err)
		}
	case it.Notification != nil:
		n := it.Notification
		headers, err := json.Marshal(n.Headers)
		if err != nil {
			return err
		}
		err = in.exec(`INSERT INTO notifications (`+notificationColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.ID, n.PaymentID, n.MerchantID, n.URL, n.Method, n.ContentType, n.Body, string(headers), string(n.Status),
			n.Attempts, n.LastStatusCode, n.LastError, nullTime(n.NextAttemptAt), ms(n.CreatedAt), ms(n.UpdatedAt),
			nullTime(n.DeliveredAt))
		if err != nil {
			return fmt.Errorf("importing notification %s: %w", n.ID, err)
		}
		if job, ok := transfer.DeliveryJob(*n); ok {
			in.jobs = append(in.jobs, job)
			if len(in.jobs) >= 500 {
				return in.flushJobs()
			}
		}
	case it.Attempt != nil:
		a := it.Attempt
		err := in.exec(`INSERT INTO notification_attempts
			(notification_id, number, at, url, status_code, latency_us, error, response_body)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			a.NotificationID, a.Number, ms(a.At), a.URL, a.StatusCode, a.Latency.Microseconds(), a.Error, a.ResponseBody)
		if err != nil {
			return fmt.Errorf("importing attempt %d of notification %s: %w", a.Number, a.NotificationID, err)
		}
	default:
		return fmt.Errorf("%w: an empty row", transfer.ErrFormat)
	}
	return nil
}

func (in *sqliteImport) flushJobs() error {
	if len(in.jobs) == 0 {
		return nil
	}
	if _, err := in.s.river.InsertManyTx(in.ctx, in.tx, in.jobs); err != nil {
		return fmt.Errorf("queueing delivery of imported notifications: %w", err)
	}
	in.jobs = in.jobs[:0]
	return nil
}
