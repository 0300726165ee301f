package checkout

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

// samplePages is a page as a dialect would write one: a form bound to the
// payment, using the layout's Order, strings of its own and an asset.
var samplePages = fstest.MapFS{
	"pay.html": {Data: []byte(`{{define "title"}}{{t "sample.title"}}{{end}}
{{define "content"}}<h1 class="title">{{t "sample.title"}}</h1>
<form method="post">{{$.CSRF}}
{{range .Data.Banks}}<button class="option" name="bank" value="{{.}}"><img src="{{asset "bank.svg"}}" alt="">{{.}}</button>{{end}}
<p class="muted">{{t "sample.total" (money .Data.Amount .Data.Currency)}}</p>
</form>{{end}}`)},
}

var sampleMessages = Catalog{
	"sample.title": {ES: "Elige tu banco", EN: "Choose your bank", PT: "Escolha seu banco"},
	"sample.total": {ES: "Pagarás %s", EN: "You will pay %s", PT: "Você pagará %s"},
}

type samplePage struct {
	Order
	Banks []string
}

func sampleOrder() Order {
	return Order{Amount: 50000, Currency: "CLP", Merchant: "Tienda <Ñandú>", Description: "Zapatillas", Reference: "ORD-77", Binding: "tok_1"}
}

type renderBundle struct {
	log *bytes.Buffer
	rd  *Renderer
}

func setup(t *testing.T, opts Options) renderBundle {
	t.Helper()
	var log bytes.Buffer
	if opts.CSRFKey == nil {
		opts.CSRFKey = testKey
	}
	opts.Logger = slog.New(slog.NewTextHandler(&log, nil))
	rd, err := New(opts)
	require.NoError(t, err)
	return renderBundle{log: &log, rd: rd}
}

func get(target string, hdr ...string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	return r
}

