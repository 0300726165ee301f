package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/store/transfer"
	"github.com/pasarela/pasarela/vault"
)

// Engine names this engine in export headers.
const Engine = "postgres"

// cardColumns are the vault_cards columns, in the order export scans and
// import inserts them.
const cardColumns = `id, merchant_id, customer_email, brand, masked, fingerprint, wrapped_key, sealed, created_at, deleted_at`

// Export streams every row of the gateway's tables to emit, parents before
// children (see transfer.Item), from one REPEATABLE READ, READ ONLY
// transaction: one snapshot, so an export taken while nodes serve is
// consistent, and it blocks none of their writes.
func (s *Store) Export(ctx context.Context, emit func(transfer.Item) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("beginning export: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := checkTables(ctx, tx); err != nil {
		return err
	}
	steps := []struct {
		query string
		row   func(pgx.Rows) (transfer.Item, error)
	}{
		{`SELECT name, wrapped, created_at FROM keysets ORDER BY name`, func(r pgx.Rows) (transfer.Item, error) {
			var k transfer.Keyset
			var at int64
			err := r.Scan(&k.Name, &k.Wrapped, &at)
			k.CreatedAt = fromMS(at)
			return transfer.Item{Keyset: &k}, err
		}},
		{`SELECT ` + merchantColumns + ` FROM merchants ORDER BY created_at, id`, func(r pgx.Rows) (transfer.Item, error) {
			m, err := scanMerchant(r)
			return transfer.Item{Merchant: &m}, err
		}},
		{`SELECT ` + cardColumns + ` FROM vault_cards ORDER BY created_at, id`, func(r pgx.Rows) (transfer.Item, error) {
			var c vault.Record
			var brand string
			var at int64
			var deleted *int64
			err := r.Scan(&c.ID, &c.MerchantID, &c.CustomerEmail, &brand, &c.Masked, &c.Fingerprint, &c.WrappedKey, &c.Sealed, &at, &deleted)
			c.Brand, c.CreatedAt = vault.Brand(brand), fromMS(at)
			if deleted != nil {
				c.DeletedAt = fromMS(*deleted)
			}
			return transfer.Item{Card: &c}, err
		}},
		{`SELECT ` + paymentColumns + ` FROM payments ORDER BY created_at, id`, func(r pgx.Rows) (transfer.Item, error) {
			p, err := scanPayment(r)
			return transfer.Item{Payment: &p}, err
		}},
		{`SELECT id, payment_id, type, from_status, to_status, detail, actor, created_at FROM payment_events ORDER BY id`,
			func(r pgx.Rows) (transfer.Item, error) {
				var e payment.Event
				var from, to string
				var at int64
				err := r.Scan(&e.ID, &e.PaymentID, &e.Type, &from, &to, &e.Detail, &e.Actor, &at)
				e.From, e.To, e.CreatedAt = payment.Status(from), payment.Status(to), fromMS(at)
				return transfer.Item{Event: &e}, err
			}},
		{`SELECT ` + notificationColumns + ` FROM notifications ORDER BY created_at, id`, func(r pgx.Rows) (transfer.Item, error) {
			n, err := scanNotification(r)
			return transfer.Item{Notification: &n}, err
		}},
		{`SELECT notification_id, number, at, url, status_code, latency_us, error, response_body
			FROM notification_attempts ORDER BY id`, func(r pgx.Rows) (transfer.Item, error) {
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

func exportRows(ctx context.Context, tx pgx.Tx, query string, row func(pgx.Rows) (transfer.Item, error), emit func(transfer.Item) error) error {
	rows, err := tx.Query(ctx, query)
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

// checkTables refuses an export that would leave out rows: a table of the
// current schema this version does not know (a newer migration's) that
// holds data.
func checkTables(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		return fmt.Errorf("listing tables: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("listing tables: %w", err)
	}
	known := map[string]bool{}
	for _, t := range transfer.Tables {
		known[t] = true
	}
	for _, n := range names {
		if known[n] || transfer.Ignored(n) {
			continue
		}
		var used bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+quoteIdent(n)+`)`).Scan(&used); err != nil {
			return fmt.Errorf("checking table %s: %w", n, err)
		}
		if used {
			return fmt.Errorf("%w: %s holds rows; use the pasarela version that added it", transfer.ErrUnknownTable, n)
		}
	}
	return nil
}

// importBatch is how many rows go to the server in one round trip.
const importBatch = 500

// Import loads the rows next returns (until io.EOF) into this database,
// which must be migrated and empty (transfer.ErrNotEmpty otherwise), in one
// transaction: an import that fails anywhere, or a file that turns out
// truncated, leaves the database as empty as it was, and a node that
// starts meanwhile (creating its own keyset) makes the import fail rather
// than mix two keysets. Rows go in batches of importBatch; notifications
// still to be delivered get their delivery jobs in the same transaction.
// Event ids are kept (so a history reads back in the same order) and the
// identity moves past them.
func (s *Store) Import(ctx context.Context, next func() (transfer.Item, error)) (transfer.Counts, error) {
	var counts transfer.Counts
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var rows int64
		err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM keysets) + (SELECT count(*) FROM merchants)
			+ (SELECT count(*) FROM payments) + (SELECT count(*) FROM notifications)`).Scan(&rows)
		if err != nil {
			return fmt.Errorf("checking the target is empty: %w", err)
		}
		if rows > 0 {
			return fmt.Errorf("%w: it holds %d keysets, merchants, payments or notifications", transfer.ErrNotEmpty, rows)
		}
		in := &pgImport{ctx: ctx, s: s, tx: tx, batch: &pgx.Batch{}}
		for {
			it, err := next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			if err := in.queue(it); err != nil {
				return err
			}
			counts.Add(it)
		}
		if err := in.flush(); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('payment_events', 'id'),
			coalesce((SELECT max(id) FROM payment_events), 0) + 1, false)`)
		if err != nil {
			return fmt.Errorf("moving the event id sequence: %w", err)
		}
		return nil
	})
	return counts, err
}

