// Package dashboard serves the operator and merchant admin API (and, later,
// its web UI). Today it exposes notifications: list them with their
// attempts and resend them.
package dashboard

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/notify"
)

// Admin is the admin API. Callers authenticate with
// "Authorization: Bearer <token>": the operator's admin token sees every
// merchant; a merchant's ETpay merchant_api_token sees only that merchant.
type Admin struct {
	adminHash [32]byte
	hasAdmin  bool
	log       *slog.Logger
	merchants *merchant.Service
	repo      notify.Repository
}

// NewAdmin returns the admin API. An empty adminToken disables operator
// access (merchants can still use their own tokens).
func NewAdmin(repo notify.Repository, merchants *merchant.Service, adminToken string, log *slog.Logger) *Admin {
	a := &Admin{log: log, merchants: merchants, repo: repo}
	if adminToken != "" {
		a.adminHash, a.hasAdmin = sha256.Sum256([]byte(adminToken)), true
	}
	return a
}

// Mount registers the routes on m.
func (a *Admin) Mount(m interface{ Handle(string, http.Handler) }) {
	m.Handle("GET /admin/api/notifications", a.auth(a.list))
	m.Handle("GET /admin/api/notifications/{id}", a.auth(a.show))
	m.Handle("POST /admin/api/notifications/{id}/resend", a.auth(a.resend))
	m.Handle("POST /admin/api/notifications/resend-failed", a.auth(a.resendFailed))
}

// scope is who is calling: "" = operator (everything), else a merchant id.
type scope string

type handler func(w http.ResponseWriter, r *http.Request, s scope)

func (a *Admin) auth(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || tok == "" {
			writeError(w, http.StatusUnauthorized, "unauthorized", "send Authorization: Bearer <token>")
			return
		}
		sum := sha256.Sum256([]byte(tok))
		if a.hasAdmin && subtle.ConstantTimeCompare(sum[:], a.adminHash[:]) == 1 {
			h(w, r, "")
			return
		}
		m, err := a.merchants.AuthenticateETpay(r.Context(), "", tok)
		if err != nil {
			if !errors.Is(err, merchant.ErrUnauthorized) {
				a.log.ErrorContext(r.Context(), "admin authentication", "err", err)
			}
			writeError(w, http.StatusUnauthorized, "unauthorized", "invalid token")
			return
		}
		h(w, r, scope(m.ID))
	})
}

// NotificationView is a notification as the admin API shows it.
type NotificationView struct {
	Attempts       []AttemptView `json:"attempts,omitempty"`
	AttemptCount   int           `json:"attempt_count"`
	Body           string        `json:"body"`
	CreatedAt      time.Time     `json:"created_at"`
	DeliveredAt    *time.Time    `json:"delivered_at,omitempty"`
	ID             string        `json:"id"`
	LastError      string        `json:"last_error,omitempty"`
	LastStatusCode int           `json:"last_status_code,omitempty"`
	MerchantID     string        `json:"merchant_id"`
	Method         string        `json:"method"`
	NextAttemptAt  *time.Time    `json:"next_attempt_at,omitempty"`
	PaymentID      string        `json:"payment_id"`
	Status         notify.Status `json:"status"`
	URL            string        `json:"url"`
}

// AttemptView is one delivery attempt.
type AttemptView struct {
	At           time.Time `json:"at"`
	Error        string    `json:"error,omitempty"`
	LatencyMS    float64   `json:"latency_ms"`
	Number       int       `json:"number"`
	ResponseBody string    `json:"response_body,omitempty"`
	StatusCode   int       `json:"status_code"`
	URL          string    `json:"url"`
}

