package payretailers

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pasarela/pasarela/checkout"
	"github.com/pasarela/pasarela/keyring"
	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/vault"
)

// Routes of the dialect. The API accepts GET and POST alike because the
// official PHP SDK sends every call as a GET with a JSON body (WIRE.md).
const (
	PathAuthToken          = "/api/v2/auth/token"
	PathNotificationStatus = "/api/v2/notification/status"
	PathPaymentCreate      = "/api/v2/payment/create"
	PathPaymentMethods     = "/api/v2/payment/methods"
	PathPaymentStatus      = "/api/v2/payment/status"
	PathPaymentWebcheckout = "/api/v2/payment/webcheckout"
	// PathPayForm is the Webcheckout HTML form a merchant's page posts.
	PathPayForm = "/pay"
)

// HostedPagePattern is where the payer pays a PayRetailers payment: the
// payment_method_url of payment/create and the redirectUrl of webcheckout
// and POST /pay all point here. The path is the provider's own
// ("https://gateway.payretailers.cl/pay-direct/<transaction_id>" in the
// seed). The page reads the payment by its Ref; when Method is empty it
// lets the payer choose one. The hosted pages serve GET on it.
const HostedPagePattern = "/pay-direct/{transaction_id}"

// HostedPageURL is the payer's page of a payment: publicURL (the gateway's
// base, no trailing slash) + "/pay-direct/" + the transaction id.
func HostedPageURL(publicURL, transactionID string) string {
	return strings.TrimSuffix(publicURL, "/") + "/pay-direct/" + url.PathEscape(transactionID)
}

// MaxBodyBytes bounds a request body. Real calls are well under 4 KiB;
// the gateway's own limit (1 MiB) is for every route, this one is the
// dialect's.
const MaxBodyBytes = 64 << 10

// Defaults used when Deps leaves a duration zero.
const (
	DefaultBankConfirmDelay = 10 * time.Second
	DefaultCashTTL          = 72 * time.Hour
	DefaultSessionTTL       = 30 * time.Minute
)

// Deps are what the API needs from the gateway.
type Deps struct {
	// BankConfirmDelay is how long the sandbox bank takes to confirm a
	// transfer the payer left pending (password "pending"); see
	// API.ConfirmPendingBankTransfers. Default DefaultBankConfirmDelay.
	BankConfirmDelay time.Duration
	// CashTTL is how long a payment by a cash voucher (FamilyCash: boleto,
	// oxxo, servipag) stays open: the payer pays at a counter, days later.
	CashTTL time.Duration
	// Keys derives the MAC keys of auth tokens and of the form pages'
	// CSRF tokens; every node must have the same root.
	Keys      keyring.Root
	Log       *slog.Logger
	Merchants *merchant.Service
	// Notifications answers notification/status; nil makes that call
	// answer INTERNAL_ERROR (and log why) until the store provides it.
	Notifications NotificationLister
	// Now is the clock of tokens and expiries; default time.Now.
	Now      func() time.Time
	Payments *payment.Service
	// PublicURL is how payers and merchants reach the gateway (scheme,
	// host, optional path; no trailing slash): the base of hosted-page
	// and method-image URLs.
	PublicURL string
	// Rails are the networks the hosted pages pay through. In sandbox
	// mode a nil rail is the simulated one (see SandboxRails); outside it
	// the methods of a family without a rail are not offered.
	Rails Rails
	// Sandbox shows the test-mode banner on the payer pages, documents
	// the test cards, passwords and helper on them, and turns on the
	// simulated rails and the delayed bank confirmation.
	Sandbox bool
	// SecureCookies marks page cookies Secure behind a TLS proxy.
	SecureCookies bool
	// SessionTTL is how long any other payment stays open, and how long a
	// OneClick enrollment token is good for (the page and the confirm).
	SessionTTL time.Duration
	// Vault keeps the cards enrolled for OneClick. Without it (or without
	// an acquirer) the OneClick calls answer INVALID_METHOD and the
	// enrollment page is not found.
	Vault *vault.Vault
}

// API serves the PayRetailers API v2, the Webcheckout form, the hosted
// payment pages and OneClick. It holds no per-request state and is safe
// for concurrent use; every node of a cluster can serve any request,
// since auth and enrollment tokens are verified, not looked up. (The one
// thing a node keeps to itself is the count of cards refused on each
// enrollment page, a limit that is per node by design; see
// refusalCounter.)
type API struct {
	bankConfirmDelay time.Duration
	cashTTL          time.Duration
	log              *slog.Logger
	merchants        *merchant.Service
	notifications    NotificationLister
	now              func() time.Time
	pages            *checkout.Renderer
	payments         *payment.Service
	publicURL        string
	// publicPath is the path part of publicURL ("" or "/prefix"): the
	// hosted pages link and redirect by path, so they work on whatever
	// host the payer's browser used.
	publicPath    string
	rails         Rails
	sandbox       bool
	secureCookies bool
	sessionTTL    time.Duration
	tokens        tokenIssuer
	// enrollments seals OneClick enrollment tokens; vault keeps the cards;
	// refusals counts refused cards per enrollment (oneclick_page.go).
	enrollments enrollmentSealer
	refusals    *refusalCounter
	vault       *vault.Vault
}

