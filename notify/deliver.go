package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Headers the gateway sends on every notification.
const (
	// HeaderNotificationID carries Notification.ID, identical on every
	// attempt, so merchants can deduplicate.
	HeaderNotificationID = "X-Pasarela-Notification-Id"
	// Standard Webhooks headers, lower case as the specification writes
	// them.
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// Limits of one attempt.
const (
	// DefaultTimeout bounds one attempt: connect, send and read the answer.
	DefaultTimeout = 15 * time.Second
	// DefaultPerHostLimit is how many requests may be in flight to one
	// host:port at once.
	DefaultPerHostLimit = 4
	// DefaultSlotWait is how long Deliver waits for a per-host slot before
	// answering Deferred.
	DefaultSlotWait = 5 * time.Second
	// ResponseExcerptLimit is how much of the merchant's answer is kept.
	ResponseExcerptLimit = 4 << 10
	// drainLimit is how much more of the answer is read and thrown away so
	// the connection can be reused; beyond it the connection is closed
	// rather than reading an endless body.
	drainLimit = 64 << 10
)

// UserAgent returns the User-Agent for a build of the given version; it
// names the project so a merchant's operator can find out who is calling.
func UserAgent(version string) string {
	return "pasarela/" + version + " (+https://github.com/pasarela/pasarela)"
}

// Config configures a Deliverer. The zero value is usable and safe for
// production (private destinations refused).
type Config struct {
	// UserAgent defaults to UserAgent("dev").
	UserAgent string
	// Timeout bounds one attempt; default DefaultTimeout.
	Timeout time.Duration
	// AllowPrivate lets notifications reach loopback and private addresses,
	// which sandbox mode needs (the merchant's test server is usually on
	// localhost). Production must leave it false.
	AllowPrivate bool
	// PerHostLimit bounds concurrent requests per destination host:port;
	// default DefaultPerHostLimit.
	PerHostLimit int
	// SlotWait bounds the wait for a per-host slot; default DefaultSlotWait.
	// It is short on purpose: a worker blocked here holds a job-queue worker
	// slot, so waiting long for one slow merchant would starve the others.
	// After it Deliver answers Deferred and the job should be snoozed.
	SlotWait time.Duration
	// Metrics, when set, records every attempt.
	Metrics *Metrics
	// Now is the clock for Attempt.At and webhook-timestamp; default
	// time.Now. Latency always uses the real monotonic clock.
	Now func() time.Time
}

// Deliverer sends notifications. It is safe for concurrent use; make one per
// process so the per-host limits and the connection pool are shared.
//
// The webhook secret is passed to each Deliver call rather than looked up
// through a callback in Config: the worker already loads the merchant to
// deliver, the secret can be rotated between attempts, and this package
// then holds no secret and needs no access to the merchant store.
type Deliverer struct {
	cfg    Config
	client *http.Client

	mu    sync.Mutex
	hosts map[string]*hostSlots
}

// hostSlots is the semaphore of one host:port; refs counts the callers
// holding or waiting for it so idle entries can be dropped and the map does
// not grow with every merchant host ever seen.
type hostSlots struct {
	slots chan struct{}
	refs  int
}

// NewDeliverer returns a Deliverer for cfg, filling in defaults.
func NewDeliverer(cfg Config) *Deliverer {
	if cfg.UserAgent == "" {
		cfg.UserAgent = UserAgent("dev")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.PerHostLimit <= 0 {
		cfg.PerHostLimit = DefaultPerHostLimit
	}
	if cfg.SlotWait <= 0 {
		cfg.SlotWait = DefaultSlotWait
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	dialer := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}
	if !cfg.AllowPrivate {
		dialer.Control = dialControl(false)
	}
	// HTTP/1.1 only: with a custom dialer and TLS config the transport does
	// not try HTTP/2 (ForceAttemptHTTP2 is off), so header names go out in
	// the case the dialect wrote them even over TLS.
	transport := &http.Transport{
		// No proxy, not even from the environment: the check above would
		// then see the proxy's address instead of the merchant's.
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    cfg.Timeout,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    cfg.PerHostLimit,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &Deliverer{
		cfg: cfg,
		client: &http.Client{
			Transport: transport,
			// A redirect is a failed attempt: following it would send a
			// signed payment result to a URL the merchant never
			// configured (and could bypass the URL checks).
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		hosts: make(map[string]*hostSlots),
	}
}

// Close releases idle connections.
func (d *Deliverer) Close() { d.client.CloseIdleConnections() }

// Deliver makes one attempt (number attempt, 1 for the first) to deliver n,
// signing it for Standard Webhooks with secret, the merchant's
// "whsec_<base64>" webhook secret (nil or empty sends no webhook-signature).
// It returns the record of the attempt for the attempt log and what to do
// next; it never returns an error, because every failure is an Outcome.
//
// The request carries, beyond n.ContentType and n.Body: User-Agent,
// X-Pasarela-Notification-Id, webhook-id (both n.ID), webhook-timestamp
// (this attempt), webhook-signature, and n.Headers with their names exactly
// as given. Redirects are not followed. 2xx is Delivered, 410 Gone;
// anything else, a timeout or a connection error is Retry.
func (d *Deliverer) Deliver(ctx context.Context, n Notification, attempt int, secret []byte) (Attempt, Outcome) {
	a := Attempt{NotificationID: n.ID, Number: attempt, At: d.cfg.Now(), URL: RedactURL(n.URL)}
	o := d.deliver(ctx, n, &a, secret)
	if o == Delivered {
		a.Error = ""
	}
	d.cfg.Metrics.observe(a, o)
	return a, o
}

func (d *Deliverer) deliver(ctx context.Context, n Notification, a *Attempt, secret []byte) Outcome {
	req, err := d.newRequest(n, a.At)
	if err != nil {
		a.Error = err.Error()
		return Refused
	}
	if len(secret) > 0 {
		key, err := webhookKey(secret)
		if err != nil {
			// The secret can be rotated before the next attempt.
			a.Error = err.Error()
			return Retry
		}
		req.Header[HeaderWebhookSignature] = []string{signature(key, n.ID, a.At.Unix(), n.Body)}
	}

	release, err := d.acquire(ctx, hostKey(req.URL))
	if err != nil {
		a.Error = err.Error()
		return Deferred
	}
	defer release()

	reqCtx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	start := time.Now()
	resp, err := d.client.Do(req.WithContext(reqCtx))
	if err != nil {
		a.Latency = time.Since(start)
		a.Error = d.describe(ctx, err)
		return Retry
	}
	excerpt, readErr := io.ReadAll(io.LimitReader(resp.Body, ResponseExcerptLimit))
	if readErr == nil {
		_, _ = io.CopyN(io.Discard, resp.Body, drainLimit)
	}
	_ = resp.Body.Close()
	a.Latency = time.Since(start)
	a.StatusCode = resp.StatusCode
	a.ResponseBody = cleanExcerpt(excerpt)

	switch code := resp.StatusCode; {
	case code >= 200 && code <= 299:
		// The status line is the acknowledgement; a body cut short
		// afterwards does not undo it.
		return Delivered
	case code == http.StatusGone:
		a.Error = "410 Gone: the merchant asked to stop sending to this URL"
		return Gone
	case code >= 300 && code <= 399:
		a.Error = fmt.Sprintf("redirect %d not followed (Location: %q); notifications must be sent to the final URL",
			code, truncate(RedactURL(resp.Header.Get("Location")), 256))
	default:
		a.Error = fmt.Sprintf("unexpected status %d", code)
	}
	if readErr != nil {
		a.Error += "; reading response: " + d.describe(ctx, readErr)
	}
	return Retry
}

// newRequest builds the request for n, refusing what can never be sent.
// Header names are assigned to the map directly, bypassing
// canonicalisation, because some merchants' servers match them by case.
func (d *Deliverer) newRequest(n Notification, at time.Time) (*http.Request, error) {
	if n.ID == "" || !validHeaderValue(n.ID) {
		return nil, errors.New("notification id is empty or not a valid header value")
	}
	if _, err := parseURL(n.URL); err != nil {
		return nil, err
	}
	method := strings.ToUpper(n.Method)
	var body io.Reader
	switch method {
	case "", http.MethodPost:
		method = http.MethodPost
		body = bytes.NewReader(n.Body)
	case http.MethodGet:
		if len(n.Body) > 0 {
			// Dropping the body would silently lose data.
			return nil, errors.New("a GET notification cannot have a body")
		}
	default:
		return nil, fmt.Errorf("method %q is not POST or GET", n.Method)
	}
	// NewRequest (not a literal) gives POST its ContentLength and GetBody.
	req, err := http.NewRequest(method, n.URL, body)
	if err != nil {
		return nil, errors.New("cannot build the request")
	}
	seen := make(map[string]bool, len(n.Headers))
	for name, value := range n.Headers {
		lower := strings.ToLower(name)
		switch {
		case !validHeaderName(name):
			return nil, fmt.Errorf("dialect header name %q is invalid", name)
		case !validHeaderValue(value):
			return nil, fmt.Errorf("dialect header %q has an invalid value", name)
		case reservedHeaders[lower]:
			return nil, fmt.Errorf("dialect header %q is set by the gateway", name)
		case seen[lower]:
			return nil, fmt.Errorf("dialect header %q is given twice", name)
		}
		seen[lower] = true
		req.Header[name] = []string{value}
	}
	if n.ContentType != "" {
		if !validHeaderValue(n.ContentType) {
			return nil, errors.New("content type is not a valid header value")
		}
		req.Header["Content-Type"] = []string{n.ContentType}
	}
	req.Header["User-Agent"] = []string{d.cfg.UserAgent}
	req.Header[HeaderNotificationID] = []string{n.ID}
	req.Header[HeaderWebhookID] = []string{n.ID}
	req.Header[HeaderWebhookTimestamp] = []string{strconv.FormatInt(at.Unix(), 10)}
	return req, nil
}

// reservedHeaders, lower case, are set by the gateway or the HTTP client; a
// dialect header with one of these names would be sent twice or conflict.
var reservedHeaders = map[string]bool{
	"user-agent": true, "content-type": true, "content-length": true, "host": true,
	"transfer-encoding": true, "connection": true, "keep-alive": true, "te": true,
	"trailer": true, "upgrade": true, "proxy-connection": true, "expect": true,
	strings.ToLower(HeaderNotificationID): true,
	HeaderWebhookID:                       true,
	HeaderWebhookTimestamp:                true,
	HeaderWebhookSignature:                true,
}

// validHeaderName reports whether s is an RFC 9110 token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validHeaderValue refuses control characters, which would let a value end
// the header early (CR, LF) or be rejected by the HTTP client.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// acquire takes a slot for key, waiting at most SlotWait and never past ctx,
// and returns the function that gives it back.
func (d *Deliverer) acquire(ctx context.Context, key string) (func(), error) {
	d.mu.Lock()
	h := d.hosts[key]
	if h == nil {
		h = &hostSlots{slots: make(chan struct{}, d.cfg.PerHostLimit)}
		d.hosts[key] = h
	}
	h.refs++
	d.mu.Unlock()

	release := func() {
		d.mu.Lock()
		if h.refs--; h.refs == 0 {
			delete(d.hosts, key)
		}
		d.mu.Unlock()
	}
	if err := ctx.Err(); err != nil {
		release()
		return nil, fmt.Errorf("not sent: %w", err)
	}
	wait := d.cfg.SlotWait
	if w, ok := ctx.Value(slotWaitKey{}).(time.Duration); ok {
		wait = min(wait, w)
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots; release() }, nil
	case <-ctx.Done():
		release()
		return nil, fmt.Errorf("not sent: %w while waiting for a slot to %s", ctx.Err(), key)
	case <-timer.C:
		release()
		return nil, fmt.Errorf("not sent: %s already has %d requests in flight", key, d.cfg.PerHostLimit)
	}
}

type slotWaitKey struct{}

// withSlotWait shortens how long Deliver waits for a free slot (then it
// gives up, Deferred): a first attempt to a busy destination soon hands the
// notification to River's workers instead of holding a dispatcher goroutine
// that other merchants' first attempts need.
func withSlotWait(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, slotWaitKey{}, d)
}

// hostKey names the destination the per-host limit applies to.
func hostKey(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// describe turns a client error into attempt-log text. url.Error's own text
// repeats the URL, so only its cause is kept; no header (and so no
// signature or dialect secret) ever appears in these errors.
func (d *Deliverer) describe(ctx context.Context, err error) string {
	switch {
	case ctx.Err() != nil:
		return "canceled before the merchant answered: " + ctx.Err().Error()
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("timeout: no complete answer within %s", d.cfg.Timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// secretParams are query parameters whose values are credentials: the
// legacy PayRetailers IPN, for one, carries the merchant's secret as key=.
var secretParams = map[string]bool{"key": true, "api_key": true, "apikey": true, "token": true,
	"access_token": true, "secret": true, "password": true, "signature": true, "sig": true}

// RedactURL is a notification URL fit to store in an attempt or show an
// operator: the password of its user info and the values of credential-like
// query parameters hidden. An unparsable URL cannot carry a recognisable
// credential and is kept as it is.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if u.RawQuery != "" {
		q := u.Query()
		hidden := false
		for name := range q {
			if secretParams[strings.ToLower(name)] {
				q[name] = []string{"xxxxx"}
				hidden = true
			}
		}
		if hidden {
			u.RawQuery = q.Encode()
		}
	}
	return u.Redacted()
}

// cleanExcerpt makes the response excerpt storable as text in any
// database: valid UTF-8, no NUL bytes, at most ResponseExcerptLimit bytes
// (replacement characters can make the text longer than the bytes read).
func cleanExcerpt(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	return truncate(s, ResponseExcerptLimit)
}

// truncate cuts s to at most n bytes on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
