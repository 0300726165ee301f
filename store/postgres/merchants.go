package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/pasarela/pasarela/merchant"
)

const merchantColumns = `id, name, etpay_code, etpay_token_hash, service_id, sealed_secret_key,
	sealed_webhook_secret, notification_url, success_url, cancel_url, legacy_ipn, sandbox, created_at, updated_at`

// CreateMerchant implements merchant.Repository.
func (s *Store) CreateMerchant(ctx context.Context, m merchant.Merchant) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO merchants (`+merchantColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		m.ID, m.Name, m.ETpayCode, m.ETpayTokenHash, m.ServiceID, m.SealedSecretKey, m.SealedWebhookSecret,
		m.NotificationURL, m.SuccessURL, m.CancelURL, m.LegacyIPN, m.Sandbox, ms(m.CreatedAt), ms(m.UpdatedAt))
	if _, ok := uniqueViolation(err); ok {
		return merchant.ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("inserting merchant: %w", err)
	}
	return nil
}

// UpdateMerchantSettings implements merchant.Repository.
func (s *Store) UpdateMerchantSettings(ctx context.Context, m merchant.Merchant) error {
	return s.updateMerchant(ctx, `UPDATE merchants SET name = $1, notification_url = $2, success_url = $3,
		cancel_url = $4, legacy_ipn = $5, updated_at = $6 WHERE id = $7`,
		m.Name, m.NotificationURL, m.SuccessURL, m.CancelURL, m.LegacyIPN, ms(m.UpdatedAt), m.ID)
}

// UpdateMerchantCredentials implements merchant.Repository.
func (s *Store) UpdateMerchantCredentials(ctx context.Context, m merchant.Merchant) error {
	return s.updateMerchant(ctx, `UPDATE merchants SET etpay_token_hash = $1, sealed_secret_key = $2,
		sealed_webhook_secret = $3, updated_at = $4 WHERE id = $5`,
		m.ETpayTokenHash, m.SealedSecretKey, m.SealedWebhookSecret, ms(m.UpdatedAt), m.ID)
}

func (s *Store) updateMerchant(ctx context.Context, query string, args ...any) error {
	tag, err := s.pool.Exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("updating merchant: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return merchant.ErrNotFound
	}
	return nil
}

// GetMerchant implements merchant.Repository.
func (s *Store) GetMerchant(ctx context.Context, id string) (merchant.Merchant, error) {
	return s.merchantWhere(ctx, "id = $1", id)
}

// GetMerchantByETpayCode implements merchant.Repository.
func (s *Store) GetMerchantByETpayCode(ctx context.Context, code string) (merchant.Merchant, error) {
	return s.merchantWhere(ctx, "etpay_code = $1", code)
}

// GetMerchantByETpayTokenHash implements merchant.Repository.
func (s *Store) GetMerchantByETpayTokenHash(ctx context.Context, hash []byte) (merchant.Merchant, error) {
	return s.merchantWhere(ctx, "etpay_token_hash = $1", hash)
}

// GetMerchantByServiceID implements merchant.Repository.
func (s *Store) GetMerchantByServiceID(ctx context.Context, serviceID string) (merchant.Merchant, error) {
	return s.merchantWhere(ctx, "service_id = $1", serviceID)
}

// ListMerchants implements merchant.Repository.
func (s *Store) ListMerchants(ctx context.Context) ([]merchant.Merchant, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+merchantColumns+` FROM merchants ORDER BY created_at, id`)
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
	return scanMerchant(s.pool.QueryRow(ctx, `SELECT `+merchantColumns+` FROM merchants WHERE `+cond, arg))
}

func scanMerchant(row scanner) (merchant.Merchant, error) {
	var m merchant.Merchant
	var created, updated int64
	err := row.Scan(&m.ID, &m.Name, &m.ETpayCode, &m.ETpayTokenHash, &m.ServiceID, &m.SealedSecretKey,
		&m.SealedWebhookSecret, &m.NotificationURL, &m.SuccessURL, &m.CancelURL, &m.LegacyIPN, &m.Sandbox, &created, &updated)
	if errors.Is(err, pgx.ErrNoRows) {
		return merchant.Merchant{}, merchant.ErrNotFound
	}
	if err != nil {
		return merchant.Merchant{}, fmt.Errorf("reading merchant: %w", err)
	}
	m.CreatedAt, m.UpdatedAt = fromMS(created), fromMS(updated)
	return m, nil
}
