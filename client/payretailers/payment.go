package payretailers

import (
	"context"
	"fmt"
)

// Method is a payment method offered in a country.
type Method struct {
	Code  string `json:"code"`
	Image string `json:"image"`
	Name  string `json:"name"`
}

// Methods lists the payment methods of country (ISO 3166-1 alpha-2).
func (c *Client) Methods(ctx context.Context, country string) ([]Method, error) {
	var resp struct {
		Methods []Method `json:"methods"`
	}
	if err := c.call(ctx, "payment/methods", map[string]string{"pg_country": country}, &resp); err != nil {
		return nil, err
	}
	return resp.Methods, nil
}

// PaymentParams describes a payment for CreatePayment and Webcheckout.
// Amount is in minor units of Currency (3500 CLP, 1050 for 10.50 USD).
// CreatePayment needs Amount, Currency, Country, Method, Email, FirstName,
// LastName and IP; Webcheckout only Amount and Currency, the payer fills
// in the rest. Empty fields are not sent.
type PaymentParams struct {
	Address        string
	Amount         int64
	CancelURL      string
	City           string
	Country        string
	Currency       string
	Custom         string
	Email          string
	FirstName      string
	IP             string
	Language       string
	LastName       string
	Method         string
	Name           string
	PersonalID     string
	Phone          string
	ReturnURL      string
	SubMerchantID  string
	SubMerchantURL string
}

func (p PaymentParams) fields() (map[string]string, error) {
	price, err := formatPrice(p.Amount, p.Currency)
	if err != nil {
		return nil, err
	}
	return map[string]string{
		"pg_address":          p.Address,
		"pg_cancel_url":       p.CancelURL,
		"pg_city":             p.City,
		"pg_country":          p.Country,
		"pg_currency":         p.Currency,
		"pg_custom":           p.Custom,
		"pg_email":            p.Email,
		"pg_first_name":       p.FirstName,
		"pg_ip":               p.IP,
		"pg_language":         p.Language,
		"pg_last_name":        p.LastName,
		"pg_method":           p.Method,
		"pg_name":             p.Name,
		"pg_personalid":       p.PersonalID,
		"pg_phone":            p.Phone,
		"pg_price":            price,
		"pg_return_url":       p.ReturnURL,
		"pg_sub_merchant_id":  p.SubMerchantID,
		"pg_sub_merchant_url": p.SubMerchantURL,
	}, nil
}

// Customer is the payer as the gateway recorded them.
type Customer struct {
	Country    string `json:"country"`
	Email      string `json:"email"`
	FirstName  string `json:"first_name"`
	LastName   string `json:"last_name"`
	PersonalID string `json:"personal_id"`
	Phone      string `json:"phone"`
}

// RedirectURLs are where the payer returns.
type RedirectURLs struct {
	CancelURL  string `json:"cancel_url"`
	SuccessURL string `json:"success_url"`
}

// Payment is a payment as the API reports it. CreatePayment fills
// PaymentMethodURL (send the payer there) and RedirectURLs; PaymentStatus
// fills CreatedAt and Completed ("2021-01-02 23:13:00", empty until the
// payment completes).
type Payment struct {
	Amount           Decimal      `json:"amount"`
	Completed        string       `json:"completed"`
	CreatedAt        string       `json:"created_at"`
	Currency         string       `json:"currency"`
	Custom           string       `json:"custom"`
	Customer         Customer     `json:"customer"`
	PaymentMethod    string       `json:"payment_method"`
	PaymentMethodURL string       `json:"payment_method_url"`
	RedirectURLs     RedirectURLs `json:"redirect_urls"`
	ServiceID        string       `json:"service_id"`
	Status           string       `json:"status"`
	TransactionID    string       `json:"transaction_id"`
}

// CreatePayment creates a payment through the API integration; redirect the
// payer to the returned PaymentMethodURL.
func (c *Client) CreatePayment(ctx context.Context, p PaymentParams) (*Payment, error) {
	fields, err := p.fields()
	if err != nil {
		return nil, err
	}
	var resp struct {
		Data *Payment `json:"data"`
	}
	if err := c.call(ctx, "payment/create", fields, &resp); err != nil {
		return nil, err
	}
	if resp.Data == nil || resp.Data.TransactionID == "" {
		return nil, fmt.Errorf("%w: payment/create returned no data", ErrMalformed)
	}
	return resp.Data, nil
}

// PaymentStatus reports a payment's current state. The IPN is the
// authoritative notice of a change; this is for polling and reconciling.
func (c *Client) PaymentStatus(ctx context.Context, transactionID string) (*Payment, error) {
	var resp struct {
		Payment *Payment `json:"payment"`
	}
	if err := c.call(ctx, "payment/status", map[string]string{"transaction_id": transactionID}, &resp); err != nil {
		return nil, err
	}
	if resp.Payment == nil {
		return nil, fmt.Errorf("%w: payment/status returned no payment", ErrMalformed)
	}
	return resp.Payment, nil
}

// Checkout is a hosted checkout session.
type Checkout struct {
	RedirectURL   string `json:"redirectUrl"`
	TransactionID string `json:"transaction_id"`
}

// Webcheckout creates a payment paid on the gateway's hosted pages;
// redirect the payer to RedirectURL.
func (c *Client) Webcheckout(ctx context.Context, p PaymentParams) (*Checkout, error) {
	fields, err := p.fields()
	if err != nil {
		return nil, err
	}
	var resp struct {
		Data *Checkout `json:"data"`
	}
	if err := c.call(ctx, "payment/webcheckout", fields, &resp); err != nil {
		return nil, err
	}
	if resp.Data == nil || resp.Data.RedirectURL == "" {
		return nil, fmt.Errorf("%w: payment/webcheckout returned no redirectUrl", ErrMalformed)
	}
	return resp.Data, nil
}

// NotificationRecord is one IPN the gateway sent, or is retrying, for a
// payment. Body is the exact signed body; LastHTTPStatus is 0 before the
// first attempt and NextRetryAt empty once the gateway stopped trying.
type NotificationRecord struct {
	Attempts       int    `json:"attempts"`
	Body           string `json:"body"`
	CreatedAt      string `json:"created_at"`
	ID             string `json:"id"`
	LastHTTPStatus int    `json:"last_http_status"`
	NextRetryAt    string `json:"next_retry_at"`
	Signature      string `json:"signature"`
	// State is "pending", "delivered" or "failed".
	State string `json:"state"`
	URL   string `json:"url"`
}

// NotificationStatus lists the IPNs of a payment and how their delivery
// went, to debug a notification endpoint.
func (c *Client) NotificationStatus(ctx context.Context, transactionID string) ([]NotificationRecord, error) {
	var resp struct {
		Notifications []NotificationRecord `json:"notifications"`
	}
	if err := c.call(ctx, "notification/status", map[string]string{"transaction_id": transactionID}, &resp); err != nil {
		return nil, err
	}
	return resp.Notifications, nil
}
