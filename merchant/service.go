package merchant

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pasarela/pasarela/token"
)

// Service creates merchants and checks their credentials.
type Service struct {
	cache  atomic.Pointer[lookupCache]
	now    func() time.Time
	repo   Repository
	sealer Sealer
}

// NewService returns a Service over repo, sealing secrets with sealer.
func NewService(repo Repository, sealer Sealer) *Service {
	return &Service{now: func() time.Time { return time.Now().UTC() }, repo: repo, sealer: sealer}
}

// Settings are the parts of a merchant its owner chooses.
type Settings struct {
	CancelURL       string
	LegacyIPN       bool
	Name            string
	NotificationURL string
	SuccessURL      string
}

// Create makes a merchant with fresh credentials for both dialects and
// returns them in clear; they cannot be read back later.
func (s *Service) Create(ctx context.Context, set Settings, sandbox bool) (Merchant, Credentials, error) {
	if err := set.validate(); err != nil {
		return Merchant{}, Credentials{}, err
	}
	now := s.now()
	m := Merchant{
		CancelURL: set.CancelURL, CreatedAt: now, ID: token.ID("mer"), LegacyIPN: set.LegacyIPN,
		Name: set.Name, NotificationURL: set.NotificationURL, Sandbox: sandbox,
		SuccessURL: set.SuccessURL, UpdatedAt: now,
	}
	m.ETpayCode = etpayCode(set.Name)
	serviceID, err := randomDigits(9)
	if err != nil {
		return Merchant{}, Credentials{}, err
	}
	m.ServiceID = serviceID
	creds, err := s.issue(&m)
	if err != nil {
		return Merchant{}, Credentials{}, err
	}
	defer s.forget()
	if err := s.repo.CreateMerchant(ctx, m); err != nil {
		return Merchant{}, Credentials{}, fmt.Errorf("creating merchant %q: %w", set.Name, err)
	}
	return m, creds, nil
}

// RotateCredentials replaces every secret of merchant id; the old ones stop
// working at once through this Service, within its cache TTL elsewhere.
func (s *Service) RotateCredentials(ctx context.Context, id string) (Merchant, Credentials, error) {
	defer s.forget()
	m, err := s.repo.GetMerchant(ctx, id)
	if err != nil {
		return Merchant{}, Credentials{}, err
	}
	creds, err := s.issue(&m)
	if err != nil {
		return Merchant{}, Credentials{}, err
	}
	m.UpdatedAt = s.now()
	if err := s.repo.UpdateMerchantCredentials(ctx, m); err != nil {
		return Merchant{}, Credentials{}, fmt.Errorf("rotating credentials of %s: %w", id, err)
	}
	return m, creds, nil
}

// issue sets fresh secrets on m and returns them in clear.
func (s *Service) issue(m *Merchant) (Credentials, error) {
	c := Credentials{
		ETpayAPIToken: token.Hex(32),
		ETpayCode:     m.ETpayCode,
		SecretKey:     token.UUIDShaped(),
		ServiceID:     m.ServiceID,
		WebhookSecret: "whsec_" + base64.StdEncoding.EncodeToString(token.Bytes(32)),
	}
	h := sha256.Sum256([]byte(c.ETpayAPIToken))
	m.ETpayTokenHash = h[:]
	var err error
	if m.SealedSecretKey, err = s.sealer.Seal([]byte(c.SecretKey), aad(m.ID, "secret_key")); err != nil {
		return Credentials{}, fmt.Errorf("sealing secret key: %w", err)
	}
	if m.SealedWebhookSecret, err = s.sealer.Seal([]byte(c.WebhookSecret), aad(m.ID, "webhook_secret")); err != nil {
		return Credentials{}, fmt.Errorf("sealing webhook secret: %w", err)
	}
	return c, nil
}

// Update changes a merchant's settings (not its credentials).
func (s *Service) Update(ctx context.Context, id string, set Settings) (Merchant, error) {
	if err := set.validate(); err != nil {
		return Merchant{}, err
	}
	defer s.forget()
	m, err := s.repo.GetMerchant(ctx, id)
	if err != nil {
		return Merchant{}, err
	}
	m.Name, m.NotificationURL, m.SuccessURL, m.CancelURL, m.LegacyIPN = set.Name, set.NotificationURL, set.SuccessURL, set.CancelURL, set.LegacyIPN
	m.UpdatedAt = s.now()
	if err := s.repo.UpdateMerchantSettings(ctx, m); err != nil {
		return Merchant{}, fmt.Errorf("updating merchant %s: %w", id, err)
	}
	return m, nil
}

