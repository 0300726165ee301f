package etpay

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/rail"
)

// Login lockout. After MaxLoginAttempts wrong passwords the session fails
// with detail DetailTooManyAttempts, as a bank locks a login: guessing
// stops there and the payer starts a new payment at the merchant. The
// result JWT reports it as payment_status "error", status_detail
// "rejected" (the wire's documented details; see PaymentStatusOf).
//
// The count lives in the payment's Extra (ExtraLoginAttempts), so every
// node sees the same one; the password is never stored anywhere.
const (
	MaxLoginAttempts = 3
	// ExtraLoginAttempts counts the wrong passwords of a session.
	ExtraLoginAttempts = "etpay.bank_login_attempts"
)

// Payment details the funnel records (StatusDetail). The JWT maps them to
// the wire's own: too_many_attempts is "rejected", a confirmation still
// pending has no JWT at all.
const (
	// DetailTooManyAttempts: the session failed after MaxLoginAttempts wrong
	// passwords.
	DetailTooManyAttempts = "too_many_attempts"
	// DetailBankConfirmationPending: the bank accepted the transfer and
	// confirms it later; see ConfirmPendingBankTransfers.
	DetailBankConfirmationPending = "bank_confirmation_pending"
)

// maxUserID bounds the customer id of the Mexican variant's login.
const maxUserID = 32

// chooseBank serves POST {Prefix}/session/{token}/bank. A bank the
// merchant preloaded cannot be changed: the payer is sent back to its
// login.
func (a *API) chooseBank(w http.ResponseWriter, r *http.Request) {
	s, ok := a.startPost(w, r)
	if !ok {
		return
	}
	if s.preloaded() {
		a.toSession(w, r, s)
		return
	}
	b, found := LookupBank(r.PostFormValue("bank"))
	if !found || !b.Allowed(a.d.Sandbox) || b.Country != s.p.Country {
		a.renderBanks(w, r, s, http.StatusUnprocessableEntity, "etpay.banks.error")
		return
	}
	if _, err := a.d.Payments.UpdateDetails(r.Context(), s.p.ID, payment.Details{Method: b.Code}, payment.ActorPayer); err != nil {
		a.changeFailed(w, r, s, err)
		return
	}
	a.clearAuthorization(w, r, s) // a login at the previous bank is no login here
	a.toSession(w, r, s)
}

// login serves POST {Prefix}/session/{token}/login.
//
// Each attempt is counted before the bank sees the password, by a
// compare-and-set on the payment (UpdateDetails): of concurrent guesses
// only one gets to count and ask the bank, so none slip past the limit.
// A successful login takes its count back and records the RUT, which the
// result JWT carries as user_rut.
func (a *API) login(w http.ResponseWriter, r *http.Request) {
	s, ok := a.startPost(w, r)
	if !ok {
		return
	}
	if s.p.Method == "" || a.d.Bank == nil {
		a.toSession(w, r, s)
		return
	}
	ctx := r.Context()
	attempts := loginAttempts(s.p)
	if attempts >= MaxLoginAttempts { // the lock did not land last time
		a.lock(w, r, s)
		return
	}
	id, f := a.readLogin(r, s)
	password := r.PostFormValue("password")
	if password == "" {
		f.Errors["password"] = "etpay.login.error.password"
	}
	if len(f.Errors) > 0 {
		a.renderLogin(w, r, s, http.StatusUnprocessableEntity, f)
		return
	}
	attempts++
	p, err := a.d.Payments.UpdateDetails(ctx, s.p.ID, payment.Details{
		Extra: map[string]string{ExtraLoginAttempts: strconv.Itoa(attempts)},
	}, payment.ActorPayer)
	if err != nil {
		a.changeFailed(w, r, s, err)
		return
	}
	s.p = p
	auth, err := a.d.Bank.Login(ctx, s.bank.Code, id, password, s.p.ID)
	switch {
	case errors.Is(err, rail.ErrWrongPassword) && attempts >= MaxLoginAttempts:
		a.lock(w, r, s)
	case errors.Is(err, rail.ErrWrongPassword):
		f.Errors["password"] = "etpay.login.error.wrong"
		f.AttemptsLeft = MaxLoginAttempts - attempts
		a.renderLogin(w, r, s, http.StatusUnprocessableEntity, f)
	case err != nil:
		a.d.Log.ErrorContext(ctx, "etpay: funnel: bank login failed", "payment", s.p.ID, "bank", s.bank.Code, "err", err)
		a.pages.Error(w, r, http.StatusServiceUnavailable)
	default:
		d := payment.Details{Extra: map[string]string{ExtraLoginAttempts: strconv.Itoa(attempts - 1)}}
		if s.chilean() {
			payer := s.p.Payer
			payer.DocumentID = id
			d.Payer = &payer
		}
		if _, err := a.d.Payments.UpdateDetails(ctx, s.p.ID, d, payment.ActorPayer); err != nil {
			a.changeFailed(w, r, s, err)
			return
		}
		if err := a.setAuthorization(w, r, s, auth); err != nil {
			a.d.Log.ErrorContext(ctx, "etpay: funnel: sealing the bank authorization", "payment", s.p.ID, "err", err)
			a.pages.Error(w, r, http.StatusInternalServerError)
			return
		}
		a.toSession(w, r, s)
	}
}

