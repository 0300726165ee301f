package notify

import (
	"bufio"
	"context"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/require"
)

// waitLimit only turns a hang into a failure; no assertion depends on it.
const waitLimit = 10 * time.Second

// received is one request as a receiver saw it.
type received struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// receiver is a real loopback HTTP server that records requests and
// answers with handler (200 "ok" when nil).
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []received
	hits atomic.Int64
}

func newReceiver(t *testing.T, handler http.HandlerFunc) *receiver {
	t.Helper()
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.hits.Add(1)
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, received{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone(), Body: body})
		r.mu.Unlock()
		if handler == nil {
			_, _ = io.WriteString(w, "ok")
			return
		}
		handler(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.reqs...)
}

func newTestDeliverer(t *testing.T, cfg Config) *Deliverer {
	t.Helper()
	d := NewDeliverer(cfg)
	t.Cleanup(d.Close)
	return d
}

// sandbox is the configuration for tests against loopback receivers.
func sandbox() Config { return Config{AllowPrivate: true, UserAgent: UserAgent("test")} }

func testNotification(url string) Notification {
	return Notification{
		ID:          "ntf_01J9Z8",
		MerchantID:  "mer_1",
		PaymentID:   "pay_1",
		URL:         url,
		Method:      http.MethodPost,
		ContentType: "application/json",
		Body:        []byte(`{"status":"paid","amount":1000}`),
		Headers:     map[string]string{"X-Pg-Sig": "sig-abc"},
		CreatedAt:   time.Now(),
	}
}

func TestDeliver200IsDelivered(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, nil)
	d := newTestDeliverer(t, sandbox())
	n := testNotification(rcv.URL + "/notify?shop=1")

	a, o := d.Deliver(t.Context(), n, 1, nil)
	require.Equal(t, Delivered, o)
	require.Equal(t, http.StatusOK, a.StatusCode)
	require.Equal(t, "ok", a.ResponseBody)
	require.Empty(t, a.Error)
	require.Equal(t, n.ID, a.NotificationID)
	require.Equal(t, 1, a.Number)
	require.Equal(t, n.URL, a.URL)
	require.Positive(t, a.Latency)
	require.WithinDuration(t, time.Now(), a.At, time.Minute)

	reqs := rcv.requests()
	require.Len(t, reqs, 1)
	got := reqs[0]
	require.Equal(t, http.MethodPost, got.Method)
	require.Equal(t, "/notify?shop=1", got.URL)
	require.Equal(t, n.Body, got.Body)
	require.Equal(t, "application/json", got.Header.Get("Content-Type"))
	require.Equal(t, "pasarela/test (+https://github.com/pasarela/pasarela)", got.Header.Get("User-Agent"))
	require.Equal(t, n.ID, got.Header.Get("X-Pasarela-Notification-Id"))
	require.Equal(t, n.ID, got.Header.Get("webhook-id"))
	require.Equal(t, "sig-abc", got.Header.Get("X-Pg-Sig"))
	require.Empty(t, got.Header.Get("webhook-signature"), "no secret, no signature")
}

func TestDeliverStatusCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		code      int
		want      Outcome
		errSubstr string
	}{
		{http.StatusOK, Delivered, ""},
		{http.StatusCreated, Delivered, ""},
		{http.StatusAccepted, Delivered, ""},
		{http.StatusNoContent, Delivered, ""},
		{http.StatusGone, Gone, "410"},
		{http.StatusInternalServerError, Retry, "unexpected status 500"},
		{http.StatusServiceUnavailable, Retry, "unexpected status 503"},
		{http.StatusBadRequest, Retry, "unexpected status 400"},
		{http.StatusNotFound, Retry, "unexpected status 404"},
		{http.StatusUnauthorized, Retry, "unexpected status 401"},
		{http.StatusTooManyRequests, Retry, "unexpected status 429"},
		{http.StatusNotModified, Retry, "redirect 304"},
	}
	for _, c := range cases {
		t.Run(strconv.Itoa(c.code), func(t *testing.T) {
			t.Parallel()
			rcv := newReceiver(t, func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(c.code)
				_, _ = io.WriteString(w, "answer")
			})
			d := newTestDeliverer(t, sandbox())
			a, o := d.Deliver(t.Context(), testNotification(rcv.URL), 1, nil)
			require.Equal(t, c.want, o, a.Error)
			require.Equal(t, c.code, a.StatusCode)
			if c.errSubstr == "" {
				require.Empty(t, a.Error)
			} else {
				require.Contains(t, a.Error, c.errSubstr)
			}
		})
	}
}

