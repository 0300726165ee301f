package payretailers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"sync"
	"unicode/utf8"

	"github.com/pasarela/pasarela/internal/jsontext"
)

// Requests are decoded leniently because real clients disagree on types:
// the official PHP SDK sends pg_serviceid as given (an int in its samples),
// pg_price as a PHP int or float (setPrice(100, 'EUR') sends 100), and
// shop plugins put integer order ids in pg_custom. So every text field
// accepts a JSON string, a JSON number (kept as its literal text) or null
// (absent); pg_price remembers which of those it was, because a string
// must match the documented ^[0-9]+\.[0-9]{2}$ and a number need not.
// Unknown fields (pg_mode, pg_bic, pg_iban, pg_token where unused) are
// ignored. Booleans, objects and arrays are errors naming the field.
//
// Fields are tagged json:"name" for their wire name and optionally
// alias:"other" for a second spelling a real client uses.

// PriceKind says how pg_price arrived.
type PriceKind int

// The shapes of pg_price.
const (
	// PriceAbsent: the field was missing or null.
	PriceAbsent PriceKind = iota
	// PriceString: a JSON string; must be "1000.00"-shaped.
	PriceString
	// PriceNumber: a JSON number; any exact decimal.
	PriceNumber
	// PriceForm: a form value of POST /pay; plain decimal digits.
	PriceForm
)

// Price is pg_price as received, converted to minor units only once the
// currency is known.
type Price struct {
	Kind PriceKind
	// Raw is the string's content or the number's literal text.
	Raw string
}

// Minor converts the price to minor units of currency according to how it
// arrived; field names the price in errors.
func (p Price) Minor(field, currency string) (int64, error) {
	switch p.Kind {
	case PriceString:
		return ParsePrice(field, p.Raw, currency)
	case PriceNumber:
		return ParsePriceNumber(field, p.Raw, currency)
	case PriceForm:
		return ParsePriceLoose(field, p.Raw, currency)
	}
	return 0, newError(CodeMissingField, field, field+" is required")
}

// UnmarshalJSON accepts a string, a number or null.
func (p *Price) UnmarshalJSON(b []byte) error {
	switch {
	case bytes.Equal(b, []byte("null")):
		*p = Price{}
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*p = Price{Kind: PriceString, Raw: s}
	case len(b) > 0 && (b[0] == '-' || isCDigit(b[0])):
		*p = Price{Kind: PriceNumber, Raw: string(b)}
	default:
		return fmt.Errorf("want a string or a number")
	}
	return nil
}

// AuthTokenRequest is POST /api/v2/auth/token.
type AuthTokenRequest struct {
	ServiceID string `json:"pg_serviceid"`
}

// MethodsRequest is POST /api/v2/payment/methods.
type MethodsRequest struct {
	Country   string `json:"pg_country"`
	ServiceID string `json:"pg_serviceid"`
	Token     string `json:"pg_token"`
}

// CreatePaymentRequest is POST /api/v2/payment/create. Amount is not on the
// wire: Validate fills it in minor units of Currency.
type CreatePaymentRequest struct {
	Address   string `json:"pg_address"`
	Amount    int64  `json:"-"`
	BIC       string `json:"pg_bic"`
	CancelURL string `json:"pg_cancel_url"`
	City      string `json:"pg_city"`
	Country   string `json:"pg_country"`
	Currency  string `json:"pg_currency"`
	Custom    string `json:"pg_custom"`
	Email     string `json:"pg_email"`
	FirstName string `json:"pg_first_name"`
	IBAN      string `json:"pg_iban"`
	IP        string `json:"pg_ip"`
	Language  string `json:"pg_language"`
	LastName  string `json:"pg_last_name"`
	Method    string `json:"pg_method"`
	// Mode is "api" or "basic", sent by the official SDK; informational.
	Mode string `json:"pg_mode"`
	Name string `json:"pg_name"`
	// PersonalID: the seed documents pg_personalid, the official SDK's
	// Payer model sends pg_personal_id.
	PersonalID     string `json:"pg_personalid" alias:"pg_personal_id"`
	Phone          string `json:"pg_phone"`
	Price          Price  `json:"pg_price"`
	ReturnURL      string `json:"pg_return_url"`
	ServiceID      string `json:"pg_serviceid"`
	SubMerchantID  string `json:"pg_sub_merchant_id"`
	SubMerchantURL string `json:"pg_sub_merchant_url"`
	Token          string `json:"pg_token"`
}

// PaymentStatusRequest is POST /api/v2/payment/status.
type PaymentStatusRequest struct {
	ServiceID     string `json:"pg_serviceid"`
	Token         string `json:"pg_token"`
	TransactionID string `json:"transaction_id"`
}

