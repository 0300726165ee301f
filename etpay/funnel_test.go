package etpay_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	clientetpay "github.com/pasarela/pasarela/client/etpay"
	"github.com/pasarela/pasarela/etpay"
	"github.com/pasarela/pasarela/payment"
)

// TestFunnelSteps runs the handler tests that leave the clock alone in
// parallel on one gateway and database, as payers share a real one.
func TestFunnelSteps(t *testing.T) {
	t.Parallel()
	b := setupFunnel(t, "")
	for name, test := range map[string]func(*testing.T, *funnelBundle){
		"ApproveWalkthrough":           testApproveWalkthrough,
		"Outcomes":                     testOutcomes,
		"CSRF":                         testCSRF,
		"BadInput":                     testBadInput,
		"Lockout":                      testLockout,
		"SuccessfulLoginKeepsTheCount": testSuccessfulLoginKeepsTheCount,
		"FinalSessionIgnoresPosts":     testFinalSessionIgnoresPosts,
		"PreloadedBankAndLockedRUT":    testPreloadedBankAndLockedRUT,
		"Languages":                    testLanguages,
		"DoubleApprove":                testDoubleApprove,
		"MexicanSession":               testMexicanSession,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, b)
		})
	}
}

// verifyRedirect checks a 303 to prefix (the merchant URL up to and
// including "jwt=") followed by a result JWT that verifies with the
// session's signature token, and returns the result.
func verifyRedirect(t *testing.T, pg page, prefix string, s clientetpay.Session) clientetpay.Result {
	t.Helper()
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	require.True(t, strings.HasPrefix(pg.location, prefix), pg.location)
	res, err := clientetpay.VerifyResult(strings.TrimPrefix(pg.location, prefix), s.SignatureToken)
	require.NoError(t, err)
	require.Equal(t, s.Token, res.SessionToken)
	return res
}

func testApproveWalkthrough(t *testing.T, b *funnelBundle) {
	s := b.session(t, clientetpay.SessionRequest{Metadata: []clientetpay.Metadata{
		{Name: "Cuenta Servicio Gas", Value: "30.215", Show: true},
		{Name: "Interno", Value: "secreto-del-comercio", Show: false},
	}})
	p := b.payer(t)

	pg := p.get(b.path(s.Token, ""))
	require.Equal(t, http.StatusOK, pg.status)
	require.Contains(t, pg.body, "Elige tu banco", "Spanish by default")
	require.Contains(t, pg.body, "Tienda Ñandú")
	require.Contains(t, pg.body, `<p class="amount">$50.000</p>`)
	require.Contains(t, pg.body, "<dt>Cuenta Servicio Gas</dt><dd>30.215</dd>")
	require.NotContains(t, pg.body, "secreto-del-comercio", "show: false metadata stays hidden")
	require.Contains(t, pg.body, `href="`+b.srv.URL+`/terms"`)
	require.Contains(t, pg.body, `value="cl_test"`, "the test bank is offered in sandbox")
	require.NotContains(t, pg.body, `value="mx_bbva"`, "only the session's country's banks")
	csp := pg.header.Get("Content-Security-Policy")
	require.Contains(t, csp, "default-src 'none'")
	require.Contains(t, csp, "form-action 'self' https://shop.example", "the cancel form ends at the merchant")
	require.Equal(t, "DENY", pg.header.Get("X-Frame-Options"))
	require.NotContains(t, pg.body, "<script")

	pg = p.submit(b, s.Token, "/bank", "bank", "CL_BCH")
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	require.Equal(t, b.path(s.Token, ""), pg.location)
	require.Equal(t, "cl_bch", b.payment(t, s.Token).Method)

	pg = p.get(b.path(s.Token, ""))
	require.Contains(t, pg.body, "Ingresa a Banco de Chile / Edwards")
	require.Contains(t, pg.body, "<kbd>nofunds</kbd>", "the sandbox password table is on the login page")
	require.Contains(t, pg.body, `type="password"`)

	pg = p.submit(b, s.Token, "/login", "rut", "11.111.111-1", "password", "approve")
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	pg = p.get(b.path(s.Token, ""))
	require.Contains(t, pg.body, "Confirma la transferencia")
	require.Contains(t, pg.body, "Aprobar transferencia de $50.000")
	require.Contains(t, pg.body, "<dd>11.111.111-1</dd>")

	pg = p.submit(b, s.Token, "/approve")
	res := verifyRedirect(t, pg, shopOK+"?jwt=", s)
	require.Equal(t, "success", res.PaymentStatus)
	require.Equal(t, "11111111-1", res.UserRUT, "the RUT typed at login is the JWT's user_rut")
	require.Equal(t, "cl_bch", res.UserBankCode)
	require.Equal(t, int64(50000), res.OrderAmount)

	pm := b.payment(t, s.Token)
	require.Equal(t, payment.StatusCompleted, pm.Status)
	events, err := b.payments.Events(context.Background(), pm.ID)
	require.NoError(t, err)
	var moves []string
	for _, e := range events {
		if e.Type == payment.EventStatusChanged {
			moves = append(moves, string(e.From)+">"+string(e.To))
		}
	}
	require.Equal(t, []string{"created>pending", "pending>completed"}, moves)

	// The page now shows the result and the way back with a fresh JWT.
	pg = p.get(b.path(s.Token, ""))
	require.Contains(t, pg.body, "Pago aprobado")
	require.Contains(t, pg.body, `href="`+shopOK+`?jwt=`)
	require.Contains(t, pg.body, pm.AttemptRef, "the payment_token is shown as the transaction code")
}