func TestDeliverRetryOn500KeepsResponse(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "database is down", http.StatusInternalServerError)
	})
	d := newTestDeliverer(t, sandbox())
	a, o := d.Deliver(t.Context(), testNotification(rcv.URL), 3, nil)
	require.Equal(t, Retry, o)
	require.Equal(t, 500, a.StatusCode)
	require.Equal(t, 3, a.Number)
	require.Equal(t, "database is down\n", a.ResponseBody)
}

func TestDeliverDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	target := newReceiver(t, nil)
	rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/elsewhere", http.StatusFound)
	})
	d := newTestDeliverer(t, sandbox())
	a, o := d.Deliver(t.Context(), testNotification(rcv.URL), 1, nil)
	require.Equal(t, Retry, o)
	require.Equal(t, http.StatusFound, a.StatusCode)
	require.Contains(t, a.Error, "redirect 302 not followed")
	require.Contains(t, a.Error, target.URL+"/elsewhere")
	require.Equal(t, int64(1), rcv.hits.Load())
	require.Zero(t, target.hits.Load(), "the redirect target must not be hit")
}

func TestDeliverTimeoutIsRetry(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	rcv := newReceiver(t, func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) }) // runs before rcv.Close
	cfg := sandbox()
	cfg.Timeout = 100 * time.Millisecond
	d := newTestDeliverer(t, cfg)

	a, o := d.Deliver(t.Context(), testNotification(rcv.URL), 1, nil)
	require.Equal(t, Retry, o)
	require.Zero(t, a.StatusCode)
	require.Contains(t, a.Error, "timeout")
	require.Contains(t, a.Error, "100ms")
	require.GreaterOrEqual(t, a.Latency, 100*time.Millisecond)
}

func TestDeliverTimeoutWhileReadingBody(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) })
	cfg := sandbox()
	cfg.Timeout = 100 * time.Millisecond
	d := newTestDeliverer(t, cfg)

	a, o := d.Deliver(t.Context(), testNotification(rcv.URL), 1, nil)
	require.Equal(t, Retry, o)
	require.Equal(t, 500, a.StatusCode)
	require.Contains(t, a.Error, "reading response: timeout")
	require.Equal(t, "partial", a.ResponseBody)
}

func TestDeliverConnectionRefusedIsRetry(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	d := newTestDeliverer(t, sandbox())
	a, o := d.Deliver(t.Context(), testNotification("http://"+addr+"/notify"), 1, nil)
	require.Equal(t, Retry, o)
	require.Zero(t, a.StatusCode)
	require.Contains(t, a.Error, "connection refused")
	require.NotContains(t, a.Error, "Post \"", "the URL is not repeated in the error")
}

func TestDeliverCanceledContext(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	release := make(chan struct{})
	rcv := newReceiver(t, func(_ http.ResponseWriter, r *http.Request) {
		close(started)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) })
	d := newTestDeliverer(t, sandbox())

	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-started
		cancel()
	}()
	a, o := d.Deliver(ctx, testNotification(rcv.URL), 1, nil)
	require.Equal(t, Retry, o, "the request was sent, so it counts as an attempt")
	require.Contains(t, a.Error, "canceled")

	a, o = d.Deliver(ctx, testNotification(rcv.URL), 2, nil)
	require.Equal(t, Deferred, o, "nothing is sent once the context is done")
	require.Contains(t, a.Error, "not sent")
	require.Equal(t, int64(1), rcv.hits.Load())
}

