package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pasarela/pasarela/merchant"
)

// CreatedMerchant is what `merchant create --json` prints: a merchant and
// its credentials for both dialects.
type CreatedMerchant struct {
	ETpay        ETpayCredentials        `json:"etpay"`
	ID           string                  `json:"id"`
	Name         string                  `json:"name"`
	PayRetailers PayRetailersCredentials `json:"payretailers"`
}

// ETpayCredentials authenticate the ETpay dialect.
type ETpayCredentials struct {
	MerchantAPIToken string `json:"merchant_api_token"`
	MerchantCode     string `json:"merchant_code"`
}

// PayRetailersCredentials authenticate the PayRetailers dialect.
type PayRetailersCredentials struct {
	SecretKey string `json:"secret_key"`
	ServiceID string `json:"service_id"`
}

// NewCreatedMerchant pairs a merchant with its fresh credentials.
func NewCreatedMerchant(m merchant.Merchant, c merchant.Credentials) CreatedMerchant {
	return CreatedMerchant{
		ETpay:        ETpayCredentials{MerchantAPIToken: c.ETpayAPIToken, MerchantCode: c.ETpayCode},
		ID:           m.ID,
		Name:         m.Name,
		PayRetailers: PayRetailersCredentials{SecretKey: c.SecretKey, ServiceID: c.ServiceID},
	}
}

// sandboxFile keeps the sandbox merchant's credentials so every sandbox
// start can print them; they are test credentials, and production refuses
// to start while the sandbox merchant exists.
func (g *Gateway) sandboxFile() string {
	return filepath.Join(g.Config.DataDir, "sandbox-credentials.json")
}

// SandboxMerchant returns the sandbox merchant's credentials, creating the
// merchant on the first sandbox start.
func (g *Gateway) SandboxMerchant(ctx context.Context) (CreatedMerchant, error) {
	var cm CreatedMerchant
	raw, err := os.ReadFile(g.sandboxFile())
	if err == nil {
		if err := json.Unmarshal(raw, &cm); err != nil {
			return cm, fmt.Errorf("reading %s: %w", g.sandboxFile(), err)
		}
		if _, err := g.Merchants.Get(ctx, cm.ID); err == nil {
			return cm, nil
		}
		// The file outlived its database (a new --database-url): make anew.
	} else if !errors.Is(err, os.ErrNotExist) {
		return cm, err
	}
	m, creds, err := g.Merchants.Create(ctx, merchant.Settings{Name: "Sandbox Shop"}, true)
	if err != nil {
		return cm, err
	}
	cm = NewCreatedMerchant(m, creds)
	out, err := json.MarshalIndent(cm, "", "  ")
	if err != nil {
		return cm, err
	}
	if err := os.MkdirAll(g.Config.DataDir, 0o700); err != nil {
		return cm, err
	}
	if err := os.WriteFile(g.sandboxFile(), append(out, '\n'), 0o600); err != nil {
		return cm, fmt.Errorf("writing %s: %w", g.sandboxFile(), err)
	}
	return cm, nil
}
