package payretailers

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/rail"
	"github.com/pasarela/pasarela/rail/sandbox"
	"github.com/pasarela/pasarela/vault"
)

// OneClick (the seed's "OneClick" section): a merchant enrolls a payer's
// card once, on the gateway's page, then charges it by an id.
//
//	register   → pg_token, redirect_url (the enrollment page)
//	the page   → card verified with a zero amount, sealed in the vault;
//	             the payer returns to pg_return_url?pg_token=…
//	confirm    → the card's id, brand and masked number, once per token
//	create     → a payment with method "oneclick", authorized at once
//	unregister → the card is crypto-shredded
//	cards      → the payer's cards, masked
//
// A card belongs to one merchant and one payer email: the vault scopes
// every read, charge and delete by both, and a card of another merchant
// or email is answered exactly like an unknown one (NOT_FOUND).
//
// Card numbers and expiry dates exist in clear only in memory, between
// the vault and the acquirer; CVCs only between the page and the
// verification. None is ever logged, put in an error, an event or a
// notification (the vault's types redact themselves if one slips into a
// log call).

// Routes of the OneClick calls.
const (
	PathOneClickCards      = "/api/v2/oneclick/cards"
	PathOneClickConfirm    = "/api/v2/oneclick/confirm"
	PathOneClickCreate     = "/api/v2/oneclick/create"
	PathOneClickRegister   = "/api/v2/oneclick/register"
	PathOneClickUnregister = "/api/v2/oneclick/unregister"
)

// MethodOneClick is the method of a payment made with an enrolled card:
// its payment_method in oneclick/create and payment/status and its
// "method" in IPNs, as in the seed. It is not in the catalogue: nobody
// chooses it on a page.
const MethodOneClick = "oneclick"

// ExtraOneClickCard is the Payment.Extra key of the enrolled card a
// OneClick payment charged (its id, not its number), for support.
const ExtraOneClickCard = "oneclick_card"

// Errors of the OneClick calls.
var (
	errOneClickOff = NewError(CodeInvalidMethod, "", "OneClick is not available on this gateway")
	// errCardNotFound answers an unknown card and another merchant's or
	// payer's alike (DESIGN invariant 4).
	errCardNotFound = NewError(CodeNotFound, "pg_oneclick_card", "no enrolled card has this pg_oneclick_card for this pg_email")
	// errEnrollmentNotFound answers a token that is not an enrollment of
	// the calling service, forged, garbled or another service's alike.
	errEnrollmentNotFound  = NewError(CodeNotFound, "pg_token", "no enrollment of this service has this pg_token")
	errEnrollmentExpired   = NewError(CodeConflict, "pg_token", "the enrollment expired, register the card again")
	errEnrollmentConfirmed = NewError(CodeConflict, "pg_token", "the enrollment was already confirmed")
	errEnrollmentOpen      = NewError(CodeConflict, "pg_token", "the payer has not entered a card for this enrollment yet")
	errEnrolledCardExpired = NewError(CodeConflict, "pg_token", "the card expired before the enrollment was confirmed, register another card")
	errReservedEmail       = NewError(CodeInvalidEmail, "pg_email", "pg_email must be an email address such as payer@example.com")
)

// oneClickOn reports whether OneClick can work here: it needs the vault
// and an acquirer to verify and charge cards.
func (a *API) oneClickOn() bool { return a.vault != nil && a.rails.Acquirer != nil }

// checkOneClick runs what every OneClick call shares after decoding: the
// auth token when required, the request's own validation, the payer
// email outside the reserved domain and OneClick being available.
func (a *API) checkOneClick(c *call, tok string, tokenRequired bool, validate func() error, email string) error {
	if err := a.checkToken(c, tok, tokenRequired); err != nil {
		return err
	}
	if err := validate(); err != nil {
		return err
	}
	if email != "" && reservedEmail(email) {
		return errReservedEmail
	}
	if !a.oneClickOn() {
		return errOneClickOff
	}
	return nil
}

