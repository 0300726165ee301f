package etpay

import "strings"

// ResultURL is where the payer's browser is sent after the funnel: base,
// then a separator, then "jwt=" and the JWT (WIRE.md). The separator is
// concat when the merchant gave one; otherwise "&" when base already has a
// "?" and "?" when it has none. A base that already ends in "?" or "&"
// gets no second separator ("…/ok?" + "jwt=…").
//
// The check for "?" looks at the whole string on purpose, fragment
// included: "https://shop.example/#/done" becomes "…/#/done?jwt=…", which
// is what hash-routed single-page apps read. A JWT is base64url and dots,
// so it needs no escaping.
//
// The JWT is the same for the completed and the cancellation URL; its
// payment_status says which it is.
func ResultURL(base, concat, jwt string) string {
	sep := concat
	if sep == "" {
		switch {
		case strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&"):
			sep = ""
		case strings.Contains(base, "?"):
			sep = "&"
		default:
			sep = "?"
		}
	}
	return base + sep + "jwt=" + jwt
}
