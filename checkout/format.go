package checkout

import (
	"strconv"
	"strings"
)

// currencyStyle is how people in a currency's home country write its
// amounts.
type currencyStyle struct {
	decimal  string // decimal separator
	exponent int    // ISO 4217 minor-unit exponent
	group    string // thousands separator
	suffix   bool   // symbol after the number ("1.234,56 €")
	symbol   string // including the space between symbol and number, if any
}

// currencies follow each currency's home-country convention, not the page
// language: a Chilean payer reading the English page still expects
// "$50.000", the way the bank will show the charge. Where the home symbol
// is ambiguous abroad the local form is kept anyway ("$" for CLP, MXN, COP,
// ARS, UYU), because the payer is almost always in that country and the
// merchant already shows the amount that way; USD, used across LATAM, is
// "US$". Spaces are plain spaces: the stylesheet keeps .amount on one line.
var currencies = map[string]currencyStyle{
	"ARS": {symbol: "$ ", group: ".", decimal: ",", exponent: 2},
	"BOB": {symbol: "Bs ", group: ".", decimal: ",", exponent: 2},
	"BRL": {symbol: "R$ ", group: ".", decimal: ",", exponent: 2},
	"CLP": {symbol: "$", group: ".", decimal: ",", exponent: 0},
	"COP": {symbol: "$", group: ".", decimal: ",", exponent: 2},
	"CRC": {symbol: "₡", group: ".", decimal: ",", exponent: 2},
	"DOP": {symbol: "RD$", group: ",", decimal: ".", exponent: 2},
	"EUR": {symbol: " €", group: ".", decimal: ",", exponent: 2, suffix: true},
	"GTQ": {symbol: "Q", group: ",", decimal: ".", exponent: 2},
	"MXN": {symbol: "$", group: ",", decimal: ".", exponent: 2},
	"PEN": {symbol: "S/ ", group: ",", decimal: ".", exponent: 2},
	"PYG": {symbol: "Gs. ", group: ".", decimal: ",", exponent: 0},
	"USD": {symbol: "US$", group: ",", decimal: ".", exponent: 2},
	"UYU": {symbol: "$ ", group: ".", decimal: ",", exponent: 2},
}

// FormatMoney renders an amount in minor units of an ISO 4217 currency for
// a payer to read:
//
//	CLP 50000   → "$50.000"
//	BRL 123456  → "R$ 1.234,56"
//	USD 123456  → "US$1,234.56"
//	MXN 123456  → "$1,234.56"
//	PEN 123456  → "S/ 1,234.56"
//	EUR 123456  → "1.234,56 €"
//	COP 5000000 → "$50.000,00"
//
// The minor digits are always shown for currencies that have them, so the
// page never looks rounded. An unknown currency is shown as "XYZ 1,234.56",
// assuming two decimals (the ISO 4217 norm); the gateway only accepts the
// currencies above (a test checks this against package payment).
// Integer arithmetic only: the amount never passes through a float.
func FormatMoney(minor int64, currency string) string {
	st, ok := currencies[strings.ToUpper(currency)]
	if !ok {
		st = currencyStyle{symbol: strings.ToUpper(currency) + " ", group: ",", decimal: ".", exponent: 2}
	}
	neg := minor < 0
	// uint64 holds the magnitude of every int64, math.MinInt64 included.
	mag := uint64(minor)
	if neg {
		mag = -mag
	}
	digits := strconv.FormatUint(mag, 10)
	if len(digits) <= st.exponent {
		digits = strings.Repeat("0", st.exponent-len(digits)+1) + digits
	}
	whole, frac := digits[:len(digits)-st.exponent], digits[len(digits)-st.exponent:]

	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	if !st.suffix {
		b.WriteString(st.symbol)
	}
	for i, d := range []byte(whole) {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(st.group)
		}
		b.WriteByte(d)
	}
	if frac != "" {
		b.WriteString(st.decimal)
		b.WriteString(frac)
	}
	if st.suffix {
		b.WriteString(st.symbol)
	}
	return b.String()
}
