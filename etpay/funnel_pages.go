package etpay

import (
	"embed"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/pasarela/pasarela/checkout"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/rail/sandbox"
)

// pageFiles are the funnel's pages, rendered inside checkout's layout.
//
//go:embed pages/*.html
var pageFiles embed.FS

// newPages builds the funnel's renderer; checkout checks every literal
// message key and asset of the pages here, at start-up.
func newPages(csrfKey []byte, log *slog.Logger, sandbox, secureCookies bool) (*checkout.Renderer, error) {
	sub, err := fs.Sub(pageFiles, "pages")
	if err != nil {
		return nil, err
	}
	return checkout.New(checkout.Options{
		CSRFKey: csrfKey, Logger: log, Messages: messages, Pages: sub,
		Sandbox: sandbox, SecureCookies: secureCookies,
	})
}

// stepPage is what every step of the funnel shows around its own form:
// the order (merchant, amount, reference), the metadata the merchant asked
// to show, the terms link and a way out.
type stepPage struct {
	checkout.Order
	CancelAction string
	// Metadata holds only the entries sent with show: true.
	Metadata []payment.Metadata
	TermsURL string
}

// step fills the stepPage of s. FormTargets lists the merchant's completed
// and cancellation origins: the cancel form (on every step), the login
// (a lock fails the session) and the approval answer with a 303 straight
// to them, and Chromium checks that redirect against the CSP form-action.
func (a *API) step(s session) stepPage {
	o := checkout.Order{
		Amount: s.p.Amount.Amount, Binding: s.p.Ref, Currency: s.p.Amount.Currency,
		Description: s.p.Description, Merchant: s.merchant.Name, Reference: s.p.OrderID,
	}
	for _, u := range []string{s.successURL(), s.cancelURL()} {
		if isWebURL(u) {
			o.FormTargets = append(o.FormTargets, u)
		}
	}
	sp := stepPage{Order: o, CancelAction: a.sessionPath(s.p.Ref) + actionCancel, TermsURL: a.d.TermsURL}
	for _, m := range s.p.Metadata {
		if m.Show {
			sp.Metadata = append(sp.Metadata, m)
		}
	}
	return sp
}

// banksPage is the data of banks.html.
type banksPage struct {
	stepPage
	Action string
	Banks  []Bank
	// Error is the message key of a refused choice, or "".
	Error string
}

func (a *API) renderBanks(w http.ResponseWriter, r *http.Request, s session, status int, errKey string) {
	a.pages.Render(w, r, status, "banks", banksPage{
		stepPage: a.step(s), Action: a.sessionPath(s.p.Ref) + actionBank,
		Banks: BanksFor(s.p.Country, a.d.Sandbox), Error: errKey,
	})
}

// loginForm is what the payer typed into the login, shown back after an
// error. There is no password field on purpose: a password is never put
// back into a page.
type loginForm struct {
	AttemptsLeft int
	// Errors maps a field ("rut", "password") to a message key.
	Errors map[string]string
	RUT    string
}

// loginPage is the data of login.html.
type loginPage struct {
	stepPage
	loginForm
	Action string
	Bank   string
	// ChangeBankURL offers the bank choice again; "" when the merchant
	// preloaded the bank.
	ChangeBankURL string
	Chilean       bool
	RUTLocked     bool
	// Passwords is the sandbox password table; nil outside sandbox mode.
	Passwords []sandboxPassword
}

// MaxAttempts is the lockout limit the sandbox table states.
func (loginPage) MaxAttempts() int { return MaxLoginAttempts }

// sandboxPassword is one row of the sandbox bank's password table, shown
// on the login page itself so a tester needs no other documentation.
type sandboxPassword struct{ Password, OutcomeKey string }

var sandboxPasswords = []sandboxPassword{
	{sandbox.PasswordApprove, "etpay.sandbox.approve"},
	{sandbox.PasswordReject, "etpay.sandbox.reject"},
	{sandbox.PasswordNoFunds, "etpay.sandbox.nofunds"},
	{sandbox.PasswordPending, "etpay.sandbox.pending"},
}

