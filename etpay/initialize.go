package etpay

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/pasarela/pasarela/internal/jsontext"
)

// InitializeRequest is the body of POST {api_url}/session/initialize, after
// lenient parsing. The JSON tags are the wire names; marshalling it gives a
// body ParseInitialize reads back identically.
type InitializeRequest struct {
	// MerchantCode identifies the merchant (required).
	MerchantCode string `json:"merchant_code"`
	// MerchantAPIToken authenticates it (required). A secret: never log it.
	MerchantAPIToken string `json:"merchant_api_token"`
	// MerchantOrderID is the merchant's order, 1 to 64 characters, kept
	// exactly as sent (not trimmed): it is echoed back for reconciliation.
	MerchantOrderID string `json:"merchant_order_id"`
	// OrderAmount is a whole number of pesos of the session's currency
	// (see Currency), 1 to MaxOrderAmount. For CLP these are its minor
	// units; for MXN see AmountMinor.
	OrderAmount int64 `json:"order_amount,omitempty"`
	// CustomerEmail is optional.
	CustomerEmail string `json:"customer_email,omitempty"`
	// Metadata is shown (or not) to the payer; nil when none.
	Metadata []Metadata `json:"metadata,omitempty"`
	// UserBankCode preselects a bank; lower-cased by ParseInitialize.
	UserBankCode string `json:"user_bank_code,omitempty"`
	// UserRUT prefills the payer's RUT; ParseInitialize stores a valid RUT
	// in canonical form ("11111111-1") and leaves an invalid one as sent,
	// for Validate to report.
	UserRUT string `json:"user_rut,omitempty"`
	// IsRUTBlock stops the payer from editing the prefilled RUT. Without
	// UserRUT it has no effect (SDKs send it by default, so it is not an
	// error).
	IsRUTBlock bool `json:"is_rut_block,omitempty"`
	// PaymentCompletedURL, PaymentCancellationURL and PaymentWebhookURL
	// override the merchant's defaults for this session.
	PaymentCompletedURL    string `json:"payment_completed_url,omitempty"`
	PaymentCancellationURL string `json:"payment_cancellation_url,omitempty"`
	PaymentWebhookURL      string `json:"payment_webhook_url,omitempty"`
	// Concat is the separator put before "jwt=" in result URLs instead of
	// the automatic "?" or "&"; one of ConcatChars, or "".
	Concat string `json:"concat,omitempty"`
	// TargetFlow is the Mexican variant's "codi" or "spei"; lower-cased.
	TargetFlow string `json:"target_flow,omitempty"`
	// CustomerPhone is the Mexican variant's 10-digit phone; a valid one is
	// stored as its 10 digits by ParseInitialize.
	CustomerPhone string `json:"customer_phone,omitempty"`
}

// Metadata is one name/value pair the merchant wants the payer to see.
type Metadata struct {
	Name string `json:"name"`
	// Value is kept as text: merchants send "30.215" and 30.215 alike and
	// mean the same characters, so a number's literal is kept unchanged.
	Value string `json:"value"`
	// Show is true when the payer should see the pair. An entry that does
	// not say is shown: the documents describe metadata as data to display.
	Show bool `json:"show"`
}

// Target flows of the Mexican variant.
const (
	TargetFlowCoDi = "codi"
	TargetFlowSPEI = "spei"
)

