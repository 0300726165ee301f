package checkout

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"text/template/parse"
)

//go:embed templates
var templateFiles embed.FS

// langCookie remembers a language the payer picked in the switcher, so the
// next page (after a form POST, say) keeps it.
const langCookie = "pasarela_lang"

// Options configure a Renderer.
type Options struct {
	// CSRFKey keys the form tokens; at least 32 bytes, the same on every
	// node of the gateway.
	CSRFKey []byte
	// Logger receives template errors. Default slog.Default().
	Logger *slog.Logger
	// Messages are the strings of the Pages, added to the built-in ones. A
	// key may not redefine a built-in key; namespace keys by dialect
	// ("etpay.banks.title").
	Messages Catalog
	// Pages holds more page templates: each *.html file at its root is a
	// page named after the file ("banks.html" → "banks"). This is how a
	// dialect package brings its own pages (embed them with embed.FS).
	// A file whose name begins with "_" is not a page but a partial: the
	// templates it defines can be called by every page of the same Pages.
	Pages fs.FS
	// Sandbox shows a "test mode, no real money" banner on every page.
	Sandbox bool
	// SecureCookies marks cookies Secure (and __Host- prefixed) even on
	// plain-HTTP requests: set it behind a TLS-terminating proxy.
	SecureCookies bool
}

// Renderer renders payer pages: the layout around a page template, in the
// payer's language, with a CSRF token for forms. It is safe for concurrent
// use. A dialect makes its own Renderer with its own Pages and Messages.
type Renderer struct {
	catalog Catalog
	csrf    *CSRF
	log     *slog.Logger
	pages   map[string]map[Lang]*template.Template // page → language → template set
	sandbox bool
}

// New parses the built-in pages and opts.Pages, once per language, and
// checks them: every page defines "content", and every literal key a
// template passes to t ({{t "some.key"}}) and every asset it names exists.
// A template that fails these checks fails here, at start-up (and in the
// dialect's tests), not in front of a payer.
func New(opts Options) (*Renderer, error) {
	csrf, err := NewCSRF(opts.CSRFKey, opts.SecureCookies)
	if err != nil {
		return nil, err
	}
	catalog, err := merge(messages, opts.Messages)
	if err != nil {
		return nil, fmt.Errorf("checkout: %w", err)
	}
	if err := catalog.Check(); err != nil {
		return nil, fmt.Errorf("checkout: %w", err)
	}
	rd := &Renderer{catalog: catalog, csrf: csrf, log: opts.Logger, pages: map[string]map[Lang]*template.Template{}, sandbox: opts.Sandbox}
	if rd.log == nil {
		rd.log = slog.Default()
	}

	base, err := template.New("layout.html").Funcs(template.FuncMap{
		"asset": assetFunc,
		"money": FormatMoney,
		"t":     func(string, ...any) (string, error) { return "", errors.New("unbound t") }, // rebound per language below
	}).ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("checkout: parsing layout: %w", err)
	}
	sources := []struct {
		fsys fs.FS
		glob string
	}{{templateFiles, "templates/pages/*.html"}}
	if opts.Pages != nil {
		sources = append(sources, struct {
			fsys fs.FS
			glob string
		}{opts.Pages, "*.html"})
	}
	for _, src := range sources {
		files, err := fs.Glob(src.fsys, src.glob)
		if err != nil {
			return nil, fmt.Errorf("checkout: listing pages: %w", err)
		}
		pages, partials := splitPartials(files)
		srcBase := base
		if len(partials) > 0 {
			if srcBase, err = base.Clone(); err != nil {
				return nil, fmt.Errorf("checkout: %w", err)
			}
			for _, file := range partials {
				if err := parseFile(srcBase, src.fsys, file); err != nil {
					return nil, err
				}
			}
		}
		for _, file := range pages {
			if err := rd.addPage(srcBase, src.fsys, file); err != nil {
				return nil, err
			}
		}
	}
	return rd, nil
}

// splitPartials tells pages from partials ("_*.html").
func splitPartials(files []string) (pages, partials []string) {
	for _, f := range files {
		if strings.HasPrefix(path.Base(f), "_") {
			partials = append(partials, f)
		} else {
			pages = append(pages, f)
		}
	}
	return pages, partials
}

// parseFile adds the templates of file to set.
func parseFile(set *template.Template, fsys fs.FS, file string) error {
	body, err := fs.ReadFile(fsys, file)
	if err != nil {
		return fmt.Errorf("checkout: reading %s: %w", file, err)
	}
	if _, err := set.New(path.Base(file)).Parse(string(body)); err != nil {
		return fmt.Errorf("checkout: parsing %s: %w", file, err)
	}
	return nil
}

