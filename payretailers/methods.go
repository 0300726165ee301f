package payretailers

import (
	"slices"
	"strings"
)

// Family is how a method is paid, which decides the rail and how long a
// payment can stay pending.
type Family string

// The method families.
const (
	// FamilyBank: the payer authorises a transfer from their bank and the
	// outcome is known at once.
	FamilyBank Family = "bank"
	// FamilyCard: the payer enters a card on the hosted form.
	FamilyCard Family = "card"
	// FamilyCash: the payer gets a voucher and pays later at a counter;
	// the payment stays pending until paid or expired.
	FamilyCash Family = "cash"
)

// Method is one payment method of the sandbox catalogue (WIRE.md).
type Method struct {
	// Code is the pg_method value.
	Code   string
	Family Family
	// Image is a path on the gateway, not a URL: the HTTP layer prefixes
	// its public base URL, since merchants display it on their own pages.
	Image string
	Name  string
	// markets maps each country served to the currencies accepted there.
	markets map[string][]string
}

// Countries lists the countries the method serves, sorted.
func (m Method) Countries() []string {
	out := make([]string, 0, len(m.markets))
	for c := range m.markets {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Currencies lists the currencies the method accepts in country.
func (m Method) Currencies(country string) []string {
	return slices.Clone(m.markets[country])
}

// Serves reports whether the method takes currency in country.
func (m Method) Serves(country, currency string) bool {
	return slices.Contains(m.markets[country], currency)
}

// servesCurrency reports whether the method takes currency in any country.
func (m Method) servesCurrency(currency string) bool {
	for _, cs := range m.markets {
		if slices.Contains(cs, currency) {
			return true
		}
	}
	return false
}

// cardMarkets: cards are charged in the local currency or in USD, the
// usual cross-border settlement currency in Latin America. Ecuador, Panama
// and El Salvador use USD locally. Spain (EUR) is there because the
// provider's own notification example is Spanish.
var cardMarkets = map[string][]string{
	"AR": {"ARS", "USD"}, "BO": {"BOB", "USD"}, "BR": {"BRL", "USD"},
	"CL": {"CLP", "USD"}, "CO": {"COP", "USD"}, "CR": {"CRC", "USD"},
	"DO": {"DOP", "USD"}, "EC": {"USD"}, "ES": {"EUR", "USD"},
	"GT": {"GTQ", "USD"}, "MX": {"MXN", "USD"}, "PA": {"USD"},
	"PE": {"PEN", "USD"}, "PY": {"PYG", "USD"}, "SV": {"USD"},
	"UY": {"UYU", "USD"},
}

// catalogue is the sandbox's method list, in the order merchants see it.
// Pix is FamilyBank: the payer pays from their bank app and the result is
// immediate, unlike boleto, a voucher paid days later (FamilyCash).
var catalogue = []Method{
	{Code: "creditcard", Family: FamilyCard, Image: "/static/methods/creditcard.svg", Name: "Credit card", markets: cardMarkets},
	{Code: "webpay", Family: FamilyBank, Image: "/static/methods/webpay.svg", Name: "Webpay", markets: map[string][]string{"CL": {"CLP"}}},
	{Code: "khipu", Family: FamilyBank, Image: "/static/methods/khipu.svg", Name: "Khipu", markets: map[string][]string{"CL": {"CLP"}}},
	{Code: "servipag", Family: FamilyCash, Image: "/static/methods/servipag.svg", Name: "Servipag", markets: map[string][]string{"CL": {"CLP"}}},
	{Code: "pix", Family: FamilyBank, Image: "/static/methods/pix.svg", Name: "Pix", markets: map[string][]string{"BR": {"BRL"}}},
	{Code: "boleto", Family: FamilyCash, Image: "/static/methods/boleto.svg", Name: "Boleto", markets: map[string][]string{"BR": {"BRL"}}},
	{Code: "oxxo", Family: FamilyCash, Image: "/static/methods/oxxo.svg", Name: "OXXO", markets: map[string][]string{"MX": {"MXN"}}},
	{Code: "spei", Family: FamilyBank, Image: "/static/methods/spei.svg", Name: "SPEI", markets: map[string][]string{"MX": {"MXN"}}},
	{Code: "pse", Family: FamilyBank, Image: "/static/methods/pse.svg", Name: "PSE", markets: map[string][]string{"CO": {"COP"}}},
}

// Methods returns the whole catalogue.
func Methods() []Method { return slices.Clone(catalogue) }

// MethodsFor returns the methods that serve country (any case), in
// catalogue order; none for an unknown country.
func MethodsFor(country string) []Method {
	country = strings.ToUpper(country)
	var out []Method
	for _, m := range catalogue {
		if _, ok := m.markets[country]; ok {
			out = append(out, m)
		}
	}
	return out
}

// LookupMethod finds a method by code (any case).
func LookupMethod(code string) (Method, bool) {
	code = strings.ToLower(code)
	for _, m := range catalogue {
		if m.Code == code {
			return m, true
		}
	}
	return Method{}, false
}
