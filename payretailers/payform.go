package payretailers

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/pasarela/pasarela/checkout"
	"github.com/pasarela/pasarela/merchant"
)

// payFormPage is the page answering a bad POST /pay.
const payFormPage = "payform_error"

// payFormError is the data of payFormPage. ReasonKey is the message that
// explains Code to the payer, with Field as its argument when set.
type payFormError struct {
	checkout.Order
	Code      string
	Field     string
	Message   string
	ReasonKey string
}

// errFormUnreadable answers a body that is not a form.
var errFormUnreadable = NewError(CodeInvalidField, "", "the body must be an HTML form (application/x-www-form-urlencoded or multipart/form-data)")

// payForm serves POST /pay, the Webcheckout button: an HTML form the
// merchant's page posts from the payer's browser, with the fields of
// WebcheckoutRequest and no signature (the seed has none; the merchant's
// secret cannot sit in a page). So the only check of origin is that
// pg_serviceid names a merchant, and what such a payment can do is
// bounded accordingly: its notifications go only to the merchant's own
// notification URL, never to a URL from the form.
//
// Valid fields create the payment and send the payer to its hosted page
// with 303 See Other (a reload then does not post twice). Invalid ones
// get a 400 page in the payer's language saying which field is wrong, and
// nothing is created.
func (a *API) payForm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	form, status, ferr := readForm(w, r)
	if ferr != nil {
		a.formError(w, r, status, ferr, checkout.Order{})
		return
	}
	req := ParseWebcheckoutForm(form)
	// The raw pg_language: the page speaks it even when it is "pt-BR" or
	// when another field is what failed; checkout ignores what it cannot
	// speak.
	page := checkout.Order{Language: req.Language}
	if req.ServiceID == "" {
		a.formError(w, r, http.StatusBadRequest, NewError(CodeMissingField, "pg_serviceid", "pg_serviceid is required"), page)
		return
	}
	m, err := a.merchants.ByServiceID(ctx, req.ServiceID)
	if errors.Is(err, merchant.ErrNotFound) {
		a.formError(w, r, http.StatusBadRequest, ErrUnknownService, page)
		return
	}
	if err != nil {
		a.log.ErrorContext(ctx, "payretailers: pay form: finding merchant", "err", err)
		a.pages.Error(w, r, http.StatusServiceUnavailable)
		return
	}
	page.Merchant = m.Name
	if err := req.Validate(); err != nil {
		a.formError(w, r, http.StatusBadRequest, asError(err), page)
		return
	}
	p, err := a.createOrder(ctx, m, req.order())
	if err != nil {
		a.log.ErrorContext(ctx, "payretailers: pay form: creating payment", "merchant", m.ID, "err", err)
		a.pages.Error(w, r, http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, HostedPageURL(a.publicURL, p.Ref), http.StatusSeeOther)
}

// readForm reads the POST body of the form, at most MaxBodyBytes, in
// either encoding an HTML form can use. Only the body counts: a field in
// the query string is ignored, as the provider's form is a POST.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, int, *Error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, http.StatusRequestEntityTooLarge, ErrBodyTooLarge
		}
		return nil, http.StatusBadRequest, errFormUnreadable
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, http.StatusBadRequest, errFormUnreadable
		}
		return r.PostForm, 0, nil
	case "multipart/form-data":
		// The whole body is in memory already and bounded, so no part can
		// spill to a temporary file.
		if err := r.ParseMultipartForm(MaxBodyBytes); err != nil {
			return nil, http.StatusBadRequest, errFormUnreadable
		}
		defer func() { _ = r.MultipartForm.RemoveAll() }()
		return url.Values(r.MultipartForm.Value), 0, nil
	}
	return nil, http.StatusBadRequest, errFormUnreadable
}

// formError renders the error page for e.
func (a *API) formError(w http.ResponseWriter, r *http.Request, status int, e *Error, page checkout.Order) {
	a.pages.Render(w, r, status, payFormPage, payFormError{
		Order: page, Code: e.Code, Field: e.Field, Message: e.Message, ReasonKey: reasonKey(e),
	})
}

// reasonKey picks the payer-facing explanation of e; errors without a
// field get a message that takes no argument.
func reasonKey(e *Error) string {
	const prefix = "payretailers.payform.reason."
	if e.Code == CodeBodyTooLarge {
		return prefix + "too_large"
	}
	if e.Field == "" {
		return prefix + "unreadable"
	}
	switch e.Code {
	case CodeFieldTooLong:
		return prefix + "too_long"
	case CodeInvalidCountry:
		return prefix + "country"
	case CodeInvalidCurrency:
		return prefix + "currency"
	case CodeInvalidEmail:
		return prefix + "email"
	case CodeInvalidLanguage:
		return prefix + "language"
	case CodeInvalidMethod:
		return prefix + "method"
	case CodeInvalidPrice:
		return prefix + "price"
	case CodeInvalidURL:
		return prefix + "url"
	case CodeMissingField:
		return prefix + "missing"
	case CodeUnknownService:
		return prefix + "service"
	}
	return prefix + "field"
}
