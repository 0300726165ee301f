package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payment"
)

const paymentColumns = `id, merchant_id, dialect, ref, attempt_ref, order_id, amount, currency, method,
	country, description, payer, urls, metadata, extra, sealed_secret, status, status_detail, version,
	created_at, updated_at, expires_at, completed_at`

// insertPayment stores a payment unless its order is already paid; the
// guard is in the same statement, so creating a payment is one statement
// (plus its event) instead of a query and an insert. The guard is spelled
// as the one-paid-order index's predicate so SQLite answers it from that
// small index (paid payments only). With no order id it is always true.
var insertPayment = `INSERT INTO payments (` + paymentColumns + `)
	SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23
	WHERE ?6 = '' OR NOT EXISTS (SELECT 1 FROM payments
		WHERE merchant_id = ?2 AND dialect = ?3 AND order_id = ?6 AND status IN ('completed', 'refunded') AND order_id <> '')`

// CreatePayment implements payment.Repository.
func (s *Store) CreatePayment(ctx context.Context, p payment.Payment, ev payment.Event) error {
	payer, urls, meta, extra, err := encodeParts(p)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, insertPayment,
			p.ID, p.MerchantID, string(p.Dialect), p.Ref, nullString(p.AttemptRef), p.OrderID,
			p.Amount.Amount, p.Amount.Currency, p.Method, p.Country, p.Description, payer, urls, meta, extra,
			p.SealedSecret, string(p.Status), p.StatusDetail, p.Version,
			ms(p.CreatedAt), ms(p.UpdatedAt), ms(p.ExpiresAt), nullTime(p.CompletedAt))
		if err != nil {
			return fmt.Errorf("inserting payment: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return payment.ErrOrderPaid
		}
		return s.insertEvent(ctx, tx, ev)
	})
}

// ApplyChange implements payment.Repository: compare-and-set on status and
// version, the event, the notifications and their delivery jobs, in one
// transaction.
func (s *Store) ApplyChange(ctx context.Context, c payment.Change) error {
	p := c.Payment
	s.cache.begin(p.ID)
	defer s.cache.end(p.ID)
	var jobs *notify.Batch
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE payments
			SET status = ?, status_detail = ?, version = ?, updated_at = ?, completed_at = ?
			WHERE id = ? AND status = ? AND version = ?`,
			string(p.Status), p.StatusDetail, p.Version, ms(p.UpdatedAt), nullTime(p.CompletedAt),
			p.ID, string(c.FromStatus), c.FromVersion)
		if err != nil {
			if isUnique(err) {
				// The one-paid-order index refused a second completion.
				return fmt.Errorf("%w: %v", payment.ErrOrderPaid, err)
			}
			return fmt.Errorf("updating payment: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return payment.ErrConflict
		}
		if err := s.insertEvent(ctx, tx, c.Event); err != nil {
			return err
		}
		ids := make([]string, 0, len(c.Notices))
		for _, n := range c.Notices {
			headers, err := json.Marshal(n.Headers)
			if err != nil {
				return err
			}
			now := ms(c.Event.CreatedAt)
			_, err = tx.ExecContext(ctx, `INSERT INTO notifications
				(id, payment_id, merchant_id, url, method, content_type, body, headers, status, next_attempt_at, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
				n.ID, p.ID, p.MerchantID, n.URL, n.Method, n.ContentType, n.Body, string(headers), now, now, now)
			if err != nil {
				return fmt.Errorf("inserting notification: %w", err)
			}
			ids = append(ids, n.ID)
		}
		jobs, err = s.insertJobs(ctx, tx, ids, true)
		return err
	})
	if err == nil {
		jobs.Committed()
	}
	return err
}

