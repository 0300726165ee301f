package payment

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pasarela/pasarela/token"
)

// Renderer turns a payment that just changed status into the notices its
// merchant must receive. Each dialect provides one; it may return none (for
// example for a move to pending that the dialect does not announce).
type Renderer interface {
	Notices(ctx context.Context, p Payment) ([]Notice, error)
}

// Actors recorded in events.
const (
	ActorAPI     = "api"
	ActorPayer   = "payer"
	ActorRail    = "rail"
	ActorSandbox = "sandbox"
	ActorSweeper = "sweeper"
)

// Service moves payments through their status machine. It is safe for
// concurrent use by many goroutines and many gateway nodes: every change is a
// compare-and-set in the repository.
type Service struct {
	now       func() time.Time
	observer  func(from, to Status)
	renderers map[Dialect]Renderer
	repo      Repository
}

// NewService returns a Service storing into repo.
func NewService(repo Repository) *Service {
	return &Service{
		now:       func() time.Time { return time.Now().UTC() },
		renderers: map[Dialect]Renderer{},
		repo:      repo,
	}
}

// SetClock replaces the clock, for tests and the sandbox.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// SetRenderer registers the notice renderer of a dialect.
func (s *Service) SetRenderer(d Dialect, r Renderer) { s.renderers[d] = r }

// SetObserver registers a function called after every stored status change
// (metrics); it must be fast and must not fail.
func (s *Service) SetObserver(f func(from, to Status)) { s.observer = f }

// Create validates and stores a new payment in status created. The caller
// fills the wire facts; Create sets id, status, version and timestamps.
func (s *Service) Create(ctx context.Context, p Payment) (Payment, error) {
	if p.MerchantID == "" || p.Ref == "" {
		return Payment{}, errors.New("creating payment: merchant and ref are required")
	}
	if _, err := NewMoney(p.Amount.Amount, p.Amount.Currency); err != nil {
		return Payment{}, fmt.Errorf("creating payment: %w", err)
	}
	now := s.now()
	if p.ExpiresAt.IsZero() || !p.ExpiresAt.After(now) {
		return Payment{}, errors.New("creating payment: expiry must be in the future")
	}
	p.ID = token.ID("pay")
	p.Status = StatusCreated
	p.Version = 1
	p.CreatedAt, p.UpdatedAt = now, now
	ev := Event{Actor: ActorAPI, CreatedAt: now, PaymentID: p.ID, To: StatusCreated, Type: EventCreated}
	if err := s.repo.CreatePayment(ctx, p, ev); err != nil {
		return Payment{}, fmt.Errorf("creating payment for order %q: %w", p.OrderID, err)
	}
	return p, nil
}

// Get returns a payment by id, whoever owns it; for operators and rails.
func (s *Service) Get(ctx context.Context, id string) (Payment, error) {
	return s.repo.GetPayment(ctx, id)
}

// GetByRef returns a payment by its Ref or AttemptRef, whoever owns it; for
// the payer's pages, which know only the token in their URL.
func (s *Service) GetByRef(ctx context.Context, ref string) (Payment, error) {
	return s.repo.GetPaymentByRef(ctx, ref)
}

// GetForMerchant returns a payment by Ref or AttemptRef only when merchantID
// owns it; another merchant's payment is reported as not found, so its
// existence leaks nothing (DESIGN invariant 4).
func (s *Service) GetForMerchant(ctx context.Context, merchantID, ref string) (Payment, error) {
	p, err := s.repo.GetPaymentByRef(ctx, ref)
	if err != nil {
		return Payment{}, err
	}
	if p.MerchantID != merchantID {
		return Payment{}, ErrNotFound
	}
	return p, nil
}

// List returns payments matching f.
func (s *Service) List(ctx context.Context, f Filter) ([]Payment, error) {
	return s.repo.ListPayments(ctx, f)
}

// Events returns a payment's history, oldest first.
func (s *Service) Events(ctx context.Context, paymentID string) ([]Event, error) {
	return s.repo.ListEvents(ctx, paymentID)
}

// Transition moves payment id to status to. detail says why (a failure
// reason), actor who did it. Exactly one of several concurrent transitions
// of one payment wins; the others get a *TransitionError naming the status
// that won, and nothing of theirs is stored.
//
// A payment whose details changed between the read and the write (the
// version moved, the status did not) is read again and the move tried
// again: that is not a race lost, and reporting it as one dropped a rail's
// outcome (an approved transfer left on a created payment).
func (s *Service) Transition(ctx context.Context, id string, to Status, detail, actor string) (Payment, error) {
	for attempt := 1; ; attempt++ {
		p, err := s.repo.GetPayment(ctx, id)
		if err != nil {
			return Payment{}, err
		}
		next, err := s.transition(ctx, p, to, detail, actor)
		if errors.Is(err, errDetailsMoved) {
			if attempt < maxTransitionAttempts {
				continue
			}
			return Payment{}, &TransitionError{From: p.Status, To: to}
		}
		return next, err
	}
}

// maxTransitionAttempts bounds Transition's retries after details changed.
const maxTransitionAttempts = 4