// ViewNotification converts a stored notification (and its attempts).
func ViewNotification(r notify.Record, attempts []notify.Attempt) NotificationView {
	v := NotificationView{AttemptCount: r.Attempts, Body: string(r.Body), CreatedAt: r.CreatedAt, DeliveredAt: r.DeliveredAt,
		ID: r.ID, LastError: r.LastError, LastStatusCode: r.LastStatusCode, MerchantID: r.MerchantID, Method: r.Method,
		NextAttemptAt: r.NextAttemptAt, PaymentID: r.PaymentID, Status: r.Status, URL: notify.RedactURL(r.URL)}
	for _, a := range attempts {
		v.Attempts = append(v.Attempts, AttemptView{At: a.At, Error: a.Error, LatencyMS: float64(a.Latency.Microseconds()) / 1000,
			Number: a.Number, ResponseBody: a.ResponseBody, StatusCode: a.StatusCode, URL: notify.RedactURL(a.URL)})
	}
	return v
}

func (a *Admin) list(w http.ResponseWriter, r *http.Request, s scope) {
	q := r.URL.Query()
	f := notify.Filter{MerchantID: string(s), PaymentID: q.Get("payment_id"), Status: notify.Status(q.Get("status"))}
	if s == "" {
		f.MerchantID = q.Get("merchant_id")
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, http.StatusBadRequest, "invalid_limit", "limit must be 1 to 1000")
			return
		}
		f.Limit = n
	}
	if f.Status != "" && !f.Status.Valid() {
		writeError(w, http.StatusBadRequest, "invalid_status", "status must be pending, delivered, failed, dead or gone")
		return
	}
	recs, err := a.repo.ListNotifications(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]NotificationView, len(recs))
	for i, rec := range recs {
		out[i] = ViewNotification(rec, nil)
	}
	writeJSON(w, http.StatusOK, map[string]any{"notifications": out})
}

func (a *Admin) show(w http.ResponseWriter, r *http.Request, s scope) {
	rec, ok := a.visible(w, r, s)
	if !ok {
		return
	}
	attempts, err := a.repo.ListAttempts(r.Context(), rec.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ViewNotification(rec, attempts))
}

func (a *Admin) resend(w http.ResponseWriter, r *http.Request, s scope) {
	rec, ok := a.visible(w, r, s)
	if !ok {
		return
	}
	if err := a.repo.Requeue(r.Context(), rec.ID); err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"resent": []string{rec.ID}})
}

func (a *Admin) resendFailed(w http.ResponseWriter, r *http.Request, s scope) {
	merchantID := string(s)
	if s == "" {
		merchantID = r.URL.Query().Get("merchant_id")
	}
	ids, err := ResendFailed(r.Context(), a.repo, merchantID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"resent": ids})
}

// ResendFailed requeues every failed or dead notification (of one merchant
// when merchantID is set) and returns their ids.
func ResendFailed(ctx context.Context, repo notify.Repository, merchantID string) ([]string, error) {
	ids := []string{}
	for _, st := range []notify.Status{notify.StatusFailed, notify.StatusDead} {
		recs, err := repo.ListNotifications(ctx, notify.Filter{MerchantID: merchantID, Status: st, Limit: 1000})
		if err != nil {
			return ids, err
		}
		for _, rec := range recs {
			if err := repo.Requeue(ctx, rec.ID); err != nil {
				return ids, err
			}
			ids = append(ids, rec.ID)
		}
	}
	return ids, nil
}

// visible loads the notification in the path when the caller may see it;
// another merchant's notification is answered exactly like a missing one.
func (a *Admin) visible(w http.ResponseWriter, r *http.Request, s scope) (notify.Record, bool) {
	rec, err := a.repo.GetNotification(r.Context(), r.PathValue("id"))
	if errors.Is(err, notify.ErrNotFound) || (err == nil && s != "" && rec.MerchantID != string(s)) {
		writeError(w, http.StatusNotFound, "not_found", "no notification has that id")
		return notify.Record{}, false
	}
	if err != nil {
		a.fail(w, r, err)
		return notify.Record{}, false
	}
	return rec, true
}

func (a *Admin) fail(w http.ResponseWriter, r *http.Request, err error) {
	a.log.ErrorContext(r.Context(), "admin API", "err", err)
	writeError(w, http.StatusServiceUnavailable, "unavailable", "try again")
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]string{"code": code, "message": message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