func (a *API) renderLogin(w http.ResponseWriter, r *http.Request, s session, status int, f loginForm) {
	if a.d.Bank == nil {
		// A production gateway without a bank connection: say so cleanly.
		a.d.Log.ErrorContext(r.Context(), "etpay: funnel: no bank rail configured", "payment", s.p.ID)
		a.pages.Error(w, r, http.StatusServiceUnavailable)
		return
	}
	page := loginPage{
		stepPage: a.step(s), loginForm: f, Action: a.sessionPath(s.p.Ref) + actionLogin,
		Bank: s.bank.Name, Chilean: s.chilean(), RUTLocked: s.rutLocked(),
	}
	if !s.preloaded() {
		page.ChangeBankURL = a.sessionPath(s.p.Ref) + "?change=bank"
	}
	if page.RUT == "" || page.RUTLocked {
		page.RUT = displayRUT(s.p.Payer.DocumentID)
	}
	if a.d.Sandbox {
		page.Passwords = sandboxPasswords
	}
	a.pages.Render(w, r, status, "login", page)
}

// reviewPage is the data of review.html: the transfer the payer approves.
type reviewPage struct {
	stepPage
	Action string
	Bank   string
	RUT    string
}

func (a *API) renderReview(w http.ResponseWriter, r *http.Request, s session) {
	a.pages.Render(w, r, http.StatusOK, "review", reviewPage{
		stepPage: a.step(s), Action: a.sessionPath(s.p.Ref) + actionApprove,
		Bank: s.bank.Name, RUT: displayRUT(s.p.Payer.DocumentID),
	})
}

// outcomePage is the data of outcome.html, the session's last page.
type outcomePage struct {
	checkout.Order
	Bank string
	// Kind is approved, rejected, insufficient_funds, too_many_attempts,
	// cancelled, expired or pending; it picks the texts and the icon.
	Kind         string
	PaymentToken string
	// RefreshURL reloads a pending session's page to see the bank's answer.
	RefreshURL string
	// ReturnURL is the merchant's URL with ?jwt=; "" when there is none.
	ReturnURL string
}

// TitleKey is the message key of the heading.
func (o outcomePage) TitleKey() string { return "etpay.outcome." + o.Kind + ".title" }

// BodyKey is the message key of the explanation.
func (o outcomePage) BodyKey() string { return "etpay.outcome." + o.Kind + ".body" }

// Icon names the status icon asset.
func (o outcomePage) Icon() string {
	switch o.Kind {
	case outcomeApproved:
		return "success.svg"
	case outcomePending:
		return "pending.svg"
	default:
		return "failure.svg"
	}
}

// Kinds of outcome the result page tells apart.
const (
	outcomeApproved        = "approved"
	outcomeCancelled       = "cancelled"
	outcomeExpired         = "expired"
	outcomeNoFunds         = "insufficient_funds"
	outcomePending         = "pending"
	outcomeRejected        = "rejected"
	outcomeTooManyAttempts = "too_many_attempts"
)

// outcomeOf is what the payer is told about p.
func outcomeOf(p payment.Payment) string {
	switch p.Status {
	case payment.StatusCompleted, payment.StatusRefunded:
		return outcomeApproved
	case payment.StatusCanceled:
		return outcomeCancelled
	case payment.StatusExpired:
		return outcomeExpired
	case payment.StatusFailed:
		switch p.StatusDetail {
		case DetailInsufficientFunds:
			return outcomeNoFunds
		case DetailTooManyAttempts:
			return outcomeTooManyAttempts
		}
		return outcomeRejected
	}
	return outcomePending
}

func (a *API) renderOutcome(w http.ResponseWriter, r *http.Request, s session) {
	o := a.step(s).Order
	o.FormTargets = nil // no form here: the return link is a plain GET
	page := outcomePage{
		Order: o, Bank: s.bank.Name, Kind: outcomeOf(s.p), PaymentToken: s.p.AttemptRef,
		ReturnURL: a.returnURL(r, s),
	}
	if page.Kind == outcomePending {
		page.RefreshURL = a.sessionPath(s.p.Ref)
	}
	a.pages.Render(w, r, http.StatusOK, "outcome", page)
}

// termsPage is the data of terms.html; it has no order around it.
type termsPage struct{}

// terms serves GET {Prefix}/terms, what terms_url points to by default.
func (a *API) terms(w http.ResponseWriter, r *http.Request) {
	a.pages.Render(w, r, http.StatusOK, "terms", termsPage{})
}

// displayRUT is a stored RUT as Chileans read it ("11.111.111-1"), or the
// value unchanged when it is not a RUT.
func displayRUT(s string) string {
	if r, err := ParseRUT(s); err == nil {
		return r.Dotted()
	}
	return s
}
