package etpay

import (
	"fmt"
	"strings"
)

// Validate checks the request strictly and returns the first problem as a
// 400 *Error (or nil). sandbox allows the test banks cl_test and mx_test.
// It accepts values as sent or as ParseInitialize normalised them, and it
// does not modify r.
//
// The Mexican variant (decided, nothing public says): a session is Mexican
// when user_bank_code is an mx_ code, or when there is no bank code and
// target_flow is given. target_flow ("codi" or "spei") and customer_phone
// are valid only in a Mexican session; customer_phone is required for
// "codi" (CoDi asks the payer's phone to approve) and optional for "spei";
// user_rut, a Chilean id, is refused in a Mexican session.
//
// A 401 check is not Validate's job: the handler authenticates the merchant
// with merchant_code and merchant_api_token; Validate only requires both.
func (r InitializeRequest) Validate(sandbox bool) error {
	if e := r.validate(sandbox); e != nil {
		return e
	}
	return nil
}

// validate returns a typed nil-able *Error; Validate converts it to error
// so a nil *Error never becomes a non-nil error interface.
func (r InitializeRequest) validate(sandbox bool) *Error {
	if e := checkCredentials(r.MerchantCode, r.MerchantAPIToken, true); e != nil {
		return e
	}
	if e := checkOrderID(r.MerchantOrderID, true); e != nil {
		return e
	}
	if e := checkOrderAmount(r.OrderAmount); e != nil {
		return e
	}
	if e := r.checkBankAndCountry(sandbox); e != nil {
		return e
	}
	for _, u := range []struct{ value, field string }{
		{r.PaymentCompletedURL, "payment_completed_url"},
		{r.PaymentCancellationURL, "payment_cancellation_url"},
		{r.PaymentWebhookURL, "payment_webhook_url"},
	} {
		if u.value == "" {
			continue
		}
		if e := checkURL(u.value, u.field); e != nil {
			return e
		}
	}
	if e := checkMetadata(r.Metadata); e != nil {
		return e
	}
	if r.CustomerEmail != "" {
		if e := checkEmail(r.CustomerEmail); e != nil {
			return e
		}
	}
	if r.Concat != "" && (len(r.Concat) != 1 || !strings.Contains(ConcatChars, r.Concat)) {
		return NewInvalid(CodeInvalidConcat, "concat",
			fmt.Sprintf("concat must be one of the characters %s, not %s", strings.Join(strings.Split(ConcatChars, ""), " "), quoteShort(r.Concat)))
	}
	return nil
}

// checkCredentials requires merchant_api_token (and merchant_code when
// codeRequired) and bounds both. A token too long or with control
// characters cannot be any merchant's, so it is a 401, not a 400.
func checkCredentials(code, token string, codeRequired bool) *Error {
	if codeRequired && code == "" {
		return missing("merchant_code")
	}
	if code != "" {
		if e := checkText(code, "merchant_code", CodeInvalidMerchantCode, MaxMerchantCodeLen); e != nil {
			return e
		}
	}
	if token == "" {
		return missing("merchant_api_token")
	}
	if len(token) > MaxAPITokenLen || !printable(token) {
		return NewUnauthorized()
	}
	return nil
}

// checkOrderID validates merchant_order_id: 1 to 64 printable characters.
func checkOrderID(id string, required bool) *Error {
	if id == "" {
		if required {
			return missing("merchant_order_id")
		}
		return nil
	}
	return checkText(id, "merchant_order_id", CodeInvalidOrderID, MaxOrderIDLen)
}

// checkOrderAmount: zero means absent, since ParseInitialize rejects an
// explicit 0.
func checkOrderAmount(a int64) *Error {
	switch {
	case a == 0:
		return missing("order_amount")
	case a < 0:
		return amountError("order_amount must be positive")
	case a > MaxOrderAmount:
		return amountError(fmt.Sprintf("order_amount must be at most %d", MaxOrderAmount))
	}
	return nil
}

// checkBankAndCountry validates user_bank_code and the fields that depend
// on the session's country: user_rut for Chile, target_flow and
// customer_phone for Mexico.
func (r InitializeRequest) checkBankAndCountry(sandbox bool) *Error {
	if r.UserBankCode != "" {
		b, ok := LookupBank(r.UserBankCode)
		if !ok {
			return NewInvalid(CodeInvalidBankCode, "user_bank_code",
				fmt.Sprintf("user_bank_code %s is not a known bank; use one of %s", quoteShort(r.UserBankCode), bankCodes(sandbox)))
		}
		if !b.Allowed(sandbox) {
			return NewInvalid(CodeInvalidBankCode, "user_bank_code", b.Code+" exists only in sandbox mode")
		}
	}
	if r.Country() == CountryMX {
		return r.checkMexican()
	}
	if r.TargetFlow != "" {
		return NewInvalid(CodeInvalidTargetFlow, "target_flow", "target_flow is only for Mexican sessions (an mx_ user_bank_code)")
	}
	if r.CustomerPhone != "" {
		return NewInvalid(CodeInvalidCustomerPhone, "customer_phone", "customer_phone is only for Mexican sessions (an mx_ user_bank_code)")
	}
	if r.UserRUT != "" {
		if _, err := ParseRUT(r.UserRUT); err != nil {
			return NewInvalid(CodeInvalidUserRUT, "user_rut",
				fmt.Sprintf("user_rut %s is not a valid RUT (%s); send it like 11111111-1 or 11.111.111-1", quoteShort(r.UserRUT), strings.TrimPrefix(err.Error(), ErrInvalidRUT.Error()+": ")))
		}
	}
	return nil
}

