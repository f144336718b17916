package poll

import (
	"math"
	"strconv"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ratelimit"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// maxBuckets bounds the buckets the limiter holds; API tokens are few, so
// it only matters if something goes very wrong.
const maxBuckets = 100_000

// limiter keeps one token bucket per API token (ratelimit.Table drops the
// idle ones).
type limiter struct {
	*ratelimit.Table
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
	return &limiter{ratelimit.New(perSecond, burst, maxBuckets)}
}

// take spends one request of key's bucket at now.
func (l *limiter) take(key string, now time.Time) verdict {
	lim := l.Limiter(key, now)
	v := verdict{allowed: lim.AllowN(now, 1)}
	tokens := lim.TokensAt(now)
	v.remaining = max(int(math.Floor(tokens)), 0)
	v.reset = l.After(float64(l.Burst()) - tokens)
	if !v.allowed {
		v.retryAfter = l.After(1 - tokens)
	}
	return v
}

// rateLimit spends one request of the caller's token bucket. Every answer
// carries X-RateLimit-Limit (the burst), X-RateLimit-Remaining and
// X-RateLimit-Reset (seconds until the bucket is full); a refused request is
// 429 RATE_LIMIT_EXCEEDED with Retry-After in whole seconds, rounded up.
// Buckets key on the token id, never on the client address, so users behind
// one reverse proxy do not share a bucket.
func (s *Server) rateLimit(c *gin.Context) {
	t := web.TokenFrom(c)
	if !s.limits.Enabled() || t == nil {
		c.Next()
		return
	}
	v := s.limits.take(t.ID, s.d.Clock.Now())
	h := c.Writer.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.limits.Burst()))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(v.remaining))
	h.Set("X-RateLimit-Reset", strconv.Itoa(ceilSeconds(v.reset)))
	if !v.allowed {
		s.rateLimited.Add(1)
		wait := max(ceilSeconds(v.retryAfter), 1)
		h.Set("Retry-After", strconv.Itoa(wait))
		web.WriteError(c, app.Errorf(app.ERATELIMIT,
			"Too many requests with this token: %d allowed at once, %g per second after that. Retry in %d s.",
			s.limits.Burst(), s.limits.PerSecond(), wait))
		return
	}
	c.Next()
}

// ceilSeconds rounds d up to whole seconds, forgiving the float noise of a
// microsecond so that exactly one second is never announced as two.
func ceilSeconds(d time.Duration) int {
	return int((d + time.Second - time.Microsecond) / time.Second)
}