// oneClickRegister answers oneclick/register: an enrollment token, valid
// for the session TTL, and the page where the payer enters the card.
// Nothing is stored: the token carries the enrollment (oneclick_token.go).
func (a *API) oneClickRegister(_ context.Context, c *call) (any, error) {
	var req OneClickRegisterRequest
	if err := c.fields.Decode(&req); err != nil {
		return nil, err
	}
	if err := a.checkOneClick(c, req.Token, true, req.Validate, req.Email); err != nil {
		return nil, err
	}
	tok := a.enrollments.issue(enrollment{
		CancelURL: req.CancelURL, Email: req.Email, Expiry: a.now().Add(a.sessionTTL),
		MerchantID: c.merchant.ID, ReturnURL: req.ReturnURL,
	})
	return OneClickRegisterResponse{PGToken: tok, RedirectURL: a.publicURL + "/oneclick/session/" + tok}, nil
}

// oneClickConfirm answers oneclick/confirm. Its pg_token is the
// enrollment token, so it carries no auth token; the signature
// authenticates the call, and the enrollment must be the caller's.
func (a *API) oneClickConfirm(ctx context.Context, c *call) (any, error) {
	var req OneClickConfirmRequest
	if err := c.fields.Decode(&req); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if !a.oneClickOn() {
		return nil, errOneClickOff
	}
	e, ok := a.enrollments.open(req.EnrollmentToken)
	if !ok || e.MerchantID != c.merchant.ID {
		return nil, errEnrollmentNotFound
	}
	if a.enrollmentExpired(e) {
		// The card entered for it, if any, can never be confirmed now.
		a.discardPending(ctx, e)
		return nil, errEnrollmentExpired
	}
	card, err := a.confirmEnrollment(ctx, e)
	if err != nil {
		return nil, err
	}
	return OneClickConfirmResponse{Card: wireCard(card)}, nil
}

// enrollmentState is how far an enrollment got.
type enrollmentState int

const (
	// enrollmentOpen: the payer has not entered a card yet.
	enrollmentOpen enrollmentState = iota
	// enrollmentEntered: a verified card waits under the pending customer.
	enrollmentEntered
	// enrollmentConfirmed: confirm moved the card; the token is spent.
	enrollmentConfirmed
)

// enrollmentState reads the state from the vault (see pendingEmail).
func (a *API) enrollmentState(ctx context.Context, e enrollment) (enrollmentState, error) {
	done, err := a.vault.List(ctx, e.MerchantID, a.enrollments.confirmedEmail(e))
	if err != nil {
		return 0, err
	}
	if len(done) > 0 {
		return enrollmentConfirmed, nil
	}
	pending, err := a.vault.List(ctx, e.MerchantID, a.enrollments.pendingEmail(e))
	if err != nil {
		return 0, err
	}
	if len(pending) > 0 {
		return enrollmentEntered, nil
	}
	return enrollmentOpen, nil
}

// enrollmentExpired reports whether e's token has expired.
func (a *API) enrollmentExpired(e enrollment) bool { return !a.now().Before(e.Expiry) }