// errDetailsMoved is transition's answer when the payment's version moved
// but its status did not: the caller may read it again and retry.
var errDetailsMoved = errors.New("payment details changed meanwhile")

func (s *Service) transition(ctx context.Context, p Payment, to Status, detail, actor string) (Payment, error) {
	if err := checkTransition(p.Status, to); err != nil {
		return Payment{}, err
	}
	now := s.now()
	next := p
	next.Status = to
	next.StatusDetail = detail
	next.UpdatedAt = now
	next.Version = p.Version + 1
	if to == StatusCompleted {
		next.CompletedAt = &now
	}
	var notices []Notice
	if r := s.renderers[p.Dialect]; r != nil {
		var err error
		notices, err = r.Notices(ctx, next)
		if err != nil {
			return Payment{}, fmt.Errorf("rendering notices for payment %s: %w", p.ID, err)
		}
		for i := range notices {
			if notices[i].ID == "" {
				notices[i].ID = token.ID("ntf")
			}
		}
	}
	c := Change{
		Event: Event{
			Actor: actor, CreatedAt: now, Detail: detail, From: p.Status,
			PaymentID: p.ID, To: to, Type: EventStatusChanged,
		},
		FromStatus:  p.Status,
		FromVersion: p.Version,
		Notices:     notices,
		Payment:     next,
	}
	if err := s.repo.ApplyChange(ctx, c); err != nil {
		if errors.Is(err, ErrConflict) {
			// Report the status that won so the caller can explain it.
			if cur, gerr := s.repo.GetPayment(ctx, p.ID); gerr == nil {
				if cur.Status == p.Status {
					return Payment{}, errDetailsMoved
				}
				return Payment{}, &TransitionError{From: cur.Status, To: to}
			}
		}
		return Payment{}, fmt.Errorf("moving payment %s from %s to %s: %w", p.ID, p.Status, to, err)
	}
	if s.observer != nil {
		s.observer(p.Status, to)
	}
	return next, nil
}

// Details are what a payer may still choose on a created payment.
type Details struct {
	Country   string
	ExpiresAt time.Time // zero keeps the expiry
	Extra     map[string]string
	Method    string
	Payer     *Payer // nil keeps the payer
}

// UpdateDetails records the payer's choices (method, country, their data)
// on a payment that is still created; an expiry can only move later (a
// voucher lives longer than a card form). Concurrent updates: one wins.
func (s *Service) UpdateDetails(ctx context.Context, id string, d Details, actor string) (Payment, error) {
	p, err := s.repo.GetPayment(ctx, id)
	if err != nil {
		return Payment{}, err
	}
	if p.Status != StatusCreated {
		return Payment{}, &TransitionError{From: p.Status, To: StatusCreated}
	}
	next := p
	if d.Method != "" {
		next.Method = d.Method
	}
	if d.Country != "" {
		next.Country = d.Country
	}
	if d.Payer != nil {
		next.Payer = *d.Payer
	}
	if len(d.Extra) > 0 {
		next.Extra = make(map[string]string, len(p.Extra)+len(d.Extra))
		for k, v := range p.Extra {
			next.Extra[k] = v
		}
		for k, v := range d.Extra {
			next.Extra[k] = v
		}
	}
	if d.ExpiresAt.After(p.ExpiresAt) {
		next.ExpiresAt = d.ExpiresAt
	}
	now := s.now()
	next.UpdatedAt = now
	next.Version = p.Version + 1
	ev := Event{Actor: actor, CreatedAt: now, Detail: "method=" + next.Method, From: p.Status, PaymentID: p.ID, To: p.Status, Type: EventUpdated}
	if err := s.repo.UpdateDetails(ctx, next, p.Version, ev); err != nil {
		return Payment{}, fmt.Errorf("updating payment %s: %w", p.ID, err)
	}
	return next, nil
}

// Awaiting returns up to limit pending payments of dialect with status
// detail detail, unchanged since before, oldest first (ListAwaiting).
func (s *Service) Awaiting(ctx context.Context, dialect Dialect, detail string, before time.Time, limit int) ([]Payment, error) {
	return s.repo.ListAwaiting(ctx, dialect, detail, before, limit)
}

// ExpireDue moves every open payment past its expiry to expired, with the
// event and notification of any other change. Safe on several nodes at once:
// a payment another node expired (or a payer completed) first is skipped.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	const batch = 100
	expired := 0
	for {
		due, err := s.repo.ListDue(ctx, s.now(), batch)
		if err != nil {
			return expired, fmt.Errorf("listing payments due to expire: %w", err)
		}
		for _, p := range due {
			_, err := s.transition(ctx, p, StatusExpired, "expired", ActorSweeper)
			var te *TransitionError
			switch {
			case err == nil:
				expired++
			case errors.As(err, &te): // someone else moved it first: fine
			case errors.Is(err, errDetailsMoved):
				// Still open, changed meanwhile (perhaps a later expiry):
				// listed again, fresh, if it is still due.
			default:
				return expired, err
			}
		}
		// Each listed payment left the open statuses, so the next list is new.
		if len(due) < batch {
			return expired, nil
		}
	}
}
