package payretailers

import (
	"context"
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

// Card data handling. The number, expiry and CVC are read from the form,
// checked, handed to the acquirer and dropped when the handler returns:
// they are never stored, logged, put in an event, a notification or an
// error, and never written back into a page (a form with an error comes
// back with the number and CVC empty; only the holder's name is kept).

// cardPage is the data of hosted_card.html.
type cardPage struct {
	checkout.Order
	Action, CancelAction string
	// Errors maps a field (number, expiry, cvc, holder) to the message
	// key of what is wrong with it.
	Errors map[string]string
	Holder string
	// TestCards are the sandbox's documented cards; nil outside sandbox.
	TestCards []testCard
}

// testCard is one row of the sandbox card table.
type testCard struct {
	Number     string // grouped by four, as printed on a card
	OutcomeKey string
}

// sandboxCards are the sandbox acquirer's cards (rail/sandbox.TestCards)
// in the order the page lists them.
var sandboxCards = []testCard{
	{"4242 4242 4242 4242", "payretailers.sandbox.card.approved"},
	{"5555 5555 5555 4444", "payretailers.sandbox.card.approved"},
	{"4000 0000 0000 0002", "payretailers.sandbox.card.declined"},
	{"4000 0000 0000 9995", "payretailers.sandbox.card.insufficient_funds"},
	{"4000 0000 0000 0069", "payretailers.sandbox.card.expired_card"},
	{"4000 0000 0000 0127", "payretailers.sandbox.card.incorrect_cvc"},
	{"4000 0000 0000 0119", "payretailers.sandbox.card.processing_error"},
}

// maxHolder bounds the name on the card (embossing fits 26; people type more).
const maxHolder = 64

// cardForm is what the payer typed, parsed. Card is only complete when
// Errors is empty.
type cardForm struct {
	Card   rail.Card
	Errors map[string]string
}

func (a *API) renderCard(w http.ResponseWriter, r *http.Request, h hosted, status int, f cardForm) {
	page := cardPage{
		Order: a.order(h), Action: a.pagePath(h.p.Ref) + actionCard,
		CancelAction: a.pagePath(h.p.Ref) + actionCancel, Errors: f.Errors, Holder: f.Card.Holder,
	}
	if a.sandbox {
		page.TestCards = sandboxCards
	}
	a.pages.Render(w, r, status, "hosted_card", page)
}

// submitCard serves POST /pay-direct/{id}/card. Invalid card data gets
// the form back (422) and changes nothing. Valid data first moves the
// payment to pending, which also claims it (compare-and-set: of two
// concurrent submits one wins, the other is sent to the page and its
// card is never charged), then goes to the acquirer, whose answer
// completes or fails the payment.
func (a *API) submitCard(w http.ResponseWriter, r *http.Request) {
	h, ok := a.startPost(w, r, FamilyCard)
	if !ok {
		return
	}
	f := parseCardForm(r, a.now())
	if len(f.Errors) > 0 {
		a.renderCard(w, r, h, http.StatusUnprocessableEntity, f)
		return
	}
	ctx := r.Context()
	p, err := a.payments.Transition(ctx, h.p.ID, payment.StatusPending, "", payment.ActorPayer)
	if err != nil {
		a.transitionFailed(w, r, h, err)
		return
	}
	// The card's last use: below, only the outcome travels on.
	out, err := a.rails.Acquirer.Authorize(ctx, f.Card, p.Amount)
	if err != nil {
		// The form checks what the acquirer checks, so this is the
		// network failing; rails keep card data out of their errors.
		a.log.ErrorContext(ctx, "payretailers: card authorization failed", "payment", p.ID, "err", err)
		out = rail.Outcome{Status: payment.StatusFailed, Detail: rail.DetailProcessingError}
	}
	if out.Status != payment.StatusPending {
		// Recorded even if the payer has gone: the acquirer has answered.
		id := p.ID
		if p, err = a.payments.Transition(context.WithoutCancel(ctx), id, out.Status, out.Detail, payment.ActorRail); err != nil {
			a.log.ErrorContext(context.WithoutCancel(ctx), "payretailers: card outcome not recorded", "payment", id, "status", out.Status, "err", err)
			a.transitionFailed(w, r, h, err)
			return
		}
	}
	a.finish(w, r, h, p)
}

// parseCardForm reads and checks the card fields the way an acquirer
// would refuse them (sandbox.ValidateCard), field by field so the page
// can say which one is wrong.
func parseCardForm(r *http.Request, now time.Time) cardForm {
	f := cardForm{Errors: map[string]string{}}
	number := strings.Map(func(c rune) rune {
		if c == ' ' || c == '-' {
			return -1 // the grouping people type
		}
		return c
	}, r.PostFormValue("number"))
	if len(number) < 12 || len(number) > 19 || !sandbox.Luhn(number) {
		f.Errors["number"] = "payretailers.card.error.number"
	}
	month, year, ok := parseExpiry(r.PostFormValue("expiry"))
	switch {
	case !ok:
		f.Errors["expiry"] = "payretailers.card.error.expiry"
	case !now.Before(rail.ExpiryEnd(month, year)):
		f.Errors["expiry"] = "payretailers.card.error.expired"
	}
	cvc := strings.TrimSpace(r.PostFormValue("cvc"))
	if len(cvc) < 3 || len(cvc) > 4 || !allDigits(cvc) {
		f.Errors["cvc"] = "payretailers.card.error.cvc"
	}
	holder := strings.Join(strings.Fields(r.PostFormValue("holder")), " ")
	if holder == "" || utf8.RuneCountInString(holder) > maxHolder || !utf8.ValidString(holder) || hasControl(holder) {
		f.Errors["holder"] = "payretailers.card.error.holder"
		holder = ""
	}
	f.Card = rail.Card{CVC: cvc, ExpMonth: month, ExpYear: year, Holder: holder, Number: number}
	return f
}

// parseExpiry reads MM/YY, MM/YYYY, MMYY, with or without spaces.
func parseExpiry(s string) (month, year int, ok bool) {
	s = strings.ReplaceAll(s, " ", "")
	mm, yy, found := strings.Cut(s, "/")
	if !found && len(s) == 4 {
		mm, yy = s[:2], s[2:]
	}
	if len(mm) < 1 || len(mm) > 2 || (len(yy) != 2 && len(yy) != 4) || !allDigits(mm) || !allDigits(yy) {
		return 0, 0, false
	}
	month, _ = strconv.Atoi(mm)
	year, _ = strconv.Atoi(yy)
	if len(yy) == 2 {
		year += 2000
	}
	if month < 1 || month > 12 || year > 2100 {
		return 0, 0, false
	}
	return month, year, true
}