// NewAPI checks d and builds the API.
func NewAPI(d Deps) (*API, error) {
	var errs []error
	if d.Payments == nil || d.Merchants == nil {
		errs = append(errs, errors.New("payments and merchants are required"))
	}
	if len(d.Keys) < 32 {
		errs = append(errs, errors.New("keys: a root of at least 32 bytes is required"))
	}
	if u, err := url.Parse(d.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("public URL must be an absolute http(s) URL, not %q", d.PublicURL))
	}
	if d.SessionTTL < 0 || d.CashTTL < 0 || d.BankConfirmDelay < 0 {
		errs = append(errs, errors.New("TTLs must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("payretailers: %w", err)
	}
	a := &API{
		bankConfirmDelay: d.BankConfirmDelay, cashTTL: d.CashTTL, log: d.Log, merchants: d.Merchants,
		notifications: d.Notifications, now: d.Now, payments: d.Payments,
		publicURL: strings.TrimSuffix(d.PublicURL, "/"), rails: d.Rails, sandbox: d.Sandbox,
		secureCookies: d.SecureCookies, sessionTTL: d.SessionTTL, vault: d.Vault,
	}
	if u, err := url.Parse(a.publicURL); err == nil {
		a.publicPath = strings.TrimSuffix(u.EscapedPath(), "/")
	}
	if a.bankConfirmDelay == 0 {
		a.bankConfirmDelay = DefaultBankConfirmDelay
	}
	if a.cashTTL == 0 {
		a.cashTTL = DefaultCashTTL
	}
	if a.sessionTTL == 0 {
		a.sessionTTL = DefaultSessionTTL
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.sandbox {
		a.rails = a.rails.withSandboxDefaults(d.Keys, a.now)
	}
	a.tokens = tokenIssuer{key: d.Keys.Derive(authTokenPurpose)}
	enrollments, err := newEnrollmentSealer(d.Keys.Derive(oneClickTokenPurpose), d.Keys.Derive(oneClickPseudoPurpose))
	if err != nil {
		return nil, fmt.Errorf("payretailers: %w", err)
	}
	a.enrollments, a.refusals = enrollments, &refusalCounter{}
	pages, err := newPages(d.Keys.Derive(pagesCSRFPurpose), a.log, d.Sandbox, d.SecureCookies)
	if err != nil {
		return nil, fmt.Errorf("payretailers: %w", err)
	}
	a.pages = pages
	return a, nil
}

// Mount registers every route of the dialect on m (a *http.ServeMux or
// the gateway's server). The hosted payer pages come wrapped in
// SecureHeaders and the Renderer's CrossOriginGuard already. The form
// route must not sit behind a guard: merchants' pages post it cross-site
// by design (list "POST /pay" in its bypass if a guard wraps everything).
func (a *API) Mount(m interface{ Handle(string, http.Handler) }) {
	for pattern, h := range a.Routes() {
		m.Handle(pattern, h)
	}
}

// Routes returns the dialect's Go 1.22 routing patterns and handlers.
func (a *API) Routes() map[string]http.Handler {
	api := map[string]http.Handler{
		PathAuthToken:          a.endpoint("auth/token", a.authToken),
		PathNotificationStatus: a.endpoint("notification/status", a.notificationStatus),
		PathPaymentCreate:      a.endpoint("payment/create", a.createPayment),
		PathPaymentMethods:     a.endpoint("payment/methods", a.paymentMethods),
		PathPaymentStatus:      a.endpoint("payment/status", a.paymentStatus),
		PathPaymentWebcheckout: a.endpoint("payment/webcheckout", a.webcheckout),
		PathOneClickCards:      a.endpoint("oneclick/cards", a.oneClickCards),
		PathOneClickConfirm:    a.endpoint("oneclick/confirm", a.oneClickConfirm),
		PathOneClickCreate:     a.endpoint("oneclick/create", a.oneClickCharge),
		PathOneClickRegister:   a.endpoint("oneclick/register", a.oneClickRegister),
		PathOneClickUnregister: a.endpoint("oneclick/unregister", a.oneClickUnregister),
	}
	routes := make(map[string]http.Handler, 2*len(api)+1)
	for path, h := range api {
		routes[http.MethodGet+" "+path] = h
		routes[http.MethodPost+" "+path] = h
	}
	routes[http.MethodPost+" "+PathPayForm] = checkout.SecureHeaders(http.HandlerFunc(a.payForm))
	for pattern, h := range a.hostedRoutes() {
		routes[pattern] = h
	}
	for pattern, h := range a.oneClickRoutes() {
		routes[pattern] = h
	}
	return routes
}

// Pages is the renderer of the dialect's payer pages: the form's error
// page and the hosted payment pages (hosted.go).
func (a *API) Pages() *checkout.Renderer { return a.pages }

// Purposes of the keys derived from Deps.Keys.
const (
	authTokenPurpose = "payretailers/auth-token"
	pagesCSRFPurpose = "payretailers/pages-csrf"
	// oneClickTokenPurpose keys the sealed OneClick enrollment tokens,
	// oneClickPseudoPurpose the names of their pseudo-customers.
	oneClickTokenPurpose  = "payretailers/oneclick-token"
	oneClickPseudoPurpose = "payretailers/oneclick-pseudo"
)
