package etpay_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	clientetpay "github.com/pasarela/pasarela/client/etpay"
	"github.com/pasarela/pasarela/e2e"
	"github.com/pasarela/pasarela/payment"
)

// TestFunnelInBrowser walks the funnel in headless Chromium on a phone
// screen, against the whole gateway under the "/sandbox" prefix, once per
// sandbox password plus a cancel and a lockout, and checks what the
// merchant learns from the webhook, the redirect and check_payment_status.
func TestFunnelInBrowser(t *testing.T) {
	t.Parallel()
	e2e.RequireChromium(t)
	lg := startGateway(t, "/sandbox")
	sh := newShop(t, lg)
	b := newPhone(t)
	funnel := func(s clientetpay.Session) string { return sh.client.FunnelURL(s.Token) }

	// approve: every page on the way, with screenshots.
	s := sh.start(t, "OC-approve", clientetpay.SessionRequest{UserRUT: "11.111.111-1", Metadata: []clientetpay.Metadata{
		{Name: "Cuenta Servicio Gas", Value: "30.215", Show: true}, {Name: "Interno", Value: "no-mostrar", Show: false}}})
	require.True(t, strings.HasPrefix(funnel(s), lg.url+"/sandbox/session/"))
	b.open(funnel(s), "body.page-banks")
	require.Equal(t, "$50.000", b.text(".amount"))
	require.Equal(t, "Sandbox Shop", b.text(".merchant"))
	require.Contains(t, b.text(".details"), "Cuenta Servicio Gas 30.215")
	require.NotContains(t, b.text("main"), "no-mostrar")
	require.Equal(t, lg.url+"/sandbox/terms", e2e.Eval[string](t, b.ctx, `document.querySelector('a[target="_blank"]').href`))
	b.fitsThePhone()
	e2e.Screenshot(t, b.ctx, "1-banks")
	b.click(`button[value="cl_bch"]`, "body.page-login")
	require.Equal(t, "Ingresa a Banco de Chile / Edwards", b.text("h1"))
	require.Equal(t, "11.111.111-1", e2e.Eval[string](t, b.ctx, `document.getElementById("rut").value`), "user_rut is prefilled")
	require.False(t, e2e.Eval[bool](t, b.ctx, `document.getElementById("rut").readOnly`))
	require.Contains(t, b.text(".notice.warning"), "pending")
	b.fitsThePhone()
	e2e.Screenshot(t, b.ctx, "2-login")
	b.login("", "approve", "body.page-review")
	require.Equal(t, "Aprobar transferencia de $50.000", b.text("#approve"))
	b.fitsThePhone()
	e2e.Screenshot(t, b.ctx, "3-review")
	b.click("#approve", "#shop")
	require.Equal(t, "/ok success", b.text("#shop"))
	sh.expect(t, "OC-approve", "/ok", "success", "")
	require.Equal(t, "11111111-1", sh.order("OC-approve").webhook.UserRUT)
	b.open(funnel(s), "body.page-outcome")
	require.Equal(t, "Pago aprobado", b.text("h1"))
	require.Equal(t, "Volver a Sandbox Shop", b.text("#return"))
	e2e.Screenshot(t, b.ctx, "4-result")
	b.click("#return", "#shop")
	b.noCSPViolations()

	// reject and nofunds, through a bank chosen on the page.
	for _, tc := range []struct{ password, detail string }{{"reject", "rejected"}, {"nofunds", "insufficient_funds"}} {
		order := "OC-" + tc.password
		s := sh.start(t, order, clientetpay.SessionRequest{})
		b.open(funnel(s), "body.page-banks")
		b.click(`button[value="cl_test"]`, "body.page-login")
		b.login("12.345.678-5", tc.password, "body.page-review")
		b.click("#approve", "#shop")
		require.Equal(t, "/cancel error "+tc.detail, b.text("#shop"))
		sh.expect(t, order, "/cancel", "error", tc.detail)
	}

	// pending: the payer waits on the funnel; the bank confirms later.
	s = sh.start(t, "OC-pending", clientetpay.SessionRequest{UserBankCode: "cl_santander"})
	b.open(funnel(s), "body.page-login")
	b.login("11111111-1", "pending", "body.page-review")
	b.click("#approve", "body.page-outcome")
	require.Equal(t, "Esperando confirmación del banco", b.text("h1"))
	b.fitsThePhone()
	e2e.Screenshot(t, b.ctx, "5-pending")
	st, err := sh.client.CheckPaymentStatus(context.Background(), clientetpay.StatusQuery{SessionToken: s.Token})
	require.NoError(t, err)
	require.Equal(t, "pending", st[0].PaymentStatus)
	require.Nil(t, sh.order("OC-pending").webhook, "no result yet")
	time.Sleep(5 * time.Millisecond)
	n, err := lg.api.ConfirmPendingBankTransfers(context.Background(), time.Millisecond)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	b.click("#refresh", "body.page-outcome")
	require.Equal(t, "Pago aprobado", b.text("h1"))
	b.click("#return", "#shop")
	sh.expect(t, "OC-pending", "/ok", "success", "")

	// cancel from the review page.
	s = sh.start(t, "OC-cancel", clientetpay.SessionRequest{UserBankCode: "cl_bci"})
	b.open(funnel(s), "body.page-login")
	b.login("11.111.111-1", "approve", "body.page-review")
	b.click("#cancel", "#shop")
	require.Equal(t, "/cancel error cancelled", b.text("#shop"))
	sh.expect(t, "OC-cancel", "/cancel", "error", "cancelled")

	// lockout: three distinctive wrong passwords.
	wrong := []string{"Secr3t-Wr0ng-Pw", "Secr3t-Wr0ng-Pw-2", "Secr3t-Wr0ng-Pw-3"}
	s = sh.start(t, "OC-lockout", clientetpay.SessionRequest{UserBankCode: "cl_itau"})
	b.open(funnel(s), "body.page-login")
	b.login("11.111.111-1", wrong[0], "body.page-login .notice.error")
	require.Contains(t, b.text(".notice.error"), "Intentos restantes antes de que el pago se bloquee: 2")
	require.Empty(t, e2e.Eval[string](t, b.ctx, `document.getElementById("password").value`))
	e2e.Screenshot(t, b.ctx, "6-wrong-password")
	b.login("", wrong[1], "body.page-login .notice.error")
	b.login("", wrong[2], "#shop")
	require.Equal(t, "/cancel error rejected", b.text("#shop"))
	sh.expect(t, "OC-lockout", "/cancel", "error", "rejected")
	p, err := lg.g.Payments.GetByRef(context.Background(), s.Token)
	require.NoError(t, err)
	require.Equal(t, "too_many_attempts", p.StatusDetail)
	b.open(funnel(s), "body.page-outcome")
	require.Equal(t, "Pago bloqueado", b.text("h1"))
	e2e.Screenshot(t, b.ctx, "7-locked")
	b.noCSPViolations()

	// No bank password is anywhere: not in the log, not in the data
	// directory (database, WAL, keys, credentials).
	for _, pw := range wrong {
		require.NotContains(t, lg.log.String(), pw)
		require.Empty(t, fileContains(t, lg.dataDir, pw), "password %s stored", pw)
	}
}

