package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/app/server/servertest"
)

// behindProxy makes the server believe X-Forwarded-For from loopback, as
// behind a reverse proxy on the same machine, so that a test can log in
// from many client addresses; change adjusts the [auth] settings.
func behindProxy(change func(*app.AuthConfig)) servertest.Option {
	return servertest.WithConfig(func(cfg *app.Config) {
		cfg.Server.TrustedProxies = []string{"127.0.0.1"}
		change(&cfg.Auth)
	})
}

// loginOver posts one login to the running server over loopback, from the
// client address from (none: the loopback peer itself), as JSON or as a
// browser's form, and returns the answer as a recorder for the helpers.
func (h *harness) loginOver(from, username, password string, asJSON bool) *httptest.ResponseRecorder {
	h.t.Helper()
	var req *http.Request
	var err error
	if asJSON {
		req, err = http.NewRequest(http.MethodPost, h.URL+"/login",
			strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, username, password)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
	} else {
		req, err = http.NewRequest(http.MethodPost, h.URL+"/login",
			strings.NewReader(url.Values{"username": {username}, "password": {password}, "next": {"/tokens"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "text/html")
	}
	if err != nil {
		h.t.Fatal(err)
	}
	if from != "" {
		req.Header.Set("X-Forwarded-For", from)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Do(req)
	if err != nil {
		h.t.Error(err)
		return httptest.NewRecorder()
	}
	defer resp.Body.Close()
	rec := httptest.NewRecorder()
	for k, v := range resp.Header {
		rec.Header()[k] = v
	}
	rec.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(rec, resp.Body)
	return rec
}

// wantRetryAfter checks a refusal's Retry-After: whole seconds, at least 1,
// at most max.
func wantRetryAfter(t *testing.T, rec *httptest.ResponseRecorder, max int) int {
	t.Helper()
	n, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	if err != nil || n < 1 || n > max {
		t.Fatalf("Retry-After %q, want 1 to %d s", rec.Header().Get("Retry-After"), max)
	}
	return n
}

// TestLoginGuessesFromOneAddress is issue 19's flood: 400 wrong guesses
// from one address. With the default limits 10 are checked; the other 390
// are refused 429 with Retry-After before any password is hashed. Other
// addresses are not affected, and a browser gets the login page with the
// reason.
//
// The server's clock is a clocktest.Fake, here and wherever a test counts
// answers: buckets refill only when the test moves time, however slow the
// machine is.
func TestLoginGuessesFromOneAddress(t *testing.T) {
	h := newHarness(t, behindProxy(func(*app.AuthConfig) {}), servertest.WithClock(clocktest.New()))
	answered, limited := 0, 0
	for i := range 400 {
		// A new username every time: only the address limit applies.
		rec := h.loginOver("", "guess"+strconv.Itoa(i), "wrong password", true)
		switch rec.Code {
		case http.StatusUnauthorized:
			answered++
		case http.StatusTooManyRequests:
			limited++
			msg := wantError(t, rec, http.StatusTooManyRequests, app.CodeRateLimit)
			if n := wantRetryAfter(t, rec, 6); n != 6 || msg != "Too many sign-in attempts from your address. Please try again in 6 seconds." {
				t.Fatalf("message %q, Retry-After %d", msg, n)
			}
		default:
			t.Fatalf("guess %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	if answered != 10 || limited != 390 {
		t.Fatalf("%d answered, %d refused 429; want 10 and 390 (login_burst)", answered, limited)
	}
	wantError(t, h.loginOver("198.51.100.9", "guess", "wrong password", true), http.StatusUnauthorized, app.CodeUnauthenticated)

	rec := h.loginOver("", "alice", password, false)
	wantRetryAfter(t, rec, 6)
	body := rec.Body.String()
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(body, "Too many sign-in attempts from your address.") ||
		!strings.Contains(body, `action="/login"`) || !strings.Contains(body, `name="next" value="/tokens"`) ||
		rec.Header().Get("Content-Security-Policy") == "" || len(rec.Result().Cookies()) != 0 {
		t.Fatalf("form login refused: %d %v\n%s", rec.Code, rec.Header(), body)
	}
	apptest.WantSamples(t, h.Metrics.Handler(), map[string]float64{
		`belfry_login_refused_total{reason="address"}`:  391,
		`belfry_login_refused_total{reason="username"}`: 0,
		`belfry_login_refused_total{reason="busy"}`:     0,
	})
}

// TestLoginFailuresPerUsername: wrong passwords for alice from many
// addresses lock her name after the burst, alice included, but only until
// the refill Retry-After announces; other users sign in meanwhile.
func TestLoginFailuresPerUsername(t *testing.T) {
	clock := clocktest.New()
	h := newHarness(t, behindProxy(func(a *app.AuthConfig) { a.UsernameFailureBurst = 3 }), servertest.WithClock(clock))
	for i := range 6 {
		rec := h.loginOver("203.0.113."+strconv.Itoa(i+1), "alice", "guess "+strconv.Itoa(i), true)
		if i < 3 {
			wantError(t, rec, http.StatusUnauthorized, app.CodeUnauthenticated)
			continue
		}
		if msg := wantError(t, rec, http.StatusTooManyRequests, app.CodeRateLimit); msg != "Too many failed sign-ins for this username. Please try again in 12 seconds." {
			t.Fatalf("message %q", msg)
		}
		if n := wantRetryAfter(t, rec, 12); n != 12 {
			t.Fatalf("Retry-After %d, want 12 (5 a minute)", n)
		}
	}
	wantStatus(t, h.loginOver("203.0.113.1", "bob", password, true), http.StatusOK)
	rec := h.loginOver("192.0.2.50", "alice", password, true)
	wantError(t, rec, http.StatusTooManyRequests, app.CodeRateLimit)

	// Wait as told: then the real alice is in.
	clock.Advance(time.Duration(wantRetryAfter(t, rec, 12)) * time.Second)
	wantJSON(t, h.loginOver("192.0.2.50", "alice", password, true), http.StatusOK,
		`{"id":"`+h.alice.ID+`","username":"alice"}`)
	apptest.WantSamples(t, h.Metrics.Handler(), map[string]float64{
		`belfry_login_refused_total{reason="username"}`: 4,
		`belfry_login_refused_total{reason="address"}`:  0,
	})
}

// loginFlood sends n wrong logins at once, each from its own address and
// for its own username, and returns the answers.
func (h *harness) loginFlood(n int) []*httptest.ResponseRecorder {
	recs := make([]*httptest.ResponseRecorder, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			recs[i] = h.loginOver(fmt.Sprintf("10.0.%d.%d", i/200, i%200+1), "flood"+strconv.Itoa(i), "wrong password", true)
		})
	}
	close(start)
	wg.Wait()
	return recs
}

// TestLoginHashingQueues: with one hashing slot and a long queue timeout,
// concurrent logins take turns and every one is checked.
func TestLoginHashingQueues(t *testing.T) {
	h := newHarness(t, behindProxy(func(a *app.AuthConfig) {
		a.HashConcurrency, a.HashQueueTimeout = 1, app.Duration{Duration: time.Minute}
	}))
	for i, rec := range h.loginFlood(4) {
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("login %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	if st := h.Auth.Stats(); st.RefusedBusy != 0 || st.HashesRunning != 0 || st.HashesWaiting != 0 {
		t.Fatalf("Stats %+v", st)
	}
}

// TestLoginHashingIsBounded: with one hashing slot and a queue timeout of
// a millisecond, far below the time of one argon2id hash, logins that
// arrive together are checked one at a time and those that find the slot
// taken are refused 503 with Retry-After, never anything else.
func TestLoginHashingIsBounded(t *testing.T) {
	h := newHarness(t, behindProxy(func(a *app.AuthConfig) {
		a.HashConcurrency, a.HashQueueTimeout = 1, app.Duration{Duration: time.Millisecond}
	}))
	answered, busy := 0, 0
	for i, rec := range h.loginFlood(16) {
		switch rec.Code {
		case http.StatusUnauthorized:
			answered++
		case http.StatusServiceUnavailable:
			busy++
			wantError(t, rec, http.StatusServiceUnavailable, app.CodeUnavailable)
			wantRetryAfter(t, rec, 1)
		default:
			t.Errorf("login %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	if answered < 1 || busy < 1 {
		t.Fatalf("%d answered, %d refused 503; want some of each", answered, busy)
	}
	apptest.WantSamples(t, h.Metrics.Handler(), map[string]float64{`belfry_login_refused_total{reason="busy"}`: float64(busy)})
}
