package payretailers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/payment"
)

// login posts the bank login form.
func (p *payer) login(password string) page {
	p.t.Helper()
	return p.submit("/bank/login", url.Values{"document": {"11.111.111-1"}, "password": {password}})
}

// TestHostedBankOutcomes: the sandbox password decides the transfer.
func TestHostedBankOutcomes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := map[string]struct {
		status payment.Status
		detail string
	}{
		"approve": {payment.StatusCompleted, ""},
		"reject":  {payment.StatusFailed, "rejected"},
		"nofunds": {payment.StatusFailed, "insufficient_funds"},
		"pending": {payment.StatusPending, "bank_confirmation_pending"},
	}
	for password, want := range cases {
		p := b.payer(t, b.createMethod(t, "webpay"))
		login := p.get("")
		for _, pw := range []string{"approve", "reject", "nofunds", "pending"} {
			require.Contains(t, login.body, "<code>"+pw+"</code>", "the sandbox page documents its passwords")
		}
		pg := p.login(password)
		require.Equal(t, http.StatusSeeOther, pg.status, password)
		require.Equal(t, p.path(""), pg.location)
		require.Equal(t, payment.StatusCreated, b.current(t, p.ref).Status, "logging in moves nothing")

		approve := p.get("")
		require.Contains(t, approve.body, `id="approve"`, password)
		require.NotContains(t, approve.body, password+"<", "the password is not shown again")
		pg = p.submit("/bank/approve", nil)
		require.Equal(t, http.StatusSeeOther, pg.status, password)
		got := b.current(t, p.ref)
		require.Equal(t, want.status, got.Status, password)
		require.Equal(t, want.detail, got.StatusDetail, password)

		switch want.status {
		case payment.StatusCompleted:
			b.requireReturn(t, pg.location, "https://shop.example/pago-ok", p.ref, "completed")
		case payment.StatusPending:
			result := p.get("")
			require.Contains(t, result.body, "/assets/pending.")
			b.requireReturn(t, returnLink(t, result.body), "https://shop.example/pago-cancelado", p.ref, "pending")
		default:
			require.Equal(t, p.path(""), pg.location)
		}
		// The authorization was used up: approving again does nothing.
		pg = p.post("/bank/approve", withToken(p.lastToken, nil))
		require.Equal(t, http.StatusSeeOther, pg.status)
		require.Equal(t, want.status, b.current(t, p.ref).Status)
	}
	require.NotContains(t, b.log.String(), "11.111.111-1")
}

// TestHostedBankLogin: bad input, wrong passwords and the lockout.
func TestHostedBankLogin(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.payer(t, b.createMethod(t, "khipu"))

	for name, form := range map[string]url.Values{
		"no document": {"password": {"approve"}},
		"no password": {"document": {"1-9"}},
		"long doc":    {"document": {strings.Repeat("1", 33)}, "password": {"approve"}},
	} {
		pg := p.submit("/bank/login", form)
		require.Equal(t, http.StatusUnprocessableEntity, pg.status, name)
		require.Contains(t, pg.body, `class="field-error"`, name)
	}
	require.Equal(t, 1, len(b.events(t, p.ref)), "bad input is not an attempt")

	// Approving without logging in goes back to the login.
	pg := p.submit("/bank/approve", nil)
	require.Equal(t, http.StatusSeeOther, pg.status)
	require.Contains(t, p.get("").body, `name="password"`)

	// Four wrong passwords: the form again, counting down.
	for left := 4; left >= 1; left-- {
		pg := p.login("hunter2")
		require.Equal(t, http.StatusUnprocessableEntity, pg.status)
		require.Contains(t, pg.body, "Intentos restantes: "+string(rune('0'+left)))
		require.NotContains(t, pg.body, "hunter2", "a password is never written back")
		require.Equal(t, payment.StatusCreated, b.current(t, p.ref).Status)
	}
	// The fifth fails the payment.
	pg = p.login("hunter2")
	require.Equal(t, http.StatusSeeOther, pg.status)
	require.Equal(t, p.path(""), pg.location)
	got := b.current(t, p.ref)
	require.Equal(t, payment.StatusFailed, got.Status)
	require.Equal(t, "too_many_attempts", got.StatusDetail)
	require.Contains(t, p.get("").body, `id="reason"`)
	// Even the right password is too late now.
	pg = p.post("/bank/login", withToken(p.lastToken, url.Values{"document": {"1-9"}, "password": {"approve"}}))
	require.Equal(t, http.StatusSeeOther, pg.status)
	require.Equal(t, payment.StatusFailed, b.current(t, p.ref).Status)
	require.NotContains(t, b.log.String(), "hunter2")
	for _, ev := range b.events(t, p.ref) {
		require.NotContains(t, ev.Detail, "hunter2")
	}

	// A successful login starts the count again.
	q := b.payer(t, b.createMethod(t, "webpay"))
	for range 4 {
		require.Equal(t, http.StatusUnprocessableEntity, q.login("wrong").status)
	}
	require.Equal(t, http.StatusSeeOther, q.login("reject").status)
	// The session cookie was bound to the path of q's payment; a fresh
	// browser must log in again and has five attempts.
	q2 := b.payer(t, q.ref)
	for range 4 {
		require.Equal(t, http.StatusUnprocessableEntity, q2.login("wrong").status)
	}
	require.Equal(t, payment.StatusCreated, b.current(t, q.ref).Status)
}

