package checkout

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Lang is a language the payer pages speak: a lowercase ISO 639-1 code.
type Lang string

// The languages of the payer pages. Spanish is the default: both dialects
// started in Spanish-speaking markets (ETpay in Chile, PayRetailers across
// LATAM).
const (
	English    Lang = "en"
	Portuguese Lang = "pt"
	Spanish    Lang = "es"
)

// Languages returns every supported language in the order the language
// switcher shows them.
func Languages() []Lang { return []Lang{Spanish, English, Portuguese} }

// Name is the language's name in itself ("Español"), as a switcher shows
// it: a payer who cannot read the current language can still find theirs.
func (l Lang) Name() string {
	switch l {
	case English:
		return "English"
	case Portuguese:
		return "Português"
	default:
		return "Español"
	}
}

// ParseLang reads a language tag leniently ("pt-BR", "EN_us", " es ") and
// returns the supported language it names.
func ParseLang(tag string) (Lang, bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	l := Lang(tag)
	if slices.Contains(Languages(), l) {
		return l, true
	}
	return "", false
}

// Negotiate picks the page language. explicit (a merchant's pg_language, the
// payer's own choice) wins when it names a supported language; then the best
// supported language of the browser's Accept-Language header by q-value
// (ties go to the one listed first); then Spanish.
func Negotiate(acceptLanguage, explicit string) Lang {
	if l, ok := ParseLang(explicit); ok {
		return l
	}
	best, bestQ := Spanish, 0.0
	for part := range strings.SplitSeq(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(part, ";")
		l, ok := ParseLang(tag)
		if !ok {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0 // a malformed weight is not an invitation
				}
				q = f
			}
		}
		if q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}

// Message is one string in every language. Keeping the three translations
// of a key side by side makes a missing one visible in review; Check makes
// it a test failure.
type Message struct {
	EN string
	ES string
	PT string
}

// In returns the message in l.
func (m Message) In(l Lang) string {
	switch l {
	case English:
		return m.EN
	case Portuguese:
		return m.PT
	default:
		return m.ES
	}
}

// Catalog maps message keys to their translations. Keys are dotted,
// lowercase and namespaced by page or dialect ("error.404.title",
// "etpay.banks.heading"). A message may hold fmt verbs (%s, %d, or %[1]s
// where word order differs); templates pass the arguments to t.
type Catalog map[string]Message

// Check reports every key that lacks a translation or whose translations
// disagree on their fmt verbs (a verb missing in one language would print
// "%!(EXTRA ...)" to the payer).
func (c Catalog) Check() error {
	var errs []error
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		m := c[k]
		want := verbs(m.ES)
		for _, l := range Languages() {
			s := m.In(l)
			if strings.TrimSpace(s) == "" {
				errs = append(errs, fmt.Errorf("message %q has no %s text", k, l))
				continue
			}
			if got := verbs(s); !slices.Equal(got, want) {
				errs = append(errs, fmt.Errorf("message %q: %s has verbs %q, es has %q", k, l, got, want))
			}
		}
	}
	return errors.Join(errs...)
}

