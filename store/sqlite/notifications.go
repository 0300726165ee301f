package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pasarela/pasarela/notify"
)

const notificationColumns = `id, payment_id, merchant_id, url, method, content_type, body, headers, status,
	attempts, last_status_code, last_error, next_attempt_at, created_at, updated_at, delivered_at`

// GetNotification implements notify.Repository.
func (s *Store) GetNotification(ctx context.Context, id string) (notify.Record, error) {
	return scanNotification(s.read.QueryRowContext(bounded(ctx), `SELECT `+notificationColumns+` FROM notifications WHERE id = ?`, id))
}

// ListNotifications implements notify.Repository.
func (s *Store) ListNotifications(ctx context.Context, f notify.Filter) ([]notify.Record, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, val string }{
		{"merchant_id", f.MerchantID}, {"payment_id", f.PaymentID}, {"status", string(f.Status)},
	} {
		if c.val != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	q := `SELECT ` + notificationColumns + ` FROM notifications`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	q += fmt.Sprintf(` ORDER BY created_at DESC, id LIMIT %d`, limit)
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("listing notifications: %w", err)
	}
	defer rows.Close()
	var out []notify.Record
	for rows.Next() {
		r, err := scanNotification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ListAttempts implements notify.Repository.
func (s *Store) ListAttempts(ctx context.Context, notificationID string) ([]notify.Attempt, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT notification_id, number, at, url, status_code, latency_us, error, response_body
		FROM notification_attempts WHERE notification_id = ? ORDER BY id`, notificationID)
	if err != nil {
		return nil, fmt.Errorf("listing attempts: %w", err)
	}
	defer rows.Close()
	var out []notify.Attempt
	for rows.Next() {
		var a notify.Attempt
		var at, latency int64
		if err := rows.Scan(&a.NotificationID, &a.Number, &at, &a.URL, &a.StatusCode, &latency, &a.Error, &a.ResponseBody); err != nil {
			return nil, err
		}
		a.At, a.Latency = fromMS(at), time.Duration(latency)*time.Microsecond
		out = append(out, a)
	}
	return out, rows.Err()
}

// RecordAttempt implements notify.Repository.
func (s *Store) RecordAttempt(ctx context.Context, a notify.Attempt, status notify.Status, next *time.Time, settles int64) error {
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var delivered any
		if status == notify.StatusDelivered {
			delivered = ms(a.At)
		}
		res, err := tx.ExecContext(ctx, `UPDATE notifications SET status = ?, attempts = attempts + 1,
			last_status_code = ?, last_error = ?, next_attempt_at = ?, updated_at = ?,
			delivered_at = COALESCE(?, delivered_at) WHERE id = ?`,
			string(status), a.StatusCode, a.Error, nullTime(next), ms(time.Now()), delivered, a.NotificationID)
		if err != nil {
			return fmt.Errorf("updating notification: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return notify.ErrNotFound
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO notification_attempts
			(notification_id, number, at, url, status_code, latency_us, error, response_body)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			a.NotificationID, a.Number, ms(a.At), a.URL, a.StatusCode, a.Latency.Microseconds(), a.Error, a.ResponseBody)
		if err != nil {
			return fmt.Errorf("recording attempt: %w", err)
		}
		return s.settleJob(ctx, tx, settles)
	})
}

// Requeue implements notify.Repository.
func (s *Store) Requeue(ctx context.Context, id string) error {
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		now := ms(time.Now())
		res, err := tx.ExecContext(ctx, `UPDATE notifications SET status = 'pending', next_attempt_at = ?, updated_at = ?
			WHERE id = ?`, now, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return notify.ErrNotFound
		}
		return notify.RequeueJob(ctx, s.river, tx, id)
	})
}

// NotificationStats implements notify.Repository.
func (s *Store) NotificationStats(ctx context.Context) (notify.Stats, error) {
	var st notify.Stats
	var oldest sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT count(*), min(created_at) FROM notifications
		WHERE status IN ('pending', 'failed')`).Scan(&st.Pending, &oldest)
	if oldest.Valid {
		st.OldestPending = fromMS(oldest.Int64)
	}
	return st, err
}

func scanNotification(row scanner) (notify.Record, error) {
	var r notify.Record
	var headers, status string
	var next, delivered sql.NullInt64
	var created, updated int64
	err := row.Scan(&r.ID, &r.PaymentID, &r.MerchantID, &r.URL, &r.Method, &r.ContentType, &r.Body, &headers,
		&status, &r.Attempts, &r.LastStatusCode, &r.LastError, &next, &created, &updated, &delivered)
	if errors.Is(err, sql.ErrNoRows) {
		return notify.Record{}, notify.ErrNotFound
	}
	if err != nil {
		return notify.Record{}, fmt.Errorf("reading notification: %w", err)
	}
	r.Status = notify.Status(status)
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	if next.Valid {
		t := fromMS(next.Int64)
		r.NextAttemptAt = &t
	}
	if delivered.Valid {
		t := fromMS(delivered.Int64)
		r.DeliveredAt = &t
	}
	if err := json.Unmarshal([]byte(headers), &r.Headers); err != nil {
		return notify.Record{}, fmt.Errorf("decoding notification %s headers: %w", r.ID, err)
	}
	return r, nil
}