type pgImport struct {
	batch *pgx.Batch
	ctx   context.Context
	jobs  []river.InsertManyParams
	// what names each queued statement, for an error that says which row.
	what []string
	s    *Store
	tx   pgx.Tx
}

func (in *pgImport) add(what, query string, args ...any) error {
	in.batch.Queue(query, args...)
	in.what = append(in.what, what)
	if in.batch.Len() >= importBatch {
		return in.flush()
	}
	return nil
}

// flush sends the queued rows, then the delivery jobs of the notifications
// among them (the transaction has one connection: one thing at a time).
func (in *pgImport) flush() error {
	if in.batch.Len() > 0 {
		br := in.tx.SendBatch(in.ctx, in.batch)
		for _, what := range in.what {
			if _, err := br.Exec(); err != nil {
				br.Close()
				return fmt.Errorf("importing %s: %w", what, err)
			}
		}
		if err := br.Close(); err != nil {
			return fmt.Errorf("importing: %w", err)
		}
		in.batch, in.what = &pgx.Batch{}, in.what[:0]
	}
	if len(in.jobs) > 0 {
		if _, err := in.s.river.InsertManyTx(in.ctx, in.tx, in.jobs); err != nil {
			return fmt.Errorf("queueing delivery of imported notifications: %w", err)
		}
		in.jobs = in.jobs[:0]
	}
	return nil
}

func (in *pgImport) queue(it transfer.Item) error {
	switch {
	case it.Keyset != nil:
		k := it.Keyset
		return in.add("keyset "+k.Name, `INSERT INTO keysets (name, wrapped, created_at) VALUES ($1, $2, $3)`,
			k.Name, k.Wrapped, ms(k.CreatedAt))
	case it.Merchant != nil:
		m := it.Merchant
		return in.add("merchant "+m.ID, `INSERT INTO merchants (`+merchantColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			m.ID, m.Name, m.ETpayCode, m.ETpayTokenHash, m.ServiceID, m.SealedSecretKey, m.SealedWebhookSecret,
			m.NotificationURL, m.SuccessURL, m.CancelURL, m.LegacyIPN, m.Sandbox, ms(m.CreatedAt), ms(m.UpdatedAt))
	case it.Card != nil:
		// Nil blobs go as NULL: a tombstone stays one.
		c := it.Card
		var deleted *int64
		if !c.DeletedAt.IsZero() {
			deleted = msPtr(&c.DeletedAt)
		}
		return in.add("card "+c.ID, `INSERT INTO vault_cards (`+cardColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			c.ID, c.MerchantID, c.CustomerEmail, string(c.Brand), c.Masked, c.Fingerprint, c.WrappedKey, c.Sealed,
			ms(c.CreatedAt), deleted)
	case it.Payment != nil:
		p := it.Payment
		payer, urls, meta, extra, err := encodeParts(*p)
		if err != nil {
			return err
		}
		return in.add("payment "+p.ID, `INSERT INTO payments (`+paymentColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
			p.ID, p.MerchantID, string(p.Dialect), p.Ref, nullString(p.AttemptRef), p.OrderID,
			p.Amount.Amount, p.Amount.Currency, p.Method, p.Country, p.Description, payer, urls, meta, extra,
			p.SealedSecret, string(p.Status), p.StatusDetail, p.Version,
			ms(p.CreatedAt), ms(p.UpdatedAt), ms(p.ExpiresAt), msPtr(p.CompletedAt))
	case it.Event != nil:
		e := it.Event
		// OVERRIDING SYSTEM VALUE: the id is an identity column that
		// normally refuses explicit values; Import moves it past them after.
		return in.add(fmt.Sprintf("event %d of payment %s", e.ID, e.PaymentID), `INSERT INTO payment_events
			(id, payment_id, type, from_status, to_status, detail, actor, created_at) OVERRIDING SYSTEM VALUE
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			e.ID, e.PaymentID, e.Type, string(e.From), string(e.To), e.Detail, e.Actor, ms(e.CreatedAt))
	case it.Notification != nil:
		n := it.Notification
		headers, err := json.Marshal(n.Headers)
		if err != nil {
			return err
		}
		if job, ok := transfer.DeliveryJob(*n); ok {
			in.jobs = append(in.jobs, job)
		}
		return in.add("notification "+n.ID, `INSERT INTO notifications (`+notificationColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			n.ID, n.PaymentID, n.MerchantID, n.URL, n.Method, n.ContentType, n.Body, string(headers), string(n.Status),
			n.Attempts, n.LastStatusCode, n.LastError, msPtr(n.NextAttemptAt), ms(n.CreatedAt), ms(n.UpdatedAt),
			msPtr(n.DeliveredAt))
	case it.Attempt != nil:
		a := it.Attempt
		return in.add(fmt.Sprintf("attempt %d of notification %s", a.Number, a.NotificationID), `INSERT INTO notification_attempts
			(notification_id, number, at, url, status_code, latency_us, error, response_body)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			a.NotificationID, a.Number, ms(a.At), a.URL, a.StatusCode, a.Latency.Microseconds(), a.Error, a.ResponseBody)
	}
	return fmt.Errorf("%w: an empty row", transfer.ErrFormat)
}
