package payretailers

import (
	"context"
	"fmt"
)

// EnrollParams starts a OneClick card enrollment.
type EnrollParams struct {
	CancelURL string
	Email     string
	ReturnURL string
}

// Enrollment is a started enrollment: send the payer to RedirectURL; they
// come back to ReturnURL with pg_token=Token, then call Confirm.
type Enrollment struct {
	RedirectURL string `json:"redirect_url"`
	Token       string `json:"pg_token"`
}

// Register starts enrolling a payer's card for OneClick payments.
func (c *Client) Register(ctx context.Context, p EnrollParams) (*Enrollment, error) {
	var e Enrollment
	err := c.call(ctx, "oneclick/register", map[string]string{
		"pg_cancel_url": p.CancelURL,
		"pg_email":      p.Email,
		"pg_return_url": p.ReturnURL,
	}, &e)
	if err != nil {
		return nil, err
	}
	if e.Token == "" || e.RedirectURL == "" {
		return nil, fmt.Errorf("%w: oneclick/register returned no pg_token", ErrMalformed)
	}
	return &e, nil
}

// Card is an enrolled card: its id for Charge, its brand and its masked
// number.
type Card struct {
	ID     string `json:"pg_oneclick_card"`
	Number string `json:"pg_card_number"`
	Type   string `json:"pg_card_type"`
}

// Confirm completes an enrollment with the token the payer came back with.
// The seed sends that enrollment token in pg_token, where other calls put
// the auth token, so this call carries no auth token: the request
// signature authenticates it.
func (c *Client) Confirm(ctx context.Context, enrollmentToken string) (*Card, error) {
	var card Card
	err := c.post(ctx, "oneclick/confirm", map[string]string{
		"pg_serviceid": c.ServiceID,
		"pg_token":     enrollmentToken,
	}, &card)
	if err != nil {
		return nil, err
	}
	if card.ID == "" {
		return nil, fmt.Errorf("%w: oneclick/confirm returned no pg_oneclick_card", ErrMalformed)
	}
	return &card, nil
}

// ChargeParams charges an enrolled card. Amount is in minor units of
// Currency; Country, Custom and IP are optional.
type ChargeParams struct {
	Amount    int64
	Card      string
	Country   string
	Currency  string
	Custom    string
	Email     string
	FirstName string
	IP        string
	LastName  string
}

// Charge is the result of a OneClick payment.
type Charge struct {
	Amount        Decimal  `json:"amount"`
	Currency      string   `json:"currency"`
	Customer      Customer `json:"customer"`
	PaymentMethod string   `json:"payment_method"`
	Status        string   `json:"status"`
	TransactionID string   `json:"transaction_id"`
}

// Charge pays with an enrolled card (oneclick/create).
func (c *Client) Charge(ctx context.Context, p ChargeParams) (*Charge, error) {
	price, err := formatPrice(p.Amount, p.Currency)
	if err != nil {
		return nil, err
	}
	var resp struct {
		Data *Charge `json:"data"`
	}
	err = c.call(ctx, "oneclick/create", map[string]string{
		"pg_country":       p.Country,
		"pg_currency":      p.Currency,
		"pg_custom":        p.Custom,
		"pg_email":         p.Email,
		"pg_first_name":    p.FirstName,
		"pg_ip":            p.IP,
		"pg_last_name":     p.LastName,
		"pg_oneclick_card": p.Card,
		"pg_price":         price,
	}, &resp)
	if err != nil {
		return nil, err
	}
	if resp.Data == nil || resp.Data.TransactionID == "" {
		return nil, fmt.Errorf("%w: oneclick/create returned no data", ErrMalformed)
	}
	return resp.Data, nil
}

// Unregister deletes an enrolled card.
func (c *Client) Unregister(ctx context.Context, email, card string) error {
	return c.call(ctx, "oneclick/unregister", map[string]string{
		"pg_email":         email,
		"pg_oneclick_card": card,
	}, nil)
}

// Cards lists the cards enrolled by a payer.
func (c *Client) Cards(ctx context.Context, email string) ([]Card, error) {
	var resp struct {
		Cards []Card `json:"cards"`
	}
	if err := c.call(ctx, "oneclick/cards", map[string]string{"pg_email": email}, &resp); err != nil {
		return nil, err
	}
	return resp.Cards, nil
}
