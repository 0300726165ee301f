package payretailers

import (
	"net/http"
	"slices"

	"github.com/pasarela/pasarela/checkout"
	"github.com/pasarela/pasarela/payment"
)

// methodsPage is the data of hosted_methods.html.
type methodsPage struct {
	checkout.Order
	Action, CancelAction string
	// Invalid: the POST named no offered method (a tampered form).
	Invalid bool
	Methods []methodOption
}

// methodOption is one button of the method choice.
type methodOption struct {
	Code string
	// Icon is the checkout asset of the family (the catalogue's own images
	// are for merchants' pages and are not served here).
	Icon string
	// NameKey is a message for a generic name ("Card"); Name is a brand
	// shown as is ("Webpay").
	Name, NameKey string
	// FamilyKey says how the method is paid.
	FamilyKey string
}

// offeredMethods are the methods the payer may choose for p: those taking
// its currency in its country, or, when the merchant sent no country, in
// any country; and only those with a rail behind them.
func (a *API) offeredMethods(p payment.Payment) []Method {
	var out []Method
	for _, m := range catalogue {
		serves := m.servesCurrency(p.Amount.Currency)
		if p.Country != "" {
			serves = m.Serves(p.Country, p.Amount.Currency)
		}
		if serves && a.rails.has(m.Family) {
			out = append(out, m)
		}
	}
	return out
}

func (a *API) renderMethods(w http.ResponseWriter, r *http.Request, h hosted, status int, invalid bool) {
	page := methodsPage{
		Order: a.order(h), Action: a.pagePath(h.p.Ref) + actionMethod,
		CancelAction: a.pagePath(h.p.Ref) + actionCancel, Invalid: invalid,
	}
	for _, m := range a.offeredMethods(h.p) {
		opt := methodOption{Code: m.Code, Icon: string(m.Family) + ".svg", FamilyKey: "payretailers.family." + string(m.Family)}
		if m.Family == FamilyCard {
			opt.NameKey = "payretailers.method.card"
		} else {
			opt.Name = m.Name
		}
		page.Methods = append(page.Methods, opt)
	}
	a.pages.Render(w, r, status, "hosted_methods", page)
}

// chooseMethod serves POST /pay-direct/{id}/method. The method must be
// one the page offered; it is recorded (with the country, when the
// merchant sent none and the method serves the currency in one country
// only) and the payer goes on to that method's page.
func (a *API) chooseMethod(w http.ResponseWriter, r *http.Request) {
	h, ok := a.startPost(w, r, "")
	if !ok {
		return
	}
	if h.method.Code != "" {
		// Chosen already, in another tab: show that method's page.
		http.Redirect(w, r, a.pagePath(h.p.Ref), http.StatusSeeOther)
		return
	}
	offered := a.offeredMethods(h.p)
	i := slices.IndexFunc(offered, func(m Method) bool { return m.Code == r.PostFormValue("method") })
	if i < 0 {
		a.renderMethods(w, r, h, http.StatusUnprocessableEntity, true)
		return
	}
	m := offered[i]
	d := payment.Details{Method: m.Code}
	if h.p.Country == "" {
		if cs := m.countriesTaking(h.p.Amount.Currency); len(cs) == 1 {
			d.Country = cs[0]
		}
	}
	if _, err := a.payments.UpdateDetails(r.Context(), h.p.ID, d, payment.ActorPayer); err != nil {
		a.transitionFailed(w, r, h, err)
		return
	}
	http.Redirect(w, r, a.pagePath(h.p.Ref), http.StatusSeeOther)
}

// countriesTaking lists the countries where m takes currency, sorted.
func (m Method) countriesTaking(currency string) []string {
	var out []string
	for _, c := range m.Countries() {
		if m.Serves(c, currency) {
			out = append(out, c)
		}
	}
	return out
}
