package poll

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// Bounds of the page cache.
const (
	pageCacheBytes = 8 << 20 // encoded bodies kept, over all users
	// pageCacheTTL bounds how long a write that never reached the bus can
	// go unseen; every write of Belfry's own services is published.
	pageCacheTTL = 30 * time.Second
)

// pageCache keeps encoded list answers per user and query, so that a poller
// asking again while nothing changed costs neither a query nor an encoding:
// the common case of polling. Handle retires all of a user's pages on any
// change of theirs.
//
// A page is stored only under the generation read before its queries ran,
// and only if that generation is still current: a change published while
// the queries ran retires the page before it is ever stored.
type pageCache struct {
	mu    sync.Mutex
	seq   uint64
	gens  map[string]uint64 // user → generation; absent is 0; never reused
	floor uint64            // every user's generation is at least floor (invalidateAll)
	users map[string]map[string]cachedPage
	bytes int
	max   int
}

type cachedPage struct {
	encoded
	until time.Time
}

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{gens: map[string]uint64{}, users: map[string]map[string]cachedPage{}, max: maxBytes}
}

// generation returns userID's current generation.
func (pc *pageCache) generation(userID string) uint64 {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return max(pc.gens[userID], pc.floor)
}

// invalidate retires every page of userID.
func (pc *pageCache) invalidate(userID string) {
	pc.mu.Lock()
	pc.seq++
	pc.gens[userID] = pc.seq
	pc.dropUser(userID)
	pc.mu.Unlock()
}

// invalidateAll retires every page of every user.
func (pc *pageCache) invalidateAll() {
	pc.mu.Lock()
	pc.seq++
	pc.floor = pc.seq
	pc.gens = map[string]uint64{}
	pc.users = map[string]map[string]cachedPage{}
	pc.bytes = 0
	pc.mu.Unlock()
}

func (pc *pageCache) dropUser(userID string) {
	for _, p := range pc.users[userID] {
		pc.bytes -= len(p.body)
	}
	delete(pc.users, userID)
}

// get returns the live page of userID for key.
func (pc *pageCache) get(userID, key string, now time.Time) (encoded, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	p, ok := pc.users[userID][key]
	if !ok || !now.Before(p.until) {
		return encoded{}, false
	}
	return p.encoded, true
}

// put stores e as userID's page for key if gen is still the user's
// generation, evicting other users' pages when over budget.
func (pc *pageCache) put(userID string, gen uint64, key string, e encoded, now time.Time) {
	if len(e.body) > pc.max/4 {
		return
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.gens[userID] != gen {
		return
	}
	pages := pc.users[userID]
	if pages == nil {
		pages = map[string]cachedPage{}
		pc.users[userID] = pages
	}
	if old, ok := pages[key]; ok {
		pc.bytes -= len(old.body)
	}
	pages[key] = cachedPage{encoded: e, until: now.Add(pageCacheTTL)}
	pc.bytes += len(e.body)
	// Map order is unspecified, so this drops arbitrary other users, then
	// if need be the user's other pages.
	for other := range pc.users {
		if pc.bytes <= pc.max {
			return
		}
		if other != userID {
			pc.dropUser(other)
		}
	}
	for k, p := range pages {
		if pc.bytes <= pc.max {
			return
		}
		if k != key {
			pc.bytes -= len(p.body)
			delete(pages, k)
		}
	}
}

// size returns how many pages and bytes are kept.
func (pc *pageCache) size() (pages, bytes int) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	for _, p := range pc.users {
		pages += len(p)
	}
	return pages, pc.bytes
}

// cacheKey identifies q's answer among its user's pages.
func (q *listQuery) cacheKey() string {
	return strings.Join([]string{q.status, q.serviceID, q.project, q.sort, strconv.Itoa(q.limit), q.cursor}, "\x00")
}