// testOutcomes walks each sandbox password to its result, with a
// concat separator and a cancellation URL of the session's own.
func testOutcomes(t *testing.T, b *funnelBundle) {
	for _, tc := range []struct {
		password, status, detail, wireDetail string
	}{
		{"reject", "failed", "rejected", "rejected"},
		{"nofunds", "failed", "insufficient_funds", "insufficient_funds"},
	} {
		s := b.session(t, clientetpay.SessionRequest{MerchantOrderID: "OC-" + tc.password, UserBankCode: "cl_test",
			PaymentCancellationURL: "https://shop.example/fail?o=1", Concat: "&"})
		p := b.payer(t)
		require.Equal(t, http.StatusSeeOther, p.submit(b, s.Token, "/login", "rut", "111111111", "password", tc.password).status)
		pg := p.submit(b, s.Token, "/approve")
		res := verifyRedirect(t, pg, "https://shop.example/fail?o=1&jwt=", s) // the concat the merchant gave
		require.Equal(t, "error", res.PaymentStatus)
		require.Equal(t, tc.wireDetail, res.StatusDetail)
		pm := b.payment(t, s.Token)
		require.Equal(t, tc.status, string(pm.Status))
		require.Equal(t, tc.detail, pm.StatusDetail)
	}

	// Cancel from the review page: the cancellation URL (merchant default).
	s := b.session(t, clientetpay.SessionRequest{MerchantOrderID: "OC-cancel", UserBankCode: "cl_bci"})
	p := b.payer(t)
	require.Equal(t, http.StatusSeeOther, p.submit(b, s.Token, "/login", "rut", "11.111.111-1", "password", "approve").status)
	res := verifyRedirect(t, p.submit(b, s.Token, "/cancel"), shopCancel+"?jwt=", s)
	require.Equal(t, "error", res.PaymentStatus)
	require.Equal(t, "cancelled", res.StatusDetail)
	require.Equal(t, payment.StatusCanceled, b.payment(t, s.Token).Status)
}