func TestDeliverTruncatesResponseBody(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, strings.Repeat("a", 10<<10))
	})
	d := newTestDeliverer(t, sandbox())
	a, o := d.Deliver(t.Context(), testNotification(rcv.URL), 1, nil)
	require.Equal(t, Retry, o)
	require.Len(t, a.ResponseBody, 4096)
	require.Equal(t, strings.Repeat("a", 4096), a.ResponseBody)
}

func TestDeliverHugeResponseIsBounded(t *testing.T) {
	t.Parallel()
	// An endless 200 body: Deliver must return without reading it all.
	rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 32<<10))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	d := newTestDeliverer(t, sandbox())
	a, o := d.Deliver(t.Context(), testNotification(rcv.URL), 1, nil)
	require.Equal(t, Delivered, o)
	require.Len(t, a.ResponseBody, 4096)
}

func TestCleanExcerpt(t *testing.T) {
	t.Parallel()
	require.Empty(t, cleanExcerpt(nil))
	require.Equal(t, "a\uFFFDb", cleanExcerpt([]byte("a\xffb")))
	require.Equal(t, "ab", cleanExcerpt([]byte("a\x00b")))

	cut := []byte(strings.Repeat("a", 4094) + "€")[:4096] // € is 3 bytes, cut after 2
	got := cleanExcerpt(cut)
	require.LessOrEqual(t, len(got), 4096)
	require.Equal(t, strings.Repeat("a", 4094), got)

	invalid := []byte(strings.Repeat("\xffa", 2048))
	got = cleanExcerpt(invalid)
	require.LessOrEqual(t, len(got), 4096, "replacement characters do not push past the limit")
}

func TestDeliverIDStableAcrossAttempts(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	d := newTestDeliverer(t, sandbox())
	n := testNotification(rcv.URL)
	secret := []byte(newWebhookSecret(t))

	a1, o1 := d.Deliver(t.Context(), n, 1, secret)
	a2, o2 := d.Deliver(t.Context(), n, 2, secret)
	require.Equal(t, Retry, o1)
	require.Equal(t, Retry, o2)
	require.Equal(t, 1, a1.Number)
	require.Equal(t, 2, a2.Number)

	reqs := rcv.requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		require.Equal(t, n.ID, r.Header.Get("X-Pasarela-Notification-Id"))
		require.Equal(t, n.ID, r.Header.Get("webhook-id"))
		require.Equal(t, "pasarela/test (+https://github.com/pasarela/pasarela)", r.Header.Get("User-Agent"))
		require.Equal(t, n.Body, r.Body, "every attempt sends the same bytes")
	}
}

func TestDeliverUsesConfiguredClock(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, nil)
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	cfg := sandbox()
	cfg.Now = func() time.Time { return at }
	d := newTestDeliverer(t, cfg)
	a, o := d.Deliver(t.Context(), testNotification(rcv.URL), 1, nil)
	require.Equal(t, Delivered, o)
	require.Equal(t, at, a.At)
	require.Equal(t, strconv.FormatInt(at.Unix(), 10), rcv.requests()[0].Header.Get("webhook-timestamp"))
}

// rawReceiver accepts one HTTP/1.1 request on loopback and returns its header
// lines exactly as they came over the wire, which net/http's server would
// canonicalise.
func rawReceiver(t *testing.T) (url string, lines <-chan []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	ch := make(chan []string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(waitLimit))
		tp := textproto.NewReader(bufio.NewReader(conn))
		var got []string
		length := 0
		for {
			line, err := tp.ReadLine()
			if err != nil || line == "" {
				break
			}
			got = append(got, line)
			if name, value, ok := strings.Cut(line, ":"); ok && strings.EqualFold(name, "Content-Length") {
				length, _ = strconv.Atoi(strings.TrimSpace(value))
			}
		}
		_, _ = io.CopyN(io.Discard, tp.R, int64(length))
		_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		ch <- got
	}()
	return "http://" + ln.Addr().String() + "/notify", ch
}

