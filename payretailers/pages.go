package payretailers

import (
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pasarela/pasarela/checkout"
)

// pageFiles are the dialect's payer pages, rendered inside checkout's
// layout: the form's error page and the hosted payment pages (hosted_*),
// so the dialect has one Renderer (API.Pages).
//
//go:embed pages/*.html
var pageFiles embed.FS

// newPages builds the dialect's page renderer; checkout checks every
// literal message key and asset at this point.
func newPages(csrfKey []byte, log *slog.Logger, sandbox, secureCookies bool) (*checkout.Renderer, error) {
	sub, err := fs.Sub(pageFiles, "pages")
	if err != nil {
		return nil, err
	}
	all := checkout.Catalog{}
	for _, c := range []checkout.Catalog{messages, hostedMessages, oneClickMessages} {
		for k, m := range c {
			if _, dup := all[k]; dup {
				return nil, fmt.Errorf("message %q defined twice", k)
			}
			all[k] = m
		}
	}
	return checkout.New(checkout.Options{
		CSRFKey: csrfKey, Logger: log, Messages: all, Pages: sub,
		Sandbox: sandbox, SecureCookies: secureCookies,
	})
}

// messages are the strings of the form's error page (the hosted pages'
// are hostedMessages). Reasons take the field name (%s)
// except those for a form that could not be read at all.
var messages = checkout.Catalog{
	"payretailers.payform.detail": {
		ES: "Detalle para el comercio:",
		EN: "Details for the merchant:",
		PT: "Detalhes para a loja:",
	},
	"payretailers.payform.hint": {
		ES: "No se hizo ningún cobro. Vuelve al comercio e inténtalo de nuevo; si el problema sigue, avísale al comercio.",
		EN: "Nothing was charged. Go back to the merchant and try again; if the problem persists, let the merchant know.",
		PT: "Nada foi cobrado. Volte à loja e tente novamente; se o problema continuar, avise a loja.",
	},
	"payretailers.payform.reason.country": {
		ES: "El país indicado en %s no es válido.",
		EN: "The country given in %s is not valid.",
		PT: "O país informado em %s não é válido.",
	},
	"payretailers.payform.reason.currency": {
		ES: "La moneda indicada en %s no es válida.",
		EN: "The currency given in %s is not valid.",
		PT: "A moeda informada em %s não é válida.",
	},
	"payretailers.payform.reason.email": {
		ES: "El correo electrónico indicado en %s no es válido.",
		EN: "The email address given in %s is not valid.",
		PT: "O e-mail informado em %s não é válido.",
	},
	"payretailers.payform.reason.field": {
		ES: "El dato %s no es válido.",
		EN: "The field %s is not valid.",
		PT: "O campo %s não é válido.",
	},
	"payretailers.payform.reason.language": {
		ES: "El idioma indicado en %s no es válido.",
		EN: "The language given in %s is not valid.",
		PT: "O idioma informado em %s não é válido.",
	},
	"payretailers.payform.reason.method": {
		ES: "No hay un medio de pago disponible para la moneda y el país indicados (%s).",
		EN: "No payment method is available for the currency and country given (%s).",
		PT: "Não há meio de pagamento disponível para a moeda e o país informados (%s).",
	},
	"payretailers.payform.reason.missing": {
		ES: "Falta el dato %s.",
		EN: "The field %s is missing.",
		PT: "Falta o campo %s.",
	},
	"payretailers.payform.reason.price": {
		ES: "El monto indicado en %s no es válido.",
		EN: "The amount given in %s is not valid.",
		PT: "O valor informado em %s não é válido.",
	},
	"payretailers.payform.reason.service": {
		ES: "El comercio indicado en %s no está registrado en esta pasarela.",
		EN: "The merchant given in %s is not registered with this gateway.",
		PT: "A loja informada em %s não está cadastrada neste gateway.",
	},
	"payretailers.payform.reason.too_large": {
		ES: "El formulario de pago es demasiado grande.",
		EN: "The payment form is too large.",
		PT: "O formulário de pagamento é grande demais.",
	},
	"payretailers.payform.reason.too_long": {
		ES: "El dato %s es demasiado largo.",
		EN: "The field %s is too long.",
		PT: "O campo %s é longo demais.",
	},
	"payretailers.payform.reason.unreadable": {
		ES: "No pudimos leer el formulario de pago.",
		EN: "We could not read the payment form.",
		PT: "Não conseguimos ler o formulário de pagamento.",
	},
	"payretailers.payform.reason.url": {
		ES: "La dirección web indicada en %s no es válida.",
		EN: "The web address given in %s is not valid.",
		PT: "O endereço web informado em %s não é válido.",
	},
	"payretailers.payform.title": {
		ES: "No pudimos iniciar el pago",
		EN: "We could not start the payment",
		PT: "Não foi possível iniciar o pagamento",
	},
}