// TestFunnelInBrowserPreloaded: a merchant that preloads the bank and
// blocks the RUT, without a path prefix; and the 404 and 410 pages.
func TestFunnelInBrowserPreloaded(t *testing.T) {
	t.Parallel()
	e2e.RequireChromium(t)
	lg := startGateway(t, "")
	sh := newShop(t, lg)
	b := newPhone(t)

	s := sh.start(t, "OC-preloaded", clientetpay.SessionRequest{UserBankCode: "CL_ESTADO", UserRUT: "111111111", IsRUTBlock: true})
	b.open(sh.client.FunnelURL(s.Token), "body.page-login")
	require.Equal(t, "Ingresa a BancoEstado", b.text("h1"), "the bank step is skipped")
	require.True(t, e2e.Eval[bool](t, b.ctx, `document.getElementById("rut").readOnly`), "the RUT is read-only")
	require.Equal(t, "11.111.111-1", e2e.Eval[string](t, b.ctx, `document.getElementById("rut").value`))
	require.Zero(t, e2e.Eval[int](t, b.ctx, `document.querySelectorAll('a[href*="change=bank"]').length`))
	e2e.Screenshot(t, b.ctx, "login-locked-rut")
	b.login("", "approve", "body.page-review")
	e2e.Screenshot(t, b.ctx, "review")
	b.click("#approve", "#shop")
	sh.expect(t, "OC-preloaded", "/ok", "success", "")
	require.Equal(t, "11111111-1", sh.order("OC-preloaded").redirect.UserRUT)
	require.Equal(t, "cl_estado", sh.order("OC-preloaded").redirect.UserBankCode)

	// English by the browser's language.
	s = sh.start(t, "OC-english", clientetpay.SessionRequest{})
	b.open(sh.client.FunnelURL(s.Token)+"?lang=en", "body.page-banks")
	require.Equal(t, "Choose your bank", b.text("h1"))
	e2e.Screenshot(t, b.ctx, "banks-en")
	b.open(sh.client.FunnelURL(s.Token)+"?lang=es", "body.page-banks")

	b.open(lg.url+"/session/no-such-session", "body.page-error")
	require.Equal(t, "Pago no encontrado", b.text("h1"))
	b.fitsThePhone()
	e2e.Screenshot(t, b.ctx, "404")

	s = sh.start(t, "OC-expired", clientetpay.SessionRequest{})
	p, err := lg.g.Payments.GetByRef(context.Background(), s.Token)
	require.NoError(t, err)
	_, err = lg.g.Payments.Transition(context.Background(), p.ID, payment.StatusExpired, "expired", payment.ActorSweeper)
	require.NoError(t, err)
	b.open(sh.client.FunnelURL(s.Token), "body.page-error")
	require.Equal(t, "Pago expirado", b.text("h1"))
	b.fitsThePhone()
	e2e.Screenshot(t, b.ctx, "410")
	sh.expect(t, "OC-expired", "", "error", "expired")

	b.open(lg.url+"/terms", "body.page-terms")
	e2e.Screenshot(t, b.ctx, "terms")
	b.noCSPViolations()
}
