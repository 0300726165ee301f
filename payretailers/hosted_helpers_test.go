package payretailers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/pasarela/pasarela/client/payretailers"
	"github.com/pasarela/pasarela/payment"
)

// These helpers drive the hosted pages the way a browser without
// JavaScript does: a cookie jar, GET a page, read the CSRF token out of
// its form, POST the form; redirects are not followed, so tests see each
// 303 and where it points.

// payer is one browser on one payment's pages.
type payer struct {
	b      *testBundle
	client *http.Client
	// lastToken is the CSRF token of the last form seen: still valid for
	// this browser and payment after the payment moved on, so tests can
	// post a late, double submit.
	lastToken string
	ref       string
	t         *testing.T
}

// page is one answer of the hosted pages.
type page struct {
	body     string
	header   http.Header
	location string
	status   int
}

func (b *testBundle) payer(t *testing.T, ref string) *payer {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &payer{b: b, ref: ref, t: t, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (p *payer) do(req *http.Request) page {
	p.t.Helper()
	resp, err := p.client.Do(req)
	require.NoError(p.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(p.t, err)
	return page{body: string(raw), header: resp.Header, location: resp.Header.Get("Location"), status: resp.StatusCode}
}

// path is the page's path, plus suffix.
func (p *payer) path(suffix string) string { return "/pay-direct/" + p.ref + suffix }

// get requests the payment's page (suffix "" ) or a path below it.
func (p *payer) get(suffix string) page {
	p.t.Helper()
	req, err := http.NewRequest(http.MethodGet, p.b.srv.URL+p.path(suffix), nil)
	require.NoError(p.t, err)
	return p.do(req)
}

// post sends form to the action below the page, as a same-origin form.
func (p *payer) post(action string, form url.Values) page {
	p.t.Helper()
	req, err := http.NewRequest(http.MethodPost, p.b.srv.URL+p.path(action), strings.NewReader(form.Encode()))
	require.NoError(p.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return p.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// token opens the page and returns its form's CSRF token.
func (p *payer) token() string {
	p.t.Helper()
	pg := p.get("")
	require.Equal(p.t, http.StatusOK, pg.status, pg.body)
	m := csrfField.FindStringSubmatch(pg.body)
	require.NotNil(p.t, m, "the page has a form: %s", pg.body)
	p.lastToken = m[1]
	return m[1]
}

// submit opens the page for a fresh token and posts fields with it.
func (p *payer) submit(action string, fields url.Values) page {
	p.t.Helper()
	form := url.Values{"csrf_token": {p.token()}}
	for k, v := range fields {
		form[k] = v
	}
	return p.post(action, form)
}

// current reads the payment as stored.
func (b *testBundle) current(t *testing.T, ref string) payment.Payment {
	t.Helper()
	p, err := b.payments.GetByRef(context.Background(), ref)
	require.NoError(t, err)
	return p
}

// createMethod creates a payment for method (in Chile, in CLP) through
// the API and returns its transaction id.
func (b *testBundle) createMethod(t *testing.T, method string) string {
	t.Helper()
	in := params()
	in.Method = method
	return createVia(t, b, b.client, in).Ref
}

// requireReturn checks that location is the merchant's base URL with a
// query VerifyReturn accepts, for the given status.
func (b *testBundle) requireReturn(t *testing.T, location, base, ref, status string) {
	t.Helper()
	require.True(t, strings.HasPrefix(location, base+"?"), "%s goes to %s", location, base)
	u, err := url.Parse(location)
	require.NoError(t, err)
	ret, err := b.client.VerifyReturn(u.Query())
	require.NoError(t, err)
	require.Equal(t, sdk.Return{Custom: params().Custom, Status: status, TransactionID: ref}, ret)
}

// events are the history of a payment.
func (b *testBundle) events(t *testing.T, ref string) []payment.Event {
	t.Helper()
	evs, err := b.payments.Events(context.Background(), b.current(t, ref).ID)
	require.NoError(t, err)
	return evs
}

// validCard is a card form that approves, the month after the test clock.
func (b *testBundle) validCard(number string) url.Values {
	next := b.clock.Now().AddDate(1, 0, 0)
	return url.Values{
		"number": {number}, "expiry": {next.Format("01/06")}, "cvc": {"123"}, "holder": {"Ana Pérez"},
	}
}
