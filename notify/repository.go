package notify

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound means no notification has that id (for that merchant).
var ErrNotFound = errors.New("notification not found")

// Record is a stored notification with its delivery state.
type Record struct {
	Notification
	Attempts       int
	DeliveredAt    *time.Time
	LastError      string
	LastStatusCode int
	NextAttemptAt  *time.Time
	Status         Status
	UpdatedAt      time.Time
}

// Filter selects notifications; empty fields match everything.
type Filter struct {
	Limit      int
	MerchantID string
	PaymentID  string
	Status     Status
}

// Stats summarise the queue for metrics.
type Stats struct {
	// OldestPending is when the oldest undelivered, not-given-up
	// notification was created; zero when there is none.
	OldestPending time.Time
	Pending       int
}

// Repository is the storage of notifications and their attempts. The rows
// are created by the store together with the status change that caused them
// (payment.Repository.ApplyChange); this interface reads and updates them.
type Repository interface {
	GetNotification(ctx context.Context, id string) (Record, error)
	ListAttempts(ctx context.Context, notificationID string) ([]Attempt, error)
	ListNotifications(ctx context.Context, f Filter) ([]Record, error)
	NotificationStats(ctx context.Context) (Stats, error)
	// RecordAttempt appends a and sets the notification's status (and when
	// it is retried next) in one transaction. A non-zero settles is the
	// backstop job of a first attempt (see [Dispatcher]), deleted in the
	// same transaction unless a worker already runs it.
	RecordAttempt(ctx context.Context, a Attempt, status Status, next *time.Time, settles int64) error
	// Requeue marks notification id pending again and queues a delivery
	// job in the same transaction (resend).
	Requeue(ctx context.Context, id string) error
}
