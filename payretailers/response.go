package payretailers

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
)

// WriteSigned marshals v, signs the exact bytes with the merchant's secret
// and writes them with the given status. The signature header is assigned
// into the header map, not Set: Set would canonicalise the name to
// X-Pg-Sig and the PHP SDK, which matches the raw line "X-PG-SIG: <hex>"
// case-sensitively, would answer "NO SIG". With a nil or empty secret (the
// service is unknown, so there is nothing to sign with) no signature is
// sent.
//
// The body is compact JSON without HTML escaping (pasarela's responses are
// read by programs, not embedded in pages) and without a trailing newline,
// so what is signed is exactly what is sent.
func WriteSigned(w http.ResponseWriter, secret []byte, status int, v any) {
	body, err := marshalResponse(v)
	if err != nil {
		// Only a programming error gets here (every response type
		// marshals); answer in the dialect's shape rather than half a body.
		body, _ = marshalResponse(NewErrorResponse(ErrInternal))
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if len(secret) > 0 {
		h[HeaderResponseSignature] = []string{Sign(secret, body)}
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// WriteError answers err in the dialect's error shape: a *Error with its
// own status (401 or 200) and result; anything else as ErrInternal, so no
// internal detail reaches a merchant (log it before calling).
func WriteError(w http.ResponseWriter, secret []byte, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = ErrInternal
	}
	WriteSigned(w, secret, e.HTTPStatus(), NewErrorResponse(e))
}

func marshalResponse(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ErrorBody is the "error" member of an error response.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ErrorResponse is every error answer: result non-zero plus error.
type ErrorResponse struct {
	Error  ErrorBody `json:"error"`
	Result int       `json:"result"`
}

// NewErrorResponse renders e.
func NewErrorResponse(e *Error) ErrorResponse {
	return ErrorResponse{Error: ErrorBody{Code: e.Code, Message: e.Message}, Result: e.Result()}
}

// TokenResponse answers auth/token. ExpiresIn (seconds) is pasarela's
// addition so clients can cache the token without guessing; the PHP SDK
// ignores it.
type TokenResponse struct {
	ExpiresIn int    `json:"expires_in"`
	Result    int    `json:"result"`
	Token     string `json:"token"`
}

// MethodInfo is one entry of payment/methods.
type MethodInfo struct {
	Code  string `json:"code"`
	Image string `json:"image"`
	Name  string `json:"name"`
}

// MethodsResponse answers payment/methods.
type MethodsResponse struct {
	Methods []MethodInfo `json:"methods"`
	Result  int          `json:"result"`
}

// NewMethodsResponse lists the methods of country; imageBase (the
// gateway's public URL, no trailing slash) turns image paths into URLs.
// An empty list is [] rather than null, which PHP's isset() would reject.
func NewMethodsResponse(country, imageBase string) MethodsResponse {
	ms := MethodsFor(country)
	out := make([]MethodInfo, 0, len(ms))
	for _, m := range ms {
		out = append(out, MethodInfo{Code: m.Code, Image: imageBase + m.Image, Name: m.Name})
	}
	return MethodsResponse{Methods: out}
}

// Customer is the payer as the merchant described them.
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

// CreatedPayment is the "data" of payment/create. Amount is FormatPrice's
// "3500.00"; merchants read TransactionID and PaymentMethodURL.
type CreatedPayment struct {
	Amount           string       `json:"amount"`
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

// CreateResponse answers payment/create.
type CreateResponse struct {
	Data   CreatedPayment `json:"data"`
	Result int            `json:"result"`
}

// PaymentInfo is the "payment" of payment/status. CreatedAt and Completed
// use TimeLayout; Completed is null until the payment completes.
type PaymentInfo struct {
	Amount        string   `json:"amount"`
	Completed     *string  `json:"completed"`
	CreatedAt     string   `json:"created_at"`
	Currency      string   `json:"currency"`
	Custom        string   `json:"custom"`
	Customer      Customer `json:"customer"`
	PaymentMethod string   `json:"payment_method"`
	ServiceID     string   `json:"service_id"`
	Status        string   `json:"status"`
	TransactionID string   `json:"transaction_id"`
}

// StatusResponse answers payment/status.
type StatusResponse struct {
	Payment PaymentInfo `json:"payment"`
	Result  int         `json:"result"`
}

// WebcheckoutData is the "data" of payment/webcheckout. redirectUrl is
// camelCase because that is what the official SDK reads; transaction_id is
// pasarela's addition so a merchant can poll the payment.
type WebcheckoutData struct {
	RedirectURL   string `json:"redirectUrl"`
	TransactionID string `json:"transaction_id"`
}

// WebcheckoutResponse answers payment/webcheckout.
type WebcheckoutResponse struct {
	Data   WebcheckoutData `json:"data"`
	Result int             `json:"result"`
}

// NotificationInfo is one IPN sent (or being retried) for a payment.
// Body is the exact signed body as a string: embedding it as JSON would let
// an encoder re-escape it and break the signature the merchant may want to
// recheck. LastHTTPStatus is null before the first attempt, NextRetryAt
// null once delivered or abandoned; times use TimeLayout.
type NotificationInfo struct {
	Attempts       int     `json:"attempts"`
	Body           string  `json:"body"`
	CreatedAt      string  `json:"created_at"`
	ID             string  `json:"id"`
	LastHTTPStatus *int    `json:"last_http_status"`
	NextRetryAt    *string `json:"next_retry_at"`
	Signature      string  `json:"signature"`
	// State is "pending" (will be retried), "delivered" or "failed"
	// (retries exhausted).
	State string `json:"state"`
	URL   string `json:"url"`
}

// NotificationStatusResponse answers notification/status. Notifications
// is [] rather than null when none was sent.
type NotificationStatusResponse struct {
	Notifications []NotificationInfo `json:"notifications"`
	Result        int                `json:"result"`
}

// OneClickRegisterResponse answers oneclick/register: the enrollment token
// and where to send the payer to enter the card.
type OneClickRegisterResponse struct {
	PGToken     string `json:"pg_token"`
	RedirectURL string `json:"redirect_url"`
	Result      int    `json:"result"`
}

// Card is an enrolled card as merchants see it: an id, a brand and a
// masked number, never the card itself.
type Card struct {
	CardNumber string `json:"pg_card_number"`
	CardType   string `json:"pg_card_type"`
	OneClickID string `json:"pg_oneclick_card"`
}

// OneClickConfirmResponse answers oneclick/confirm.
type OneClickConfirmResponse struct {
	Card
	Result int `json:"result"`
}

// ChargeData is the "data" of oneclick/create. Amount is a JSON number
// with the currency's own decimals (5000 CLP) as in the seed's example;
// build it with FormatAmountNumber. The seed's customer has no phone or
// personal_id, but sending them empty is harmless.
type ChargeData struct {
	Amount        json.Number `json:"amount"`
	Currency      string      `json:"currency"`
	Customer      Customer    `json:"customer"`
	PaymentMethod string      `json:"payment_method"`
	Status        string      `json:"status"`
	TransactionID string      `json:"transaction_id"`
}

// OneClickChargeResponse answers oneclick/create.
type OneClickChargeResponse struct {
	Data   ChargeData `json:"data"`
	Result int        `json:"result"`
}

// OneClickUnregisterResponse answers oneclick/unregister; the seed shows
// no body, so success is just result 0.
type OneClickUnregisterResponse struct {
	Result int `json:"result"`
}

// OneClickCardsResponse answers oneclick/cards; Cards is [] when none.
type OneClickCardsResponse struct {
	Cards  []Card `json:"cards"`
	Result int    `json:"result"`
}