func (rd *Renderer) addPage(base *template.Template, fsys fs.FS, file string) error {
	name := strings.TrimSuffix(path.Base(file), ".html")
	if _, dup := rd.pages[name]; dup {
		return fmt.Errorf("checkout: page %q defined twice", name)
	}
	set, err := base.Clone()
	if err != nil {
		return fmt.Errorf("checkout: %w", err)
	}
	if err := parseFile(set, fsys, file); err != nil {
		return err
	}
	if set.Lookup("content") == nil {
		return fmt.Errorf("checkout: page %s does not define \"content\"", file)
	}
	if err := rd.checkLiterals(set); err != nil {
		return fmt.Errorf("checkout: page %s: %w", file, err)
	}
	// One set per language with t bound to it: templates say {{t "key"}}
	// anywhere (inside range and with too) and escaping is done once per set
	// rather than on every request.
	rd.pages[name] = map[Lang]*template.Template{}
	for _, l := range Languages() {
		c, err := set.Clone()
		if err != nil {
			return fmt.Errorf("checkout: page %s: %w", file, err)
		}
		rd.pages[name][l] = c.Funcs(template.FuncMap{"t": rd.translator(l)})
	}
	return nil
}

// checkLiterals finds {{t "key"}}, {{asset "name"}} and {{template "name"}} with literal
// arguments in every template of the set and checks that they exist.
// Computed keys ({{t .Data.TitleKey}}) are left to the render tests.
func (rd *Renderer) checkLiterals(set *template.Template) error {
	var errs []error
	for _, tm := range set.Templates() {
		if tm.Tree == nil {
			continue
		}
		walk(tm.Tree.Root, func(fn, arg string) {
			switch fn {
			case "t":
				if _, ok := rd.catalog[arg]; !ok {
					errs = append(errs, fmt.Errorf("template %q uses unknown message %q", tm.Name(), arg))
				}
			case "asset":
				if _, ok := assets[arg]; !ok {
					errs = append(errs, fmt.Errorf("template %q uses unknown asset %q", tm.Name(), arg))
				}
			case "template":
				if set.Lookup(arg) == nil {
					errs = append(errs, fmt.Errorf("template %q calls no such template %q", tm.Name(), arg))
				}
			}
		})
	}
	return errors.Join(errs...)
}

// walk calls found for every call of a function with a string literal as
// its first argument, and for every {{template "name"}} ("template", name).
func walk(n parse.Node, found func(fn, arg string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, found)
		}
	case *parse.ActionNode:
		walk(n.Pipe, found)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walk(c, found)
		}
	case *parse.CommandNode:
		if len(n.Args) >= 2 {
			id, ok1 := n.Args[0].(*parse.IdentifierNode)
			s, ok2 := n.Args[1].(*parse.StringNode)
			if ok1 && ok2 {
				found(id.Ident, s.Text)
			}
		}
		for _, a := range n.Args {
			walk(a, found)
		}
	case *parse.IfNode:
		walk(n.Pipe, found)
		walk(n.List, found)
		walk(n.ElseList, found)
	case *parse.RangeNode:
		walk(n.Pipe, found)
		walk(n.List, found)
		walk(n.ElseList, found)
	case *parse.WithNode:
		walk(n.Pipe, found)
		walk(n.List, found)
		walk(n.ElseList, found)
	case *parse.TemplateNode:
		found("template", n.Name)
		walk(n.Pipe, found)
	}
}

func assetFunc(name string) (string, error) {
	u, ok := AssetURL(name)
	if !ok {
		return "", fmt.Errorf("no asset %q", name)
	}
	return u, nil
}

// translator is the template function t for one language: {{t "key"}}, or
// {{t "key" arg…}} for a message with fmt verbs. An unknown key is an
// error, which Render turns into a clean 500 page (and a test failure)
// rather than a page that shows a raw key.
func (rd *Renderer) translator(l Lang) func(string, ...any) (string, error) {
	return func(key string, args ...any) (string, error) {
		m, ok := rd.catalog[key]
		if !ok {
			return "", fmt.Errorf("no message %q", key)
		}
		s := m.In(l)
		if len(args) > 0 {
			s = fmt.Sprintf(s, args...)
		}
		return s, nil
	}
}

// CSRF returns the protector whose tokens Render puts in forms; handlers
// call CSRF().Verify(r, binding) on every POST.
func (rd *Renderer) CSRF() *CSRF { return rd.csrf }

