package poll

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// sweepEvery is how often, at most, idle buckets are evicted.
const sweepEvery = time.Minute

// limiter keeps one token bucket per API token. A bucket that has been idle
// long enough to refill completely is indistinguishable from a new one, so
// the periodic sweep drops it without changing anyone's allowance.
type limiter struct {
	rate    rate.Limit // 0: no limit
	burst   int
	refill  time.Duration // how long an empty bucket takes to fill
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// verdict is the outcome of one request against its bucket.
type verdict struct {
	allowed    bool
	remaining  int           // whole requests left right now
	retryAfter time.Duration // until the next request is allowed (when refused)
	reset      time.Duration // until the bucket is full again
}

// newLimiter returns a limiter of perSecond requests per second with bursts
// of burst; perSecond <= 0 disables limiting and burst < 1 counts as 1.
func newLimiter(perSecond float64, burst int) *limiter {
	l := &limiter{buckets: map[string]*bucket{}, burst: max(burst, 1)}
	if perSecond > 0 && !math.IsInf(perSecond, 1) {
		l.rate = rate.Limit(perSecond)
		l.refill = time.Duration(float64(l.burst) / perSecond * float64(time.Second))
	}
	return l
}

func (l *limiter) enabled() bool { return l.rate > 0 }

// take spends one request of key's bucket at now.
func (l *limiter) take(key string, now time.Time) verdict {
	l.mu.Lock()
	if now.Sub(l.swept) >= sweepEvery {
		l.sweep(now)
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[key] = b
	}
	if now.After(b.seen) {
		b.seen = now
	}
	l.mu.Unlock()

	v := verdict{allowed: b.lim.AllowN(now, 1)}
	tokens := b.lim.TokensAt(now)
	v.remaining = max(int(math.Floor(tokens)), 0)
	v.reset = l.after(float64(l.burst) - tokens)
	if !v.allowed {
		v.retryAfter = l.after(1 - tokens)
	}
	return v
}

// after is how long the bucket takes to gain n tokens.
func (l *limiter) after(n float64) time.Duration {
	if n <= 0 {
		return 0
	}
	return time.Duration(n / float64(l.rate) * float64(time.Second))
}

// sweep drops buckets idle for a full refill; callers hold mu.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.seen) >= l.refill {
			delete(l.buckets, k)
		}
	}
	l.swept = now
}

func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// rateLimit spends one request of the caller's token bucket. Every answer
// carries X-RateLimit-Limit (the burst), X-RateLimit-Remaining and
// X-RateLimit-Reset (seconds until the bucket is full); a refused request is
// 429 RATE_LIMIT_EXCEEDED with Retry-After in whole seconds, rounded up.
// Buckets key on the token id, never on the client address, so users behind
// one reverse proxy do not share a bucket.
func (s *Server) rateLimit(c *gin.Context) {
	t := web.TokenFrom(c)
	if !s.limits.enabled() || t == nil {
		c.Next()
		return
	}
	v := s.limits.take(t.ID, s.d.Clock.Now())
	h := c.Writer.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.limits.burst))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(v.remaining))
	h.Set("X-RateLimit-Reset", strconv.Itoa(ceilSeconds(v.reset)))
	if !v.allowed {
		s.rateLimited.Add(1)
		wait := max(ceilSeconds(v.retryAfter), 1)
		h.Set("Retry-After", strconv.Itoa(wait))
		web.WriteError(c, app.Errorf(app.ERATELIMIT,
			"Too many requests with this token: %d allowed at once, %g per second after that. Retry in %d s.",
			s.limits.burst, float64(s.limits.rate), wait))
		return
	}
	c.Next()
}

// ceilSeconds rounds d up to whole seconds, forgiving the float noise of a
// microsecond so that exactly one second is never announced as two.
func ceilSeconds(d time.Duration) int {
	return int((d + time.Second - time.Microsecond) / time.Second)
}
