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
)

const notificationColumns = `id, payment_id, merchant_id, url, method, content_type, body, headers, status,
	attempts, last_status_code, last_error, next_attempt_at, created_at, updated_at, delivered_at`

// GetNotification implements notify.Repository.
func (s *Store) GetNotification(ctx context.Context, id string) (notify.Record, error) {
	return scanNotification(s.pool.QueryRow(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE id = $1`, id))
}

// ListNotifications implements notify.Repository.
func (s *Store) ListNotifications(ctx context.Context, f notify.Filter) ([]notify.Record, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, val string }{
		{"merchant_id", f.MerchantID}, {"payment_id", f.PaymentID}, {"status", string(f.Status)},
	} {
		if c.val != "" {
			args = append(args, c.val)
			where = append(where, fmt.Sprintf("%s = $%d", c.col, len(args)))
		}
	}
	q := `SELECT ` + notificationColumns + ` FROM notifications`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(` ORDER BY created_at DESC, id LIMIT %d`, listLimit(f.Limit))
	rows, err := s.pool.Query(ctx, q, args...)
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
	rows, err := s.pool.Query(ctx, `SELECT notification_id, number, at, url, status_code, latency_us, error, response_body
		FROM notification_attempts WHERE notification_id = $1 ORDER BY id`, notificationID)
	if err != nil {
		return nil, fmt.Errorf("listing attempts: %w", err)
	}
	defer rows.Close()
	var out []notify.Attempt
	for rows.Next() {
		var a notify.Attempt
		var at, latency int64
		if err := rows.Scan(&a.NotificationID, &a.Number, &at, &a.URL, &a.StatusCode, &latency, &a.Error, &a.ResponseBody); err != nil {
			return nil, fmt.Errorf("reading attempt: %w", err)
		}
		a.At, a.Latency = fromMS(at), time.Duration(latency)*time.Microsecond
		out = append(out, a)
	}
	return out, rows.Err()
}

// RecordAttempt implements notify.Repository.
func (s *Store) RecordAttempt(ctx context.Context, a notify.Attempt, status notify.Status, next *time.Time, settles int64) error {
	var delivered *int64
	if status == notify.StatusDelivered {
		delivered = msPtr(&a.At)
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE notifications SET status = $1, attempts = attempts + 1,
			last_status_code = $2, last_error = $3, next_attempt_at = $4, updated_at = $5,
			delivered_at = COALESCE($6, delivered_at) WHERE id = $7`,
			string(status), a.StatusCode, a.Error, msPtr(next), ms(time.Now()), delivered, a.NotificationID)
		if err != nil {
			return fmt.Errorf("updating notification: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return notify.ErrNotFound
		}
		_, err = tx.Exec(ctx, `INSERT INTO notification_attempts
			(notification_id, number, at, url, status_code, latency_us, error, response_body)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			a.NotificationID, a.Number, ms(a.At), a.URL, a.StatusCode, a.Latency.Microseconds(), a.Error, a.ResponseBody)
		if err != nil {
			return fmt.Errorf("recording attempt: %w", err)
		}
		return s.settleJob(ctx, tx, settles)
	})
}

// Requeue implements notify.Repository.
func (s *Store) Requeue(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		now := ms(time.Now())
		tag, err := tx.Exec(ctx, `UPDATE notifications SET status = 'pending', next_attempt_at = $1, updated_at = $1
			WHERE id = $2`, now, id)
		if err != nil {
			return fmt.Errorf("requeueing notification: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return notify.ErrNotFound
		}
		return notify.RequeueJob(ctx, s.river, tx, id)
	})
}

// NotificationStats implements notify.Repository.
func (s *Store) NotificationStats(ctx context.Context) (notify.Stats, error) {
	var st notify.Stats
	var oldest *int64
	err := s.pool.QueryRow(ctx, `SELECT count(*), min(created_at) FROM notifications
		WHERE status IN ('pending', 'failed')`).Scan(&st.Pending, &oldest)
	if err != nil {
		return notify.Stats{}, fmt.Errorf("counting notifications: %w", err)
	}
	if oldest != nil {
		st.OldestPending = fromMS(*oldest)
	}
	return st, nil
}

func scanNotification(row scanner) (notify.Record, error) {
	var r notify.Record
	var headers, status string
	var next, delivered *int64
	var created, updated int64
	err := row.Scan(&r.ID, &r.PaymentID, &r.MerchantID, &r.URL, &r.Method, &r.ContentType, &r.Body, &headers,
		&status, &r.Attempts, &r.LastStatusCode, &r.LastError, &next, &created, &updated, &delivered)
	if errors.Is(err, pgx.ErrNoRows) {
		return notify.Record{}, notify.ErrNotFound
	}
	if err != nil {
		return notify.Record{}, fmt.Errorf("reading notification: %w", err)
	}
	r.Status = notify.Status(status)
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	r.NextAttemptAt, r.DeliveredAt = timePtr(next), timePtr(delivered)
	if err := json.Unmarshal([]byte(headers), &r.Headers); err != nil {
		return notify.Record{}, fmt.Errorf("decoding notification %s headers: %w", r.ID, err)
	}
	return r, nil
}
