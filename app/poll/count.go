package poll

import (
	"context"
	"sync"
	"time"

	"github.com/belfry/belfry/app"
)

// Bounds of the count cache.
const (
	countCacheMax = 10000
	// countCacheTTL is a safety net for writes that never reach the bus.
	countCacheTTL = time.Minute
)

// countCache remembers total_count per user and filter, so a poller that
// asks again and again while nothing changes costs no COUNT(*). Every change
// of a user, as seen by Handle, moves the user to a new generation and so
// retires their entries. A count is stored under the generation read
// before the query ran: a change that lands during the query retires it.
type countCache struct {
	mu      sync.Mutex
	seq     uint64
	gens    map[string]uint64 // user → generation; absent is 0
	entries map[countKey]countEntry
}

type countKey struct {
	userID, status, serviceID, project string
}

type countEntry struct {
	gen   uint64
	n     int
	until time.Time
}

func newCountCache() *countCache {
	return &countCache{gens: map[string]uint64{}, entries: map[countKey]countEntry{}}
}

// invalidate retires every cached count of userID.
func (cc *countCache) invalidate(userID string) {
	cc.mu.Lock()
	cc.seq++
	// seq is never reused, so no stale entry can match a later generation.
	cc.gens[userID] = cc.seq
	cc.mu.Unlock()
}

// count returns the number of rows f selects, from the cache when it holds
// a live entry, else from the store.
func (cc *countCache) count(ctx context.Context, store app.NotificationStore, f app.NotificationFilter, now time.Time) (int, error) {
	key := countKey{f.UserID, f.Status, f.ServiceID, f.Project}
	cc.mu.Lock()
	gen := cc.gens[f.UserID]
	e, ok := cc.entries[key]
	cc.mu.Unlock()
	if ok && e.gen == gen && now.Before(e.until) {
		return e.n, nil
	}
	n, err := store.CountNotifications(ctx, f)
	if err != nil {
		return 0, err
	}
	cc.mu.Lock()
	if len(cc.entries) >= countCacheMax {
		clear(cc.entries)
	}
	cc.entries[key] = countEntry{gen: gen, n: n, until: now.Add(countCacheTTL)}
	cc.mu.Unlock()
	return n, nil
}
