package payretailers

import (
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Length limits, in characters (runes), not bytes: the seed's "Max: 255" is
// about what a payer sees. Where the seed gives none, the limit is
// pasarela's, generous for real data and small enough to store and show.
const (
	maxAddress    = 256 // seed
	maxBankField  = 34  // IBAN's own maximum; BIC is shorter
	maxCity       = 64  // seed
	maxCustom     = 255 // seed
	maxEmail      = 254 // RFC 5321 path limit
	maxID         = 64  // service, transaction, sub-merchant and card ids
	maxName       = 255 // seed, pg_name
	maxPersonName = 64
	maxPersonalID = 32
	maxPhone      = 32
	maxToken      = 128
	maxURL        = 2048
)

// Validate checks the request, normalises Country and Currency to upper
// case, Method and Language to lower case, and sets Amount. pg_token is the
// HTTP layer's to check (INVALID_TOKEN), since only it knows the tokens.
//
// pg_return_url and pg_cancel_url are required by the seed but optional
// here: the official SDK's sample calls them optional and merchants have
// defaults on file. The HTTP layer falls back to those and reports
// MISSING_FIELD only when neither exists.
func (r *CreatePaymentRequest) Validate() error {
	var v validator
	v.text("pg_serviceid", r.ServiceID, maxID, true)
	v.ip("pg_ip", r.IP, true)
	r.Currency = v.currency("pg_currency", r.Currency, true)
	r.Amount = v.price("pg_price", r.Price, r.Currency)
	r.Country = v.country("pg_country", r.Country, true)
	r.Method = v.method("pg_method", r.Method, r.Country, r.Currency, true)
	v.email("pg_email", r.Email, true)
	v.text("pg_first_name", r.FirstName, maxPersonName, true)
	v.text("pg_last_name", r.LastName, maxPersonName, true)
	v.text("pg_personalid", r.PersonalID, maxPersonalID, false)
	v.text("pg_phone", r.Phone, maxPhone, false)
	v.text("pg_sub_merchant_id", r.SubMerchantID, maxID, false)
	v.url("pg_sub_merchant_url", r.SubMerchantURL, false)
	v.url("pg_return_url", r.ReturnURL, false)
	v.url("pg_cancel_url", r.CancelURL, false)
	v.custom("pg_custom", r.Custom, maxCustom)
	v.text("pg_address", r.Address, maxAddress, false)
	v.text("pg_city", r.City, maxCity, false)
	v.text("pg_name", r.Name, maxName, false)
	r.Language = v.language("pg_language", r.Language)
	v.text("pg_bic", r.BIC, maxBankField, false)
	v.text("pg_iban", r.IBAN, maxBankField, false)
	return v.result()
}

// Validate checks a webcheckout request (JSON or form). Only the service,
// price and currency are required; what is missing the payer supplies on
// the hosted page. A country without a method must have at least one
// method taking the currency there, so the payer is never sent to a page
// with nothing to pay with.
func (r *WebcheckoutRequest) Validate() error {
	var v validator
	v.text("pg_serviceid", r.ServiceID, maxID, true)
	r.Currency = v.currency("pg_currency", r.Currency, true)
	r.Amount = v.price("pg_price", r.Price, r.Currency)
	r.Country = v.country("pg_country", r.Country, false)
	r.Method = v.method("pg_method", r.Method, r.Country, r.Currency, false)
	if v.err == nil && r.Method == "" && r.Country != "" && !anyMethodServes(r.Country, r.Currency) {
		v.err = newError(CodeInvalidMethod, "pg_country", "no payment method takes "+r.Currency+" in "+r.Country)
	}
	v.email("pg_email", r.Email, false)
	v.text("pg_first_name", r.FirstName, maxPersonName, false)
	v.text("pg_last_name", r.LastName, maxPersonName, false)
	v.text("pg_personalid", r.PersonalID, maxPersonalID, false)
	v.text("pg_phone", r.Phone, maxPhone, false)
	v.text("pg_sub_merchant_id", r.SubMerchantID, maxID, false)
	v.url("pg_sub_merchant_url", r.SubMerchantURL, false)
	v.url("pg_return_url", r.ReturnURL, false)
	v.url("pg_cancel_url", r.CancelURL, false)
	r.Language = v.language("pg_language", r.Language)
	v.text("pg_name", r.Name, maxName, false)
	v.custom("pg_custom", r.Custom, maxCustom)
	v.ip("pg_ip", r.IP, false)
	return v.result()
}

// Validate checks an auth/token request.
func (r *AuthTokenRequest) Validate() error {
	var v validator
	v.text("pg_serviceid", r.ServiceID, maxID, true)
	return v.result()
}

// Validate checks a payment/methods request and upper-cases Country.
func (r *MethodsRequest) Validate() error {
	var v validator
	v.text("pg_serviceid", r.ServiceID, maxID, true)
	r.Country = v.country("pg_country", r.Country, true)
	return v.result()
}

// Validate checks a payment/status request.
func (r *PaymentStatusRequest) Validate() error {
	var v validator
	v.text("pg_serviceid", r.ServiceID, maxID, true)
	v.text("transaction_id", r.TransactionID, maxID, true)
	return v.result()
}

// Validate checks a notification/status request.
func (r *NotificationStatusRequest) Validate() error {
	var v validator
	v.text("pg_serviceid", r.ServiceID, maxID, true)
	v.text("transaction_id", r.TransactionID, maxID, true)
	return v.result()
}

// Validate checks a oneclick/register request; the seed requires both
// redirect URLs here, and there is no merchant default for enrollment.
func (r *OneClickRegisterRequest) Validate() error {
	var v validator
	v.text("pg_serviceid", r.ServiceID, maxID, true)
	v.email("pg_email", r.Email, true)
	v.url("pg_return_url", r.ReturnURL, true)
	v.url("pg_cancel_url", r.CancelURL, true)
	return v.result()
}

// Validate checks a oneclick/confirm request. An enrollment token is
// longer than an auth token: it carries the enrollment, return and
// cancel URLs included (oneclick_token.go).
func (r *OneClickConfirmRequest) Validate() error {
	var v validator
	v.text("pg_serviceid", r.ServiceID, maxID, true)
	v.text("pg_token", r.EnrollmentToken, maxEnrollmentTok, true)
	return v.result()
}

// Validate checks a oneclick/create request and sets Amount. A stored card
// is charged through the creditcard method, so the currency (and the
// country, if given) must be one creditcard takes.
func (r *OneClickChargeRequest) Validate() error {
	var v validator
	v.text("pg_serviceid", r.ServiceID, maxID, true)
	r.Currency = v.currency("pg_currency", r.Currency, true)
	r.Amount = v.price("pg_price", r.Price, r.Currency)
	r.Country = v.country("pg_country", r.Country, false)
	v.method("pg_currency", "creditcard", r.Country, r.Currency, true)
	v.text("pg_first_name", r.FirstName, maxPersonName, true)
	v.text("pg_last_name", r.LastName, maxPersonName, true)
	v.email("pg_email", r.Email, true)
	v.text("pg_oneclick_card", r.Card, maxID, true)
	v.custom("pg_custom", r.Custom, maxCustom)
	v.ip("pg_ip", r.IP, false)
	return v.result()
}

// Validate checks a oneclick/unregister request.
func (r *OneClickUnregisterRequest) Validate() error {
	var v validator
	v.text("pg_serviceid", r.ServiceID, maxID, true)
	v.email("pg_email", r.Email, true)
	v.text("pg_oneclick_card", r.Card, maxID, true)
	return v.result()
}

// Validate checks a oneclick/cards request.
func (r *OneClickCardsRequest) Validate() error {
	var v validator
	v.text("pg_serviceid", r.ServiceID, maxID, true)
	v.email("pg_email", r.Email, true)
	return v.result()
}

// validator keeps the first error: the wire has room for one, and checks
// run in the seed's field order so the answer is predictable. Once an
// error is recorded every later check is a no-op.
type validator struct {
	err *Error
}

// result returns the first error as an error, or a true nil.
func (v *validator) result() error {
	if v.err == nil {
		return nil
	}
	return v.err
}

func (v *validator) fail(code, field, text string) {
	if v.err == nil {
		v.err = newError(code, field, text)
	}
}

// present handles emptiness: it reports whether the value needs checking.
func (v *validator) present(field, value string, required bool) bool {
	if v.err != nil {
		return false
	}
	if value == "" {
		if required {
			v.fail(CodeMissingField, field, field+" is required")
		}
		return false
	}
	return true
}

// text checks a plain text field: length and no control characters, which
// no name, id or address legitimately contains and which would corrupt
// logs and pages.
func (v *validator) text(field, value string, limit int, required bool) {
	if !v.present(field, value, required) {
		return
	}
	if !v.length(field, value, limit) {
		return
	}
	if hasControl(value) {
		v.fail(CodeInvalidField, field, field+" contains control characters")
	}
}

// custom checks pg_custom: only its length. It is the merchant's opaque
// "flexible field" and comes back byte for byte in IPNs and return URLs.
func (v *validator) custom(field, value string, limit int) {
	if v.present(field, value, false) {
		v.length(field, value, limit)
	}
}

func (v *validator) length(field, value string, limit int) bool {
	if utf8.RuneCountInString(value) > limit {
		v.fail(CodeFieldTooLong, field, field+" is longer than "+strconv.Itoa(limit)+" characters")
		return false
	}
	return true
}

// country accepts any case and returns the code upper-cased.
func (v *validator) country(field, value string, required bool) string {
	if !v.present(field, value, required) {
		return value
	}
	up := strings.ToUpper(value)
	if !IsCountry(up) {
		v.fail(CodeInvalidCountry, field, field+" must be an ISO 3166-1 alpha-2 country code such as CL")
		return value
	}
	return up
}

// currency accepts any case and returns the code upper-cased.
func (v *validator) currency(field, value string, required bool) string {
	if !v.present(field, value, required) {
		return value
	}
	up := strings.ToUpper(value)
	if _, ok := currencyDecimals[up]; !ok {
		v.fail(CodeInvalidCurrency, field, field+" must be one of "+strings.Join(Currencies(), ", "))
		return value
	}
	return up
}

// price converts p once the currency is known; it records nothing if an
// earlier check failed (the currency may be what failed).
func (v *validator) price(field string, p Price, currency string) int64 {
	if v.err != nil {
		return 0
	}
	n, err := p.Minor(field, currency)
	if err != nil {
		v.err = asError(err)
		return 0
	}
	return n
}

// method checks that code is a known method serving currency in country
// (in any country when country is empty) and returns it lower-cased.
func (v *validator) method(field, code, country, currency string, required bool) string {
	if !v.present(field, code, required) {
		return code
	}
	m, ok := LookupMethod(code)
	if !ok {
		v.fail(CodeInvalidMethod, field, field+" is not a known payment method")
		return code
	}
	if country == "" && !m.servesCurrency(currency) {
		v.fail(CodeInvalidMethod, field, m.Code+" does not take "+currency)
		return m.Code
	}
	if country != "" && !m.Serves(country, currency) {
		v.fail(CodeInvalidMethod, field, m.Code+" does not take "+currency+" in "+country)
	}
	return m.Code
}

// email accepts a bare address (no display name, no quoting) that
// net/mail parses back to itself.
func (v *validator) email(field, value string, required bool) {
	if !v.present(field, value, required) || !v.length(field, value, maxEmail) {
		return
	}
	a, err := mail.ParseAddress(value)
	if err != nil || a.Name != "" || a.Address != value || hasControl(value) {
		v.fail(CodeInvalidEmail, field, field+" must be an email address such as payer@example.com")
	}
}

// url accepts an absolute http or https URL with a host.
func (v *validator) url(field, value string, required bool) {
	if !v.present(field, value, required) || !v.length(field, value, maxURL) {
		return
	}
	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		hasControl(value) || strings.ContainsAny(value, " \t") {
		v.fail(CodeInvalidURL, field, field+" must be an absolute http or https URL")
	}
}

// ip accepts an IPv4 or IPv6 address without a zone.
func (v *validator) ip(field, value string, required bool) {
	if !v.present(field, value, required) {
		return
	}
	a, err := netip.ParseAddr(value)
	if err != nil || a.Zone() != "" {
		v.fail(CodeInvalidIP, field, field+" must be an IPv4 or IPv6 address")
	}
}

// languages are those the hosted pages speak.
var languages = map[string]bool{"en": true, "es": true, "pt": true}

// language accepts es, en or pt in any case, also with a region ("pt-BR",
// "es_CL", what browsers and shop platforms produce), and returns the bare
// lower-case code. Empty stays empty: the HTTP layer picks a default.
func (v *validator) language(field, value string) string {
	if !v.present(field, value, false) {
		return value
	}
	primary := strings.ToLower(value)
	if i := strings.IndexAny(primary, "-_"); i >= 0 {
		region := primary[i+1:]
		if len(region) != 2 || !isASCIILetters(region) {
			primary = ""
		} else {
			primary = primary[:i]
		}
	}
	if !languages[primary] {
		v.fail(CodeInvalidLanguage, field, field+" must be es, en or pt")
		return value
	}
	return primary
}

// anyMethodServes reports whether some method takes currency in country.
func anyMethodServes(country, currency string) bool {
	for _, m := range catalogue {
		if m.Serves(country, currency) {
			return true
		}
	}
	return false
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return true
		}
	}
	return false
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' { // |0x20 lower-cases ASCII letters
			return false
		}
	}
	return true
}

func isCDigit(c byte) bool { return '0' <= c && c <= '9' }