// rawInitialize holds each field's raw JSON so each can be decoded with the
// leniency real clients need. encoding/json matches the keys without
// regard to case and ignores unknown ones.
type rawInitialize struct {
	MerchantCode           json.RawMessage `json:"merchant_code"`
	MerchantAPIToken       json.RawMessage `json:"merchant_api_token"`
	MerchantOrderID        json.RawMessage `json:"merchant_order_id"`
	OrderAmount            json.RawMessage `json:"order_amount"`
	CustomerEmail          json.RawMessage `json:"customer_email"`
	Metadata               json.RawMessage `json:"metadata"`
	UserBankCode           json.RawMessage `json:"user_bank_code"`
	UserRUT                json.RawMessage `json:"user_rut"`
	IsRUTBlock             json.RawMessage `json:"is_rut_block"`
	PaymentCompletedURL    json.RawMessage `json:"payment_completed_url"`
	PaymentCancellationURL json.RawMessage `json:"payment_cancellation_url"`
	PaymentWebhookURL      json.RawMessage `json:"payment_webhook_url"`
	Concat                 json.RawMessage `json:"concat"`
	TargetFlow             json.RawMessage `json:"target_flow"`
	CustomerPhone          json.RawMessage `json:"customer_phone"`
}

// set keeps one member of the body as json.Unmarshal into rawInitialize
// would: the exact name, else a case-insensitive one; the last one wins.
func (r *rawInitialize) set(key, value []byte) {
	f := r.field(key)
	for i := 0; f == nil && i < len(initializeNames); i++ {
		if bytes.EqualFold(key, []byte(initializeNames[i])) {
			f = r.field([]byte(initializeNames[i]))
		}
	}
	if f != nil {
		*f = value
	}
}

var initializeNames = []string{"merchant_code", "merchant_api_token", "merchant_order_id", "order_amount",
	"customer_email", "metadata", "user_bank_code", "user_rut", "is_rut_block", "payment_completed_url",
	"payment_cancellation_url", "payment_webhook_url", "concat", "target_flow", "customer_phone"}

func (r *rawInitialize) field(name []byte) *json.RawMessage {
	switch string(name) {
	case "merchant_code":
		return &r.MerchantCode
	case "merchant_api_token":
		return &r.MerchantAPIToken
	case "merchant_order_id":
		return &r.MerchantOrderID
	case "order_amount":
		return &r.OrderAmount
	case "customer_email":
		return &r.CustomerEmail
	case "metadata":
		return &r.Metadata
	case "user_bank_code":
		return &r.UserBankCode
	case "user_rut":
		return &r.UserRUT
	case "is_rut_block":
		return &r.IsRUTBlock
	case "payment_completed_url":
		return &r.PaymentCompletedURL
	case "payment_cancellation_url":
		return &r.PaymentCancellationURL
	case "payment_webhook_url":
		return &r.PaymentWebhookURL
	case "concat":
		return &r.Concat
	case "target_flow":
		return &r.TargetFlow
	case "customer_phone":
		return &r.CustomerPhone
	}
	return nil
}