// UpdateDetails implements payment.Repository.
func (s *Store) UpdateDetails(ctx context.Context, p payment.Payment, fromVersion int64, ev payment.Event) error {
	payer, _, _, extra, err := encodeParts(p)
	if err != nil {
		return err
	}
	s.cache.begin(p.ID)
	defer s.cache.end(p.ID)
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE payments
			SET method = ?, country = ?, payer = ?, extra = ?, expires_at = ?, version = ?, updated_at = ?
			WHERE id = ? AND version = ? AND status IN ('created', 'pending')`,
			p.Method, p.Country, payer, extra, ms(p.ExpiresAt), p.Version, ms(p.UpdatedAt), p.ID, fromVersion)
		if err != nil {
			return fmt.Errorf("updating payment: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return payment.ErrConflict
		}
		return s.insertEvent(ctx, tx, ev)
	})
}

// GetPayment implements payment.Repository.
func (s *Store) GetPayment(ctx context.Context, id string) (payment.Payment, error) {
	return s.cachedPayment(ctx, paymentBy[byID], id, byID)
}

// GetPaymentByRef implements payment.Repository.
func (s *Store) GetPaymentByRef(ctx context.Context, ref string) (payment.Payment, error) {
	if ref == "" {
		return payment.Payment{}, payment.ErrNotFound
	}
	return s.cachedPayment(ctx, paymentByRefOrAttempt, ref, byRef, byAttemptRef)
}

// The single-payment reads, one per cache key; each takes its value as ?1.
var (
	paymentBy = [...]string{
		byID:         `SELECT ` + paymentColumns + ` FROM payments WHERE id = ?1`,
		byRef:        `SELECT ` + paymentColumns + ` FROM payments WHERE ref = ?1`,
		byAttemptRef: `SELECT ` + paymentColumns + ` FROM payments WHERE attempt_ref = ?1`,
	}
	paymentByRefOrAttempt = paymentBy[byRef] + ` UNION ALL ` + paymentBy[byAttemptRef] + ` LIMIT 1`
)

// cachedPayment finds the payment v names (by the first of keys that
// finds one) in the cache, or else reads it with query and keeps it.
func (s *Store) cachedPayment(ctx context.Context, query, v string, keys ...key) (payment.Payment, error) {
	p, gen, ok := s.cache.get(v, keys...)
	if ok {
		return p, nil
	}
	p, err := s.readPayment(ctx, query, v)
	if err != nil {
		return payment.Payment{}, err
	}
	s.cache.fill(p, gen)
	return p, nil
}

func (s *Store) readPayment(ctx context.Context, query, v string) (p payment.Payment, err error) {
	onOwnStack(func() { p, err = scanPayment(s.read.QueryRowContext(bounded(ctx), query, v)) })
	return p, err
}

// onOwnStack runs fn on a short-lived goroutine and waits for it (a panic
// in fn is raised again here). SQLite is C translated to Go and needs a deep
// stack; a request goroutine that ran a payment read itself kept that grown
// stack while it went on to wait for the writer (a status change reads,
// then writes), and under overload a thousand such goroutines held 45 MB of
// stacks: the whole-payment benchmark's peak RSS went from 151 to 135 MB
// with the read on a goroutine of its own, whose stack goes back to the
// runtime when it ends. It costs about a microsecond on a 15 µs read.
func onOwnStack(fn func()) {
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		fn()
	}()
	if p := <-done; p != nil {
		panic(p)
	}
}

// ListPayments implements payment.Repository. A list by ref or attempt
// ref (a status query) is at most one payment, found by cachedPayment.
func (s *Store) ListPayments(ctx context.Context, f payment.Filter) ([]payment.Payment, error) {
	if f.Ref != "" || f.AttemptRef != "" {
		k, v := byRef, f.Ref
		if v == "" {
			k, v = byAttemptRef, f.AttemptRef
		}
		p, err := s.cachedPayment(ctx, paymentBy[k], v, k)
		if errors.Is(err, payment.ErrNotFound) || (err == nil && !f.Matches(p)) {
			return []payment.Payment{}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("listing payments: %w", err)
		}
		return []payment.Payment{p}, nil
	}
	var where []string
	var args []any
	for _, c := range []struct{ col, val string }{
		{"merchant_id", f.MerchantID}, {"order_id", f.OrderID}, {"status", string(f.Status)},
	} {
		if c.val != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	q := `SELECT ` + paymentColumns + ` FROM payments`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	q += fmt.Sprintf(` ORDER BY created_at DESC, id LIMIT %d`, limit)
	if f.MerchantID != "" && f.OrderID != "" {
		ctx = bounded(ctx) // the (merchant, order) index finds them
	}
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("listing payments: %w", err)
	}
	return collectPayments(rows)
}

// ListDue implements payment.Repository.
func (s *Store) ListDue(ctx context.Context, now time.Time, limit int) ([]payment.Payment, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+paymentColumns+` FROM payments
		WHERE status IN ('created', 'pending') AND expires_at <= ? ORDER BY expires_at LIMIT ?`, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("listing due payments: %w", err)
	}
	return collectPayments(rows)
}

// ListAwaiting implements payment.Repository; payments_awaiting (pending
// payments only) answers it.
func (s *Store) ListAwaiting(ctx context.Context, dialect payment.Dialect, detail string, before time.Time, limit int) ([]payment.Payment, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+paymentColumns+` FROM payments
		WHERE status = 'pending' AND dialect = ? AND status_detail = ? AND updated_at <= ?
		ORDER BY updated_at LIMIT ?`, string(dialect), detail, ms(before), limit)
	if err != nil {
		return nil, fmt.Errorf("listing awaiting payments: %w", err)
	}
	return collectPayments(rows)
}

// ListEvents implements payment.Repository.
func (s *Store) ListEvents(ctx context.Context, paymentID string) ([]payment.Event, error) {
	rows, err := s.read.QueryContext(bounded(ctx), `SELECT id, payment_id, type, from_status, to_status, detail, actor, created_at
		FROM payment_events WHERE payment_id = ? ORDER BY id`, paymentID)
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
			return nil, err
		}
		e.From, e.To, e.CreatedAt = payment.Status(from), payment.Status(to), fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *Store) insertEvent(ctx context.Context, tx *sql.Tx, e payment.Event) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO payment_events (payment_id, type, from_status, to_status, detail, actor, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.PaymentID, e.Type, string(e.From), string(e.To), e.Detail, e.Actor, ms(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("appending event: %w", err)
	}
	return nil
}

type scanner interface{ Scan(dest ...any) error }

func scanPayment(row scanner) (payment.Payment, error) {
	var p payment.Payment
	var dialect, status, payer, urls, meta, extra string
	var attemptRef sql.NullString
	var created, updated, expires int64
	var completed sql.NullInt64
	err := row.Scan(&p.ID, &p.MerchantID, &dialect, &p.Ref, &attemptRef, &p.OrderID, &p.Amount.Amount,
		&p.Amount.Currency, &p.Method, &p.Country, &p.Description, &payer, &urls, &meta, &extra,
		&p.SealedSecret, &status, &p.StatusDetail, &p.Version, &created, &updated, &expires, &completed)
	if errors.Is(err, sql.ErrNoRows) {
		return payment.Payment{}, payment.ErrNotFound
	}
	if err != nil {
		return payment.Payment{}, fmt.Errorf("reading payment: %w", err)
	}
	p.Dialect, p.Status, p.AttemptRef = payment.Dialect(dialect), payment.Status(status), attemptRef.String
	p.CreatedAt, p.UpdatedAt, p.ExpiresAt = fromMS(created), fromMS(updated), fromMS(expires)
	if completed.Valid {
		t := fromMS(completed.Int64)
		p.CompletedAt = &t
	}
	if err := errors.Join(json.Unmarshal([]byte(payer), &p.Payer), json.Unmarshal([]byte(urls), &p.URLs),
		decodeMetadata(meta, &p.Metadata), decodeExtra(extra, &p.Extra)); err != nil {
		return payment.Payment{}, fmt.Errorf("decoding payment %s: %w", p.ID, err)
	}
	return p, nil
}

// decodeMetadata and decodeExtra skip the JSON decoder for the empty values
// most payments store (a status query reads every column).
func decodeMetadata(s string, dst *[]payment.Metadata) error {
	if s == "[]" {
		*dst = nil
		return nil
	}
	return json.Unmarshal([]byte(s), dst)
}

func decodeExtra(s string, dst *map[string]string) error {
	if s == "{}" {
		*dst = map[string]string{}
		return nil
	}
	return json.Unmarshal([]byte(s), dst)
}

func collectPayments(rows *sql.Rows) ([]payment.Payment, error) {
	defer rows.Close()
	out := make([]payment.Payment, 0, 1) // most lists are one payment: a status query
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
	if payer, err = encodeJSON(p.Payer, p.Payer == payment.Payer{}, "{}"); err != nil {
		return
	}
	if urls, err = encodeJSON(p.URLs, p.URLs == payment.URLs{}, "{}"); err != nil {
		return
	}
	if meta, err = encodeJSON(p.Metadata, len(p.Metadata) == 0, "[]"); err != nil {
		return
	}
	extra, err = encodeJSON(p.Extra, len(p.Extra) == 0, "{}")
	return
}

// encodeJSON is v as JSON, or empty (what an empty v encodes to, known
// without running the encoder: most payments leave some parts empty).
func encodeJSON(v any, isEmpty bool, empty string) (string, error) {
	if isEmpty {
		return empty, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ms(*t)
}

func isUnique(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}
