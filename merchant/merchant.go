// Package merchant keeps the merchants of the gateway and their credentials
// for both dialects. API tokens are stored only as hashes; secrets the
// gateway must use again (HMAC keys, webhook secrets) are sealed by a
// keyring whose key lives outside the database (DESIGN invariant 5).
package merchant

import (
	"context"
	"errors"
	"time"
)

// Merchant is one business taking payments through pasarela.
type Merchant struct {
	CancelURL string
	CreatedAt time.Time
	// ETpayCode is the ETpay merchant_code.
	ETpayCode string
	// ETpayTokenHash is SHA-256 of the ETpay merchant_api_token: the token
	// has 256 random bits, so a fast hash is enough and allows lookup by it.
	ETpayTokenHash []byte
	ID             string
	// LegacyIPN makes PayRetailers notifications use the v1 GET format,
	// which carries the secret itself; off unless the merchant asks.
	LegacyIPN       bool
	Name            string
	NotificationURL string
	// Sandbox marks the merchant created automatically in sandbox mode; a
	// production gateway refuses to start while one exists.
	Sandbox bool
	// SealedSecretKey is the PayRetailers secret_key, sealed.
	SealedSecretKey []byte
	// SealedWebhookSecret is the Standard Webhooks whsec_ secret, sealed.
	SealedWebhookSecret []byte
	// ServiceID is the PayRetailers pg_serviceid.
	ServiceID  string
	SuccessURL string
	UpdatedAt  time.Time
}

// Credentials are a merchant's secrets in clear, shown once at creation or
// rotation and never again.
type Credentials struct {
	ETpayAPIToken string `json:"merchant_api_token"`
	ETpayCode     string `json:"merchant_code"`
	SecretKey     string `json:"secret_key"`
	ServiceID     string `json:"service_id"`
	WebhookSecret string `json:"webhook_secret"`
}

// Errors of the merchant service.
var (
	// ErrDuplicate means a merchant code or service id is taken.
	ErrDuplicate = errors.New("merchant already exists")
	// ErrNotFound means no merchant has that id, code or service id.
	ErrNotFound = errors.New("merchant not found")
	// ErrUnauthorized means the credentials do not match; it never says
	// which part was wrong.
	ErrUnauthorized = errors.New("invalid merchant credentials")
)

// Repository is the storage the merchant service needs.
type Repository interface {
	CreateMerchant(ctx context.Context, m Merchant) error
	GetMerchant(ctx context.Context, id string) (Merchant, error)
	GetMerchantByETpayCode(ctx context.Context, code string) (Merchant, error)
	GetMerchantByETpayTokenHash(ctx context.Context, hash []byte) (Merchant, error)
	GetMerchantByServiceID(ctx context.Context, serviceID string) (Merchant, error)
	ListMerchants(ctx context.Context) ([]Merchant, error)
	// UpdateMerchantSettings writes m's settings (name, URLs, legacy IPN)
	// and UpdateMerchantCredentials its credentials (token hash, sealed
	// secrets): each only its own columns, so a settings change and a
	// rotation made at once cannot write the other's old values back.
	UpdateMerchantSettings(ctx context.Context, m Merchant) error
	UpdateMerchantCredentials(ctx context.Context, m Merchant) error
}

// Sealer encrypts and decrypts secrets with associated data that binds each
// ciphertext to its owner and purpose.
type Sealer interface {
	Open(ciphertext, associatedData []byte) ([]byte, error)
	Seal(plaintext, associatedData []byte) ([]byte, error)
}
