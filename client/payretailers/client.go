package payretailers

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Client calls one merchant service of the API. Set the exported fields,
// then share the *Client between goroutines; do not copy it after first use
// (it caches the auth token).
type Client struct {
	// BaseURL is the gateway's root, with any path prefix it is mounted
	// under ("https://pay.example" or "https://example.com/pasarela");
	// calls go to BaseURL + "/api/v2/...".
	BaseURL string
	// HTTPClient defaults to a client with a 30 second timeout.
	HTTPClient *http.Client
	// Secret is the merchant's shared secret key.
	Secret []byte
	// ServiceID is the merchant's pg_serviceid.
	ServiceID string

	mu          sync.Mutex
	now         func() time.Time // tests move time
	token       string
	tokenExpiry time.Time
}

// APIError is an answer with a non-zero result, or a 401.
type APIError struct {
	// Code is the error's code, such as "INVALID_PRICE".
	Code string
	// HTTPStatus is 200 for business errors, 401 when the request could not
	// be authenticated.
	HTTPStatus int
	// Message is "CODE: human text".
	Message string
	// Result is the response's top-level result.
	Result int
}

func (e *APIError) Error() string { return "payretailers: " + e.Message }

// Errors of the transport and of verification.
var (
	// ErrBadSignature: a response, notification or return whose signature
	// is missing or wrong. Never trust its content.
	ErrBadSignature = errors.New("payretailers: signature missing or invalid")
	// ErrMalformed: a signed answer that is not what the API promises.
	ErrMalformed = errors.New("payretailers: malformed answer")
)

// defaultHTTPClient has the timeout http.DefaultClient lacks: a gateway
// that hangs must not hang the merchant's checkout forever.
var defaultHTTPClient = &http.Client{Timeout: 30 * time.Second}

const (
	// apiPrefix is where the API lives under BaseURL.
	apiPrefix = "/api/v2/"
	// maxResponse bounds what is read from the gateway.
	maxResponse = 4 << 20
	// tokenLifetime is used when the gateway does not say (the provider's
	// tokens, like pasarela's, live one hour).
	tokenLifetime = time.Hour
	// tokenMargin renews the token before the gateway would refuse it, so a
	// call started just before expiry does not fail on the way.
	tokenMargin = 5 * time.Minute
	// codeInvalidToken is the code of an expired or unknown token.
	codeInvalidToken = "INVALID_TOKEN"
)

// AuthToken returns a valid auth token, fetching one from auth/token only
// when the cached one is missing or close to expiry.
func (c *Client) AuthToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.clock().Before(c.tokenExpiry) {
		return c.token, nil
	}
	// Holding the lock during the call makes concurrent callers wait for
	// one token instead of each fetching its own.
	var resp struct {
		ExpiresIn int    `json:"expires_in"`
		Token     string `json:"token"`
	}
	if err := c.post(ctx, "auth/token", map[string]string{"pg_serviceid": c.ServiceID}, &resp); err != nil {
		return "", err
	}
	if resp.Token == "" {
		return "", fmt.Errorf("%w: auth/token returned no token", ErrMalformed)
	}
	ttl := tokenLifetime
	if resp.ExpiresIn > 0 {
		ttl = time.Duration(resp.ExpiresIn) * time.Second
	}
	margin := tokenMargin
	if ttl < 2*margin {
		margin = ttl / 10
	}
	c.token, c.tokenExpiry = resp.Token, c.clock().Add(ttl-margin)
	return c.token, nil
}

// forgetToken drops tok from the cache unless another goroutine already
// replaced it.
func (c *Client) forgetToken(tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == tok {
		c.token = ""
	}
}

// call sends params with pg_token to an authenticated endpoint. A token the
// gateway no longer knows (restart, clock skew) is renewed and the call
// retried once.
func (c *Client) call(ctx context.Context, path string, params map[string]string, out any) error {
	for attempt := 0; ; attempt++ {
		tok, err := c.AuthToken(ctx)
		if err != nil {
			return err
		}
		fields := make(map[string]string, len(params)+2)
		for k, v := range params {
			if v != "" {
				fields[k] = v
			}
		}
		fields["pg_serviceid"] = c.ServiceID
		fields["pg_token"] = tok
		err = c.post(ctx, path, fields, out)
		var apiErr *APIError
		if attempt == 0 && errors.As(err, &apiErr) && apiErr.Code == codeInvalidToken {
			c.forgetToken(tok)
			continue
		}
		return err
	}
}

// post signs and sends fields, verifies the answer's signature and decodes
// it into out. The body is signed exactly as sent; encoding/json writes map
// keys sorted, which is what the documentation asks for.
func (c *Client) post(ctx context.Context, path string, fields map[string]string, out any) error {
	body, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	endpoint := strings.TrimRight(c.BaseURL, "/") + apiPrefix + path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	// Spelled as the official PHP SDK sends it; the gateway accepts any case.
	req.Header["X-PG-SIG"] = []string{sign(c.Secret, body)}

	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("payretailers: %s: %w", path, err)
	}
	defer resp.Body.Close()
	return c.readAnswer(path, resp, out)
}

// readAnswer checks and decodes the gateway's answer to path.
func (c *Client) readAnswer(path string, resp *http.Response, out any) error {
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return fmt.Errorf("payretailers: %s: reading answer: %w", path, err)
	}
	if len(answer) > maxResponse {
		return fmt.Errorf("%w: %s: answer larger than %d bytes", ErrMalformed, path, maxResponse)
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized:
		return unauthorized(answer)
	default:
		return fmt.Errorf("payretailers: %s: unexpected HTTP status %d", path, resp.StatusCode)
	}

	if !verifyHex(c.Secret, answer, resp.Header.Get("X-Pg-Sig")) {
		return fmt.Errorf("%w: %s", ErrBadSignature, path)
	}
	var env envelope
	if err := json.Unmarshal(answer, &env); err != nil || env.Result == nil {
		return fmt.Errorf("%w: %s: no result", ErrMalformed, path)
	}
	if *env.Result != 0 {
		e := &APIError{HTTPStatus: resp.StatusCode, Result: *env.Result}
		if env.Error != nil {
			e.Code, e.Message = env.Error.Code, env.Error.Message
		}
		return e
	}
	if out != nil {
		if err := json.Unmarshal(answer, out); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrMalformed, path, err)
		}
	}
	return nil
}

// unauthorized builds the error of a 401. The gateway may not know whom to
// sign for, so the body is unsigned and only informative: the error is an
// authentication failure whatever it says.
func unauthorized(answer []byte) error {
	e := &APIError{Code: "INVALID_SIGNATURE", HTTPStatus: http.StatusUnauthorized, Message: "INVALID_SIGNATURE: request not authenticated"}
	var env envelope
	if json.Unmarshal(answer, &env) == nil {
		if env.Error != nil && env.Error.Code != "" {
			e.Code, e.Message = env.Error.Code, env.Error.Message
		}
		if env.Result != nil {
			e.Result = *env.Result
		}
	}
	return e
}

// envelope is what every answer has.
type envelope struct {
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Result *int `json:"result"`
}

func (c *Client) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return defaultHTTPClient
}

func (c *Client) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// sign is lowercase hex HMAC-SHA256.
func sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// verifyHex checks sig the way the official PHP SDK does, exactly 64
// lowercase hex digits equal to our own, but in constant time. An empty
// secret never verifies.
func verifyHex(secret, body []byte, sig string) bool {
	if len(secret) == 0 || len(sig) != 64 {
		return false
	}
	return hmac.Equal([]byte(sign(secret, body)), []byte(sig))
}