// Pages lists the page names this Renderer can render, sorted.
func (rd *Renderer) Pages() []string {
	out := make([]string, 0, len(rd.pages))
	for p := range rd.pages {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Order is what the layout shows above every payment page and what ties a
// page to its payment. A page's data embeds it (struct embedding, by
// value) so the layout finds it whatever the page's own type:
//
//	type banksPage struct {
//		checkout.Order
//		Banks []bank
//	}
type Order struct {
	// Amount in minor units of Currency; the summary is shown when
	// Currency is set.
	Amount int64
	// Binding is what the page's forms are bound to: the value the POST
	// handler will pass to CSRF().Verify, normally the payment token in the
	// URL. Without it the page has no CSRF token and {{$.CSRF}} fails.
	Binding  string
	Currency string
	// Description is the merchant's description of the purchase.
	Description string
	// FormTargets are URLs outside the gateway that a form on this page may
	// end up at through redirects after its POST (the merchant's return and
	// cancel URLs, a bank's page); see AllowFormTargets.
	FormTargets []string
	// Language the merchant asked for (PayRetailers pg_language); the
	// payer's own choice still wins.
	Language string
	// Merchant is the name shown in the header.
	Merchant string
	// Reference is the merchant's order id, shown to the payer.
	Reference string
}

// checkoutOrder lets Render find an embedded Order without knowing the
// page's type; unexported, so only embedding satisfies it.
func (o Order) checkoutOrder() Order { return o }

type orderer interface{ checkoutOrder() Order }

// Outcome is how a payment ended, as the result page tells the payer.
type Outcome string

// The outcomes the result page knows.
const (
	Approved  Outcome = "approved"
	Cancelled Outcome = "cancelled"
	Expired   Outcome = "expired"
	Pending   Outcome = "pending" // e.g. a cash voucher not yet paid
	Rejected  Outcome = "rejected"
)

// Result is the data of the built-in "result" page.
type Result struct {
	Order
	Outcome Outcome
	// ReturnURL is where the "Return to <merchant>" button goes (GET);
	// without it the page says the window can be closed.
	ReturnURL string
}

// BodyKey is the message key of the explanation.
func (r Result) BodyKey() string { return "result." + string(r.Outcome) + ".body" }

// Icon names the status icon asset.
func (r Result) Icon() string {
	switch r.Outcome {
	case Approved:
		return "success.svg"
	case Pending:
		return "pending.svg"
	default:
		return "failure.svg"
	}
}

// TitleKey is the message key of the heading.
func (r Result) TitleKey() string { return "result." + string(r.Outcome) + ".title" }

// errorPage is the data of the built-in "error" page.
type errorPage struct {
	Status int
}

// kind is the status whose texts are shown: a known one, else the generic
// 400 or 500 texts.
func (e errorPage) kind() string {
	switch e.Status {
	case 400, 403, 404, 410, 429, 500:
		return strconv.Itoa(e.Status)
	}
	if e.Status < 500 {
		return "400"
	}
	return "500"
}

func (e errorPage) BodyKey() string  { return "error." + e.kind() + ".body" }
func (e errorPage) TitleKey() string { return "error." + e.kind() + ".title" }

func (e errorPage) Icon() string {
	if e.Status == http.StatusGone || e.Status == http.StatusTooManyRequests {
		return "pending.svg"
	}
	return "failure.svg"
}

// View is the data every template receives. Page templates reach their own
// data as .Data (or $.Data inside range and with).
type View struct {
	CSRFToken string // empty when the page's Order has no Binding
	Data      any    // what the handler passed to Render
	Lang      Lang
	Langs     []LangLink // the language switcher; empty on POST responses
	Order     *Order     // nil when the data embeds no Order
	Page      string
	Sandbox   bool
	Status    int
}

// CSRF is the hidden input every POST form must contain: {{$.CSRF}}. It is
// an error (a clean 500, caught by the page's render test) on a page whose
// Order has no Binding, so a form cannot silently go out unprotected.
func (v View) CSRF() (template.HTML, error) {
	if v.CSRFToken == "" {
		return "", errors.New("page has a form but its data has no Order.Binding for the CSRF token")
	}
	// The token is base64url: nothing in it needs escaping.
	return template.HTML(`<input type="hidden" name="` + CSRFField + `" value="` + v.CSRFToken + `">`), nil
}

// LangLink is one entry of the language switcher.
type LangLink struct {
	Current bool
	Lang    Lang
	URL     string // relative: the same page with ?lang=
}

// Render writes page with data, answering status. The page is executed
// into a buffer first: if it fails, the payer gets the clean 500 page and
// the error is logged, never half a page.
//
// The language is, in order: ?lang= in the URL (the payer clicked the
// switcher; remembered in a cookie), that cookie, the Order's Language,
// Accept-Language, Spanish.
func (rd *Renderer) Render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	if status == 0 {
		status = http.StatusOK
	}
	if rd.pages[page] == nil {
		rd.log.ErrorContext(r.Context(), "checkout: no such page", "page", page)
		rd.Error(w, r, http.StatusInternalServerError)
		return
	}
	v := rd.view(w, r, status, page, data, "")
	body, err := rd.execute(v)
	if err == nil && v.Order != nil && len(v.Order.FormTargets) > 0 {
		err = AllowFormTargets(w, v.Order.FormTargets...)
	}
	if err != nil {
		// Never log data: it may hold payer details.
		rd.log.ErrorContext(r.Context(), "checkout: rendering page", "page", page, "err", err)
		rd.error(w, r, http.StatusInternalServerError, v.Lang)
		return
	}
	writePage(w, status, v.Lang, body)
}

// Error writes the error page for status: 404 "payment not found", 410
// "payment expired", 400 "invalid request", 403 (a failed CSRF check), 429,
// 500; any other 4xx or 5xx gets the 400 or 500 texts with its own status.
func (rd *Renderer) Error(w http.ResponseWriter, r *http.Request, status int) {
	rd.error(w, r, status, "")
}

// error renders the error page in lang, or in the negotiated language when
// lang is "" (a failed Render passes the language it already chose).
func (rd *Renderer) error(w http.ResponseWriter, r *http.Request, status int, lang Lang) {
	v := rd.view(w, r, status, "error", errorPage{Status: status}, lang)
	body, err := rd.execute(v)
	if err != nil {
		// The error page itself failed: a plain page, still in a known state.
		rd.log.ErrorContext(r.Context(), "checkout: rendering error page", "status", status, "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		fmt.Fprintf(w, "%d %s\n", status, http.StatusText(status))
		return
	}
	writePage(w, status, v.Lang, body)
}

// CrossOriginGuard puts Go's http.CrossOriginProtection in front of next:
// a cross-origin unsafe request (a POST from another site, judged by
// Sec-Fetch-Site or Origin against Host) gets the 403 page before any
// handler runs.
//
// It is a layer on top of the CSRF token, not instead of it: it needs no
// per-form work and stops a forged POST early, while the token still
// protects browsers that send neither header and binds a form to one
// payment. Requests without those headers (servers, curl) pass, so merchant
// APIs are unaffected; still, wrap payer routes only.
//
// Entry points that legitimately receive a cross-site POST from the
// payer's browser must be listed in bypass as Go routing patterns: the
// PayRetailers Webcheckout form a merchant's page posts ("POST /pay"), a
// bank or 3-D Secure page that posts back. Those handlers must protect
// themselves (a signature, a one-time token). AddInsecureBypassPattern
// panics on a malformed pattern, so a typo fails at start-up.
func (rd *Renderer) CrossOriginGuard(next http.Handler, bypass ...string) http.Handler {
	p := http.NewCrossOriginProtection()
	for _, pattern := range bypass {
		p.AddInsecureBypassPattern(pattern)
	}
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rd.Error(w, r, http.StatusForbidden)
	}))
	return p.Handler(next)
}

