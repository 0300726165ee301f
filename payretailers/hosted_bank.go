package payretailers

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pasarela/pasarela/checkout"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/rail"
	"github.com/pasarela/pasarela/rail/sandbox"
)

// The bank redirect methods (FamilyBank) show a simulated bank: the payer
// logs in with a document number and a password, then approves or
// cancels the transfer. In sandbox the password decides the outcome
// (rail/sandbox: approve, reject, nofunds, pending), and the page lists
// them.
//
// Between login and approval the bank's authorization rides in a cookie
// scoped to this payment's path (HttpOnly, SameSite=Strict, short-lived):
// it is the bank's opaque, signed answer, bound to the payment, and keeping
// it in the payer's browser means a second browser with the same link has
// to log in too. The password itself is never kept anywhere.

const (
	// bankSessionCookie holds the base64url bank authorization.
	bankSessionCookie = "pasarela_bank"
	// bankSessionTTL is how long the payer has to approve after logging in.
	bankSessionTTL = 10 * time.Minute
	// maxBankLoginAttempts: after this many wrong passwords the payment
	// fails with detailTooManyAttempts, as a bank locks a session.
	maxBankLoginAttempts = 5
	// extraBankAttempts counts login attempts not yet followed by a
	// successful one (Extra, so every node sees the same count).
	extraBankAttempts = "bank_login_attempts"

	detailTooManyAttempts = "too_many_attempts"
	// detailBankConfirmationPending marks a payment the bank accepted but
	// confirms later; ConfirmPendingBankTransfers completes it in sandbox.
	detailBankConfirmationPending = "bank_confirmation_pending"

	maxDocument = 32
)

// bankLoginPage is the data of hosted_bank_login.html.
type bankLoginPage struct {
	checkout.Order
	Action, CancelAction string
	// AttemptsLeft is shown after a wrong password.
	AttemptsLeft int
	Bank         string
	Document     string
	Errors       map[string]string
	// Passwords are the sandbox's documented passwords; nil outside it.
	Passwords []sandboxPassword
}

// sandboxPassword is one row of the sandbox password table.
type sandboxPassword struct{ Password, OutcomeKey string }

var sandboxPasswords = []sandboxPassword{
	{sandbox.PasswordApprove, "payretailers.sandbox.bank.approve"},
	{sandbox.PasswordReject, "payretailers.sandbox.bank.reject"},
	{sandbox.PasswordNoFunds, "payretailers.sandbox.bank.nofunds"},
	{sandbox.PasswordPending, "payretailers.sandbox.bank.pending"},
}

// bankApprovePage is the data of hosted_bank_approve.html.
type bankApprovePage struct {
	checkout.Order
	Action, CancelAction string
	Bank                 string
}

// showBank shows the approval to a payer who logged in, else the login.
func (a *API) showBank(w http.ResponseWriter, r *http.Request, h hosted) {
	if _, ok := a.bankSession(r, h); ok {
		a.pages.Render(w, r, http.StatusOK, "hosted_bank_approve", bankApprovePage{
			Order: a.order(h), Action: a.pagePath(h.p.Ref) + actionBankApprove,
			CancelAction: a.pagePath(h.p.Ref) + actionCancel, Bank: h.method.Name,
		})
		return
	}
	a.renderBankLogin(w, r, h, http.StatusOK, bankLoginPage{Document: h.p.Payer.DocumentID})
}

func (a *API) renderBankLogin(w http.ResponseWriter, r *http.Request, h hosted, status int, page bankLoginPage) {
	page.Order = a.order(h)
	page.Action = a.pagePath(h.p.Ref) + actionBankLogin
	page.CancelAction = a.pagePath(h.p.Ref) + actionCancel
	page.Bank = h.method.Name
	if a.sandbox {
		page.Passwords = sandboxPasswords
	}
	a.pages.Render(w, r, status, "hosted_bank_login", page)
}

// bankLogin serves POST /pay-direct/{id}/bank/login.
//
// Each attempt is counted before the bank sees the password, by a
// compare-and-set on the payment: concurrent guesses cannot slip past the
// limit, since only one of them gets to count and ask the bank. The
// maxBankLoginAttempts-th wrong password fails the payment.
func (a *API) bankLogin(w http.ResponseWriter, r *http.Request) {
	h, ok := a.startPost(w, r, FamilyBank)
	if !ok {
		return
	}
	document := strings.TrimSpace(r.PostFormValue("document"))
	password := r.PostFormValue("password")
	page := bankLoginPage{Document: document, Errors: map[string]string{}}
	if document == "" || utf8.RuneCountInString(document) > maxDocument || hasControl(document) {
		page.Errors["document"] = "payretailers.bank.error.document"
		page.Document = ""
	}
	if password == "" {
		page.Errors["password"] = "payretailers.bank.error.password"
	}
	if len(page.Errors) > 0 {
		a.renderBankLogin(w, r, h, http.StatusUnprocessableEntity, page)
		return
	}
	ctx := r.Context()
	attempts := bankAttempts(h.p) + 1
	p, err := a.payments.UpdateDetails(ctx, h.p.ID, payment.Details{
		Extra: map[string]string{extraBankAttempts: strconv.Itoa(attempts)},
	}, payment.ActorPayer)
	if err != nil {
		a.transitionFailed(w, r, h, err)
		return
	}
	h.p = p
	auth, err := a.rails.Bank.Login(ctx, h.method.Code, document, password, h.p.ID)
	switch {
	case errors.Is(err, rail.ErrWrongPassword) && attempts >= maxBankLoginAttempts:
		p, err := a.payments.Transition(ctx, h.p.ID, payment.StatusFailed, detailTooManyAttempts, payment.ActorRail)
		if err != nil {
			a.transitionFailed(w, r, h, err)
			return
		}
		a.finish(w, r, h, p)
	case errors.Is(err, rail.ErrWrongPassword):
		page.Errors["password"] = "payretailers.bank.error.wrong"
		page.AttemptsLeft = maxBankLoginAttempts - attempts
		a.renderBankLogin(w, r, h, http.StatusUnprocessableEntity, page)
	case err != nil:
		a.log.ErrorContext(ctx, "payretailers: bank login failed", "payment", h.p.ID, "err", err)
		a.pages.Error(w, r, http.StatusServiceUnavailable)
	default:
		// A successful login gives the payer a fresh count; losing this
		// write only costs them attempts, so it does not stop the login.
		if _, err := a.payments.UpdateDetails(ctx, h.p.ID, payment.Details{
			Extra: map[string]string{extraBankAttempts: "0"},
		}, payment.ActorPayer); err != nil {
			a.log.WarnContext(ctx, "payretailers: resetting bank login attempts", "payment", h.p.ID, "err", err)
		}
		a.setBankSession(w, r, h, auth)
		http.Redirect(w, r, a.pagePath(h.p.Ref), http.StatusSeeOther)
	}
}

