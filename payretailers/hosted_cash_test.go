package payretailers_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/payretailers"
)

// TestHostedVoucher: opening a cash payment issues one voucher, extends
// the expiry to CashTTL, moves the payment to pending with its IPN, and
// shows the same voucher on every visit until it is paid.
func TestHostedVoucher(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	p := b.payer(t, b.createMethod(t, "servipag"))

	// Time passes between the merchant's call and the payer's visit.
	b.clock.Add(2 * time.Hour)
	pg := p.get("")
	require.Equal(t, http.StatusOK, pg.status)
	got := b.current(t, p.ref)
	require.Equal(t, payment.StatusPending, got.Status)
	require.Equal(t, "voucher_issued", got.StatusDetail)
	require.WithinDuration(t, b.clock.Now().Add(payretailers.DefaultCashTTL), got.ExpiresAt, time.Second,
		"the voucher lives CashTTL from its issue")

	ref := regexp.MustCompile(`id="voucher-reference">([0-9-]+)<`).FindStringSubmatch(pg.body)
	require.NotNil(t, ref, pg.body)
	require.Regexp(t, `^\d{4}-\d{4}-\d{4}-\d{4}$`, ref[1])
	digits := regexp.MustCompile(`id="voucher-digits">(\d+)<`).FindStringSubmatch(pg.body)
	require.NotNil(t, digits)
	require.Contains(t, pg.body, "<svg", "the barcode is drawn inline")
	require.NotContains(t, pg.body, "style=", "no inline style: the CSP forbids it")
	require.Contains(t, pg.body, "/sandbox/payments/"+p.ref+"/complete", "the sandbox page says how to pay it")
	b.requireReturn(t, returnLink(t, pg.body), "https://shop.example/pago-cancelado", p.ref, "pending")

	// The merchant hears "pending" once.
	recs, err := b.store.ListNotifications(ctx, notify.Filter{PaymentID: got.ID})
	require.NoError(t, err)
	require.Len(t, recs, 1)
	require.Contains(t, string(recs[0].Body), `"status":"pending"`)

	// Every visit shows the same voucher.
	for range 3 {
		again := p.get("")
		require.Contains(t, again.body, `id="voucher-reference">`+ref[1]+"<")
	}
	require.Equal(t, got.Version, b.current(t, p.ref).Version)

	// Paid (as the sandbox helper does): the page shows the result.
	_, err = b.payments.Transition(ctx, got.ID, payment.StatusCompleted, "", payment.ActorSandbox)
	require.NoError(t, err)
	done := p.get("")
	require.Contains(t, done.body, "/assets/success.")
	b.requireReturn(t, returnLink(t, done.body), "https://shop.example/pago-ok", p.ref, "completed")
}

// TestHostedVoucherChosen: a voucher chosen on the method page is issued
// when the payer lands on its page; concurrent visits issue one voucher.
func TestHostedVoucherChosen(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := params()
	in.Method = "" // the payer chooses
	co, err := b.client.Webcheckout(context.Background(), in)
	require.NoError(t, err)
	p := b.payer(t, co.TransactionID)
	require.Equal(t, http.StatusSeeOther, p.submit("/method", url.Values{"method": {"servipag"}}).status)

	refs := make(chan string, 8)
	for range cap(refs) {
		go func() {
			// No require here: it must not stop the test from a goroutine.
			resp, err := p.client.Get(b.srv.URL + p.path(""))
			if err != nil {
				refs <- "error: " + err.Error()
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			_, rest, _ := strings.Cut(string(body), `id="voucher-reference">`)
			r, _, ok := strings.Cut(rest, "<")
			if !ok {
				r = string(body)
			}
			refs <- r
		}()
	}
	first := <-refs
	require.NotEmpty(t, first)
	for range cap(refs) - 1 {
		require.Equal(t, first, <-refs, "one voucher per payment")
	}
	require.Equal(t, payment.StatusPending, b.current(t, p.ref).Status)
}
