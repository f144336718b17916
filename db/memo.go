package db

import "sync"

// memoMax bounds a memo; past it the memo starts over.
const memoMax = 10000

// memo caches the results of a hot read until the next write that may change
// them. Writers call invalidate after they commit; a reader takes the
// generation before it queries and stores its result under that generation,
// so a result read before a write is never served after it.
type memo[V any] struct {
	mu  sync.RWMutex
	gen uint64
	m   map[string]V
}

func newMemo[V any]() *memo[V] { return &memo[V]{m: map[string]V{}} }

// get returns the cached value of key and the current generation.
func (c *memo[V]) get(key string) (v V, ok bool, gen uint64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok = c.m[key]
	return v, ok, c.gen
}

// put stores v for key if no write happened since generation gen.
func (c *memo[V]) put(key string, gen uint64, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.m) >= memoMax {
		clear(c.m)
	}
	c.m[key] = v
}

// invalidate forgets everything; call it after a write commits.
func (c *memo[V]) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.m)
}