func TestRenderSamplePage(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Pages: samplePages, Messages: sampleMessages})
	w := httptest.NewRecorder()
	r := get("/pay/tok_1", "Accept-Language", "en-US,en;q=0.9")
	b.rd.Render(w, r, http.StatusOK, "pay", samplePage{Order: sampleOrder(), Banks: []string{"BancoEstado", "Santander"}})

	res := w.Result()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
	require.Equal(t, "en", res.Header.Get("Content-Language"))
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	html := w.Body.String()
	require.Contains(t, html, `<html lang="en">`)
	require.Contains(t, html, `<title>Choose your bank · Tienda &lt;Ñandú&gt;</title>`)
	require.Contains(t, html, `<p class="amount">$50.000</p>`)
	require.Contains(t, html, `You will pay $50.000`)
	require.Contains(t, html, `Order ORD-77`)
	require.Contains(t, html, `Tienda &lt;Ñandú&gt;`, "merchant names are escaped")
	require.Regexp(t, regexp.MustCompile(`href="/assets/checkout\.[0-9a-f]{12}\.css"`), html)
	require.NotContains(t, html, "style=", "the CSP forbids inline styles")
	require.NotContains(t, html, "<script")
	require.NotContains(t, html, "<style")

	// The form's token verifies against the cookie set with the page.
	m := regexp.MustCompile(`name="csrf_token" value="([A-Za-z0-9_-]+)"`).FindStringSubmatch(html)
	require.Len(t, m, 2)
	cookies := res.Cookies()
	require.Len(t, cookies, 1)
	form := url.Values{CSRFField: {m[1]}, "bank": {"Santander"}}
	post := httptest.NewRequest(http.MethodPost, "/pay/tok_1", strings.NewReader(form.Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post.AddCookie(cookies[0])
	require.True(t, b.rd.CSRF().Verify(post, "tok_1"))

	// The language switcher links back to this page.
	require.Contains(t, html, `<a href="?lang=pt" lang="pt" hreflang="pt">Português</a>`)
	require.Contains(t, html, `hreflang="en" aria-current="true">English</a>`)
}

// A partial ("_*.html") is not a page; every page of its Pages can call
// the templates it defines.
func TestRenderPartial(t *testing.T) {
	t.Parallel()
	pages := fstest.MapFS{
		"_total.html": {Data: []byte(`{{define "total"}}<p class="muted">{{t "sample.total" (money .Amount .Currency)}}</p>{{end}}`)},
		"one.html":    {Data: []byte(`{{define "content"}}<h1>one</h1>{{template "total" .Data}}{{end}}`)},
		"two.html":    {Data: []byte(`{{define "content"}}<h1>two</h1>{{template "total" .Data}}{{end}}`)},
	}
	b := setup(t, Options{Pages: pages, Messages: sampleMessages})
	require.NotContains(t, b.rd.Pages(), "_total")
	for _, name := range []string{"one", "two"} {
		w := httptest.NewRecorder()
		b.rd.Render(w, get("/x", "Accept-Language", "pt"), http.StatusOK, name, samplePage{Order: sampleOrder()})
		require.Equal(t, http.StatusOK, w.Code)
		require.Contains(t, w.Body.String(), "<h1>"+name+"</h1>")
		require.Contains(t, w.Body.String(), `<p class="muted">Você pagará $50.000</p>`)
	}
}

// TestRenderEveryPageEveryLanguage renders each built-in page in each
// language, with every variant that picks its strings at run time.
func TestRenderEveryPageEveryLanguage(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Pages: samplePages, Messages: sampleMessages})
	require.Equal(t, []string{"error", "pay", "result"}, b.rd.Pages())

	for _, l := range Languages() {
		t.Run(string(l), func(t *testing.T) {
			t.Parallel()
			for _, status := range []int{400, 403, 404, 405, 410, 429, 500, 502, 503} {
				w := httptest.NewRecorder()
				b.rd.Error(w, get("/x?lang="+string(l)), status)
				require.Equal(t, status, w.Code)
				require.Equal(t, string(l), w.Header().Get("Content-Language"))
				require.Contains(t, w.Body.String(), `<h1 class="title">`)
			}
			for _, o := range []Outcome{Approved, Rejected, Pending, Expired, Cancelled} {
				for _, ret := range []string{"", "https://shop.example/back"} {
					w := httptest.NewRecorder()
					b.rd.Render(w, get("/r?lang="+string(l)), http.StatusOK, "result", Result{Order: sampleOrder(), Outcome: o, ReturnURL: ret})
					require.Equal(t, http.StatusOK, w.Code, "%s %s: %s", o, ret, b.log)
				}
			}
			w := httptest.NewRecorder()
			b.rd.Render(w, get("/p?lang="+string(l)), http.StatusOK, "pay", samplePage{Order: sampleOrder()})
			require.Equal(t, http.StatusOK, w.Code, b.log.String())
		})
	}
}

func TestErrorPages(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	cases := []struct {
		status int
		lang   string
		want   string
	}{
		{404, "es", "Pago no encontrado"},
		{404, "en", "Payment not found"},
		{404, "pt", "Pagamento não encontrado"},
		{410, "es", "Pago expirado"},
		{410, "en", "Payment expired"},
		{400, "en", "Invalid request"},
		{422, "en", "Invalid request"},
		{500, "en", "Something went wrong"},
		{503, "es", "Algo salió mal"},
	}
	for _, tc := range cases {
		w := httptest.NewRecorder()
		b.rd.Error(w, get("/pay/zzz", "Accept-Language", tc.lang), tc.status)
		require.Equal(t, tc.status, w.Code)
		body := w.Body.String()
		require.Contains(t, body, "<h1 class=\"title\">"+tc.want+"</h1>", "%d %s", tc.status, tc.lang)
		require.Contains(t, body, "<title>"+tc.want+"</title>")
		require.NotContains(t, body, `class="summary"`, "no payment, no summary")
		require.Empty(t, w.Result().Cookies(), "an error page sets no CSRF cookie")
	}
}