func TestFunnelPendingThenConfirmed(t *testing.T) {
	t.Parallel()
	b := setupFunnel(t, "")
	ctx := context.Background()
	s := b.session(t, clientetpay.SessionRequest{UserBankCode: "cl_santander"})
	p := b.payer(t)
	require.Equal(t, http.StatusSeeOther, p.submit(b, s.Token, "/login", "rut", "11.111.111-1", "password", "pending").status)
	pg := p.submit(b, s.Token, "/approve")
	require.Equal(t, http.StatusSeeOther, pg.status)
	require.Equal(t, b.path(s.Token, ""), pg.location, "no result to carry yet: the payer waits on the session page")
	pm := b.payment(t, s.Token)
	require.Equal(t, payment.StatusPending, pm.Status)
	require.Equal(t, etpay.DetailBankConfirmationPending, pm.StatusDetail)

	pg = p.get(b.path(s.Token, ""))
	require.Contains(t, pg.body, "Esperando confirmación del banco")
	require.NotContains(t, pg.body, "jwt=")

	n, err := b.api.ConfirmPendingBankTransfers(ctx, time.Minute)
	require.NoError(t, err)
	require.Zero(t, n, "the bank has not had its delay yet")
	b.clock.Add(2 * time.Minute)
	n, err = b.api.ConfirmPendingBankTransfers(ctx, time.Minute)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, payment.StatusCompleted, b.payment(t, s.Token).Status)
	n, err = b.api.ConfirmPendingBankTransfers(ctx, 0)
	require.NoError(t, err)
	require.Zero(t, n, "confirmed once")

	pg = p.get(b.path(s.Token, ""))
	require.Contains(t, pg.body, "Pago aprobado")
	require.Contains(t, pg.body, `href="`+shopOK+`?jwt=`)
}

