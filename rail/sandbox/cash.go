package sandbox

import (
	"context"

	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/rail"
	"github.com/pasarela/pasarela/token"
)

// CashNetwork is the simulated cash network: its vouchers are valid until
// the payment expires (cash dialects give such payments days, not minutes)
// and are paid through the sandbox test helper.
type CashNetwork struct{}

// Issue implements rail.CashNetwork. The reference is random (it is what the
// payer shows at the agent); the barcode carries the same digits.
func (CashNetwork) Issue(_ context.Context, p payment.Payment) (rail.Voucher, error) {
	b := token.Bytes(10)
	digits := make([]byte, 0, 24)
	for _, x := range b {
		digits = append(digits, '0'+x%10, '0'+(x/10)%10)
	}
	ref := string(digits[:4]) + "-" + string(digits[4:8]) + "-" + string(digits[8:12]) + "-" + string(digits[12:16])
	return rail.Voucher{Barcode: string(digits), ExpiresAt: p.ExpiresAt, Reference: ref}, nil
}
