package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payment"
)

const paymentColumns = `id, merchant_id, dialect, ref, attempt_ref, order_id, amount, currency, method,
	country, description, payer, urls, metadata, extra, sealed_secret, status, status_detail, version,
	created_at, updated_at, expires_at, completed_at`

// Order locks. Under READ COMMITTED, CreatePayment's "is this order paid?"
// check cannot see a completion committed after its snapshot, so without a
// lock a new session could open for an order whose payment is completing
// at that very moment. That would not double-pay (payments_one_paid_per_order
// refuses the second completion), but the payer could be sent to pay at a
// real bank for a session that can never complete. So CreatePayment and
// every change into completed take a transaction advisory lock on the
// order (merchant, dialect, order id): a completion and a creation of one
// order serialise, and the check is exact, as on SQLite where all writes
// serialise. The lock lives in memory, is released at commit, and only
// payments of the same order wait for each other (a hash collision merely
// makes two orders wait, never lets anything through).
const orderLockKey = `hashtext(merchant_id || '/' || dialect || '/' || order_id)`

// CreatePayment implements payment.Repository.
func (s *Store) CreatePayment(ctx context.Context, p payment.Payment, ev payment.Event) error {
	payer, urls, meta, extra, err := encodeParts(p)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if p.OrderID != "" {
			_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, `+orderLockKey+`)
				FROM (SELECT $2::text AS merchant_id, $3::text AS dialect, $4::text AS order_id) o`,
				lockOrder, p.MerchantID, string(p.Dialect), p.OrderID)
			if err != nil {
				return fmt.Errorf("locking order: %w", err)
			}
			var paid bool
			err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM payments
				WHERE merchant_id = $1 AND dialect = $2 AND order_id = $3 AND status IN ('completed', 'refunded') AND order_id <> '')`,
				p.MerchantID, string(p.Dialect), p.OrderID).Scan(&paid)
			if err != nil {
				return fmt.Errorf("checking order: %w", err)
			}
			if paid {
				return payment.ErrOrderPaid
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO payments (`+paymentColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
			p.ID, p.MerchantID, string(p.Dialect), p.Ref, nullString(p.AttemptRef), p.OrderID,
			p.Amount.Amount, p.Amount.Currency, p.Method, p.Country, p.Description, payer, urls, meta, extra,
			p.SealedSecret, string(p.Status), p.StatusDetail, p.Version,
			ms(p.CreatedAt), ms(p.UpdatedAt), ms(p.ExpiresAt), msPtr(p.CompletedAt))
		if err != nil {
			return fmt.Errorf("inserting payment: %w", err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

// ApplyChange implements payment.Repository: compare-and-set on status and
// version, the event, the notifications and their delivery jobs, in one
// transaction.
func (s *Store) ApplyChange(ctx context.Context, c payment.Change) error {
	p := c.Payment
	var jobs *notify.Batch
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if p.Status == payment.StatusCompleted {
			// The key comes from the stored row, not from the caller's copy.
			_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, `+orderLockKey+`)
				FROM payments WHERE id = $2 AND order_id <> ''`, lockOrder, p.ID)
			if err != nil {
				return fmt.Errorf("locking order: %w", err)
			}
		}
		tag, err := tx.Exec(ctx, `UPDATE payments
			SET status = $1, status_detail = $2, version = $3, updated_at = $4, completed_at = $5
			WHERE id = $6 AND status = $7 AND version = $8`,
			string(p.Status), p.StatusDetail, p.Version, ms(p.UpdatedAt), msPtr(p.CompletedAt),
			p.ID, string(c.FromStatus), c.FromVersion)
		if err != nil {
			if name, ok := uniqueViolation(err); ok && name == "payments_one_paid_per_order" {
				// The one-paid-order index refused a second completion.
				return fmt.Errorf("%w: %v", payment.ErrOrderPaid, err)
			}
			return fmt.Errorf("updating payment: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return payment.ErrConflict
		}
		if err := insertEvent(ctx, tx, c.Event); err != nil {
			return err
		}
		if len(c.Notices) == 0 {
			return nil
		}
		now := ms(c.Event.CreatedAt)
		batch := &pgx.Batch{}
		ids := make([]string, 0, len(c.Notices))
		for _, n := range c.Notices {
			headers, err := json.Marshal(n.Headers)
			if err != nil {
				return err
			}
			batch.Queue(`INSERT INTO notifications
				(id, payment_id, merchant_id, url, method, content_type, body, headers, status, next_attempt_at, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $11)`,
				n.ID, p.ID, p.MerchantID, n.URL, n.Method, n.ContentType, n.Body, string(headers), now, now, now)
			ids = append(ids, n.ID)
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return fmt.Errorf("inserting notification: %w", err)
		}
		jobs, err = s.insertJobs(ctx, tx, ids, true)
		return err
	})
	if err == nil {
		jobs.Committed()
	}
	return err
}