func TestRenderFailureIsCleanPage(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Pages: samplePages, Messages: sampleMessages})

	// The page has a form but the data has no binding: {{$.CSRF}} fails in
	// the middle of the page. The payer gets the whole 500 page instead.
	w := httptest.NewRecorder()
	b.rd.Render(w, get("/pay/x", "Accept-Language", "en"), http.StatusOK, "pay", samplePage{Order: Order{Merchant: "Shop", Currency: "CLP", Amount: 1}})
	require.Equal(t, http.StatusInternalServerError, w.Code)
	body := w.Body.String()
	require.Contains(t, body, "Something went wrong")
	require.NotContains(t, body, "Choose your bank", "nothing of the failed page leaks out")
	require.Equal(t, 1, strings.Count(body, "<html"))
	require.Contains(t, b.log.String(), "no Order.Binding")

	w = httptest.NewRecorder()
	b.rd.Render(w, get("/x"), http.StatusOK, "no-such-page", nil)
	require.Equal(t, http.StatusInternalServerError, w.Code)
	require.Contains(t, w.Body.String(), "Algo salió mal")

	// A typed nil pointer is data without an Order, not a panic.
	w = httptest.NewRecorder()
	b.rd.Render(w, get("/x"), http.StatusOK, "result", (*Result)(nil))
	require.Equal(t, http.StatusInternalServerError, w.Code)
}

func TestRenderLanguageOrder(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	res := Result{Order: Order{Language: "pt"}, Outcome: Approved}
	lang := func(r *http.Request, data any) (string, *httptest.ResponseRecorder) {
		w := httptest.NewRecorder()
		b.rd.Render(w, r, http.StatusOK, "result", data)
		require.Equal(t, http.StatusOK, w.Code, b.log.String())
		return w.Header().Get("Content-Language"), w
	}

	l, _ := lang(get("/r", "Accept-Language", "en"), Result{Outcome: Approved})
	require.Equal(t, "en", l, "Accept-Language")
	l, _ = lang(get("/r", "Accept-Language", "en"), res)
	require.Equal(t, "pt", l, "the merchant's language beats the browser's")

	r := get("/r?lang=es", "Accept-Language", "en")
	l, w := lang(r, res)
	require.Equal(t, "es", l, "the payer's click beats everything")
	var langCookie *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == "pasarela_lang" {
			langCookie = c
		}
	}
	require.NotNil(t, langCookie)
	require.Equal(t, "es", langCookie.Value)

	r = get("/r", "Accept-Language", "en")
	r.AddCookie(langCookie)
	l, _ = lang(r, res)
	require.Equal(t, "es", l, "the remembered choice beats the merchant's")

	l, _ = lang(get("/r?lang=fr", "Accept-Language", "en"), Result{Outcome: Approved})
	require.Equal(t, "en", l, "an unknown ?lang is ignored")

	// No switcher on the answer to a POST: its links would GET another page.
	w = httptest.NewRecorder()
	b.rd.Render(w, httptest.NewRequest(http.MethodPost, "/r", nil), http.StatusOK, "result", res)
	require.NotContains(t, w.Body.String(), `class="langs"`)
}

func TestRenderFormTargets(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Pages: samplePages, Messages: sampleMessages})
	h := SecureHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := sampleOrder()
		o.FormTargets = []string{r.URL.Query().Get("target")}
		b.rd.Render(w, r, http.StatusOK, "pay", samplePage{Order: o})
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, get("/pay?target="+url.QueryEscape("https://shop.example/ok")))
	require.Equal(t, http.StatusOK, w.Code)
	require.Contains(t, w.Header().Get("Content-Security-Policy"), "form-action 'self' https://shop.example;")

	w = httptest.NewRecorder()
	h.ServeHTTP(w, get("/pay?target=javascript:alert(1)"))
	require.Equal(t, http.StatusInternalServerError, w.Code, "a bad target fails closed")
	require.Contains(t, w.Header().Get("Content-Security-Policy"), "form-action 'self';")
}