func (rd *Renderer) execute(v View) ([]byte, error) {
	var buf bytes.Buffer
	if err := rd.pages[v.Page][v.Lang].ExecuteTemplate(&buf, "layout", v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (rd *Renderer) view(w http.ResponseWriter, r *http.Request, status int, page string, data any, lang Lang) View {
	v := View{Data: data, Page: page, Sandbox: rd.sandbox, Status: status}
	if o, ok := data.(orderer); ok && !isNilPointer(data) {
		ord := o.checkoutOrder()
		v.Order = &ord
	}
	v.Lang = lang
	if v.Lang == "" {
		v.Lang = rd.language(w, r, v.Order)
	}
	if v.Order != nil && v.Order.Binding != "" {
		v.CSRFToken = rd.csrf.Token(w, r, v.Order.Binding)
	}
	// Links re-request the page with GET: only offered where that shows the
	// same page (not on the answer to a POST).
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		for _, l := range Languages() {
			q := r.URL.Query()
			q.Set("lang", string(l))
			v.Langs = append(v.Langs, LangLink{Current: l == v.Lang, Lang: l, URL: "?" + q.Encode()})
		}
	}
	return v
}

func (rd *Renderer) language(w http.ResponseWriter, r *http.Request, o *Order) Lang {
	if l, ok := ParseLang(r.URL.Query().Get("lang")); ok {
		http.SetCookie(w, &http.Cookie{
			Name: langCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: rd.csrf.secure(r), SameSite: http.SameSiteLaxMode,
		})
		return l
	}
	explicit := ""
	if c, err := r.Cookie(langCookie); err == nil {
		if _, ok := ParseLang(c.Value); ok {
			explicit = c.Value
		}
	}
	if explicit == "" && o != nil {
		explicit = o.Language
	}
	return Negotiate(r.Header.Get("Accept-Language"), explicit)
}

func writePage(w http.ResponseWriter, status int, l Lang, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", string(l))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	// Also set by SecureHeaders; repeated so a page is never cached even
	// when mounted without it.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}
