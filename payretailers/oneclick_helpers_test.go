package payretailers_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/pasarela/pasarela/client/payretailers"
	"github.com/pasarela/pasarela/keyring"
	"github.com/pasarela/pasarela/payretailers"
	"github.com/pasarela/pasarela/vault"
)

// oneClickBundle is the test gateway of setup with a card vault: the API
// is rebuilt over the same store with Deps.Vault, on a server of its own,
// and the SDK clients point there.
type oneClickBundle struct {
	*testBundle
	cards *recordingStore
	vault *vault.Vault
}

// recordingStore is the vault's store, remembering every card inserted so
// tests can see what the vault holds beyond what the API shows.
type recordingStore struct {
	vault.Store
	mu       sync.Mutex
	inserted []vault.Card
}

func (s *recordingStore) InsertCard(ctx context.Context, r vault.Record) error {
	err := s.Store.InsertCard(ctx, r)
	if err == nil {
		s.mu.Lock()
		s.inserted = append(s.inserted, r.Card)
		s.mu.Unlock()
	}
	return err
}

// active lists the cards inserted so far that are not deleted and whose
// customer email ends with suffix.
func (s *recordingStore) active(t *testing.T, suffix string) []vault.Card {
	t.Helper()
	s.mu.Lock()
	all := append([]vault.Card(nil), s.inserted...)
	s.mu.Unlock()
	var out []vault.Card
	for _, c := range all {
		_, err := s.GetCard(context.Background(), c.MerchantID, c.CustomerEmail, c.ID)
		if errors.Is(err, vault.ErrNotFound) {
			continue
		}
		require.NoError(t, err)
		if strings.HasSuffix(c.CustomerEmail, suffix) {
			out = append(out, c)
		}
	}
	return out
}

// shopOK and shopKO are the return and cancel URLs of enrollments.
const (
	shopOK = "https://shop.example/tarjeta-ok?from=oneclick"
	shopKO = "https://shop.example/tarjeta-cancelada"
)

func setupOneClick(t *testing.T) *oneClickBundle {
	t.Helper()
	b := setup(t)
	ctx := context.Background()
	// The vault keyset is wrapped by a master key of its own here; the
	// gateway uses one master key for both, which changes nothing below.
	master, err := keyring.LoadOrCreateMasterKey(filepath.Join(t.TempDir(), "vault.key"))
	require.NoError(t, err)
	kek, err := keyring.Open(ctx, b.store, vault.KeysetName, master)
	require.NoError(t, err)
	rec := &recordingStore{Store: b.store}
	v, err := vault.New(rec, kek, b.root.Derive(vault.FingerprintPurpose))
	require.NoError(t, err)
	b.api, err = payretailers.NewAPI(payretailers.Deps{
		Keys: b.root, Log: b.apiLog(), Merchants: b.merchants, Notifications: b.notes,
		Now: b.clock.Now, Payments: b.payments, Sandbox: true, PublicURL: publicURL, Vault: v,
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	b.api.Mount(mux)
	b.srv = newServer(t, mux)
	b.client.BaseURL, b.client.HTTPClient = b.srv.URL, b.srv.Client()
	b.other.BaseURL, b.other.HTTPClient = b.srv.URL, b.srv.Client()
	return &oneClickBundle{testBundle: b, cards: rec, vault: v}
}

// register starts an enrollment of email for merchant A.
func (b *oneClickBundle) register(t *testing.T, email string) *sdk.Enrollment {
	t.Helper()
	enr, err := b.client.Register(context.Background(), sdk.EnrollParams{Email: email, ReturnURL: shopOK, CancelURL: shopKO})
	require.NoError(t, err)
	require.Equal(t, publicURL+"/oneclick/session/"+enr.Token, enr.RedirectURL)
	return enr
}

// enroller is one payer's browser on one enrollment page.
type enroller struct {
	b      *oneClickBundle
	client *http.Client
	path   string // the page's path on the test server
	t      *testing.T
	token  string
}

func (b *oneClickBundle) enroller(t *testing.T, enr *sdk.Enrollment) *enroller {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &enroller{
		b: b, path: strings.TrimPrefix(enr.RedirectURL, publicURL), t: t, token: enr.Token,
		client: &http.Client{
			Jar:           jar,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

func (e *enroller) do(req *http.Request) page {
	return (&payer{client: e.client, t: e.t}).do(req)
}

// get requests the page with an Accept-Language.
func (e *enroller) get(lang string) page {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.b.srv.URL+e.path, nil)
	require.NoError(e.t, err)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	return e.do(req)
}

// csrf opens the page and returns its form's token.
func (e *enroller) csrf() string {
	e.t.Helper()
	pg := e.get("")
	require.Equal(e.t, http.StatusOK, pg.status, pg.body)
	m := csrfField.FindStringSubmatch(pg.body)
	require.NotNil(e.t, m, "the page has a form: %s", pg.body)
	return m[1]
}

// post sends the card form with token as its CSRF token.
func (e *enroller) post(token string, card url.Values) page {
	e.t.Helper()
	form := url.Values{"csrf_token": {token}}
	for k, v := range card {
		form[k] = v
	}
	req, err := http.NewRequest(http.MethodPost, e.b.srv.URL+e.path+"/card", strings.NewReader(form.Encode()))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return e.do(req)
}

// submit opens the page and posts card with its fresh token.
func (e *enroller) submit(card url.Values) page {
	e.t.Helper()
	return e.post(e.csrf(), card)
}

// enterCard submits number and checks that the payer is sent back to
// the shop with the enrollment's pg_token.
func (e *enroller) enterCard(number string) {
	e.t.Helper()
	pg := e.submit(e.b.validCard(number))
	require.Equal(e.t, http.StatusSeeOther, pg.status, pg.body)
	require.Equal(e.t, shopOK+"&pg_token="+e.token, pg.location)
}

// enroll runs a whole enrollment of number for email and returns the
// confirmed card.
func (b *oneClickBundle) enroll(t *testing.T, email, number string) *sdk.Card {
	t.Helper()
	enr := b.register(t, email)
	b.enroller(t, enr).enterCard(number)
	card, err := b.client.Confirm(context.Background(), enr.Token)
	require.NoError(t, err)
	return card
}

// charge is a OneClick charge of card for email, 5000 CLP.
func charge(card, email string) sdk.ChargeParams {
	return sdk.ChargeParams{
		Amount: 5000, Card: card, Country: "CL", Currency: "CLP", Custom: "suscripcion-7",
		Email: email, FirstName: "Roberto", LastName: "Fernandez", IP: "190.22.1.1",
	}
}

// requireAPIError checks that err is the API's error code.
func requireAPIError(t *testing.T, err error, code string) {
	t.Helper()
	var apiErr *sdk.APIError
	require.True(t, errors.As(err, &apiErr), "want %s, got %v", code, err)
	require.Equal(t, code, apiErr.Code, apiErr.Message)
	require.Equal(t, http.StatusOK, apiErr.HTTPStatus)
}
