package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/pasarela/pasarela/merchant"
)

const merchantColumns = `id, name, etpay_code, etpay_token_hash, service_id, sealed_secret_key,
	sealed_webhook_secret, notification_url, success_url, cancel_url, legacy_ipn, sandbox, created_at, updated_at`

// CreateMerchant implements merchant.Repository.
func (s *Store) CreateMerchant(ctx context.Context, m merchant.Merchant) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO merchants (`+merchantColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.Name, m.ETpayCode, m.ETpayTokenHash, m.ServiceID, m.SealedSecretKey, m.SealedWebhookSecret,
		m.NotificationURL, m.SuccessURL, m.CancelURL, m.LegacyIPN, m.Sandbox, ms(m.CreatedAt), ms(m.UpdatedAt))
	if isUnique(err) {
		return merchant.ErrDuplicate
	}
	return err
}

// UpdateMerchantSettings implements merchant.Repository.
func (s *Store) UpdateMerchantSettings(ctx context.Context, m merchant.Merchant) error {
	return s.updateMerchant(ctx, `UPDATE merchants SET name = ?, notification_url = ?, success_url = ?,
		cancel_url = ?, legacy_ipn = ?, updated_at = ? WHERE id = ?`,
		m.Name, m.NotificationURL, m.SuccessURL, m.CancelURL, m.LegacyIPN, ms(m.UpdatedAt), m.ID)
}

// UpdateMerchantCredentials implements merchant.Repository.
func (s *Store) UpdateMerchantCredentials(ctx context.Context, m merchant.Merchant) error {
	return s.updateMerchant(ctx, `UPDATE merchants SET etpay_token_hash = ?, sealed_secret_key = ?,
		sealed_webhook_secret = ?, updated_at = ? WHERE id = ?`,
		m.ETpayTokenHash, m.SealedSecretKey, m.SealedWebhookSecret, ms(m.UpdatedAt), m.ID)
}

func (s *Store) updateMerchant(ctx context.Context, query string, args ...any) error {
	res, err := s.write.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("updating merchant: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return merchant.ErrNotFound
	}
	return nil
}

// GetMerchant implements merchant.Repository.
func (s *Store) GetMerchant(ctx context.Context, id string) (merchant.Merchant, error) {
	return s.merchantWhere(ctx, "id = ?", id)
}

// GetMerchantByETpayCode implements merchant.Repository.
func (s *Store) GetMerchantByETpayCode(ctx context.Context, code string) (merchant.Merchant, error) {
	return s.merchantWhere(ctx, "etpay_code = ?", code)
}

// GetMerchantByETpayTokenHash implements merchant.Repository.
func (s *Store) GetMerchantByETpayTokenHash(ctx context.Context, hash []byte) (merchant.Merchant, error) {
	return s.merchantWhere(ctx, "etpay_token_hash = ?", hash)
}

// GetMerchantByServiceID implements merchant.Repository.
func (s *Store) GetMerchantByServiceID(ctx context.Context, serviceID string) (merchant.Merchant, error) {
	return s.merchantWhere(ctx, "service_id = ?", serviceID)
}

// ListMerchants implements merchant.Repository.
func (s *Store) ListMerchants(ctx context.Context) ([]merchant.Merchant, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+merchantColumns+` FROM merchants ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("listing merchants: %w", err)
	}
	defer rows.Close()
	var out []merchant.Merchant
	for rows.Next() {
		m, err := scanMerchant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *Store) merchantWhere(ctx context.Context, cond string, arg any) (merchant.Merchant, error) {
	return scanMerchant(s.read.QueryRowContext(bounded(ctx), `SELECT `+merchantColumns+` FROM merchants WHERE `+cond, arg))
}

func scanMerchant(row scanner) (merchant.Merchant, error) {
	var m merchant.Merchant
	var created, updated int64
	err := row.Scan(&m.ID, &m.Name, &m.ETpayCode, &m.ETpayTokenHash, &m.ServiceID, &m.SealedSecretKey,
		&m.SealedWebhookSecret, &m.NotificationURL, &m.SuccessURL, &m.CancelURL, &m.LegacyIPN, &m.Sandbox, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return merchant.Merchant{}, merchant.ErrNotFound
	}
	if err != nil {
		return merchant.Merchant{}, fmt.Errorf("reading merchant: %w", err)
	}
	m.CreatedAt, m.UpdatedAt = fromMS(created), fromMS(updated)
	return m, nil
}
