package etpay

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/checkout"
	"github.com/pasarela/pasarela/payment"
)

// TestFunnelPagesRenderInEveryLanguage renders each funnel page in each
// language with every variant that picks its strings at run time, which
// checkout's start-up check of literal keys cannot cover.
func TestFunnelPagesRenderInEveryLanguage(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	rd, err := newPages([]byte("render-test-csrf-key-0123456789abcdef"), slog.New(slog.NewTextHandler(&log, nil)), true, false)
	require.NoError(t, err)
	require.Equal(t, []string{"banks", "error", "login", "outcome", "result", "review", "terms"}, rd.Pages())

	step := stepPage{
		Order: checkout.Order{Amount: 50000, Binding: "tok", Currency: "CLP", Merchant: "Tienda", Reference: "OC-1",
			FormTargets: []string{"https://shop.example/ok"}},
		CancelAction: "/session/tok/cancel", TermsURL: "https://gw.example/terms",
		Metadata: []payment.Metadata{{Name: "Cuenta", Value: "30.215", Show: true}},
	}
	mxStep := step
	mxStep.Currency = "MXN"
	pages := map[string][]any{
		"banks": {
			banksPage{stepPage: step, Action: "/b", Banks: ChileanBanks(true)},
			banksPage{stepPage: step, Action: "/b", Banks: BanksFor(CountryMX, false), Error: "etpay.banks.error"},
		},
		"login": {
			loginPage{stepPage: step, Action: "/l", Bank: "Bci", Chilean: true, Passwords: sandboxPasswords, ChangeBankURL: "?change=bank"},
			loginPage{stepPage: step, Action: "/l", Bank: "Bci", Chilean: true, RUTLocked: true, loginForm: loginForm{RUT: "11.111.111-1"}},
			loginPage{stepPage: step, Action: "/l", Bank: "Bci", Chilean: true, loginForm: loginForm{
				AttemptsLeft: 2, Errors: map[string]string{"password": "etpay.login.error.wrong"}, RUT: "11.111.111-1"}},
			loginPage{stepPage: step, Action: "/l", Bank: "Bci", Chilean: true, loginForm: loginForm{
				Errors: map[string]string{"rut": "etpay.login.error.rut", "password": "etpay.login.error.password"}}},
			loginPage{stepPage: mxStep, Action: "/l", Bank: "Banorte", loginForm: loginForm{
				Errors: map[string]string{"rut": "etpay.login.error.user"}}},
		},
		"review": {reviewPage{stepPage: step, Action: "/a", Bank: "Bci", RUT: "11.111.111-1"}},
		"terms":  {termsPage{}},
	}
	for _, kind := range []string{outcomeApproved, outcomeCancelled, outcomeExpired, outcomeNoFunds, outcomePending, outcomeRejected, outcomeTooManyAttempts} {
		pages["outcome"] = append(pages["outcome"],
			outcomePage{Order: step.Order, Kind: kind, PaymentToken: "pt", ReturnURL: "https://shop.example/ok?jwt=x"},
			outcomePage{Order: step.Order, Kind: kind, PaymentToken: "pt", RefreshURL: "/session/tok"},
			outcomePage{Order: step.Order, Kind: kind, Bank: "Bci", PaymentToken: "pt"})
	}
	for _, l := range checkout.Languages() {
		for name, variants := range pages {
			for i, data := range variants {
				w := httptest.NewRecorder()
				r := httptest.NewRequest(http.MethodGet, "/p?lang="+string(l), nil)
				rd.Render(w, r, http.StatusOK, name, data)
				require.Equal(t, http.StatusOK, w.Code, "%s %s #%d: %s", l, name, i, log.String())
				body := w.Body.String()
				require.NotContains(t, body, "%!", "%s %s #%d: a fmt verb went wrong", l, name, i)
				require.NotContains(t, body, "etpay.", "%s %s #%d: a raw message key", l, name, i)
				require.NotContains(t, body, "style=", "the CSP forbids inline styles")
			}
		}
	}
}

// TestOutcomeOf maps every final state to what the payer reads.
func TestOutcomeOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status payment.Status
		detail string
		want   string
	}{
		{payment.StatusCompleted, "", outcomeApproved},
		{payment.StatusRefunded, "", outcomeApproved},
		{payment.StatusFailed, "rejected", outcomeRejected},
		{payment.StatusFailed, "", outcomeRejected},
		{payment.StatusFailed, "insufficient_funds", outcomeNoFunds},
		{payment.StatusFailed, DetailTooManyAttempts, outcomeTooManyAttempts},
		{payment.StatusCanceled, "cancelled", outcomeCancelled},
		{payment.StatusExpired, "expired", outcomeExpired},
		{payment.StatusPending, DetailBankConfirmationPending, outcomePending},
	} {
		require.Equal(t, tc.want, outcomeOf(payment.Payment{Status: tc.status, StatusDetail: tc.detail}), "%s %s", tc.status, tc.detail)
	}
	require.True(t, strings.HasPrefix(outcomePage{Kind: outcomeApproved}.Icon(), "success"))
	require.True(t, strings.HasPrefix(outcomePage{Kind: outcomePending}.Icon(), "pending"))
	require.True(t, strings.HasPrefix(outcomePage{Kind: outcomeRejected}.Icon(), "failure"))
}