func TestRenderSandboxBanner(t *testing.T) {
	t.Parallel()
	for _, sandbox := range []bool{false, true} {
		b := setup(t, Options{Sandbox: sandbox})
		w := httptest.NewRecorder()
		b.rd.Error(w, get("/x", "Accept-Language", "en"), 404)
		require.Equal(t, sandbox, strings.Contains(w.Body.String(), "Test mode: no real money moves"))
	}
}

func TestNewChecksTemplates(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		pages fstest.MapFS
		msgs  Catalog
		want  string
	}{
		{"unknown key", fstest.MapFS{"a.html": {Data: []byte(`{{define "content"}}{{if true}}{{t "nope.key"}}{{end}}{{end}}`)}}, nil, `unknown message "nope.key"`},
		{"unknown key in pipeline", fstest.MapFS{"a.html": {Data: []byte(`{{define "content"}}{{range .Data}}{{t "nope.x" | printf "%s"}}{{end}}{{end}}`)}}, nil, `unknown message "nope.x"`},
		{"unknown asset", fstest.MapFS{"a.html": {Data: []byte(`{{define "content"}}<img src="{{asset "logo.png"}}" alt="">{{end}}`)}}, nil, `unknown asset "logo.png"`},
		{"no content", fstest.MapFS{"a.html": {Data: []byte(`{{define "title"}}x{{end}}`)}}, nil, `does not define "content"`},
		{"clashes with built-in page", fstest.MapFS{"error.html": {Data: []byte(`{{define "content"}}{{end}}`)}}, nil, `page "error" defined twice`},
		{"parse error", fstest.MapFS{"a.html": {Data: []byte(`{{define "content"}}{{if}}{{end}}`)}}, nil, "parsing a.html"},
		{"unknown key in a partial", fstest.MapFS{"_f.html": {Data: []byte(`{{define "f"}}{{t "nope.p"}}{{end}}`)},
			"a.html": {Data: []byte(`{{define "content"}}{{template "f" .}}{{end}}`)}}, nil, `unknown message "nope.p"`},
		{"partial parse error", fstest.MapFS{"_f.html": {Data: []byte(`{{define "f"}}{{end}`)}}, nil, "parsing _f.html"},
		{"unknown partial", fstest.MapFS{"a.html": {Data: []byte(`{{define "content"}}{{template "f" .}}{{end}}`)}}, nil, `calls no such template "f"`},
		{"incomplete message", fstest.MapFS{}, Catalog{"x.y": {ES: "a", EN: "b"}}, `"x.y" has no pt text`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(Options{CSRFKey: testKey, Pages: tc.pages, Messages: tc.msgs})
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestCrossOriginGuard(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	reached := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux := http.NewServeMux()
	mux.Handle("/", reached)
	h := b.rd.CrossOriginGuard(mux, "POST /pay")

	do := func(method, path, site string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "https://gw.example"+path, nil)
		if site != "" {
			r.Header.Set("Sec-Fetch-Site", site)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	require.Equal(t, http.StatusNoContent, do(http.MethodPost, "/pay/x/submit", "same-origin").Code)
	require.Equal(t, http.StatusNoContent, do(http.MethodPost, "/pay/x/submit", "").Code, "servers send no Sec-Fetch-Site")
	require.Equal(t, http.StatusNoContent, do(http.MethodGet, "/pay/x", "cross-site").Code, "arriving from the merchant by link")
	require.Equal(t, http.StatusNoContent, do(http.MethodPost, "/pay", "cross-site").Code, "bypassed entry point")

	w := do(http.MethodPost, "/pay/x/submit", "cross-site")
	require.Equal(t, http.StatusForbidden, w.Code)
	require.Contains(t, w.Body.String(), "No pudimos verificar tu solicitud")
}