// WebcheckoutRequest is POST /api/v2/payment/webcheckout and, parsed by
// ParseWebcheckoutForm, the HTML form POST /pay. Amount is filled by
// Validate.
type WebcheckoutRequest struct {
	Amount         int64  `json:"-"`
	CancelURL      string `json:"pg_cancel_url"`
	Country        string `json:"pg_country"`
	Currency       string `json:"pg_currency"`
	Custom         string `json:"pg_custom"`
	Email          string `json:"pg_email"`
	FirstName      string `json:"pg_first_name"`
	IP             string `json:"pg_ip"`
	Language       string `json:"pg_language"`
	LastName       string `json:"pg_last_name"`
	Method         string `json:"pg_method"`
	Mode           string `json:"pg_mode"`
	Name           string `json:"pg_name"`
	PersonalID     string `json:"pg_personalid" alias:"pg_personal_id"`
	Phone          string `json:"pg_phone"`
	Price          Price  `json:"pg_price"`
	ReturnURL      string `json:"pg_return_url"`
	ServiceID      string `json:"pg_serviceid"`
	SubMerchantID  string `json:"pg_sub_merchant_id"`
	SubMerchantURL string `json:"pg_sub_merchant_url"`
	Token          string `json:"pg_token"`
}

// NotificationStatusRequest is POST /api/v2/notification/status.
type NotificationStatusRequest struct {
	ServiceID     string `json:"pg_serviceid"`
	Token         string `json:"pg_token"`
	TransactionID string `json:"transaction_id"`
}

// OneClickRegisterRequest is POST /api/v2/oneclick/register.
type OneClickRegisterRequest struct {
	CancelURL string `json:"pg_cancel_url"`
	Email     string `json:"pg_email"`
	ReturnURL string `json:"pg_return_url"`
	ServiceID string `json:"pg_serviceid"`
	Token     string `json:"pg_token"`
}

// OneClickConfirmRequest is POST /api/v2/oneclick/confirm. The seed sends
// the enrollment token (the pg_token that register returned and the return
// URL carried) in pg_token, the field every other call uses for the auth
// token; here it is the enrollment token.
type OneClickConfirmRequest struct {
	ServiceID       string `json:"pg_serviceid"`
	EnrollmentToken string `json:"pg_token"`
}

// OneClickChargeRequest is POST /api/v2/oneclick/create. Country, Custom and
// IP are pasarela extensions (optional). Amount is filled by Validate.
type OneClickChargeRequest struct {
	Amount    int64  `json:"-"`
	Card      string `json:"pg_oneclick_card"`
	Country   string `json:"pg_country"`
	Currency  string `json:"pg_currency"`
	Custom    string `json:"pg_custom"`
	Email     string `json:"pg_email"`
	FirstName string `json:"pg_first_name"`
	IP        string `json:"pg_ip"`
	LastName  string `json:"pg_last_name"`
	Price     Price  `json:"pg_price"`
	ServiceID string `json:"pg_serviceid"`
	Token     string `json:"pg_token"`
}

// OneClickUnregisterRequest is POST /api/v2/oneclick/unregister.
type OneClickUnregisterRequest struct {
	Card      string `json:"pg_oneclick_card"`
	Email     string `json:"pg_email"`
	ServiceID string `json:"pg_serviceid"`
	Token     string `json:"pg_token"`
}

// OneClickCardsRequest is POST /api/v2/oneclick/cards.
type OneClickCardsRequest struct {
	Email     string `json:"pg_email"`
	ServiceID string `json:"pg_serviceid"`
	Token     string `json:"pg_token"`
}

// Fields are the top-level members of a request body, split once: the
// endpoint reads pg_serviceid from them to find the merchant and the call
// its own request struct (decoding the body twice was a fifth of a
// payment/create's CPU). A slice, not a map: a call has about a dozen
// members, a scan of them costs less than hashing, and the map was the
// largest allocation of a payment/create (a tenth of its bytes).
type Fields []member

// member is one key (unescaped) and its value's exact bytes, both kept from
// jsontext.Members, which never reuses them.
type member struct {
	key   []byte
	value json.RawMessage
}

// get is the value of the last member named name (duplicate keys: the last
// wins, as in PHP and as json.Unmarshal into a map does).
func (f Fields) get(name string) (json.RawMessage, bool) {
	for i := len(f) - 1; i >= 0; i-- {
		if string(f[i].key) == name {
			return f[i].value, true
		}
	}
	return nil, false
}