var verbRE = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?[a-zA-Z%]`)

// verbs lists a message's fmt verbs sorted, so reordered %[n] verbs compare
// equal across languages.
func verbs(s string) []string {
	v := verbRE.FindAllString(s, -1)
	v = slices.DeleteFunc(v, func(x string) bool { return x == "%%" })
	sort.Strings(v)
	return v
}

// merge returns the union of catalogues; a key defined twice is an error,
// so a dialect cannot silently change a built-in string.
func merge(cs ...Catalog) (Catalog, error) {
	out := Catalog{}
	for _, c := range cs {
		for k, m := range c {
			if _, dup := out[k]; dup {
				return nil, fmt.Errorf("message %q defined twice", k)
			}
			out[k] = m
		}
	}
	return out, nil
}

// messages are the strings of the layout and the generic pages. Dialect
// pages bring their own through Options.Messages.
var messages = Catalog{
	"amount.label": {
		ES: "Total a pagar",
		EN: "Total to pay",
		PT: "Total a pagar",
	},
	"amount.total": {
		ES: "Total",
		EN: "Total",
		PT: "Total",
	},
	"brand": {
		ES: "Pasarela",
		EN: "Pasarela",
		PT: "Pasarela",
	},
	"error.400.body": {
		ES: "No pudimos entender esta solicitud. Vuelve al comercio e inicia el pago de nuevo.",
		EN: "We could not understand this request. Go back to the merchant and start the payment again.",
		PT: "Não conseguimos entender esta solicitação. Volte à loja e inicie o pagamento novamente.",
	},
	"error.400.title": {
		ES: "Solicitud no válida",
		EN: "Invalid request",
		PT: "Solicitação inválida",
	},
	"error.403.body": {
		ES: "Por tu seguridad no procesamos este envío. Vuelve a abrir el enlace de pago e inténtalo otra vez.",
		EN: "For your security we did not process this submission. Open the payment link again and retry.",
		PT: "Para sua segurança, não processamos este envio. Abra o link de pagamento novamente e tente outra vez.",
	},
	"error.403.title": {
		ES: "No pudimos verificar tu solicitud",
		EN: "We could not verify your request",
		PT: "Não foi possível verificar sua solicitação",
	},
	"error.404.body": {
		ES: "El enlace puede estar incompleto. Revisa que lo hayas copiado entero o vuelve al comercio.",
		EN: "The link may be incomplete. Check that you copied all of it, or go back to the merchant.",
		PT: "O link pode estar incompleto. Verifique se você o copiou inteiro ou volte à loja.",
	},
	"error.404.title": {
		ES: "Pago no encontrado",
		EN: "Payment not found",
		PT: "Pagamento não encontrado",
	},
	"error.410.body": {
		ES: "El plazo para completar este pago terminó y no se hizo ningún cargo. Vuelve al comercio para iniciar un pago nuevo.",
		EN: "The time to complete this payment has run out and nothing was charged. Go back to the merchant to start a new payment.",
		PT: "O prazo para concluir este pagamento terminou e nada foi cobrado. Volte à loja para iniciar um novo pagamento.",
	},
	"error.410.title": {
		ES: "Pago expirado",
		EN: "Payment expired",
		PT: "Pagamento expirado",
	},
	"error.429.body": {
		ES: "Recibimos demasiados intentos seguidos. Espera un minuto y vuelve a intentarlo.",
		EN: "We received too many attempts in a row. Wait a minute and try again.",
		PT: "Recebemos muitas tentativas seguidas. Aguarde um minuto e tente novamente.",
	},
	"error.429.title": {
		ES: "Demasiados intentos",
		EN: "Too many attempts",
		PT: "Muitas tentativas",
	},
	"error.500.body": {
		ES: "Tuvimos un problema de nuestro lado. No se hizo ningún cargo nuevo; inténtalo de nuevo en unos minutos.",
		EN: "We had a problem on our side. No new charge was made; please try again in a few minutes.",
		PT: "Tivemos um problema do nosso lado. Nenhuma nova cobrança foi feita; tente novamente em alguns minutos.",
	},
	"error.500.title": {
		ES: "Algo salió mal",
		EN: "Something went wrong",
		PT: "Algo deu errado",
	},
	"error.code": {
		ES: "Código de error: %d",
		EN: "Error code: %d",
		PT: "Código de erro: %d",
	},
	"footer.powered": {
		ES: "Pago procesado de forma segura por Pasarela",
		EN: "Payment securely processed by Pasarela",
		PT: "Pagamento processado com segurança pela Pasarela",
	},
	"lang.label": {
		ES: "Idioma",
		EN: "Language",
		PT: "Idioma",
	},
	"order.reference": {
		ES: "Orden",
		EN: "Order",
		PT: "Pedido",
	},
	"page.title": {
		ES: "Pago",
		EN: "Payment",
		PT: "Pagamento",
	},
	"result.approved.body": {
		ES: "Recibimos tu pago. El comercio ya fue notificado.",
		EN: "We received your payment. The merchant has been notified.",
		PT: "Recebemos seu pagamento. A loja já foi notificada.",
	},
	"result.approved.title": {
		ES: "Pago aprobado",
		EN: "Payment approved",
		PT: "Pagamento aprovado",
	},
	"result.back": {
		ES: "Volver al comercio",
		EN: "Return to the store",
		PT: "Voltar à loja",
	},
	"result.cancelled.body": {
		ES: "Cancelaste el pago y no se hizo ningún cargo.",
		EN: "You cancelled the payment and nothing was charged.",
		PT: "Você cancelou o pagamento e nada foi cobrado.",
	},
	"result.cancelled.title": {
		ES: "Pago cancelado",
		EN: "Payment cancelled",
		PT: "Pagamento cancelado",
	},
	"result.close": {
		ES: "Ya puedes cerrar esta ventana.",
		EN: "You can close this window now.",
		PT: "Você já pode fechar esta janela.",
	},
	"result.expired.body": {
		ES: "El plazo para pagar terminó y no se hizo ningún cargo.",
		EN: "The time to pay has run out and nothing was charged.",
		PT: "O prazo para pagar terminou e nada foi cobrado.",
	},
	"result.expired.title": {
		ES: "Pago expirado",
		EN: "Payment expired",
		PT: "Pagamento expirado",
	},
	"result.pending.body": {
		ES: "Tu pago está en proceso. El comercio recibirá el resultado apenas se confirme.",
		EN: "Your payment is being processed. The merchant will get the result as soon as it is confirmed.",
		PT: "Seu pagamento está em processamento. A loja receberá o resultado assim que for confirmado.",
	},
	"result.pending.title": {
		ES: "Pago en proceso",
		EN: "Payment in progress",
		PT: "Pagamento em processamento",
	},
	"result.rejected.body": {
		ES: "El pago no fue aprobado y no se hizo ningún cargo. Puedes volver al comercio e intentarlo con otro medio de pago.",
		EN: "The payment was not approved and nothing was charged. You can go back to the merchant and try another payment method.",
		PT: "O pagamento não foi aprovado e nada foi cobrado. Você pode voltar à loja e tentar outro meio de pagamento.",
	},
	"result.rejected.title": {
		ES: "Pago rechazado",
		EN: "Payment declined",
		PT: "Pagamento recusado",
	},
	"result.return": {
		ES: "Volver a %s",
		EN: "Return to %s",
		PT: "Voltar para %s",
	},
	"sandbox.banner": {
		ES: "Modo de prueba: no se mueve dinero real",
		EN: "Test mode: no real money moves",
		PT: "Modo de teste: nenhum dinheiro real é movimentado",
	},
	"secure": {
		ES: "Pago seguro",
		EN: "Secure payment",
		PT: "Pagamento seguro",
	},
	"summary.label": {
		ES: "Resumen del pago",
		EN: "Payment summary",
		PT: "Resumo do pagamento",
	},
}
