package auth

import (
	"sync"
	"time"

	"github.com/belfry/belfry/app"
)

// The token cache spares two reads per API request. Revocations in this
// process drop entries at once; the TTL bounds how long a revocation made by
// another process (the CLI) takes to be seen.
const (
	tokenCacheTTL = 10 * time.Second
	tokenCacheMax = 1024
)

type cacheEntry struct {
	user    app.User
	token   app.Token
	expires time.Time
}

// tokenCache maps token hashes to resolved tokens. gen counts drops, so a
// lookup that raced with a revocation does not put the revoked token back.
type tokenCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	gen     uint64
	entries map[string]cacheEntry
}

func newTokenCache(ttl time.Duration, max int) *tokenCache {
	return &tokenCache{ttl: ttl, max: max, entries: map[string]cacheEntry{}}
}

// get returns copies, so callers may not alter the cached values.
func (c *tokenCache) get(hash string, now time.Time) (*app.User, *app.Token, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok {
		return nil, nil, false
	}
	if !now.Before(e.expires) {
		delete(c.entries, hash)
		return nil, nil, false
	}
	u, t := e.user, e.token
	return &u, &t, true
}

func (c *tokenCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put stores an entry unless something was dropped since gen was read.
func (c *tokenCache) put(gen uint64, hash string, u *app.User, t *app.Token, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.entries) >= c.max {
		for h, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, h)
			}
		}
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
	}
	c.entries[hash] = cacheEntry{user: *u, token: *t, expires: now.Add(c.ttl)}
}

func (c *tokenCache) drop(match func(cacheEntry) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for h, e := range c.entries {
		if match(e) {
			delete(c.entries, h)
		}
	}
}

func (c *tokenCache) dropToken(id string) {
	c.drop(func(e cacheEntry) bool { return e.token.ID == id })
}

func (c *tokenCache) dropUser(id string) {
	c.drop(func(e cacheEntry) bool { return e.user.ID == id })
}

func (c *tokenCache) dropAll() {
	c.drop(func(cacheEntry) bool { return true })
}