func TestDeliverWritesDialectHeadersVerbatim(t *testing.T) {
	t.Parallel()
	url, lines := rawReceiver(t)
	d := newTestDeliverer(t, sandbox())
	n := testNotification(url)
	n.Headers = map[string]string{
		"X-Pg-Sig":       "sig-abc",
		"x-legacy-token": "lower",
		"X-PG-UPPER":     "UPPER",
		"Authorization":  "Bearer merchant-configured",
	}
	a, o := d.Deliver(t.Context(), n, 1, []byte(newWebhookSecret(t)))
	require.Equal(t, Delivered, o, a.Error)

	var got []string
	select {
	case got = <-lines:
	case <-time.After(waitLimit):
		t.Fatal("the raw receiver saw no request")
	}
	for _, want := range []string{
		"X-Pg-Sig: sig-abc",
		"x-legacy-token: lower",
		"X-PG-UPPER: UPPER",
		"Authorization: Bearer merchant-configured",
		"X-Pasarela-Notification-Id: " + n.ID,
		"webhook-id: " + n.ID,
	} {
		require.Contains(t, got, want)
	}
	var sawTimestamp, sawSignature bool
	for _, l := range got {
		sawTimestamp = sawTimestamp || strings.HasPrefix(l, "webhook-timestamp: ")
		sawSignature = sawSignature || strings.HasPrefix(l, "webhook-signature: v1,")
	}
	require.True(t, sawTimestamp, "lower-case webhook-timestamp in %q", got)
	require.True(t, sawSignature, "lower-case webhook-signature in %q", got)
}

func TestDeliverStandardWebhooksSignatureVerifies(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, nil)
	d := newTestDeliverer(t, sandbox())
	secret := newWebhookSecret(t)
	n := testNotification(rcv.URL)

	_, o := d.Deliver(t.Context(), n, 1, []byte(secret))
	require.Equal(t, Delivered, o)
	got := rcv.requests()[0]

	wh, err := standardwebhooks.NewWebhook(secret)
	require.NoError(t, err)
	require.NoError(t, wh.Verify(got.Body, got.Header), "the reference library accepts the signature")

	tampered := []byte(strings.Replace(string(got.Body), "1000", "1", 1))
	require.NotEqual(t, got.Body, tampered)
	require.ErrorIs(t, wh.Verify(tampered, got.Header), standardwebhooks.ErrNoMatchingSignature)

	other, err := standardwebhooks.NewWebhook(newWebhookSecret(t))
	require.NoError(t, err)
	require.ErrorIs(t, other.Verify(got.Body, got.Header), standardwebhooks.ErrNoMatchingSignature, "another merchant's secret")
}

func TestDeliverSignatureChangesPerAttempt(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, nil)
	secret := newWebhookSecret(t)
	now := time.Now()
	clock := atomic.Int64{}
	clock.Store(now.Unix())
	cfg := sandbox()
	cfg.Now = func() time.Time { return time.Unix(clock.Load(), 0) }
	d := newTestDeliverer(t, cfg)
	n := testNotification(rcv.URL)

	_, _ = d.Deliver(t.Context(), n, 1, []byte(secret))
	clock.Add(30)
	_, _ = d.Deliver(t.Context(), n, 2, []byte(secret))
	reqs := rcv.requests()
	require.Len(t, reqs, 2)
	require.NotEqual(t, reqs[0].Header.Get("webhook-timestamp"), reqs[1].Header.Get("webhook-timestamp"))
	require.NotEqual(t, reqs[0].Header.Get("webhook-signature"), reqs[1].Header.Get("webhook-signature"))
	wh, err := standardwebhooks.NewWebhook(secret)
	require.NoError(t, err)
	for _, r := range reqs {
		require.NoError(t, wh.Verify(r.Body, r.Header), "each attempt is signed with its own timestamp")
	}
}

func TestDeliverInvalidSecretIsRetryWithoutLeak(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, nil)
	d := newTestDeliverer(t, sandbox())
	a, o := d.Deliver(t.Context(), testNotification(rcv.URL), 1, []byte("whsec_sup3r-secret!"))
	require.Equal(t, Retry, o, "a rotated secret can fix it")
	require.Contains(t, a.Error, "webhook secret")
	require.NotContains(t, a.Error, "sup3r")
	require.Zero(t, rcv.hits.Load(), "nothing unsigned is sent by mistake")
}

