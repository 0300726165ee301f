package payretailers_test

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/pasarela/pasarela/client/payretailers"
	"github.com/pasarela/pasarela/e2e"
	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payretailers"
)

// TestOneClickE2E is OneClick as a merchant and a payer live it, on the
// real gateway (gateway.Open and Serve, notification workers included)
// with a phone-sized headless Chromium: register → the enrollment page (a
// declined card first) → back at the shop with pg_token → confirm →
// create → IPN → payment/status → cards → unregister → create refused.
// Then no card number, whole or its last eight digits, may be found in
// the data directory's files, the log or any notification body.
func TestOneClickE2E(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	sh := l.shop
	ctx := context.Background()
	const email = "ana@example.com"

	// The shop's pages for the payer coming back from an enrollment.
	back := make(chan string, 4)
	sh.srv.Config.Handler.(*http.ServeMux).HandleFunc("GET /oneclick/{result}", func(w http.ResponseWriter, r *http.Request) {
		back <- r.PathValue("result") + " " + r.URL.Query().Get("pg_token")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><meta name="viewport" content="width=device-width"><title>Tienda</title><h1 id="shop">` +
			html.EscapeString(r.PathValue("result")) + `</h1>`))
	})
	cameBack := func(want string) {
		t.Helper()
		select {
		case got := <-back:
			require.Equal(t, want, got)
		case <-time.After(10 * time.Second):
			t.Fatalf("the payer did not come back to the shop")
		}
	}
	register := func() *sdk.Enrollment {
		t.Helper()
		enr, err := sh.client.Register(ctx, sdk.EnrollParams{
			Email: email, ReturnURL: sh.srv.URL + "/oneclick/ok", CancelURL: sh.srv.URL + "/oneclick/cancel",
		})
		require.NoError(t, err)
		require.Equal(t, l.url+"/oneclick/session/"+enr.Token, enr.RedirectURL)
		return enr
	}
	ph := newPhone(t)

	// The page; a declined card comes back with the reason and only the
	// holder's name kept.
	enr := register()
	ph.open(enr.RedirectURL, "#number")
	ph.shot("enroll")
	require.Equal(t, "Registra tu tarjeta", ph.text("h1"))
	bottom := e2e.Eval[float64](t, ph.ctx, "document.getElementById('save').getBoundingClientRect().bottom")
	require.LessOrEqual(t, bottom, float64(e2e.Phone.Height), "the save button is on the first screen")
	ph.fill(map[string]string{"#number": "4000 0000 0000 0002", "#expiry": futureExpiry(), "#cvc": "123", "#holder": "Ana Pérez"})
	ph.click("#save", "#reason")
	ph.shot("enroll-declined")
	require.Contains(t, ph.text("#reason"), "El banco emisor rechazó la tarjeta.")
	require.Empty(t, e2e.Eval[string](t, ph.ctx, "document.getElementById('number').value"))
	require.Empty(t, e2e.Eval[string](t, ph.ctx, "document.getElementById('cvc').value"))
	require.Equal(t, "Ana Pérez", e2e.Eval[string](t, ph.ctx, "document.getElementById('holder').value"))

	// An approved card: the 303 to the shop passes the CSP form-action and
	// carries the token register gave; confirm works once.
	ph.fill(map[string]string{"#number": "4242 4242 4242 4242", "#expiry": futureExpiry(), "#cvc": "123"})
	ph.click("#save", "#shop")
	cameBack("ok " + enr.Token)
	visa, err := sh.client.Confirm(ctx, enr.Token)
	require.NoError(t, err)
	require.Equal(t, sdk.Card{ID: visa.ID, Number: "XXXXXXXXXXXX4242", Type: "visa"}, *visa)
	_, err = sh.client.Confirm(ctx, enr.Token)
	requireAPIError(t, err, payretailers.CodeConflict)
	ph.open(enr.RedirectURL+"?lang=en", "#return")
	ph.shot("enroll-done-en")
	require.Equal(t, "Card saved", ph.text("h1"))

	// A second card, in Portuguese; then one the payer gives up on.
	enr2 := register()
	ph.open(enr2.RedirectURL+"?lang=pt", "#number")
	ph.shot("enroll-pt")
	ph.fill(map[string]string{"#number": "5555 5555 5555 4444", "#expiry": futureExpiry(), "#cvc": "123", "#holder": "Ana Pérez"})
	ph.click("#save", "#shop")
	cameBack("ok " + enr2.Token)
	master, err := sh.client.Confirm(ctx, enr2.Token)
	require.NoError(t, err)
	require.Equal(t, "mastercard", master.Type)
	enr3 := register()
	ph.open(enr3.RedirectURL, "#cancel")
	ph.click("#cancel", "#shop")
	cameBack("cancel " + enr3.Token)

	// A charge: completed at once, announced by IPN, the same in
	// payment/status.
	ch, err := sh.client.Charge(ctx, sdk.ChargeParams{
		Amount: 5000, Card: visa.ID, Country: "CL", Currency: "CLP", Custom: "suscripcion-7",
		Email: email, FirstName: "Ana", LastName: "Pérez",
	})
	require.NoError(t, err)
	require.Equal(t, "completed", ch.Status)
	require.Equal(t, "oneclick", ch.PaymentMethod)
	n := sh.waitIPN(t, ch.TransactionID, "completed")
	require.Equal(t, "oneclick", n.Method)
	require.Equal(t, "suscripcion-7", n.Custom)
	st, err := sh.client.PaymentStatus(ctx, ch.TransactionID)
	require.NoError(t, err)
	require.Equal(t, "completed", st.Status)

	// Cards, unregister, and the deleted card refused.
	cards, err := sh.client.Cards(ctx, email)
	require.NoError(t, err)
	require.Equal(t, []sdk.Card{*visa, *master}, cards)
	require.NoError(t, sh.client.Unregister(ctx, email, visa.ID))
	_, err = sh.client.Charge(ctx, sdk.ChargeParams{Amount: 5000, Card: visa.ID, Currency: "CLP", Email: email, FirstName: "Ana", LastName: "Pérez"})
	requireAPIError(t, err, payretailers.CodeNotFound)
	cards, err = sh.client.Cards(ctx, email)
	require.NoError(t, err)
	require.Equal(t, []sdk.Card{*master}, cards)
	sh.mu.Lock()
	require.Empty(t, sh.errs)
	sh.mu.Unlock()

	// Nowhere: not in the data directory, the log or a notification.
	typed := []string{"4242 4242 4242 4242", "5555 5555 5555 4444", "4000 0000 0000 0002"}
	l.requireNoCardData(t, typed...)
	last8 := []string{"42424242", "55554444", "00000002"}
	notes, err := l.g.Store.ListNotifications(ctx, notify.Filter{})
	require.NoError(t, err)
	require.NotEmpty(t, notes)
	var places [][]byte
	for _, n := range notes {
		places = append(places, n.Body, []byte(n.URL))
	}
	places = append(places, []byte(l.log.String()))
	require.NoError(t, filepath.WalkDir(l.dataDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		places = append(places, raw)
		return err
	}))
	for _, where := range places {
		for _, digits := range last8 {
			for _, form := range cardForms(digits) {
				require.False(t, bytes.Contains(where, []byte(form)), "found %q", form)
			}
		}
	}
}
