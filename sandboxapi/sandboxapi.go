// Package sandboxapi serves the sandbox test helpers: a merchant's CI can
// finish, fail, cancel or expire a payment without a browser. The helper
// moves the payment exactly as a payer and rail would, through the same
// service transition, event and notification. It is mounted only in
// sandbox mode.
package sandboxapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/pasarela/pasarela/payment"
)

// ErrForeign is what an Authenticator returns when valid credentials belong
// to another merchant than the payment's; the helper answers 404 so the
// payment's existence leaks nothing.
var ErrForeign = errors.New("payment belongs to another merchant")

// Authenticator checks, in its dialect's own way, that a helper request
// comes from the merchant owning p, and writes errors in its dialect's shape.
type Authenticator interface {
	Authenticate(r *http.Request, body []byte, p payment.Payment) error
	WriteError(w http.ResponseWriter, status int, code, message string)
}

// Handler serves POST /sandbox/payments/{ref}/{action}.
type Handler struct {
	auth     map[payment.Dialect]Authenticator
	payments *payment.Service
}

// New returns the helper over payments with one Authenticator per dialect.
func New(payments *payment.Service, auth map[payment.Dialect]Authenticator) *Handler {
	return &Handler{auth: auth, payments: payments}
}

// Pattern is the route the handler serves.
const Pattern = "POST /sandbox/payments/{ref}/{action}"

type result struct {
	ID           string         `json:"id"`
	Reference    string         `json:"reference"`
	Status       payment.Status `json:"status"`
	StatusDetail string         `json:"status_detail,omitempty"`
}

// generic errors use ETpay's {"message","code"} shape: before the payment is
// found there is no dialect to speak.
func writeGeneric(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code, "message": message})
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeGeneric(w, http.StatusRequestEntityTooLarge, "body_too_large", "request body too large")
		return
	}
	p, err := h.payments.GetByRef(r.Context(), r.PathValue("ref"))
	if errors.Is(err, payment.ErrNotFound) {
		writeGeneric(w, http.StatusNotFound, "not_found", "no payment has that reference")
		return
	}
	if err != nil {
		writeGeneric(w, http.StatusServiceUnavailable, "unavailable", "try again")
		return
	}
	auth := h.auth[p.Dialect]
	if auth == nil {
		writeGeneric(w, http.StatusNotFound, "not_found", "no payment has that reference")
		return
	}
	if err := auth.Authenticate(r, body, p); err != nil {
		if errors.Is(err, ErrForeign) {
			auth.WriteError(w, http.StatusNotFound, "not_found", "no payment has that reference")
			return
		}
		auth.WriteError(w, http.StatusUnauthorized, "unauthorized", "invalid merchant credentials")
		return
	}
	var opts struct {
		Reason string `json:"reason"`
	}
	if len(body) > 0 {
		_ = json.Unmarshal(body, &opts) // the reason is optional; credentials were already parsed
	}
	if opts.Reason == "" {
		opts.Reason = "rejected"
	}
	if len(opts.Reason) > 64 || !utf8.ValidString(opts.Reason) {
		auth.WriteError(w, http.StatusBadRequest, "invalid_reason", "reason must be at most 64 characters")
		return
	}
	var steps []payment.Status
	detail := ""
	switch r.PathValue("action") {
	case "complete":
		steps = []payment.Status{payment.StatusPending, payment.StatusCompleted}
	case "fail":
		steps, detail = []payment.Status{payment.StatusPending, payment.StatusFailed}, opts.Reason
	case "cancel":
		steps, detail = []payment.Status{payment.StatusCanceled}, "cancelled"
	case "expire":
		steps, detail = []payment.Status{payment.StatusExpired}, "expired"
	default:
		auth.WriteError(w, http.StatusBadRequest, "invalid_action", "action must be complete, fail, cancel or expire")
		return
	}
	for i, to := range steps {
		// A payer reaches pending before the bank answers; skip that step
		// when the payment is already past it.
		if i == 0 && len(steps) > 1 && p.Status != payment.StatusCreated {
			continue
		}
		d := ""
		if i == len(steps)-1 {
			d = detail
		}
		p, err = h.payments.Transition(r.Context(), p.ID, to, d, payment.ActorSandbox)
		var te *payment.TransitionError
		if errors.As(err, &te) {
			auth.WriteError(w, http.StatusConflict, "invalid_transition", te.Error())
			return
		}
		if err != nil {
			auth.WriteError(w, http.StatusServiceUnavailable, "unavailable", "could not change the payment; try again")
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(result{ID: p.ID, Reference: p.Ref, Status: p.Status, StatusDetail: p.StatusDetail})
}