// TestHostedBankCancel: the payer cancels at the bank.
func TestHostedBankCancel(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.payer(t, b.createMethod(t, "webpay"))
	require.Equal(t, http.StatusSeeOther, p.login("approve").status)
	pg := p.submit("/cancel", nil)
	require.Equal(t, http.StatusSeeOther, pg.status)
	b.requireReturn(t, pg.location, "https://shop.example/pago-cancelado", p.ref, "canceled")
	got := b.current(t, p.ref)
	require.Equal(t, payment.StatusCanceled, got.Status)
	require.Equal(t, "cancelled", got.StatusDetail)
	// The bank session is gone with it.
	pg = p.post("/bank/approve", withToken(p.lastToken, nil))
	require.Equal(t, http.StatusSeeOther, pg.status)
	require.Equal(t, payment.StatusCanceled, b.current(t, p.ref).Status)
}

// TestConfirmPendingBankTransfers: the sandbox bank confirms a pending
// transfer once BankConfirmDelay has passed, and nothing else.
func TestConfirmPendingBankTransfers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	pending := b.payer(t, b.createMethod(t, "webpay"))
	require.Equal(t, http.StatusSeeOther, pending.login("pending").status)
	require.Equal(t, http.StatusSeeOther, pending.submit("/bank/approve", nil).status)
	require.Equal(t, payment.StatusPending, b.current(t, pending.ref).Status)

	// Pending for other reasons: not the bank's to confirm.
	voucher := b.payer(t, b.createMethod(t, "servipag"))
	require.Equal(t, http.StatusOK, voucher.get("").status)
	card := b.current(t, b.createMethod(t, "creditcard"))
	_, err := b.payments.Transition(ctx, card.ID, payment.StatusPending, "", payment.ActorPayer)
	require.NoError(t, err)

	n, err := b.api.ConfirmPendingBankTransfers(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "not before the delay")

	b.clock.Add(time.Minute)
	defer b.clock.Add(-time.Minute)
	n, err = b.api.ConfirmPendingBankTransfers(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	got := b.current(t, pending.ref)
	require.Equal(t, payment.StatusCompleted, got.Status)
	evs := b.events(t, pending.ref)
	require.Equal(t, payment.ActorRail, evs[len(evs)-1].Actor)
	require.Equal(t, payment.StatusPending, b.current(t, voucher.ref).Status)
	require.Equal(t, payment.StatusPending, b.current(t, card.Ref).Status)

	n, err = b.api.ConfirmPendingBankTransfers(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "once")

	// The payer coming back sees the outcome.
	b.requireReturn(t, returnLink(t, pending.get("").body), "https://shop.example/pago-ok", pending.ref, "completed")
}