// Get returns merchant id.
func (s *Service) Get(ctx context.Context, id string) (Merchant, error) {
	return s.cached(ctx, "id:"+id, func(ctx context.Context) (Merchant, error) { return s.repo.GetMerchant(ctx, id) })
}

// List returns every merchant.
func (s *Service) List(ctx context.Context) ([]Merchant, error) { return s.repo.ListMerchants(ctx) }

// AuthenticateETpay checks an ETpay merchant_api_token, with or without its
// merchant_code (the official SDK omits the code on status queries).
func (s *Service) AuthenticateETpay(ctx context.Context, code, apiToken string) (Merchant, error) {
	if apiToken == "" {
		return Merchant{}, ErrUnauthorized
	}
	h := sha256.Sum256([]byte(apiToken))
	var m Merchant
	var err error
	if code != "" {
		m, err = s.cached(ctx, "code:"+code, func(ctx context.Context) (Merchant, error) { return s.repo.GetMerchantByETpayCode(ctx, code) })
	} else {
		m, err = s.cached(ctx, "hash:"+string(h[:]), func(ctx context.Context) (Merchant, error) { return s.repo.GetMerchantByETpayTokenHash(ctx, h[:]) })
	}
	if errors.Is(err, ErrNotFound) {
		return Merchant{}, ErrUnauthorized
	}
	if err != nil {
		return Merchant{}, err
	}
	if subtle.ConstantTimeCompare(h[:], m.ETpayTokenHash) != 1 {
		return Merchant{}, ErrUnauthorized
	}
	return m, nil
}

// SecretKey returns the PayRetailers HMAC secret of m in clear.
func (s *Service) SecretKey(m Merchant) ([]byte, error) {
	return s.sealer.Open(m.SealedSecretKey, aad(m.ID, "secret_key"))
}

// WebhookSecret returns the Standard Webhooks secret of m in clear.
func (s *Service) WebhookSecret(m Merchant) (string, error) {
	b, err := s.sealer.Open(m.SealedWebhookSecret, aad(m.ID, "webhook_secret"))
	return string(b), err
}

// ByServiceID returns the merchant owning a PayRetailers service id.
func (s *Service) ByServiceID(ctx context.Context, serviceID string) (Merchant, error) {
	return s.cached(ctx, "svc:"+serviceID, func(ctx context.Context) (Merchant, error) { return s.repo.GetMerchantByServiceID(ctx, serviceID) })
}

func aad(id, purpose string) []byte { return []byte("merchant/" + id + "/" + purpose) }

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// etpayCode builds a readable, unique merchant_code like "cl_shop_k3x9q2".
func etpayCode(name string) string {
	slug := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "_"), "_")
	if len(slug) > 20 {
		slug = slug[:20]
	}
	if slug == "" {
		slug = "merchant"
	}
	return "cl_" + slug + "_" + strings.ToLower(token.Alnum(8))
}

func randomDigits(n int) (string, error) {
	var b strings.Builder
	for i := 0; i < n; i++ {
		lo := int64(0)
		if i == 0 {
			lo = 1 // no leading zero: some clients send the id as a JSON number
		}
		v, err := rand.Int(rand.Reader, big.NewInt(10-lo))
		if err != nil {
			return "", err
		}
		b.WriteByte(byte('0' + lo + v.Int64()))
	}
	return b.String(), nil
}

func (set Settings) validate() error {
	if strings.TrimSpace(set.Name) == "" || len(set.Name) > 200 {
		return errors.New("merchant name must have 1 to 200 characters")
	}
	for label, u := range map[string]string{"notification URL": set.NotificationURL, "success URL": set.SuccessURL, "cancel URL": set.CancelURL} {
		if u == "" {
			continue
		}
		if err := ValidateURL(u); err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
	}
	return nil
}
