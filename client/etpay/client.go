package etpay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Client calls the API for one merchant. Set the exported fields (or use
// NewClient), then share the *Client between goroutines; it keeps no
// state of its own.
type Client struct {
	// APIURL is the api_url ETpay (or pasarela) gave the merchant, with any
	// path prefix it carries ("https://api.example/sandbox"); calls go to
	// APIURL + "/session/initialize" and so on.
	APIURL string
	// PmtURL is the pmt_url, the base of the payer's funnel.
	PmtURL string
	// MerchantCode is the merchant_code.
	MerchantCode string
	// APIToken is the merchant_api_token. A secret.
	APIToken string
	// HTTPClient defaults to a client with a 30 second timeout.
	HTTPClient *http.Client
}

// NewClient returns a Client with the default HTTP client.
func NewClient(apiURL, pmtURL, merchantCode, apiToken string) *Client {
	return &Client{APIURL: apiURL, PmtURL: pmtURL, MerchantCode: merchantCode, APIToken: apiToken}
}

// APIError is a non-2xx answer. pasarela answers {"message": ..., "code":
// ...}; for other bodies Message holds the start of the body as text.
type APIError struct {
	// StatusCode is the HTTP status: 400 invalid request, 401 unknown
	// merchant or wrong token, 404 unknown session, 409 order already paid.
	StatusCode int
	// Code is machine-readable ("invalid_order_amount"); may be empty with
	// a server that does not send one.
	Code string
	// Message says what was wrong.
	Message string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("etpay: HTTP %d", e.StatusCode)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Errors of the SDK itself. Failures of the transport are returned as the
// http.Client reports them (wrapped), so context cancellation is visible
// with errors.Is(err, context.Canceled).
var (
	// ErrInvalidRequest: a call the SDK refuses to send (missing
	// credentials, no order id, a non-positive amount).
	ErrInvalidRequest = errors.New("etpay: invalid request")
	// ErrMalformed: a 2xx answer that is not what the API promises, or a
	// webhook body that is not {"payment": "<JWT>"}.
	ErrMalformed = errors.New("etpay: malformed message")
)

// defaultHTTPClient has the timeout http.DefaultClient lacks: a gateway
// that hangs must not hang the merchant's checkout forever.
var defaultHTTPClient = &http.Client{Timeout: 30 * time.Second}

// maxResponse bounds what is read from the gateway: a status answer for a
// busy order id is still far below it.
const maxResponse = 4 << 20

func (c *Client) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return defaultHTTPClient
}

// FunnelURL is where the payer goes to pay: PmtURL + "/session/" + token.
// PmtURL may carry a path prefix ("https://pmt.example/sandbox"); a
// trailing slash on it is not doubled.
func (c *Client) FunnelURL(token string) string {
	return strings.TrimRight(c.PmtURL, "/") + "/session/" + url.PathEscape(token)
}

// post sends body as JSON to APIURL + path and decodes a 2xx answer into
// out; any other status becomes an *APIError.
func (c *Client) post(ctx context.Context, path string, body, out any) error {
	if c.APIURL == "" {
		return fmt.Errorf("%w: Client.APIURL is empty", ErrInvalidRequest)
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("etpay: encoding request: %w", err)
	}
	endpoint := strings.TrimRight(c.APIURL, "/") + path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("etpay: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("etpay: POST %s: %w", path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return fmt.Errorf("etpay: reading answer to %s: %w", path, err)
	}
	if len(data) > maxResponse {
		return fmt.Errorf("%w: answer to %s larger than %d bytes", ErrMalformed, path, maxResponse)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return apiError(resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w: answer to %s: %w", ErrMalformed, path, err)
	}
	return nil
}

// apiError reads an error body: pasarela's {"message", "code"}, or the
// common {"error": ...} / {"detail": ...} shapes, or plain text.
func apiError(status int, data []byte) *APIError {
	e := &APIError{StatusCode: status}
	var body struct {
		Message string `json:"message"`
		Code    string `json:"code"`
		Error   string `json:"error"`
		Detail  string `json:"detail"`
	}
	if json.Unmarshal(data, &body) == nil {
		e.Code = body.Code
		for _, m := range []string{body.Message, body.Error, body.Detail} {
			if m != "" {
				e.Message = m
				break
			}
		}
	}
	if e.Message == "" && e.Code == "" {
		e.Message = snippet(data)
	}
	return e
}

// snippet is the start of a body as printable text for an error message.
func snippet(data []byte) string {
	const max = 200
	s := strings.TrimSpace(strings.ToValidUTF8(string(data), "\uFFFD"))
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max]) + "…"
	}
	return s
}
