package etpay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pasarela/pasarela/payment"
)

// PendingDelay is how long the sandbox bank takes to confirm a pending
// transfer (Deps.PendingDelay): what the gateway's sweeper passes to
// ConfirmPendingBankTransfers.
func (a *API) PendingDelay() time.Duration { return a.d.PendingDelay }

// ConfirmPendingBankTransfers is the sandbox bank confirming later: it
// completes every pending ETpay payment with detail
// DetailBankConfirmationPending whose last change is older than delay,
// with the event and the success webhook of any other completion. It
// returns how many it completed.
//
// It does nothing outside sandbox mode, where the real bank confirms. Safe
// on several nodes at once: a payment another node (or the expiry
// sweeper) moved first is skipped. It confirms at most 1000 per call, the
// oldest first; the sweeper calls it again and again.
func (a *API) ConfirmPendingBankTransfers(ctx context.Context, delay time.Duration) (int, error) {
	if !a.d.Sandbox {
		return 0, nil
	}
	ps, err := a.d.Payments.Awaiting(ctx, payment.DialectETpay, DetailBankConfirmationPending, a.d.Now().Add(-delay), 1000)
	if err != nil {
		return 0, fmt.Errorf("etpay: listing pending bank transfers: %w", err)
	}
	confirmed := 0
	for _, p := range ps {
		_, err := a.d.Payments.Transition(ctx, p.ID, payment.StatusCompleted, "", payment.ActorRail)
		var te *payment.TransitionError
		switch {
		case err == nil:
			confirmed++
		case errors.As(err, &te):
			// Someone else moved it first: fine.
		default:
			return confirmed, fmt.Errorf("etpay: confirming bank transfer of payment %s: %w", p.ID, err)
		}
	}
	return confirmed, nil
}
