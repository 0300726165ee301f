package merchant

import (
	"context"
	"sync"
	"time"
)

// lookupCache answers the merchant lookups every API request makes (by id,
// ETpay code, token hash, service id) from memory for a short while: under
// load they were 8% of the gateway's CPU, for rows that almost never
// change. Writes through the same Service clear it at once; a change made
// elsewhere (the CLI, another node) is seen within the TTL. Unknown keys
// are never cached, so garbage cannot grow it beyond the merchants' count.
type lookupCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cachedMerchant
	// gen counts clears: a lookup that read before a write must not put
	// the old merchant back after the write cleared the cache.
	gen uint64
}

type cachedMerchant struct {
	m       Merchant
	expires time.Time
}

// EnableCache turns the lookup cache on with ttl (0 turns it off). The
// gateway uses a second; tools that change merchants use none.
// Safe to call while the Service is in use.
func (s *Service) EnableCache(ttl time.Duration) {
	if ttl <= 0 {
		s.cache.Store(nil)
		return
	}
	s.cache.Store(&lookupCache{ttl: ttl, m: map[string]cachedMerchant{}})
}

// cached returns the merchant under key, reading it with load on a miss.
func (s *Service) cached(ctx context.Context, key string, load func(context.Context) (Merchant, error)) (Merchant, error) {
	c := s.cache.Load()
	if c == nil {
		return load(ctx)
	}
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[key]
	gen := c.gen
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.m, nil
	}
	m, err := load(ctx)
	if err != nil {
		return m, err
	}
	c.mu.Lock()
	if c.gen == gen {
		c.m[key] = cachedMerchant{m: m, expires: now.Add(c.ttl)}
	}
	c.mu.Unlock()
	return m, nil
}

// forget clears the cache after a write.
func (s *Service) forget() {
	if c := s.cache.Load(); c != nil {
		c.mu.Lock()
		clear(c.m)
		c.gen++
		c.mu.Unlock()
	}
}