func TestDeliverRefusesNonHTTPSchemes(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, nil)
	host := strings.TrimPrefix(rcv.URL, "http://")
	d := newTestDeliverer(t, sandbox())
	for _, raw := range []string{"ftp://" + host + "/x", "file:///etc/passwd", "gopher://" + host + "/", "javascript:alert(1)", host + "/x", "https://"} {
		a, o := d.Deliver(t.Context(), testNotification(raw), 1, nil)
		require.Equal(t, Refused, o, raw)
		require.NotEmpty(t, a.Error)
		require.Zero(t, a.Latency, "refused before any I/O")
	}
	require.Zero(t, rcv.hits.Load())
}

func TestDeliverRefusesUnsendableRequests(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, nil)
	d := newTestDeliverer(t, sandbox())
	cases := map[string]func(n *Notification){
		"empty id":                 func(n *Notification) { n.ID = "" },
		"id with newline":          func(n *Notification) { n.ID = "a\nb" },
		"unknown method":           func(n *Notification) { n.Method = "PUT" },
		"GET with a body":          func(n *Notification) { n.Method = "GET" },
		"header injection":         func(n *Notification) { n.Headers["X-Pg-Sig"] = "a\r\nX-Evil: 1" },
		"invalid header name":      func(n *Notification) { n.Headers["X Pg"] = "v" },
		"empty header name":        func(n *Notification) { n.Headers[""] = "v" },
		"reserved header":          func(n *Notification) { n.Headers["webhook-signature"] = "v1,forged" },
		"reserved header any case": func(n *Notification) { n.Headers["user-agent"] = "x" },
		"duplicate header":         func(n *Notification) { n.Headers["x-pg-sig"] = "other" },
		"bad content type":         func(n *Notification) { n.ContentType = "text/plain\n" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			n := testNotification(rcv.URL)
			mutate(&n)
			a, o := d.Deliver(t.Context(), n, 1, nil)
			require.Equal(t, Refused, o)
			require.NotEmpty(t, a.Error)
		})
	}
	t.Cleanup(func() { require.Zero(t, rcv.hits.Load()) })
}

func TestDeliverLegacyGET(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, nil)
	d := newTestDeliverer(t, sandbox())
	n := testNotification(rcv.URL + "/ipn?order=42&status=paid")
	n.Method = "get"
	n.Body = nil
	a, o := d.Deliver(t.Context(), n, 1, []byte(newWebhookSecret(t)))
	require.Equal(t, Delivered, o, a.Error)
	got := rcv.requests()[0]
	require.Equal(t, http.MethodGet, got.Method)
	require.Equal(t, "/ipn?order=42&status=paid", got.URL)
	require.Empty(t, got.Body)
	require.Equal(t, n.ID, got.Header.Get("X-Pasarela-Notification-Id"))
}

func TestDeliverDefaultsToPOST(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, nil)
	d := newTestDeliverer(t, sandbox())
	n := testNotification(rcv.URL)
	n.Method = ""
	_, o := d.Deliver(t.Context(), n, 1, nil)
	require.Equal(t, Delivered, o)
	require.Equal(t, http.MethodPost, rcv.requests()[0].Method)
}

func TestDeliverHidesURLPassword(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "shop" || p != "hunter2" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	d := newTestDeliverer(t, sandbox())
	url := strings.Replace(rcv.URL, "http://", "http://shop:hunter2@", 1)
	a, o := d.Deliver(t.Context(), testNotification(url), 1, nil)
	require.Equal(t, Retry, o)
	require.Equal(t, http.StatusServiceUnavailable, a.StatusCode, "credentials in the URL are sent as basic auth")
	require.NotContains(t, a.URL, "hunter2")
	require.Contains(t, a.URL, "shop:xxxxx@")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	a, o = d.Deliver(t.Context(), testNotification("http://shop:hunter2@"+addr+"/"), 1, nil)
	require.Equal(t, Retry, o)
	require.NotContains(t, a.Error, "hunter2")
	require.NotContains(t, a.URL, "hunter2")
}