// checkMexican validates the Mexican variant's fields.
func (r InitializeRequest) checkMexican() *Error {
	switch strings.ToLower(strings.TrimSpace(r.TargetFlow)) {
	case "", TargetFlowSPEI:
	case TargetFlowCoDi:
		if r.CustomerPhone == "" {
			return NewInvalid(CodeMissingField, "customer_phone", "customer_phone is required when target_flow is codi")
		}
	default:
		return NewInvalid(CodeInvalidTargetFlow, "target_flow",
			fmt.Sprintf("target_flow must be codi or spei, not %s", quoteShort(r.TargetFlow)))
	}
	if r.CustomerPhone != "" {
		if _, ok := NormalizePhone(r.CustomerPhone); !ok {
			return NewInvalid(CodeInvalidCustomerPhone, "customer_phone",
				fmt.Sprintf("customer_phone must be 10 digits, such as 5512345678, not %s", quoteShort(r.CustomerPhone)))
		}
	}
	if r.UserRUT != "" {
		return NewInvalid(CodeInvalidUserRUT, "user_rut", "user_rut is a Chilean RUT and cannot be used in a Mexican session")
	}
	return nil
}

// checkMetadata bounds the metadata list and each entry.
func checkMetadata(md []Metadata) *Error {
	if len(md) > MaxMetadata {
		return NewInvalid(CodeInvalidMetadata, "metadata",
			fmt.Sprintf("metadata must have at most %d entries, it has %d", MaxMetadata, len(md)))
	}
	for i, m := range md {
		field := fmt.Sprintf("metadata[%d].name", i)
		if m.Name == "" {
			return NewInvalid(CodeInvalidMetadata, "metadata", field+" is required")
		}
		if e := checkText(m.Name, field, CodeInvalidMetadata, MaxMetadataNameLen); e != nil {
			e.Field = "metadata"
			return e
		}
		if e := checkText(m.Value, fmt.Sprintf("metadata[%d].value", i), CodeInvalidMetadata, MaxMetadataValueLen); e != nil {
			e.Field = "metadata"
			return e
		}
	}
	return nil
}

// bankCodes lists the codes usable in this mode, for error messages.
func bankCodes(sandbox bool) string {
	var codes []string
	for _, b := range banks {
		if b.Allowed(sandbox) {
			codes = append(codes, b.Code)
		}
	}
	return strings.Join(codes, ", ")
}

// Country is the session's country: "MX" when user_bank_code is an mx_
// code, or when no bank is preselected and target_flow is given; "CL"
// otherwise.
func (r InitializeRequest) Country() string {
	code := strings.ToLower(strings.TrimSpace(r.UserBankCode))
	switch {
	case strings.HasPrefix(code, "mx_"):
		return CountryMX
	case code == "" && r.TargetFlow != "":
		return CountryMX
	}
	return CountryCL
}

// Currency is "MXN" for a Mexican session and "CLP" otherwise.
func (r InitializeRequest) Currency() string {
	if r.Country() == CountryMX {
		return CurrencyMX
	}
	return CurrencyCL
}

// AmountMinor is OrderAmount in minor units of Currency (decided, nothing
// public says): order_amount is documented as an integer amount of pesos
// "without points", so it is whole pesos in both countries. CLP has no
// minor unit, so it is unchanged; MXN has centavos, so it is ×100. Use
// WireAmount to go back.
func (r InitializeRequest) AmountMinor() int64 {
	return MinorUnits(r.OrderAmount, r.Currency())
}

// MinorUnits converts a wire order_amount (whole pesos) to minor units of
// currency.
func MinorUnits(wire int64, currency string) int64 {
	if currency == CurrencyMX {
		return wire * 100
	}
	return wire
}

// WireAmount converts minor units of currency back to the wire's whole
// pesos, for check_payment_status and the JWT. Sessions created through
// this dialect always hold whole pesos, so the division is exact.
func WireAmount(minor int64, currency string) int64 {
	if currency == CurrencyMX {
		return minor / 100
	}
	return minor
}
