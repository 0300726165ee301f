package etpay

import "strings"

// Bank is one entry of the bank catalogue: a user_bank_code a merchant may
// preselect and the funnel shows as a button.
type Bank struct {
	// Code is the wire code, lower case ("cl_bch").
	Code string
	// Name is what the payer reads.
	Name string
	// Country is "CL" or "MX".
	Country string
	// Currency is the ISO 4217 code the bank transfers in: "CLP" or "MXN".
	Currency string
	// SandboxOnly banks exist only in sandbox mode (the test banks).
	SandboxOnly bool
}

// Countries and currencies of the catalogue.
const (
	CountryCL  = "CL"
	CountryMX  = "MX"
	CurrencyCL = "CLP"
	CurrencyMX = "MXN"
)

// banks is the catalogue, in the order the funnel shows it. The Chilean
// codes are the seed documents' plus cl_mach (WIRE.md); the Mexican ones
// are those the official SDK lists for the MXN variant.
var banks = []Bank{
	{Code: "cl_estado", Name: "BancoEstado", Country: CountryCL, Currency: CurrencyCL},
	{Code: "cl_santander", Name: "Banco Santander", Country: CountryCL, Currency: CurrencyCL},
	{Code: "cl_bch", Name: "Banco de Chile / Edwards", Country: CountryCL, Currency: CurrencyCL},
	{Code: "cl_bci", Name: "Bci", Country: CountryCL, Currency: CurrencyCL},
	{Code: "cl_itau", Name: "Banco Itaú", Country: CountryCL, Currency: CurrencyCL},
	{Code: "cl_scotiabank", Name: "Scotiabank", Country: CountryCL, Currency: CurrencyCL},
	{Code: "cl_falabella", Name: "Banco Falabella", Country: CountryCL, Currency: CurrencyCL},
	{Code: "cl_mach", Name: "MACH", Country: CountryCL, Currency: CurrencyCL},
	{Code: "cl_test", Name: "Banco de pruebas", Country: CountryCL, Currency: CurrencyCL, SandboxOnly: true},
	{Code: "mx_azteca", Name: "Banco Azteca", Country: CountryMX, Currency: CurrencyMX},
	{Code: "mx_banamex", Name: "Banamex", Country: CountryMX, Currency: CurrencyMX},
	{Code: "mx_banorte", Name: "Banorte", Country: CountryMX, Currency: CurrencyMX},
	{Code: "mx_banregio", Name: "Banregio", Country: CountryMX, Currency: CurrencyMX},
	{Code: "mx_bbva", Name: "BBVA México", Country: CountryMX, Currency: CurrencyMX},
	{Code: "mx_santander", Name: "Santander México", Country: CountryMX, Currency: CurrencyMX},
	{Code: "mx_scotiabank", Name: "Scotiabank México", Country: CountryMX, Currency: CurrencyMX},
	{Code: "mx_test", Name: "Banco de pruebas (México)", Country: CountryMX, Currency: CurrencyMX, SandboxOnly: true},
}

// LookupBank finds a bank by code without regard to case or surrounding
// spaces: merchants send "cl_bch" and "CL_BCH" alike (WIRE.md). It finds
// sandbox-only banks too; whether they are allowed is the caller's
// decision (see Bank.Allowed).
func LookupBank(code string) (Bank, bool) {
	code = strings.TrimSpace(code)
	for _, b := range banks {
		if strings.EqualFold(b.Code, code) {
			return b, true
		}
	}
	return Bank{}, false
}

// Allowed reports whether the bank may be used in this mode.
func (b Bank) Allowed(sandbox bool) bool { return sandbox || !b.SandboxOnly }

// Banks returns the whole catalogue, a fresh copy the caller may keep.
func Banks() []Bank { return append([]Bank(nil), banks...) }

// BanksFor returns the banks of one country ("CL" or "MX") usable in this
// mode, in display order: the buttons of the funnel's bank step.
func BanksFor(country string, sandbox bool) []Bank {
	var out []Bank
	for _, b := range banks {
		if b.Country == country && b.Allowed(sandbox) {
			out = append(out, b)
		}
	}
	return out
}

// ChileanBanks is BanksFor("CL", sandbox).
func ChileanBanks(sandbox bool) []Bank { return BanksFor(CountryCL, sandbox) }