// UpdateDetails implements payment.Repository: the payer's choices, by
// compare-and-set on the version of a payment still open. The status does
// not change, so no order lock and no terminal guard are involved.
func (s *Store) UpdateDetails(ctx context.Context, p payment.Payment, fromVersion int64, ev payment.Event) error {
	payer, _, _, extra, err := encodeParts(p)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE payments
			SET method = $1, country = $2, payer = $3, extra = $4, expires_at = $5, version = $6, updated_at = $7
			WHERE id = $8 AND version = $9 AND status IN ('created', 'pending')`,
			p.Method, p.Country, payer, extra, ms(p.ExpiresAt), p.Version, ms(p.UpdatedAt), p.ID, fromVersion)
		if err != nil {
			return fmt.Errorf("updating payment: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return payment.ErrConflict
		}
		return insertEvent(ctx, tx, ev)
	})
}

// GetPayment implements payment.Repository.
func (s *Store) GetPayment(ctx context.Context, id string) (payment.Payment, error) {
	return scanPayment(s.pool.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE id = $1`, id))
}

// GetPaymentByRef implements payment.Repository.
func (s *Store) GetPaymentByRef(ctx context.Context, ref string) (payment.Payment, error) {
	if ref == "" {
		return payment.Payment{}, payment.ErrNotFound
	}
	return scanPayment(s.pool.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments
		WHERE ref = $1 UNION ALL SELECT `+paymentColumns+` FROM payments WHERE attempt_ref = $1 LIMIT 1`, ref))
}

// ListPayments implements payment.Repository.
func (s *Store) ListPayments(ctx context.Context, f payment.Filter) ([]payment.Payment, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, val string }{
		{"merchant_id", f.MerchantID}, {"order_id", f.OrderID}, {"ref", f.Ref},
		{"attempt_ref", f.AttemptRef}, {"status", string(f.Status)},
	} {
		if c.val != "" {
			args = append(args, c.val)
			where = append(where, fmt.Sprintf("%s = $%d", c.col, len(args)))
		}
	}
	q := `SELECT ` + paymentColumns + ` FROM payments`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(` ORDER BY created_at DESC, id LIMIT %d`, listLimit(f.Limit))
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("listing payments: %w", err)
	}
	return collectPayments(rows)
}

// ListDue implements payment.Repository.
func (s *Store) ListDue(ctx context.Context, now time.Time, limit int) ([]payment.Payment, error) {
	var lim *int // NULL is no limit, as a negative LIMIT is on SQLite
	if limit >= 0 {
		lim = &limit
	}
	rows, err := s.pool.Query(ctx, `SELECT `+paymentColumns+` FROM payments
		WHERE status IN ('created', 'pending') AND expires_at <= $1 ORDER BY expires_at LIMIT $2`, ms(now), lim)
	if err != nil {
		return nil, fmt.Errorf("listing due payments: %w", err)
	}
	return collectPayments(rows)
}

// ListAwaiting implements payment.Repository; payments_awaiting (pending
// payments only) answers it.
func (s *Store) ListAwaiting(ctx context.Context, dialect payment.Dialect, detail string, before time.Time, limit int) ([]payment.Payment, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+paymentColumns+` FROM payments
		WHERE status = 'pending' AND dialect = $1 AND status_detail = $2 AND updated_at <= $3
		ORDER BY updated_at LIMIT $4`, string(dialect), detail, ms(before), limit)
	if err != nil {
		return nil, fmt.Errorf("listing awaiting payments: %w", err)
	}
	return collectPayments(rows)
}

// ListEvents implements payment.Repository.
func (s *Store) ListEvents(ctx context.Context, paymentID string) ([]payment.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, payment_id, type, from_status, to_status, detail, actor, created_at
		FROM payment_events WHERE payment_id = $1 ORDER BY id`, paymentID)
	if err != nil {
		return nil, fmt.Errorf("listing events: %w", err)
	}
	defer rows.Close()
	var out []payment.Event
	for rows.Next() {
		var e payment.Event
		var from, to string
		var at int64
		if err := rows.Scan(&e.ID, &e.PaymentID, &e.Type, &from, &to, &e.Detail, &e.Actor, &at); err != nil {
			return nil, fmt.Errorf("reading event: %w", err)
		}
		e.From, e.To, e.CreatedAt = payment.Status(from), payment.Status(to), fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

func insertEvent(ctx context.Context, tx pgx.Tx, e payment.Event) error {
	_, err := tx.Exec(ctx, `INSERT INTO payment_events (payment_id, type, from_status, to_status, detail, actor, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.PaymentID, e.Type, string(e.From), string(e.To), e.Detail, e.Actor, ms(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("appending event: %w", err)
	}
	return nil
}

func scanPayment(row scanner) (payment.Payment, error) {
	var p payment.Payment
	var dialect, status, payer, urls, meta, extra string
	var attemptRef *string
	var created, updated, expires int64
	var completed *int64
	err := row.Scan(&p.ID, &p.MerchantID, &dialect, &p.Ref, &attemptRef, &p.OrderID, &p.Amount.Amount,
		&p.Amount.Currency, &p.Method, &p.Country, &p.Description, &payer, &urls, &meta, &extra,
		&p.SealedSecret, &status, &p.StatusDetail, &p.Version, &created, &updated, &expires, &completed)
	if errors.Is(err, pgx.ErrNoRows) {
		return payment.Payment{}, payment.ErrNotFound
	}
	if err != nil {
		return payment.Payment{}, fmt.Errorf("reading payment: %w", err)
	}
	p.Dialect, p.Status = payment.Dialect(dialect), payment.Status(status)
	if attemptRef != nil {
		p.AttemptRef = *attemptRef
	}
	p.CreatedAt, p.UpdatedAt, p.ExpiresAt = fromMS(created), fromMS(updated), fromMS(expires)
	p.CompletedAt = timePtr(completed)
	if err := errors.Join(json.Unmarshal([]byte(payer), &p.Payer), json.Unmarshal([]byte(urls), &p.URLs),
		json.Unmarshal([]byte(meta), &p.Metadata), json.Unmarshal([]byte(extra), &p.Extra)); err != nil {
		return payment.Payment{}, fmt.Errorf("decoding payment %s: %w", p.ID, err)
	}
	return p, nil
}

func collectPayments(rows pgx.Rows) ([]payment.Payment, error) {
	defer rows.Close()
	var out []payment.Payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func encodeParts(p payment.Payment) (payer, urls, meta, extra string, err error) {
	parts := []any{p.Payer, p.URLs, p.Metadata, p.Extra}
	out := make([]string, len(parts))
	for i, v := range parts {
		b, merr := json.Marshal(v)
		if merr != nil {
			return "", "", "", "", merr
		}
		out[i] = string(b)
	}
	if p.Metadata == nil {
		out[2] = "[]"
	}
	if p.Extra == nil {
		out[3] = "{}"
	}
	return out[0], out[1], out[2], out[3], nil
}

// listLimit caps a listing as SQLite's engine does.
func listLimit(limit int) int {
	if limit <= 0 || limit > 1000 {
		return 1000
	}
	return limit
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
