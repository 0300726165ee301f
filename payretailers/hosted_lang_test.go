package payretailers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/checkout"
	sdk "github.com/pasarela/pasarela/client/payretailers"
	"github.com/pasarela/pasarela/payment"
)

// TestHostedPagesInEveryLanguage renders every hosted page, in every state
// and with every error and failure reason, in es, en and pt: computed
// message keys are only checked by rendering them.
func TestHostedPagesInEveryLanguage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	failed := func(detail string) func(*testing.T, *payer) page {
		return func(t *testing.T, p *payer) page {
			_, err := b.payments.Transition(ctx, b.current(t, p.ref).ID, payment.StatusFailed, detail, payment.ActorRail)
			require.NoError(t, err)
			return p.get("")
		}
	}
	cases := map[string]struct {
		method string
		// reach brings a fresh payment to the page under test.
		reach func(*testing.T, *payer) page
	}{
		"methods": {"", func(t *testing.T, p *payer) page { return p.get("") }},
		"methods invalid": {"", func(t *testing.T, p *payer) page {
			return p.submit("/method", url.Values{"method": {"nope"}})
		}},
		"card": {"creditcard", func(t *testing.T, p *payer) page { return p.get("") }},
		"card errors": {"creditcard", func(t *testing.T, p *payer) page {
			return p.submit("/card", url.Values{"number": {"1"}, "expiry": {"x"}, "cvc": {"x"}})
		}},
		"card expired": {"creditcard", func(t *testing.T, p *payer) page {
			return p.submit("/card", url.Values{"number": {"4242424242424242"}, "expiry": {"01/20"}, "cvc": {"123"}, "holder": {"A"}})
		}},
		"bank login": {"webpay", func(t *testing.T, p *payer) page { return p.get("") }},
		"bank errors": {"webpay", func(t *testing.T, p *payer) page {
			return p.submit("/bank/login", nil)
		}},
		"bank wrong": {"webpay", func(t *testing.T, p *payer) page { return p.login("wrong") }},
		"bank approve": {"webpay", func(t *testing.T, p *payer) page {
			require.Equal(t, http.StatusSeeOther, p.login("approve").status)
			return p.get("")
		}},
		"voucher": {"servipag", func(t *testing.T, p *payer) page { return p.get("") }},
		"canceled": {"creditcard", func(t *testing.T, p *payer) page {
			p.submit("/cancel", nil)
			return p.get("")
		}},
		"pending": {"webpay", func(t *testing.T, p *payer) page {
			p.login("pending")
			p.submit("/bank/approve", nil)
			return p.get("")
		}},
		"completed": {"creditcard", func(t *testing.T, p *payer) page {
			p.submit("/card", b.validCard("4242424242424242"))
			return p.get("")
		}},
		"expired": {"creditcard", func(t *testing.T, p *payer) page {
			_, err := b.payments.Transition(ctx, b.current(t, p.ref).ID, payment.StatusExpired, "expired", payment.ActorSweeper)
			require.NoError(t, err)
			return p.get("")
		}},
	}
	for _, detail := range []string{
		"card_declined", "insufficient_funds", "expired_card", "incorrect_cvc", "processing_error", "rejected",
		"too_many_attempts", "some_future_reason",
	} {
		cases["failed "+detail] = struct {
			method string
			reach  func(*testing.T, *payer) page
		}{"creditcard", failed(detail)}
	}
	for name, c := range cases {
		for _, lang := range checkout.Languages() {
			in := params()
			in.Method = c.method
			in.Language = string(lang)
			var ref string
			if c.method == "" {
				co, err := b.client.Webcheckout(ctx, sdk.PaymentParams{
					Amount: in.Amount, Currency: in.Currency, Language: in.Language,
					ReturnURL: in.ReturnURL, CancelURL: in.CancelURL,
				})
				require.NoError(t, err)
				ref = co.TransactionID
			} else {
				ref = createVia(t, b, b.client, in).Ref
			}
			pg := c.reach(t, b.payer(t, ref))
			require.Contains(t, []int{http.StatusOK, http.StatusUnprocessableEntity, http.StatusGone}, pg.status, "%s/%s: %s", name, lang, pg.body)
			require.Equal(t, string(lang), pg.header.Get("Content-Language"), "%s: pg_language decides", name)
			require.NotContains(t, pg.body, "%!", "%s/%s: fmt verbs and arguments agree", name, lang)
			require.NotContains(t, pg.body, "payretailers.", "%s/%s: no raw message key", name, lang)
			require.NotContains(t, pg.body, "style=", "%s/%s: no inline style", name, lang)
			require.NotContains(t, pg.body, "<script", "%s/%s", name, lang)
			if strings.Contains(pg.body, "<form") {
				require.Contains(t, pg.body, `name="csrf_token"`, "%s/%s: every form is protected", name, lang)
			}
		}
	}
}