// bankApprove serves POST /pay-direct/{id}/bank/approve: the bank executes
// the transfer the login authorized. Approved or refused, the payment goes
// created → pending → completed | failed; a transfer the bank confirms
// later stays pending with detailBankConfirmationPending.
//
// The bank is asked before the payment is claimed, unlike the card form:
// a pending outcome must be recorded with its detail in the move to
// pending itself, and the bank executes one transfer per authorization
// and payment, so a double click cannot pay twice.
func (a *API) bankApprove(w http.ResponseWriter, r *http.Request) {
	h, ok := a.startPost(w, r, FamilyBank)
	if !ok {
		return
	}
	auth, ok := a.bankSession(r, h)
	a.clearBankSession(w, r, h)
	if !ok {
		http.Redirect(w, r, a.pagePath(h.p.Ref), http.StatusSeeOther) // log in again
		return
	}
	ctx := r.Context()
	out, err := a.rails.Bank.Approve(ctx, auth, h.p.ID, h.p.Amount)
	if err != nil {
		a.log.WarnContext(ctx, "payretailers: bank refused the authorization", "payment", h.p.ID, "err", err)
		http.Redirect(w, r, a.pagePath(h.p.Ref), http.StatusSeeOther)
		return
	}
	// The bank has answered: its outcome is recorded even if the payer has
	// gone, and a failure to record it is an error to reconcile.
	rec := context.WithoutCancel(ctx)
	if out.Status == payment.StatusPending {
		p, err := a.payments.Transition(rec, h.p.ID, payment.StatusPending, detailBankConfirmationPending, payment.ActorRail)
		if err != nil {
			a.log.ErrorContext(rec, "payretailers: bank outcome not recorded", "payment", h.p.ID, "status", out.Status, "err", err)
			a.transitionFailed(w, r, h, err)
			return
		}
		a.finish(w, r, h, p)
		return
	}
	p, err := a.payments.Transition(rec, h.p.ID, payment.StatusPending, "", payment.ActorPayer)
	if err == nil {
		p, err = a.payments.Transition(rec, h.p.ID, out.Status, out.Detail, payment.ActorRail)
	}
	if err != nil {
		a.log.ErrorContext(rec, "payretailers: bank outcome not recorded", "payment", h.p.ID, "status", out.Status, "err", err)
		a.transitionFailed(w, r, h, err)
		return
	}
	a.finish(w, r, h, p)
}

func bankAttempts(p payment.Payment) int {
	n, err := strconv.Atoi(p.Extra[extraBankAttempts])
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// bankSession returns the bank authorization this browser holds for h.
func (a *API) bankSession(r *http.Request, h hosted) (string, bool) {
	for _, c := range r.CookiesNamed(bankSessionCookie) {
		if raw, err := base64.RawURLEncoding.DecodeString(c.Value); err == nil && len(raw) > 0 && len(raw) <= 1024 {
			return string(raw), true
		}
	}
	return "", false
}

func (a *API) setBankSession(w http.ResponseWriter, r *http.Request, h hosted, auth string) {
	http.SetCookie(w, a.bankCookie(r, h, base64.RawURLEncoding.EncodeToString([]byte(auth)), int(bankSessionTTL/time.Second)))
}

func (a *API) clearBankSession(w http.ResponseWriter, r *http.Request, h hosted) {
	if _, ok := a.bankSession(r, h); ok {
		http.SetCookie(w, a.bankCookie(r, h, "", -1))
	}
}

// bankCookie is scoped to the payment's own path, so it never reaches
// another payment's pages and several payments in one browser keep their
// own bank sessions.
func (a *API) bankCookie(r *http.Request, h hosted, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: bankSessionCookie, Value: value, Path: a.pagePath(h.p.Ref), MaxAge: maxAge,
		HttpOnly: true, Secure: a.secureCookies || r.TLS != nil, SameSite: http.SameSiteStrictMode,
	}
}