// readLogin reads and checks the login's id field: a RUT with a valid
// check digit (canonical form returned), the merchant's RUT when it is
// locked whatever the form says, or the Mexican variant's customer id.
// Field errors go in the returned form, which is what the page shows back.
func (a *API) readLogin(r *http.Request, s session) (string, loginForm) {
	f := loginForm{Errors: map[string]string{}, RUT: strings.TrimSpace(r.PostFormValue("rut"))}
	switch {
	case s.rutLocked():
		return s.p.Payer.DocumentID, f
	case s.chilean():
		rut, err := ParseRUT(f.RUT)
		if err != nil {
			f.Errors["rut"] = "etpay.login.error.rut"
			if utf8.RuneCountInString(f.RUT) > 16 || !printable(f.RUT) {
				f.RUT = "" // do not echo junk
			}
			return "", f
		}
		f.RUT = rut.Dotted()
		return rut.String(), f
	default:
		if f.RUT == "" || utf8.RuneCountInString(f.RUT) > maxUserID || strings.ContainsFunc(f.RUT, unicode.IsControl) {
			f.Errors["rut"] = "etpay.login.error.user"
			f.RUT = ""
			return "", f
		}
		return f.RUT, f
	}
}

// lock fails the session after too many wrong passwords.
func (a *API) lock(w http.ResponseWriter, r *http.Request, s session) {
	p, err := a.d.Payments.Transition(r.Context(), s.p.ID, payment.StatusFailed, DetailTooManyAttempts, payment.ActorRail)
	if err != nil {
		a.changeFailed(w, r, s, err)
		return
	}
	a.clearAuthorization(w, r, s)
	a.finish(w, r, s, p)
}

// approve serves POST {Prefix}/session/{token}/approve: the bank executes
// the transfer the login authorized, and the session goes created →
// pending → completed | failed (rejected, insufficient_funds). A transfer
// the bank confirms later stays pending with DetailBankConfirmationPending
// (recorded in the move to pending itself).
//
// The bank is asked before the session is claimed: a pending outcome must
// be recorded with its detail, and the bank executes one transfer per
// authorization and payment, so a double click cannot pay twice (the
// second click loses the compare-and-set and lands on the result).
func (a *API) approve(w http.ResponseWriter, r *http.Request) {
	s, ok := a.startPost(w, r)
	if !ok {
		return
	}
	auth, ok := a.authorization(r, s)
	a.clearAuthorization(w, r, s) // one approval per login
	if !ok || a.d.Bank == nil {
		a.toSession(w, r, s) // log in (again)
		return
	}
	ctx := r.Context()
	out, err := a.d.Bank.Approve(ctx, auth, s.p.ID, s.p.Amount)
	if err != nil {
		a.d.Log.WarnContext(ctx, "etpay: funnel: the bank refused the authorization", "payment", s.p.ID, "err", err)
		a.toSession(w, r, s)
		return
	}
	// The bank has answered: its outcome is recorded even if the payer has
	// gone, and a failure to record it is an error to reconcile.
	rec := context.WithoutCancel(ctx)
	if out.Status == payment.StatusPending {
		p, err := a.d.Payments.Transition(rec, s.p.ID, payment.StatusPending, DetailBankConfirmationPending, payment.ActorRail)
		if err != nil {
			a.d.Log.ErrorContext(rec, "etpay: funnel: bank outcome not recorded", "payment", s.p.ID, "status", out.Status, "err", err)
			a.changeFailed(w, r, s, err)
			return
		}
		a.finish(w, r, s, p)
		return
	}
	p, err := a.d.Payments.Transition(rec, s.p.ID, payment.StatusPending, "", payment.ActorPayer)
	if err == nil {
		p, err = a.d.Payments.Transition(rec, s.p.ID, out.Status, out.Detail, payment.ActorRail)
	}
	if err != nil {
		a.d.Log.ErrorContext(rec, "etpay: funnel: bank outcome not recorded", "payment", s.p.ID, "status", out.Status, "err", err)
		a.changeFailed(w, r, s, err)
		return
	}
	a.finish(w, r, s, p)
}

// cancel serves POST {Prefix}/session/{token}/cancel: the payer gives up
// before approving; the merchant's cancellation URL gets the result.
func (a *API) cancel(w http.ResponseWriter, r *http.Request) {
	s, ok := a.startPost(w, r)
	if !ok {
		return
	}
	p, err := a.d.Payments.Transition(r.Context(), s.p.ID, payment.StatusCanceled, DetailCancelled, payment.ActorPayer)
	if err != nil {
		a.changeFailed(w, r, s, err)
		return
	}
	a.clearAuthorization(w, r, s)
	a.finish(w, r, s, p)
}

// loginAttempts is the session's count of wrong passwords.
func loginAttempts(p payment.Payment) int {
	n, err := strconv.Atoi(p.Extra[ExtraLoginAttempts])
	if err != nil || n < 0 {
		return 0
	}
	return n
}
