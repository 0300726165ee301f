package etpay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// StatusQuery selects payments for CheckPaymentStatus; give at least one
// field. When several are given, a record must match all of them.
type StatusQuery struct {
	PaymentToken    string
	MerchantOrderID string
	SessionToken    string
}

// Values of PaymentStatus.PaymentStatus and Result.PaymentStatus.
const (
	StatusSuccess = "success"
	StatusError   = "error"
	// StatusPending appears only in CheckPaymentStatus: the payer has not
	// finished yet.
	StatusPending = "pending"
)

// PaymentStatus is one record of a CheckPaymentStatus answer.
type PaymentStatus struct {
	// PaymentToken identifies the payment attempt; "" before the payer
	// started one.
	PaymentToken string
	// PaymentStatus is "success", "error" or "pending".
	PaymentStatus string
	// StatusDetail says why a payment is "error": rejected,
	// insufficient_funds, cancelled or expired (pasarela's addition).
	StatusDetail    string
	SessionToken    string
	MerchantOrderID string
	// OrderAmount is in whole pesos.
	OrderAmount int64
	// Currency is "CLP" or "MXN" when the server says (pasarela does).
	Currency     string
	UserBankCode string
	UserRUT      string
	// CreatedAt, UpdatedAt and CompletedAt are zero when the server does
	// not send them.
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt time.Time
	// Raw is the record as received, for fields this struct does not know.
	Raw json.RawMessage
}

// Success reports a paid order: the only status to ship on.
func (p PaymentStatus) Success() bool { return p.PaymentStatus == StatusSuccess }

// wireStatus is a record as sent, decoded leniently.
type wireStatus struct {
	PaymentToken    text      `json:"payment_token"`
	PaymentStatus   text      `json:"payment_status"`
	StatusDetail    text      `json:"status_detail"`
	SessionToken    text      `json:"session_token"`
	MerchantOrderID text      `json:"merchant_order_id"`
	OrderAmount     amount    `json:"order_amount"`
	Currency        text      `json:"currency"`
	UserBankCode    text      `json:"user_bank_code"`
	UserRUT         text      `json:"user_rut"`
	CreatedAt       timestamp `json:"created_at"`
	UpdatedAt       timestamp `json:"updated_at"`
	CompletedAt     timestamp `json:"completed_at"`
}

// statusBody is the wire body. merchant_code is not sent: the official SDK
// does not send it and the token alone identifies the merchant.
type statusBody struct {
	MerchantAPIToken string `json:"merchant_api_token"`
	PaymentToken     string `json:"payment_token,omitempty"`
	MerchantOrderID  string `json:"merchant_order_id,omitempty"`
	SessionToken     string `json:"session_token,omitempty"`
}

// CheckPaymentStatus asks for the payments matching q (POST
// /merchant/check_payment_status). An order id may match several sessions
// (a payer who tried twice): ship only if one of them is a Success.
func (c *Client) CheckPaymentStatus(ctx context.Context, q StatusQuery) ([]PaymentStatus, error) {
	if c.APIToken == "" {
		return nil, fmt.Errorf("%w: Client.APIToken is required", ErrInvalidRequest)
	}
	if q.PaymentToken == "" && q.MerchantOrderID == "" && q.SessionToken == "" {
		return nil, fmt.Errorf("%w: give PaymentToken, MerchantOrderID or SessionToken", ErrInvalidRequest)
	}
	var raw json.RawMessage
	err := c.post(ctx, "/merchant/check_payment_status", statusBody{
		MerchantAPIToken: c.APIToken,
		PaymentToken:     q.PaymentToken,
		MerchantOrderID:  q.MerchantOrderID,
		SessionToken:     q.SessionToken,
	}, &raw)
	if err != nil {
		return nil, err
	}
	return decodeStatuses(raw)
}

// decodeStatuses reads the answer: a JSON array of records. A single
// object is accepted as a one-record array, since it says the same thing.
func decodeStatuses(raw json.RawMessage) ([]PaymentStatus, error) {
	raw = bytes.TrimSpace(raw)
	var items []json.RawMessage
	switch {
	case len(raw) > 0 && raw[0] == '{':
		items = []json.RawMessage{raw}
	default:
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("%w: check_payment_status did not answer an array", ErrMalformed)
		}
	}
	out := make([]PaymentStatus, 0, len(items))
	for i, item := range items {
		var w wireStatus
		if err := json.Unmarshal(item, &w); err != nil {
			return nil, fmt.Errorf("%w: check_payment_status record %d: %w", ErrMalformed, i, err)
		}
		out = append(out, PaymentStatus{
			PaymentToken:    string(w.PaymentToken),
			PaymentStatus:   string(w.PaymentStatus),
			StatusDetail:    string(w.StatusDetail),
			SessionToken:    string(w.SessionToken),
			MerchantOrderID: string(w.MerchantOrderID),
			OrderAmount:     int64(w.OrderAmount),
			Currency:        string(w.Currency),
			UserBankCode:    string(w.UserBankCode),
			UserRUT:         string(w.UserRUT),
			CreatedAt:       time.Time(w.CreatedAt),
			UpdatedAt:       time.Time(w.UpdatedAt),
			CompletedAt:     time.Time(w.CompletedAt),
			Raw:             append(json.RawMessage(nil), item...),
		})
	}
	return out, nil
}