// ParseFields reads a request body's top-level values. Errors are *Error:
// INVALID_JSON for a body that is not a JSON object of valid UTF-8.
// Duplicate keys: the last wins, as in PHP.
func ParseFields(body []byte) (Fields, error) {
	if !utf8.Valid(body) {
		return nil, newError(CodeInvalidJSON, "", "the body is not valid UTF-8")
	}
	raw := make(Fields, 0, 16) // a create call has about a dozen members
	if err := jsontext.Members(body, func(k, v []byte) { raw = append(raw, member{k, v}) }); err != nil {
		return nil, newError(CodeInvalidJSON, "", "the body must be a JSON object")
	}
	return raw, nil
}

// Decode fills dst, a pointer to one of the request structs, with the
// leniency described above. Errors are *Error: INVALID_FIELD naming a
// field of the wrong type.
func (f Fields) Decode(dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		panic("payretailers: Decode needs a pointer to a request struct")
	}
	return fill(rv.Elem(), f.get)
}

// ServiceID is the request's pg_serviceid, which names the merchant whose
// secret signs it.
func (f Fields) ServiceID() (string, error) {
	var r AuthTokenRequest
	if err := f.Decode(&r); err != nil {
		return "", err
	}
	if r.ServiceID == "" {
		return "", newError(CodeMissingField, "pg_serviceid", "pg_serviceid is required")
	}
	return r.ServiceID, nil
}

// ServiceIDOf is the pg_serviceid of a request body (ParseFields, then
// Fields.ServiceID).
func ServiceIDOf(body []byte) (string, error) {
	f, err := ParseFields(body)
	if err != nil {
		return "", err
	}
	return f.ServiceID()
}

// ParseWebcheckoutForm reads the HTML form of POST /pay. Form values are
// always text; pg_price is parsed loosely (PriceForm) because shop plugins
// post their order total as the shop formats it; an empty one is absent.
// For a repeated field the first value wins, as url.Values.Get does.
func ParseWebcheckoutForm(form url.Values) WebcheckoutRequest {
	var r WebcheckoutRequest
	rv := reflect.ValueOf(&r).Elem()
	rt := rv.Type()
	for i := range rt.NumField() {
		names := fieldNames(rt.Field(i))
		for _, name := range names {
			if _, ok := form[name]; !ok {
				continue
			}
			v := form.Get(name)
			switch f := rv.Field(i).Addr().Interface().(type) {
			case *string:
				*f = v
			case *Price:
				if v != "" {
					*f = Price{Kind: PriceForm, Raw: v}
				}
			}
			break
		}
	}
	return r
}

// fill sets every tagged field of sv from lookup.
func fill(sv reflect.Value, lookup func(string) (json.RawMessage, bool)) error {
	st := sv.Type()
	for i := range st.NumField() {
		for _, name := range fieldNames(st.Field(i)) {
			raw, ok := lookup(name)
			if !ok {
				continue
			}
			var err error
			switch f := sv.Field(i).Addr().Interface().(type) {
			case *string:
				err = lenientString(raw, f)
			case *Price:
				err = f.UnmarshalJSON(raw)
			}
			if err != nil {
				return newError(CodeInvalidField, name, name+" must be a string or a number")
			}
			break
		}
	}
	return nil
}

// fieldNames returns the wire name of a field and its alias; nothing for
// fields not on the wire.
func fieldNames(f reflect.StructField) []string {
	if names, ok := fieldNamesCache.Load(f.Tag); ok {
		return names.([]string)
	}
	names := tagNames(f)
	fieldNamesCache.Store(f.Tag, names)
	return names
}

// fieldNamesCache keeps fieldNames by tag: the request structs are few and
// fixed, and reading their tags was a tenth of a request's allocations.
var fieldNamesCache sync.Map

func tagNames(f reflect.StructField) []string {
	name := f.Tag.Get("json")
	if name == "" || name == "-" {
		return nil
	}
	if alias := f.Tag.Get("alias"); alias != "" {
		return []string{name, alias}
	}
	return []string{name}
}

// lenientString reads a JSON string, number (its literal text) or null.
func lenientString(raw json.RawMessage, dst *string) error {
	switch {
	case bytes.Equal(raw, []byte("null")):
		*dst = ""
		return nil
	case len(raw) > 0 && raw[0] == '"':
		if s, ok := jsontext.Plain(raw); ok {
			*dst = s
			return nil
		}
		return json.Unmarshal(raw, dst)
	case len(raw) > 0 && (raw[0] == '-' || isCDigit(raw[0])):
		*dst = string(raw)
		return nil
	}
	return fmt.Errorf("want a string or a number")
}