func testCSRF(t *testing.T, b *funnelBundle) {
	s := b.session(t, clientetpay.SessionRequest{UserBankCode: "cl_bch"})
	other := b.session(t, clientetpay.SessionRequest{MerchantOrderID: "OC-other", UserBankCode: "cl_bch"})
	p := b.payer(t)
	token := p.get(b.path(s.Token, "")).csrf(t)
	otherToken := p.get(b.path(other.Token, "")).csrf(t)
	before := b.payment(t, s.Token)

	stranger := b.payer(t) // has no CSRF cookie
	for name, tc := range map[string]struct {
		p    *payer
		form url.Values
	}{
		"missing token":           {p, url.Values{}},
		"forged token":            {p, url.Values{"csrf_token": {strings.Repeat("A", 43)}}},
		"another session's":       {p, url.Values{"csrf_token": {otherToken}}},
		"no cookie":               {stranger, url.Values{"csrf_token": {token}}},
		"junk":                    {p, url.Values{"csrf_token": {"%%%"}}},
		"token in the query only": {p, nil},
	} {
		for _, action := range []string{"/bank", "/login", "/approve", "/cancel"} {
			form := url.Values{"bank": {"cl_bci"}, "rut": {"11.111.111-1"}, "password": {"approve"}}
			for k, v := range tc.form {
				form[k] = v
			}
			path := b.path(s.Token, action)
			if tc.form == nil {
				path += "?csrf_token=" + token
			}
			pg := tc.p.post(path, form)
			require.Equal(t, http.StatusForbidden, pg.status, "%s %s", name, action)
			require.Contains(t, pg.body, "No pudimos verificar tu solicitud", name)
		}
	}
	// A cross-site POST is stopped even with a valid token.
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+b.path(s.Token, "/cancel"), strings.NewReader(url.Values{"csrf_token": {token}}.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	require.Equal(t, http.StatusForbidden, p.do(req).status)

	after := b.payment(t, s.Token)
	require.Equal(t, before.Version, after.Version, "nothing changed")
	require.Equal(t, payment.StatusCreated, after.Status)
	require.Empty(t, after.Extra[etpay.ExtraLoginAttempts])
}

func testBadInput(t *testing.T, b *funnelBundle) {
	s := b.session(t, clientetpay.SessionRequest{})
	p := b.payer(t)
	version := b.payment(t, s.Token).Version

	for _, code := range []string{"cl_nobank", "mx_bbva", "", "<script>"} {
		pg := p.submit(b, s.Token, "/bank", "bank", code)
		require.Equal(t, http.StatusUnprocessableEntity, pg.status, code)
		require.Contains(t, pg.body, "Elige uno de los bancos de la lista.")
		require.NotContains(t, pg.body, "<script>")
	}
	// Login and approve before a bank is chosen just show the bank step.
	require.Equal(t, b.path(s.Token, ""), p.submit(b, s.Token, "/login", "rut", "11.111.111-1", "password", "approve").location)
	require.Equal(t, b.path(s.Token, ""), p.submit(b, s.Token, "/approve").location)
	require.Equal(t, version, b.payment(t, s.Token).Version, "nothing changed")

	require.Equal(t, http.StatusSeeOther, p.submit(b, s.Token, "/bank", "bank", "cl_itau").status)
	version = b.payment(t, s.Token).Version
	for _, rut := range []string{"11.111.111-2", "", "abc", "1", strings.Repeat("9", 40), "11.111.111-1\x00"} {
		pg := p.submit(b, s.Token, "/login", "rut", rut, "password", "approve")
		require.Equal(t, http.StatusUnprocessableEntity, pg.status, "%q", rut)
		require.Contains(t, pg.body, "El RUT no es válido", "%q", rut)
		require.Contains(t, pg.body, `aria-invalid="true"`)
		require.NotContains(t, pg.body, strings.Repeat("9", 40), "junk is not echoed")
	}
	pg := p.submit(b, s.Token, "/login", "rut", "11.111.111-1", "password", "")
	require.Equal(t, http.StatusUnprocessableEntity, pg.status)
	require.Contains(t, pg.body, "Ingresa tu clave.")
	require.Contains(t, pg.body, `value="11.111.111-1"`, "what the payer typed comes back")
	pm := b.payment(t, s.Token)
	require.Equal(t, version, pm.Version, "an invalid login is no attempt")
	require.Empty(t, pm.Extra[etpay.ExtraLoginAttempts])

	// Approving without having logged in sends the payer to the login.
	pg = p.submit(b, s.Token, "/approve")
	require.Equal(t, b.path(s.Token, ""), pg.location)
	require.Equal(t, payment.StatusCreated, b.payment(t, s.Token).Status)

	// A body over the limit is refused before anything is read.
	big := url.Values{"csrf_token": {p.get(b.path(s.Token, "")).csrf(t)}, "pad": {strings.Repeat("x", 20<<10)}}
	require.Equal(t, http.StatusForbidden, p.post(b.path(s.Token, "/cancel"), big).status)
	require.Equal(t, payment.StatusCreated, b.payment(t, s.Token).Status)
}

// testLockout: three wrong passwords lock the session; the
// passwords appear nowhere, not in the log, not in the database files.
func testLockout(t *testing.T, b *funnelBundle) {
	s := b.session(t, clientetpay.SessionRequest{UserBankCode: "cl_estado", PaymentWebhookURL: "https://shop.example/hook"})
	p := b.payer(t)
	wrong := []string{"Secr3t-Wr0ng-Pw-1", "Secr3t-Wr0ng-Pw-2", "Secr3t-Wr0ng-Pw-3"}

	for i, pw := range wrong[:2] {
		pg := p.submit(b, s.Token, "/login", "rut", "11.111.111-1", "password", pw)
		require.Equal(t, http.StatusUnprocessableEntity, pg.status)
		require.Contains(t, pg.body, "Clave incorrecta.")
		require.Contains(t, pg.body, "Intentos restantes antes de que el pago se bloquee: "+[]string{"2", "1"}[i])
		require.NotContains(t, pg.body, pw, "a password is never written back")
	}
	token := p.get(b.path(s.Token, "")).csrf(t)
	pg := p.post(b.path(s.Token, "/login"), url.Values{"csrf_token": {token}, "rut": {"11.111.111-1"}, "password": {wrong[2]}})
	res := verifyRedirect(t, pg, shopCancel+"?jwt=", s)
	require.Equal(t, "error", res.PaymentStatus)
	require.Equal(t, "rejected", res.StatusDetail, "the wire knows no lockout: it is a rejection")
	pm := b.payment(t, s.Token)
	require.Equal(t, payment.StatusFailed, pm.Status)
	require.Equal(t, etpay.DetailTooManyAttempts, pm.StatusDetail)
	require.Equal(t, "3", pm.Extra[etpay.ExtraLoginAttempts])

	pg = p.get(b.path(s.Token, ""))
	require.Contains(t, pg.body, "Pago bloqueado")
	// Even the right password does nothing now.
	pg = p.post(b.path(s.Token, "/login"), url.Values{"csrf_token": {token}, "rut": {"11.111.111-1"}, "password": {"approve"}})
	require.Equal(t, b.path(s.Token, ""), pg.location)
	require.Equal(t, payment.StatusFailed, b.payment(t, s.Token).Status)

	// The database file and its WAL hold everything written so far.
	for _, pw := range wrong {
		require.NotContains(t, b.log.String(), pw)
		require.Empty(t, fileContains(t, b.dir, pw), "password %s stored", pw)
	}
}

// testSuccessfulLoginKeepsTheCount: a good login does not count as
// a wrong password, so wrong, right, wrong, wrong still locks at three.
func testSuccessfulLoginKeepsTheCount(t *testing.T, b *funnelBundle) {
	s := b.session(t, clientetpay.SessionRequest{UserBankCode: "cl_estado"})
	p := b.payer(t)
	require.Equal(t, http.StatusUnprocessableEntity, p.submit(b, s.Token, "/login", "rut", "11.111.111-1", "password", "Wr0ng-A").status)
	require.Equal(t, http.StatusSeeOther, p.submit(b, s.Token, "/login", "rut", "11.111.111-1", "password", "approve").status)
	require.Equal(t, "1", b.payment(t, s.Token).Extra[etpay.ExtraLoginAttempts])
}

func testFinalSessionIgnoresPosts(t *testing.T, b *funnelBundle) {
	s := b.session(t, clientetpay.SessionRequest{UserBankCode: "cl_bch"})
	p := b.payer(t)
	require.Equal(t, http.StatusSeeOther, p.submit(b, s.Token, "/login", "rut", "11.111.111-1", "password", "approve").status)
	token := p.get(b.path(s.Token, "")).csrf(t)
	res := verifyRedirect(t, p.submit(b, s.Token, "/approve"), shopOK+"?jwt=", s)
	require.Equal(t, "success", res.PaymentStatus)
	done := b.payment(t, s.Token)
	events, err := b.payments.Events(context.Background(), done.ID)
	require.NoError(t, err)

	for _, action := range []string{"/bank", "/login", "/approve", "/cancel"} {
		pg := p.post(b.path(s.Token, action), url.Values{"csrf_token": {token}, "bank": {"cl_bci"}, "rut": {"11.111.111-1"}, "password": {"reject"}})
		require.Equal(t, http.StatusSeeOther, pg.status, action)
		require.Equal(t, b.path(s.Token, ""), pg.location, "%s: the payer is shown the result", action)
	}
	after := b.payment(t, s.Token)
	require.Equal(t, done.Version, after.Version)
	require.Equal(t, payment.StatusCompleted, after.Status)
	again, err := b.payments.Events(context.Background(), done.ID)
	require.NoError(t, err)
	require.Len(t, again, len(events))
}

// TestFunnelAuthorizationIsBound: the bank authorization cookie of one
// session approves nothing in another, and a tampered one is no login.
func TestFunnelAuthorizationIsBound(t *testing.T) {
	t.Parallel()
	b := setupFunnel(t, "")
	a := b.session(t, clientetpay.SessionRequest{MerchantOrderID: "OC-A", UserBankCode: "cl_bch"})
	victim := b.session(t, clientetpay.SessionRequest{MerchantOrderID: "OC-B", UserBankCode: "cl_bch"})
	p := b.payer(t)
	pg := p.submit(b, a.Token, "/login", "rut", "11.111.111-1", "password", "approve")
	require.Equal(t, http.StatusSeeOther, pg.status)
	var auth *http.Cookie
	for _, c := range (&http.Response{Header: pg.header}).Cookies() {
		if c.Name == "pasarela_etpay_bank" {
			auth = c
		}
	}
	require.NotNil(t, auth)
	require.Equal(t, b.path(a.Token, ""), auth.Path, "scoped to its own session")
	require.True(t, auth.HttpOnly)
	require.Equal(t, http.SameSiteStrictMode, auth.SameSite)
	require.NotContains(t, auth.Value, "approve", "sealed: the outcome password is not readable")

	token := p.get(b.path(victim.Token, "")).csrf(t)
	u, err := url.Parse(b.srv.URL + b.path(victim.Token, ""))
	require.NoError(t, err)
	for name, value := range map[string]string{
		"another session's": auth.Value,
		"tampered":          auth.Value[:len(auth.Value)-4] + "AAAA",
		"junk":              "not-base64!",
	} {
		p.c.Jar.SetCookies(u, []*http.Cookie{{Name: auth.Name, Value: value, Path: b.path(victim.Token, "")}})
		pg = p.get(b.path(victim.Token, ""))
		require.Contains(t, pg.body, `type="password"`, "%s: still the login, not the review", name)
		pg = p.post(b.path(victim.Token, "/approve"), url.Values{"csrf_token": {token}})
		require.Equal(t, b.path(victim.Token, ""), pg.location, name)
		require.Equal(t, payment.StatusCreated, b.payment(t, victim.Token).Status, name)
	}

	// The real owner still approves; an expired authorization does not.
	b.clock.Add(11 * time.Minute)
	pg = p.get(b.path(a.Token, ""))
	require.Contains(t, pg.body, `type="password"`, "the authorization expired: log in again")
	require.Equal(t, b.path(a.Token, ""), p.submit(b, a.Token, "/approve").location)
	require.Equal(t, payment.StatusCreated, b.payment(t, a.Token).Status)
}

func testPreloadedBankAndLockedRUT(t *testing.T, b *funnelBundle) {
	s := b.session(t, clientetpay.SessionRequest{UserBankCode: "CL_SCOTIABANK", UserRUT: "11111111-1", IsRUTBlock: true})
	p := b.payer(t)
	pg := p.get(b.path(s.Token, ""))
	require.Equal(t, http.StatusOK, pg.status)
	require.Contains(t, pg.body, "Ingresa a Scotiabank", "the bank step is skipped")
	require.Contains(t, pg.body, `value="11.111.111-1"`)
	require.Contains(t, pg.body, "readonly")
	require.NotContains(t, pg.body, "change=bank", "a preloaded bank cannot be changed")

	// Another bank cannot be forced in, and the RUT cannot be changed by
	// editing the form: the merchant's RUT is the one that logs in.
	require.Equal(t, b.path(s.Token, ""), p.submit(b, s.Token, "/bank", "bank", "cl_bci").location)
	require.Equal(t, "cl_scotiabank", b.payment(t, s.Token).Method)
	require.Equal(t, http.StatusSeeOther, p.submit(b, s.Token, "/login", "rut", "22.222.222-2", "password", "approve").status)
	res := verifyRedirect(t, p.submit(b, s.Token, "/approve"), shopOK+"?jwt=", s)
	require.Equal(t, "11111111-1", res.UserRUT)
	require.Equal(t, "cl_scotiabank", res.UserBankCode)

	// Without the block the RUT is prefilled and editable, and the bank
	// can be changed.
	s2 := b.session(t, clientetpay.SessionRequest{MerchantOrderID: "OC-2", UserRUT: "111111111"})
	require.Equal(t, http.StatusSeeOther, p.submit(b, s2.Token, "/bank", "bank", "cl_bci").status)
	pg = p.get(b.path(s2.Token, ""))
	require.Contains(t, pg.body, `value="11.111.111-1"`)
	require.NotContains(t, pg.body, "readonly")
	require.Contains(t, pg.body, "?change=bank")
	pg = p.get(b.path(s2.Token, "?change=bank"))
	require.Contains(t, pg.body, "Elige tu banco")
}

func TestFunnelNotFoundAndExpired(t *testing.T) {
	t.Parallel()
	b := setupFunnel(t, "")
	s := b.session(t, clientetpay.SessionRequest{})
	p := b.payer(t)
	pm := b.payment(t, s.Token)

	for _, path := range []string{
		b.path("nope", ""),
		b.path(pm.AttemptRef, ""), // the payment_token does not open the funnel
		b.path(strings.Repeat("x", 500), ""),
		"/session/",
	} {
		pg := p.get(path)
		require.Equal(t, http.StatusNotFound, pg.status, path)
		require.Contains(t, pg.body, "Pago no encontrado", path)
		require.Equal(t, "text/html; charset=utf-8", pg.header.Get("Content-Type"))
		require.NotEmpty(t, pg.header.Get("Content-Security-Policy"))
	}
	pg := p.get(b.path("nope", ""), "Accept-Language", "en-US,en;q=0.9")
	require.Contains(t, pg.body, "Payment not found")

	token := p.get(b.path(s.Token, "")).csrf(t)
	b.clock.Add(31 * time.Minute)
	pg = p.get(b.path(s.Token, ""))
	require.Equal(t, http.StatusGone, pg.status)
	require.Contains(t, pg.body, "Pago expirado")
	pg = p.post(b.path(s.Token, "/bank"), url.Values{"csrf_token": {token}, "bank": {"cl_bch"}})
	require.Equal(t, http.StatusGone, pg.status)
	require.Empty(t, b.payment(t, s.Token).Method, "nothing changed")

	// Once swept, still 410.
	_, err := b.payments.Transition(context.Background(), pm.ID, payment.StatusExpired, "expired", payment.ActorSweeper)
	require.NoError(t, err)
	require.Equal(t, http.StatusGone, p.get(b.path(s.Token, "")).status)
}

func TestFunnelUnderPrefix(t *testing.T) {
	t.Parallel()
	b := setupFunnel(t, "/sandbox")
	s := b.session(t, clientetpay.SessionRequest{})
	require.Equal(t, b.srv.URL+"/sandbox/session/"+s.Token, b.client.FunnelURL(s.Token))
	p := b.payer(t)

	pg := p.get("/sandbox/session/" + s.Token)
	require.Equal(t, http.StatusOK, pg.status)
	require.Contains(t, pg.body, `action="/sandbox/session/`+s.Token+`/bank"`)
	require.Contains(t, pg.body, `action="/sandbox/session/`+s.Token+`/cancel"`)
	require.Contains(t, pg.body, `href="`+b.srv.URL+`/sandbox/terms"`)
	require.Equal(t, http.StatusNotFound, p.get("/session/"+s.Token).status, "nothing outside the prefix")

	pg = p.submit(b, s.Token, "/bank", "bank", "cl_test")
	require.Equal(t, "/sandbox/session/"+s.Token, pg.location)
	pg = p.submit(b, s.Token, "/login", "rut", "11.111.111-1", "password", "approve")
	require.Equal(t, http.StatusSeeOther, pg.status)
	require.Equal(t, "/sandbox/session/"+s.Token, pg.location)
	res := verifyRedirect(t, p.submit(b, s.Token, "/approve"), shopOK+"?jwt=", s)
	require.Equal(t, "success", res.PaymentStatus)

	// A reloaded form action goes back to the session.
	pg = p.get("/sandbox/session/" + s.Token + "/login")
	require.Equal(t, http.StatusSeeOther, pg.status)
	require.Equal(t, "/sandbox/session/"+s.Token, pg.location)

	pg = p.get("/sandbox/terms", "Accept-Language", "pt-BR")
	require.Equal(t, http.StatusOK, pg.status)
	require.Contains(t, pg.body, "Termos e condições")
	require.NotEmpty(t, pg.header.Get("Content-Security-Policy"))
}

func testLanguages(t *testing.T, b *funnelBundle) {
	s := b.session(t, clientetpay.SessionRequest{UserBankCode: "cl_bch"})
	p := b.payer(t)
	for lang, want := range map[string]string{
		"":                "Ingresa a Banco de Chile",
		"es-CL,es;q=0.9":  "Ingresa a Banco de Chile",
		"en-US,en;q=0.9":  "Log in to Banco de Chile",
		"pt-BR,pt;q=0.9":  "Entre no Banco de Chile",
		"de-DE,fr;q=0.5":  "Ingresa a Banco de Chile",
		"fr;q=0.9,en;q=1": "Log in to Banco de Chile",
	} {
		pg := p.get(b.path(s.Token, ""), "Accept-Language", lang)
		require.Contains(t, pg.body, want, lang)
	}
}

// testDoubleApprove: two approvals of one login (a double click)
// complete the payment once; the loser lands on the result.
func testDoubleApprove(t *testing.T, b *funnelBundle) {
	s := b.session(t, clientetpay.SessionRequest{UserBankCode: "cl_bch"})
	p := b.payer(t)
	require.Equal(t, http.StatusSeeOther, p.submit(b, s.Token, "/login", "rut", "11.111.111-1", "password", "approve").status)
	token := p.get(b.path(s.Token, "")).csrf(t)
	u, err := url.Parse(b.srv.URL + b.path(s.Token, ""))
	require.NoError(t, err)
	cookies := p.c.Jar.Cookies(u)

	results := make(chan page, 2)
	for range 2 {
		go func() {
			req, _ := http.NewRequest(http.MethodPost, u.String()+"/approve", strings.NewReader(url.Values{"csrf_token": {token}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for _, c := range cookies {
				req.AddCookie(c)
			}
			resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				results <- page{}
				return
			}
			resp.Body.Close()
			results <- page{status: resp.StatusCode, location: resp.Header.Get("Location")}
		}()
	}
	var toShop int
	for range 2 {
		pg := <-results
		require.Equal(t, http.StatusSeeOther, pg.status)
		if strings.HasPrefix(pg.location, shopOK) {
			toShop++
		} else {
			require.Equal(t, b.path(s.Token, ""), pg.location)
		}
	}
	require.Equal(t, 1, toShop)
	events, err := b.payments.Events(context.Background(), b.payment(t, s.Token).ID)
	require.NoError(t, err)
	completions := 0
	for _, e := range events {
		if e.To == payment.StatusCompleted {
			completions++
		}
	}
	require.Equal(t, 1, completions)
}

// testMexicanSession: the MXN variant's banks log in with a customer id,
// not a RUT, and its amounts are pesos with centavos.
func testMexicanSession(t *testing.T, b *funnelBundle) {
	s := b.session(t, clientetpay.SessionRequest{TargetFlow: "spei", OrderAmount: 500})
	p := b.payer(t)
	pg := p.get(b.path(s.Token, ""))
	require.Contains(t, pg.body, `<p class="amount">$500.00</p>`)
	require.Contains(t, pg.body, `value="mx_test"`)
	require.NotContains(t, pg.body, `value="cl_bch"`)
	require.Equal(t, http.StatusSeeOther, p.submit(b, s.Token, "/bank", "bank", "mx_banorte").status)
	pg = p.get(b.path(s.Token, ""))
	require.Contains(t, pg.body, `<label for="rut">Usuario`)
	require.NotContains(t, pg.body, "11.111.111-1\"", "no RUT placeholder")
	pg = p.submit(b, s.Token, "/login", "rut", "", "password", "approve")
	require.Equal(t, http.StatusUnprocessableEntity, pg.status)
	require.Contains(t, pg.body, "Ingresa tu usuario")
	require.Equal(t, http.StatusSeeOther, p.submit(b, s.Token, "/login", "rut", "cliente-77", "password", "approve").status)
	res := verifyRedirect(t, p.submit(b, s.Token, "/approve"), shopOK+"?jwt=", s)
	require.Equal(t, "success", res.PaymentStatus)
	require.Equal(t, "mx_banorte", res.UserBankCode)
	require.Empty(t, res.UserRUT, "a Mexican customer id is no RUT")
}