// confirmEnrollment moves the enrollment's card to the payer and spends
// the token. The steps are ordered so that every crash or race leaves a
// state a retry handles:
//
//  1. A marker already there: confirmed before; answer CONFLICT.
//  2. The newest pending card is loaded (the payer may have entered two
//     in two tabs; the last one wins).
//  3. It is enrolled for the payer; if the payer already has that number,
//     the existing card is the answer. A crash after this step leaves the
//     pending card, and a retry finds the payer's card as a duplicate.
//  4. The marker is enrolled: the compare-and-set. Of two concurrent
//     confirms exactly one inserts it; the other answers CONFLICT (both
//     saw the same card in step 3, so nothing is enrolled twice).
//  5. Every pending card is crypto-shredded.
func (a *API) confirmEnrollment(ctx context.Context, e enrollment) (vault.Card, error) {
	done, err := a.vault.List(ctx, e.MerchantID, a.enrollments.confirmedEmail(e))
	if err != nil {
		return vault.Card{}, err
	}
	if len(done) > 0 {
		a.discardPending(ctx, e)
		return vault.Card{}, errEnrollmentConfirmed
	}
	pendingEmail := a.enrollments.pendingEmail(e)
	pending, err := a.vault.List(ctx, e.MerchantID, pendingEmail)
	if err != nil {
		return vault.Card{}, err
	}
	if len(pending) == 0 {
		// Between the two lists a concurrent confirm may have moved the
		// card; the marker says which.
		if st, err := a.enrollmentState(ctx, e); err == nil && st == enrollmentConfirmed {
			return vault.Card{}, errEnrollmentConfirmed
		}
		return vault.Card{}, errEnrollmentOpen
	}
	_, pan, exp, err := a.vault.Load(ctx, e.MerchantID, pendingEmail, pending[len(pending)-1].ID)
	if errors.Is(err, vault.ErrNotFound) {
		return vault.Card{}, errEnrollmentConfirmed
	}
	if err != nil {
		return vault.Card{}, err
	}
	card, err := a.vault.Enroll(ctx, e.MerchantID, e.Email, string(pan), exp.Month, exp.Year)
	var dup *vault.DuplicateError
	switch {
	case errors.As(err, &dup):
		card = dup.Existing
	case errors.Is(err, vault.ErrInvalidExpiry):
		// The month ran out between the page and the confirm.
		a.discardPending(ctx, e)
		return vault.Card{}, errEnrolledCardExpired
	case err != nil:
		return vault.Card{}, err
	}
	_, err = a.vault.Enroll(ctx, e.MerchantID, a.enrollments.confirmedEmail(e), markerPAN, 12, a.now().Year()+1)
	if errors.Is(err, vault.ErrDuplicate) {
		return vault.Card{}, errEnrollmentConfirmed
	}
	if err != nil {
		return vault.Card{}, err
	}
	a.discardPending(ctx, e)
	return card, nil
}

// discardPending crypto-shreds every card waiting under e's pending
// customer. Best effort: a failure is logged (ids only) and leaves a
// sealed card nobody can reach without the token.
func (a *API) discardPending(ctx context.Context, e enrollment) {
	email := a.enrollments.pendingEmail(e)
	cards, err := a.vault.List(ctx, e.MerchantID, email)
	if err != nil {
		a.log.ErrorContext(ctx, "payretailers: oneclick: listing pending cards", "merchant", e.MerchantID, "err", err)
		return
	}
	for _, c := range cards {
		if err := a.vault.Delete(ctx, e.MerchantID, email, c.ID); err != nil && !errors.Is(err, vault.ErrNotFound) {
			a.log.ErrorContext(ctx, "payretailers: oneclick: deleting pending card", "merchant", e.MerchantID, "card", c.ID, "err", err)
		}
	}
}

// oneClickCharge answers oneclick/create: a payment like any other (the
// same state machine, IPNs and payment/status), made with an enrolled
// card and authorized before answering, so the answer already says
// completed or failed, as in the seed.
func (a *API) oneClickCharge(ctx context.Context, c *call) (any, error) {
	var req OneClickChargeRequest
	if err := c.fields.Decode(&req); err != nil {
		return nil, err
	}
	if err := a.checkOneClick(c, req.Token, true, req.Validate, req.Email); err != nil {
		return nil, err
	}
	card, pan, exp, err := a.vault.Load(ctx, c.merchant.ID, req.Email, req.Card)
	if errors.Is(err, vault.ErrNotFound) {
		return nil, errCardNotFound
	}
	if err != nil {
		return nil, err // vault errors carry no card data
	}
	p, err := a.createOrder(ctx, c.merchant, order{
		Amount: req.Amount, Country: req.Country, Currency: req.Currency, Custom: req.Custom,
		Email: req.Email, FirstName: req.FirstName, IP: req.IP, LastName: req.LastName,
		Method: MethodOneClick, OneClickCard: card.ID,
	})
	if err != nil {
		return nil, err
	}
	if p, err = a.payments.Transition(ctx, p.ID, payment.StatusPending, "", payment.ActorAPI); err != nil {
		return nil, err
	}
	out, err := a.authorizeStored(ctx, pan, exp, p.Amount)
	if err != nil {
		a.log.ErrorContext(ctx, "payretailers: oneclick: authorization failed", "payment", p.ID, "err", err)
		out = rail.Outcome{Status: payment.StatusFailed, Detail: rail.DetailProcessingError}
	}
	if out.Status != payment.StatusPending {
		// The card was charged or refused: record it even if the caller
		// has gone, or a retry would charge it again.
		id := p.ID
		if p, err = a.payments.Transition(context.WithoutCancel(ctx), id, out.Status, out.Detail, payment.ActorRail); err != nil {
			a.log.ErrorContext(context.WithoutCancel(ctx), "payretailers: oneclick: acquirer outcome not recorded", "payment", id, "status", out.Status, "err", err)
			return nil, err
		}
	}
	amount, _ := FormatAmountNumber(p.Amount.Amount, p.Amount.Currency) // validated on the way in
	return OneClickChargeResponse{Data: ChargeData{
		Amount: json.Number(amount), Currency: p.Amount.Currency, Customer: customer(p),
		PaymentMethod: p.Method, Status: WireStatus(p.Status), TransactionID: p.Ref,
	}}, nil
}

