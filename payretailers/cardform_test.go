package payretailers

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/rail/sandbox"
	"github.com/pasarela/pasarela/vault"
)

// The payer's form, the vault and the sandbox acquirer agree on when a card
// has expired: a payer in Santiago on the last evening of the card's month
// is not refused by any of them, and the next day by all.
func TestCardExpiryIsOneRule(t *testing.T) {
	t.Parallel()
	form := func(now time.Time) cardForm {
		body := url.Values{"number": {"4242 4242 4242 4242"}, "expiry": {"03/27"}, "cvc": {"123"}, "holder": {"Ana Pérez"}}
		r := httptest.NewRequest("POST", "/", strings.NewReader(body.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return parseCardForm(r, now)
	}
	santiago := time.FixedZone("CLT", -3*3600)
	for _, c := range []struct {
		now  time.Time
		good bool
	}{
		{time.Date(2027, 3, 31, 23, 30, 0, 0, santiago), true}, // 02:30 UTC on 1 April
		{time.Date(2027, 4, 2, 0, 0, 0, 0, santiago), false},
	} {
		f := form(c.now)
		require.Equal(t, c.good, f.Errors["expiry"] == "", "form at %s: %v", c.now, f.Errors)
		require.Equal(t, c.good, vault.Expiry{Month: 3, Year: 2027}.Valid(c.now), "vault at %s", c.now)
		require.Equal(t, c.good, sandbox.ValidateCard(f.Card, c.now) == nil, "acquirer at %s", c.now)
	}
}
