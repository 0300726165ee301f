package payment

import "fmt"

// Status is where a payment is in its life.
type Status string

// The statuses of a payment. Created → pending → completed | failed |
// canceled | expired; completed → refunded is the only move out of a
// terminal status.
const (
	StatusCanceled  Status = "canceled"
	StatusCompleted Status = "completed"
	StatusCreated   Status = "created"
	StatusExpired   Status = "expired"
	StatusFailed    Status = "failed"
	StatusPending   Status = "pending"
	StatusRefunded  Status = "refunded"
)

// transitions lists every allowed move; anything absent is forbidden.
// A payer may fail or cancel before reaching pending (wrong bank, closes the
// funnel), and a session may expire unopened, so created reaches every end.
var transitions = map[Status][]Status{
	StatusCreated:   {StatusPending, StatusCompleted, StatusFailed, StatusCanceled, StatusExpired},
	StatusPending:   {StatusCompleted, StatusFailed, StatusCanceled, StatusExpired},
	StatusCompleted: {StatusRefunded},
}

// Statuses lists every status, for validation and tests.
func Statuses() []Status {
	return []Status{StatusCreated, StatusPending, StatusCompleted, StatusFailed, StatusCanceled, StatusExpired, StatusRefunded}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusCreated, StatusPending, StatusCompleted, StatusFailed, StatusCanceled, StatusExpired, StatusRefunded:
		return true
	}
	return false
}

// Open reports whether the payer can still act on the payment.
func (s Status) Open() bool { return s == StatusCreated || s == StatusPending }

// Final reports whether the payment reached an outcome (it may still be
// refunded if completed).
func (s Status) Final() bool { return s.Valid() && !s.Open() }

// CanTransition reports whether a payment may move from s to next.
func (s Status) CanTransition(next Status) bool {
	for _, t := range transitions[s] {
		if t == next {
			return true
		}
	}
	return false
}

// checkTransition returns a *TransitionError when the move is forbidden.
func checkTransition(from, to Status) error {
	if !from.CanTransition(to) {
		return &TransitionError{From: from, To: to}
	}
	return nil
}

// TransitionError reports a forbidden or lost status change.
type TransitionError struct {
	From Status
	To   Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("payment is %s and cannot become %s", e.From, e.To)
}