// storedCardAcquirer is an acquirer that charges a card on file: the
// merchant initiates the charge, the payer is absent and there is no CVC
// (it was checked once, at enrollment, and never stored). The seam
// belongs in package rail; until it is there, acquirers that offer it are
// found here, and the sandbox acquirer, whose Authorize insists on a CVC,
// is answered by sandboxStoredOutcome.
type storedCardAcquirer interface {
	AuthorizeStored(ctx context.Context, card rail.Card, amount payment.Money) (rail.Outcome, error)
}

// authorizeStored charges an enrolled card. A card past its expiry is
// declined as expired before any acquirer sees it.
func (a *API) authorizeStored(ctx context.Context, pan vault.PAN, exp vault.Expiry, amount payment.Money) (rail.Outcome, error) {
	if !exp.Valid(a.now()) {
		return rail.Outcome{Status: payment.StatusFailed, Detail: rail.DetailExpiredCard}, nil
	}
	card := rail.Card{ExpMonth: exp.Month, ExpYear: exp.Year, Number: string(pan)}
	switch acq := a.rails.Acquirer.(type) {
	case storedCardAcquirer:
		return acq.AuthorizeStored(ctx, card, amount)
	case sandbox.Acquirer, *sandbox.Acquirer:
		return sandboxStoredOutcome(card), nil
	}
	return a.rails.Acquirer.Authorize(ctx, card, amount)
}

// sandboxStoredOutcome is the sandbox acquirer's answer to a charge of a
// stored card: the test card table decides, any other number is
// approved, as for cards typed on the form.
func sandboxStoredOutcome(card rail.Card) rail.Outcome {
	if out, ok := sandbox.TestCards[card.Number]; ok {
		return out
	}
	return rail.Outcome{Status: payment.StatusCompleted}
}

// oneClickUnregister answers oneclick/unregister: the card is
// crypto-shredded (vault.Delete); deleting it again is NOT_FOUND.
func (a *API) oneClickUnregister(ctx context.Context, c *call) (any, error) {
	var req OneClickUnregisterRequest
	if err := c.fields.Decode(&req); err != nil {
		return nil, err
	}
	if err := a.checkOneClick(c, req.Token, true, req.Validate, req.Email); err != nil {
		return nil, err
	}
	err := a.vault.Delete(ctx, c.merchant.ID, req.Email, req.Card)
	if errors.Is(err, vault.ErrNotFound) {
		return nil, errCardNotFound
	}
	if err != nil {
		return nil, err
	}
	return OneClickUnregisterResponse{}, nil
}

// oneClickCards answers oneclick/cards: the payer's cards, oldest first.
func (a *API) oneClickCards(ctx context.Context, c *call) (any, error) {
	var req OneClickCardsRequest
	if err := c.fields.Decode(&req); err != nil {
		return nil, err
	}
	if err := a.checkOneClick(c, req.Token, true, req.Validate, req.Email); err != nil {
		return nil, err
	}
	cards, err := a.vault.List(ctx, c.merchant.ID, req.Email)
	if err != nil {
		return nil, err
	}
	out := make([]Card, 0, len(cards))
	for _, card := range cards {
		out = append(out, wireCard(card))
	}
	return OneClickCardsResponse{Cards: out}, nil
}

// wireCard is a vault card as merchants see it. The number shows only its
// last four digits, like the seed's "XXXXXXXXXXXX9658".
func wireCard(c vault.Card) Card {
	return Card{CardNumber: c.Last4Masked(), CardType: string(c.Brand), OneClickID: c.ID}
}
