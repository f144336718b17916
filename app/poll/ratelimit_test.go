package poll

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

func TestRateLimit(t *testing.T) {
	h := newHarness(t, &app.PollingConfig{RatePerSecond: 1, Burst: 3})
	u, tok := h.user("alice")
	second := h.token(u, app.ScopeClient)
	headers := func(r response) (limit, remaining, reset string) {
		return r.header.Get("X-RateLimit-Limit"), r.header.Get("X-RateLimit-Remaining"), r.header.Get("X-RateLimit-Reset")
	}

	// The clock stands still, so the bucket only drains.
	for i, want := range []string{"2", "1", "0"} {
		r := h.get(base, tok)
		limit, remaining, reset := headers(r)
		if r.status != http.StatusOK || limit != "3" || remaining != want || reset != strconv.Itoa(i+1) {
			t.Fatalf("request %d = %d, limit %s remaining %s reset %s; want 200, 3, %s, %d", i+1, r.status, limit, remaining, reset, want, i+1)
		}
	}
	r := h.get(base, tok)
	wantError(t, r, http.StatusTooManyRequests, app.CodeRateLimit, "Retry")
	if got := r.header.Get("Retry-After"); got != "1" {
		t.Fatalf("Retry-After = %q, want 1", got)
	}
	if limit, remaining, reset := headers(r); limit != "3" || remaining != "0" || reset != "3" {
		t.Fatalf("429 headers: limit %s remaining %s reset %s", limit, remaining, reset)
	}
	// Every route shares the token's bucket.
	wantError(t, h.post(base+"/acknowledge", tok, `{"ids":["x"]}`), http.StatusTooManyRequests, app.CodeRateLimit)

	// Another token of the same user has a bucket of its own.
	if r := h.get(base, second); r.status != http.StatusOK {
		t.Fatalf("second token = %d", r.status)
	}

	// Half a second refills half a request: still refused, retry in 1 s.
	h.clock.Advance(500 * time.Millisecond)
	if r := h.get(base, tok); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" {
		t.Fatalf("after 0.5 s = %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	h.clock.Advance(500 * time.Millisecond)
	if r := h.get(base, tok); r.status != http.StatusOK {
		t.Fatalf("after the Retry-After = %d", r.status)
	}

	st := h.poll.Stats()
	if st.RateLimited != 3 || st.Requests != 8 || st.Limiters != 2 {
		t.Fatalf("Stats = %+v, want 3 limited of 8, 2 buckets", st)
	}
}

func TestRateLimitRetryAfterRoundsUp(t *testing.T) {
	h := newHarness(t, &app.PollingConfig{RatePerSecond: 0.25, Burst: 1})
	_, tok := h.user("alice")
	if r := h.get(base, tok); r.status != http.StatusOK || r.header.Get("X-RateLimit-Reset") != "4" {
		t.Fatalf("first = %d, reset %q", r.status, r.header.Get("X-RateLimit-Reset"))
	}
	h.clock.Advance(1500 * time.Millisecond)
	r := h.get(base, tok)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "3" {
		t.Fatalf("second = %d, Retry-After %q; want 429 and 3 (2.5 s rounded up)", r.status, r.header.Get("Retry-After"))
	}
}

func TestRateLimitDisabled(t *testing.T) {
	h := newHarness(t, &app.PollingConfig{RatePerSecond: 0, Burst: 1})
	_, tok := h.user("alice")
	for range 5 {
		r := h.get(base, tok)
		if r.status != http.StatusOK || r.header.Get("X-RateLimit-Limit") != "" {
			t.Fatalf("= %d with X-RateLimit-Limit %q", r.status, r.header.Get("X-RateLimit-Limit"))
		}
	}
}
