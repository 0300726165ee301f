package sqlite

import (
	"sync"

	"github.com/pasarela/pasarela/payment"
)

// Recently read payments are kept in memory. A status query is a third of
// its request's CPU when it reads SQLite (a read transaction, the driver's
// per-query work, 23 columns decoded), and merchants poll the same few
// payments again and again.
//
// The cache is exact, not eventually right, because payments change only
// through this process: the embedded engine has one server per file
// (ClaimServer) and no CLI command changes a payment. Every change of a
// payment's row goes through ApplyChange or UpdateDetails, which bracket
// their write with begin and end:
//   - begin drops the payment and marks it changing: until end, readers go
//     to the database and keep nothing they read;
//   - end (after the commit or the rollback) bumps the generation, so a
//     reader that started before it, and may hold the old row, keeps
//     nothing either.
//
// So a payment in the cache is always the committed row, and a reader
// never sees a version older than one another reader has already seen.
// New payments need nothing: absent rows are never cached.

// cacheSize bounds the payments kept: about 1.4 KB of heap each (measured
// with typical payments), so some 3 MB, which the collector's headroom can
// double in RSS against a 150 MB budget. The payments merchants poll at one
// moment are far fewer; a miss costs only the database read it always was.
const cacheSize = 2048

type paymentCache struct {
	mu       sync.Mutex
	size     int // most payments kept; 0 keeps none
	gen      uint64
	byID     map[string]*payment.Payment
	byRef    map[string]string // ref → id
	byAtt    map[string]string // attempt_ref → id
	changing map[string]int    // id → writes in flight
}

func newPaymentCache(size int) *paymentCache {
	return &paymentCache{
		size: size, byID: make(map[string]*payment.Payment), byRef: make(map[string]string),
		byAtt: make(map[string]string), changing: make(map[string]int),
	}
}

// key says which column a lookup is by.
type key int

const (
	byID key = iota
	byRef
	byAttemptRef
)

// get returns a copy of the cached payment whose column k is v, for the
// first of keys that finds one, and true; or the generation a fill after
// the database read must present.
func (c *paymentCache) get(v string, keys ...key) (payment.Payment, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		id := v
		switch k {
		case byRef:
			id = c.byRef[v]
		case byAttemptRef:
			id = c.byAtt[v]
		}
		if p, ok := c.byID[id]; ok {
			return p.Clone(), 0, true
		}
	}
	return payment.Payment{}, c.gen, false
}

// fill keeps p, read from the database after get answered gen, unless a
// write of any payment ended since or one of p is in flight.
func (c *paymentCache) fill(p payment.Payment, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || c.changing[p.ID] > 0 || c.size == 0 {
		return
	}
	if _, ok := c.byID[p.ID]; !ok && len(c.byID) >= c.size {
		for _, old := range c.byID { // map order: an arbitrary victim
			c.drop(old.ID)
			break
		}
	}
	kept := p.Clone()
	c.byID[p.ID] = &kept
	c.byRef[p.Ref] = p.ID
	if p.AttemptRef != "" {
		c.byAtt[p.AttemptRef] = p.ID
	}
}

// begin marks payment id as being written and drops it.
func (c *paymentCache) begin(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.changing[id]++
	c.drop(id)
}

// end closes a begin, once the write is committed or rolled back.
func (c *paymentCache) end(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.changing[id]--; c.changing[id] <= 0 {
		delete(c.changing, id)
	}
	c.gen++
	c.drop(id)
}

func (c *paymentCache) drop(id string) {
	p, ok := c.byID[id]
	if !ok {
		return
	}
	delete(c.byID, id)
	delete(c.byRef, p.Ref)
	if p.AttemptRef != "" {
		delete(c.byAtt, p.AttemptRef)
	}
}

// len reports how many payments are kept (for tests).
func (c *paymentCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byID)
}
