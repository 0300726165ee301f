package payment

import (
	"context"
	"errors"
	"time"
)

// Errors a Repository returns; callers test them with errors.Is.
var (
	// ErrConflict means a compare-and-set lost: the payment changed since it
	// was read.
	ErrConflict = errors.New("payment changed concurrently")
	// ErrNotFound means no payment (visible to the caller) has that id.
	ErrNotFound = errors.New("payment not found")
	// ErrOrderPaid means the merchant's order already has a completed payment.
	ErrOrderPaid = errors.New("order already paid")
)

// Change is one status change, stored atomically: the status moves by
// compare-and-set on (id, From, FromVersion), Event is appended and every
// Notice is queued for delivery, all in one transaction (DESIGN invariant 1).
type Change struct {
	Event       Event
	FromStatus  Status
	FromVersion int64
	Notices     []Notice
	// Payment is the payment as it is after the change.
	Payment Payment
}

// Filter selects payments for listing; empty fields match everything.
type Filter struct {
	AttemptRef string
	Limit      int
	MerchantID string
	OrderID    string
	Ref        string
	Status     Status
}

// Matches reports whether p is one of the payments f lists (Limit aside).
func (f Filter) Matches(p Payment) bool {
	for _, c := range [...][2]string{
		{f.AttemptRef, p.AttemptRef}, {f.MerchantID, p.MerchantID}, {f.OrderID, p.OrderID},
		{f.Ref, p.Ref}, {string(f.Status), string(p.Status)},
	} {
		if c[0] != "" && c[0] != c[1] {
			return false
		}
	}
	return true
}

// Repository is the storage the payment service needs. Every engine in
// store/ implements it and passes store/storetest.
type Repository interface {
	// CreatePayment stores a new payment and its creation event. It fails
	// with ErrOrderPaid when p.OrderID is set and the same merchant and
	// dialect already have a completed or refunded payment for that order.
	CreatePayment(ctx context.Context, p Payment, ev Event) error
	// ApplyChange stores c or fails with ErrConflict, changing nothing.
	ApplyChange(ctx context.Context, c Change) error
	// UpdateDetails stores p's method, country, payer, extra and expiry
	// and appends ev, when the payment is still at fromVersion and open;
	// otherwise it fails with ErrConflict. The status does not change.
	UpdateDetails(ctx context.Context, p Payment, fromVersion int64, ev Event) error
	GetPayment(ctx context.Context, id string) (Payment, error)
	// GetPaymentByRef finds a payment by Ref or AttemptRef.
	GetPaymentByRef(ctx context.Context, ref string) (Payment, error)
	ListEvents(ctx context.Context, paymentID string) ([]Event, error)
	// ListDue returns open payments whose expiry is at or before now.
	ListDue(ctx context.Context, now time.Time, limit int) ([]Payment, error)
	// ListAwaiting returns pending payments of dialect whose status detail
	// is detail and whose last change is at or before before, oldest change
	// first: what a rail that confirms later (a bank transfer) looks for.
	// An index of pending payments alone keeps it cheap however large the
	// table grows.
	ListAwaiting(ctx context.Context, dialect Dialect, detail string, before time.Time, limit int) ([]Payment, error)
	ListPayments(ctx context.Context, f Filter) ([]Payment, error)
}
