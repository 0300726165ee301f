package payretailers

import (
	"context"
	"errors"
	"fmt"

	"github.com/pasarela/pasarela/payment"
)

// confirmBatch bounds one pass of ConfirmPendingBankTransfers; the oldest
// are confirmed first and the next pass takes the rest.
const confirmBatch = 500

// ConfirmPendingBankTransfers is the sandbox bank confirming, later, the
// transfers a payer left pending (password "pending"): every PayRetailers
// payment still pending with detailBankConfirmationPending whose last
// change is at least BankConfirmDelay old is completed, with its IPN. It
// returns how many it completed.
//
// The gateway's sweeper calls it on every tick. State lives only in the
// database, so it survives restarts, and it is safe on several nodes at
// once: the compare-and-set lets one node win each payment and the others
// skip it. Outside sandbox it does nothing: a real bank reports its own
// confirmation.
func (a *API) ConfirmPendingBankTransfers(ctx context.Context) (int, error) {
	if !a.sandbox {
		return 0, nil
	}
	now := a.now()
	pending, err := a.payments.Awaiting(ctx, payment.DialectPayRetailers, detailBankConfirmationPending,
		now.Add(-a.bankConfirmDelay), confirmBatch)
	if err != nil {
		return 0, fmt.Errorf("payretailers: listing pending payments: %w", err)
	}
	confirmed := 0
	for _, p := range pending {
		if !now.Before(p.ExpiresAt) {
			continue // the expiry sweeper's now
		}
		_, err := a.payments.Transition(ctx, p.ID, payment.StatusCompleted, "", payment.ActorRail)
		var te *payment.TransitionError
		switch {
		case err == nil:
			confirmed++
		case errors.As(err, &te):
			// Another node, the sweeper or the sandbox helper came first.
		default:
			return confirmed, fmt.Errorf("payretailers: confirming bank transfer of payment %s: %w", p.ID, err)
		}
	}
	return confirmed, nil
}
