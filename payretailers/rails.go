package payretailers

import (
	"time"

	"github.com/pasarela/pasarela/keyring"
	"github.com/pasarela/pasarela/rail"
	"github.com/pasarela/pasarela/rail/sandbox"
)

// Rails are the payment networks behind the hosted pages, one per method
// family: the card form charges through Acquirer, the bank pages log in
// and approve at Bank, the voucher page issues through Cash.
type Rails struct {
	Acquirer rail.Acquirer
	Bank     rail.Bank
	Cash     rail.CashNetwork
}

// sandboxBankPurpose derives the key the simulated bank signs its
// authorizations with; its own purpose, so an authorization cannot be
// replayed as any other MAC of the gateway.
const sandboxBankPurpose = "payretailers/sandbox-bank"

// SandboxRails are the simulated networks of sandbox mode: the bank whose
// password decides the outcome, the acquirer driven by test card numbers
// and the cash network whose vouchers the sandbox helper pays. now is the
// acquirer's clock for card expiry (nil: time.Now).
func SandboxRails(keys keyring.Root, now func() time.Time) Rails {
	return Rails{
		Acquirer: sandbox.Acquirer{Now: now},
		Bank:     sandbox.NewBank(keys.Derive(sandboxBankPurpose)),
		Cash:     sandbox.CashNetwork{},
	}
}

// withSandboxDefaults fills every nil rail with its simulated one, so a
// test can replace one rail and keep the others.
func (r Rails) withSandboxDefaults(keys keyring.Root, now func() time.Time) Rails {
	s := SandboxRails(keys, now)
	if r.Acquirer == nil {
		r.Acquirer = s.Acquirer
	}
	if r.Bank == nil {
		r.Bank = s.Bank
	}
	if r.Cash == nil {
		r.Cash = s.Cash
	}
	return r
}

// has reports whether a rail serves family.
func (r Rails) has(f Family) bool {
	switch f {
	case FamilyCard:
		return r.Acquirer != nil
	case FamilyBank:
		return r.Bank != nil
	case FamilyCash:
		return r.Cash != nil
	}
	return false
}