// ParseInitialize reads a session/initialize body leniently (WIRE.md): JSON
// whatever the content type; order_amount as an integer, an integral float
// or a numeric string; is_rut_block as a boolean or "True"/"False"; string
// fields sent as numbers kept as their text; unknown fields ignored. It
// normalises what is unambiguous (trims codes, tokens, URLs and the email,
// lower-cases the bank code and target flow, canonicalises a valid RUT and
// phone) and fails only when a value cannot be represented at all — bad
// JSON, a fractional or non-numeric amount, an object where text belongs.
// Every error is a 400 *Error. Call Validate next.
func ParseInitialize(body []byte) (InitializeRequest, error) {
	body, perr := objectBody(body)
	if perr != nil {
		return InitializeRequest{}, perr
	}
	var raw rawInitialize
	if err := jsontext.Members(body, raw.set); err != nil {
		return InitializeRequest{}, NewInvalid(CodeInvalidJSON, "", "the body must be a JSON object")
	}
	var r InitializeRequest
	texts := []struct {
		raw   json.RawMessage
		field string
		dst   *string
		trim  bool
	}{
		{raw.MerchantCode, "merchant_code", &r.MerchantCode, true},
		{raw.MerchantAPIToken, "merchant_api_token", &r.MerchantAPIToken, true},
		{raw.MerchantOrderID, "merchant_order_id", &r.MerchantOrderID, false},
		{raw.CustomerEmail, "customer_email", &r.CustomerEmail, true},
		{raw.UserBankCode, "user_bank_code", &r.UserBankCode, true},
		{raw.UserRUT, "user_rut", &r.UserRUT, true},
		{raw.PaymentCompletedURL, "payment_completed_url", &r.PaymentCompletedURL, true},
		{raw.PaymentCancellationURL, "payment_cancellation_url", &r.PaymentCancellationURL, true},
		{raw.PaymentWebhookURL, "payment_webhook_url", &r.PaymentWebhookURL, true},
		{raw.Concat, "concat", &r.Concat, false},
		{raw.TargetFlow, "target_flow", &r.TargetFlow, true},
		{raw.CustomerPhone, "customer_phone", &r.CustomerPhone, true},
	}
	for _, t := range texts {
		s, e := decodeText(t.raw, t.field)
		if e != nil {
			return InitializeRequest{}, e
		}
		if t.trim {
			s = strings.TrimSpace(s)
		}
		*t.dst = s
	}
	var e *Error
	if r.OrderAmount, _, e = decodeAmount(raw.OrderAmount); e != nil {
		return InitializeRequest{}, e
	}
	if r.IsRUTBlock, e = decodeFlag(raw.IsRUTBlock, "is_rut_block"); e != nil {
		return InitializeRequest{}, e
	}
	if r.Metadata, e = decodeMetadata(raw.Metadata); e != nil {
		return InitializeRequest{}, e
	}
	r.UserBankCode = strings.ToLower(r.UserBankCode)
	r.TargetFlow = strings.ToLower(r.TargetFlow)
	r.UserRUT, _ = NormalizeRUT(r.UserRUT)
	r.CustomerPhone, _ = NormalizePhone(r.CustomerPhone)
	return r, nil
}

// decodeMetadata reads the metadata array. Each value may be a string, a
// number or a boolean (kept as its text); show may be a boolean or
// "True"/"False" and defaults to true.
func decodeMetadata(raw json.RawMessage) ([]Metadata, *Error) {
	if isNull(raw) {
		return nil, nil
	}
	var items []json.RawMessage
	if jsontext.Elements(raw, func(v []byte) { items = append(items, v) }) != nil {
		return nil, badMetadata()
	}
	if len(items) == 0 {
		return nil, nil
	}
	out := make([]Metadata, 0, len(items))
	for _, item := range items {
		// Read as json.Unmarshal into a struct would: an object (not
		// null), names matched case-insensitively, the last one winning.
		var name, value, show json.RawMessage
		err := jsontext.Members(item, func(k, v []byte) {
			switch {
			case bytes.EqualFold(k, []byte("name")):
				name = v
			case bytes.EqualFold(k, []byte("value")):
				value = v
			case bytes.EqualFold(k, []byte("show")):
				show = v
			}
		})
		if err != nil {
			return nil, badMetadata()
		}
		m := Metadata{Show: true}
		var e *Error
		if m.Name, e = decodeText(name, "metadata"); e != nil {
			return nil, badMetadata()
		}
		if m.Value, e = decodeMetadataValue(value); e != nil {
			return nil, badMetadata()
		}
		if !isNull(show) {
			if m.Show, e = decodeFlag(show, "metadata"); e != nil {
				return nil, badMetadata()
			}
		}
		out = append(out, m)
	}
	return out, nil
}

func badMetadata() *Error {
	return NewInvalid(CodeInvalidMetadata, "metadata", `metadata must be an array of {"name": ..., "value": ..., "show": true|false}`)
}

// decodeMetadataValue is decodeText that also keeps a boolean's text.
func decodeMetadataValue(raw json.RawMessage) (string, *Error) {
	switch s := strings.TrimSpace(string(raw)); s {
	case "true", "false":
		return s, nil
	}
	return decodeText(raw, "metadata")
}