func TestDeliverProductionRefusesLoopbackAtDialTime(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, nil)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(rcv.URL, "http://"))
	require.NoError(t, err)
	d := newTestDeliverer(t, Config{}) // production defaults: AllowPrivate false

	for _, raw := range []string{
		rcv.URL + "/notify",                       // literal 127.0.0.1
		"http://localhost:" + port + "/notify",    // a name that resolves to loopback
		"http://[::ffff:127.0.0.1]:" + port + "/", // IPv4-mapped
	} {
		a, o := d.Deliver(t.Context(), testNotification(raw), 1, nil)
		require.Equal(t, Retry, o, raw)
		require.Contains(t, a.Error, "destination refused", raw)
		require.Contains(t, a.Error, "loopback", raw)
		require.Zero(t, a.StatusCode)
	}
	require.Zero(t, rcv.hits.Load(), "no request reached the loopback receiver")

	// The name passes the save-time syntax check of Deliver; only the
	// address it resolves to, checked when dialling, stops it.
	_, err = parseURL("http://localhost:" + port + "/notify")
	require.NoError(t, err)
}

func TestDeliverHTTPS(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	d := newTestDeliverer(t, sandbox())

	a, o := d.Deliver(t.Context(), testNotification(srv.URL), 1, nil)
	require.Equal(t, Retry, o, "an untrusted certificate is a failed attempt")
	require.Contains(t, a.Error, "certificate")

	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	d.client.Transport.(*http.Transport).TLSClientConfig.RootCAs = pool
	a, o = d.Deliver(t.Context(), testNotification(srv.URL), 2, nil)
	require.Equal(t, Delivered, o, a.Error)
	require.Equal(t, int64(1), hits.Load())
}

// slowReceiver blocks every request until release is closed, reporting each
// arrival and the most requests it ever had in flight at once.
type slowReceiver struct {
	*receiver
	arrived  chan struct{}
	release  chan struct{}
	inFlight atomic.Int64
	maxSeen  atomic.Int64
	// releaseAll unblocks every request, once.
	releaseAll func()
}

func newSlowReceiver(t *testing.T) *slowReceiver {
	t.Helper()
	s := &slowReceiver{arrived: make(chan struct{}, 100), release: make(chan struct{})}
	s.receiver = newReceiver(t, func(_ http.ResponseWriter, r *http.Request) {
		n := s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		for {
			m := s.maxSeen.Load()
			if n <= m || s.maxSeen.CompareAndSwap(m, n) {
				break
			}
		}
		s.arrived <- struct{}{}
		select {
		case <-s.release:
		case <-r.Context().Done():
		}
	})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(s.release) }) })
	s.releaseAll = func() { once.Do(func() { close(s.release) }) }
	return s
}

func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("gave up waiting for %s", what)
	}
	var zero T
	return zero
}

type result struct {
	a Attempt
	o Outcome
}

func TestPerHostLimitDoesNotStarveOtherHosts(t *testing.T) {
	t.Parallel()
	slow := newSlowReceiver(t)
	fast := newReceiver(t, nil)
	cfg := sandbox()
	cfg.PerHostLimit = 2
	cfg.SlotWait = time.Minute // the third slow delivery waits for a slot
	cfg.Timeout = time.Minute
	d := newTestDeliverer(t, cfg)

	slowDone := make(chan result, 3)
	for i := range 3 {
		go func() {
			a, o := d.Deliver(t.Context(), testNotification(slow.URL), i+1, nil)
			slowDone <- result{a, o}
		}()
	}
	// Two requests hold the slow host's slots; the third waits for one.
	waitFor(t, slow.arrived, "first slow request")
	waitFor(t, slow.arrived, "second slow request")

	// While the slow merchant holds its slots, another merchant is served.
	for i := range 5 {
		a, o := d.Deliver(t.Context(), testNotification(fast.URL), i+1, nil)
		require.Equal(t, Delivered, o, a.Error)
	}
	require.Equal(t, int64(5), fast.hits.Load())
	require.Empty(t, slowDone, "no slow delivery finished before it was released")
	require.Equal(t, int64(2), slow.hits.Load(), "the third slow delivery is waiting for a slot")

	slow.releaseAll()
	for range 3 {
		r := waitFor(t, slowDone, "slow delivery")
		require.Equal(t, Delivered, r.o, r.a.Error)
	}
	require.Equal(t, int64(3), slow.hits.Load())
	require.Equal(t, int64(2), slow.maxSeen.Load(), "never more than PerHostLimit in flight")

	d.mu.Lock()
	defer d.mu.Unlock()
	require.Empty(t, d.hosts, "idle hosts are forgotten")
}

func TestPerHostLimitDefersWhenBusy(t *testing.T) {
	t.Parallel()
	slow := newSlowReceiver(t)
	cfg := sandbox()
	cfg.PerHostLimit = 1
	cfg.SlotWait = 20 * time.Millisecond
	cfg.Timeout = time.Minute
	d := newTestDeliverer(t, cfg)

	first := make(chan result, 1)
	go func() {
		a, o := d.Deliver(t.Context(), testNotification(slow.URL), 1, nil)
		first <- result{a, o}
	}()
	waitFor(t, slow.arrived, "first request")

	a, o := d.Deliver(t.Context(), testNotification(slow.URL), 1, nil)
	require.Equal(t, Deferred, o)
	require.Contains(t, a.Error, "in flight")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, o = d.Deliver(ctx, testNotification(slow.URL), 1, nil)
	require.Equal(t, Deferred, o, "a done context while waiting sends nothing")

	slow.releaseAll()
	r := waitFor(t, first, "first delivery")
	require.Equal(t, Delivered, r.o)
	require.Equal(t, int64(1), slow.hits.Load())
}

func TestHostKey(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"http://Shop.Example/x":       "shop.example:80",
		"https://shop.example/x":      "shop.example:443",
		"https://shop.example:8443/x": "shop.example:8443",
		"http://[::1]:8080/":          "[::1]:8080",
	} {
		u, err := parseURL(raw)
		require.NoError(t, err)
		require.Equal(t, want, hostKey(u), raw)
	}
}

func TestNewDelivererDefaults(t *testing.T) {
	t.Parallel()
	d := newTestDeliverer(t, Config{})
	require.Equal(t, DefaultTimeout, d.cfg.Timeout)
	require.Equal(t, 15*time.Second, d.cfg.Timeout)
	require.Equal(t, 4, d.cfg.PerHostLimit)
	require.Equal(t, DefaultSlotWait, d.cfg.SlotWait)
	require.Equal(t, UserAgent("dev"), d.cfg.UserAgent)
	require.False(t, d.cfg.AllowPrivate)
	tr := d.client.Transport.(*http.Transport)
	require.Nil(t, tr.Proxy, "a proxy would hide the merchant's address from the dial check")
}

// A legacy PayRetailers IPN carries the merchant's secret as key=: the
// request sends it, the attempt log does not keep it.
func TestDeliverHidesSecretQueryParameters(t *testing.T) {
	t.Parallel()
	var got string
	rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Query().Get("key")
		w.WriteHeader(http.StatusOK)
	})
	d := newTestDeliverer(t, sandbox())
	n := testNotification(rcv.URL + "/?wc-api=WC_Paygol_Gateway&key=s3cr3t-KEY&transaction_id=T1")
	n.Method, n.Body, n.ContentType = http.MethodGet, nil, ""
	a, o := d.Deliver(t.Context(), n, 1, nil)
	require.Equal(t, Delivered, o)
	require.Equal(t, "s3cr3t-KEY", got, "the merchant still receives its key")
	require.NotContains(t, a.URL, "s3cr3t")
	require.Contains(t, a.URL, "key=xxxxx")
	require.Contains(t, a.URL, "wc-api=WC_Paygol_Gateway")
	require.Contains(t, a.URL, "transaction_id=T1")
	require.Equal(t, "not a url\x7f", RedactURL("not a url\x7f"))
}
