package hub

import (
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock/clocktest"
)

func TestStormDetectorShortTerm(t *testing.T) {
	clock := clocktest.New()
	d := newStormDetector(app.DefaultConfig().Storm, clock.Now())
	for i := 1; i <= 6; i++ {
		if d.record("u", clock.Now()) {
			t.Fatalf("creation %d started a storm", i)
		}
		clock.Advance(time.Second)
	}
	if !d.record("u", clock.Now()) {
		t.Fatal("the 7th creation within 10 s did not start a storm")
	}
	if d.record("v", clock.Now()) || d.active("v", clock.Now()) {
		t.Fatal("another user is in the storm")
	}
	// The storm sticks for 60 s, also for reads and deletions.
	clock.Advance(59 * time.Second)
	if !d.active("u", clock.Now()) {
		t.Fatal("storm ended before its sticky period")
	}
	clock.Advance(time.Second)
	if d.active("u", clock.Now()) {
		t.Fatal("storm outlived its sticky period")
	}
	if d.record("u", clock.Now()) {
		t.Fatal("a lone creation after the storm started a new one")
	}
	if n := d.activations.Load(); n != 1 {
		t.Fatalf("activations %d, want 1", n)
	}
}

func TestStormDetectorWindowSlides(t *testing.T) {
	clock := clocktest.New()
	d := newStormDetector(app.DefaultConfig().Storm, clock.Now())
	// Bursts of six 10 s apart: never more than six within 10 s, and 30
	// within 180 s is not more than 30.
	for i := range 30 {
		if i > 0 && i%6 == 0 {
			clock.Advance(10*time.Second + time.Millisecond)
		}
		if d.record("u", clock.Now()) {
			t.Fatalf("creation %d started a storm", i+1)
		}
	}
}

func TestStormDetectorLongTerm(t *testing.T) {
	clock := clocktest.New()
	d := newStormDetector(app.DefaultConfig().Storm, clock.Now())
	// One every 5 s stays under the short rule; the 31st within 180 s trips
	// the long one.
	for i := 1; i <= 30; i++ {
		if d.record("u", clock.Now()) {
			t.Fatalf("creation %d started a storm", i)
		}
		clock.Advance(5 * time.Second)
	}
	if !d.record("u", clock.Now()) {
		t.Fatal("the 31st creation within 180 s did not start a storm")
	}
}

func TestStormDetectorDisabledAndSweep(t *testing.T) {
	clock := clocktest.New()
	cfg := app.DefaultConfig().Storm
	cfg.Enabled = false
	off := newStormDetector(cfg, clock.Now())
	for range 50 {
		if off.record("u", clock.Now()) {
			t.Fatal("a disabled detector reported a storm")
		}
	}

	d := newStormDetector(app.DefaultConfig().Storm, clock.Now())
	for range 7 {
		d.record("old", clock.Now())
	}
	clock.Advance(time.Hour)
	d.record("new", clock.Now())
	d.mu.Lock()
	_, kept := d.users["old"]
	d.mu.Unlock()
	if kept {
		t.Fatal("an expired user's window was not swept")
	}
}

// TestThrottle walks one socket's backoff with the reference numbers.
func TestThrottle(t *testing.T) {
	cfg := app.DefaultConfig().Storm
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var th throttle
	th.start(t0, cfg)
	if th.admit(t0, cfg) {
		t.Fatal("a reload right after connecting was not held")
	}
	if want := t0.Add(time.Second); !th.holdUntil.Equal(want) {
		t.Fatalf("hold until %v, want %v", th.holdUntil, want)
	}
	now := t0.Add(5 * time.Second)
	if !th.admit(now, cfg) {
		t.Fatal("a reload after the hold was held")
	}
	// Rapid reloads are held with a backoff growing 1 s each, forced
	// through once it would pass 15 s.
	for i := 1; i <= 15; i++ {
		now = now.Add(10 * time.Millisecond)
		if th.admit(now, cfg) {
			t.Fatalf("held reload %d went through", i)
		}
		if want := now.Add(time.Duration(i) * time.Second); !th.holdUntil.Equal(want) {
			t.Fatalf("held reload %d: hold until %v, want %v", i, th.holdUntil, want)
		}
	}
	now = now.Add(10 * time.Millisecond)
	if !th.admit(now, cfg) {
		t.Fatal("the reload past the maximum backoff was not forced through")
	}
	if th.backoff != cfg.BackoffInitial.Duration {
		t.Fatalf("backoff %v after a forced reload, want the initial one", th.backoff)
	}

	// Trailing refreshes: only the latest armed one is due, once.
	first := th.arm()
	second := th.arm()
	if th.due(first, now, cfg) {
		t.Fatal("a superseded refresh was due")
	}
	if !th.due(second, now, cfg) || th.due(second, now, cfg) {
		t.Fatal("the pending refresh was not due exactly once")
	}
	third := th.arm()
	th.disarm()
	if th.due(third, now, cfg) {
		t.Fatal("a disarmed refresh was due")
	}
}

func TestStormOverSocket(t *testing.T) {
	s := newServer(t)
	alice := s.user("alice")
	c := s.dial(alice, bearerAuth(s.token(alice, app.ScopeClient)))

	for i := 1; i <= 6; i++ {
		s.notify(alice, jobFailed("ok"))
		wantPush(t, c.next(), nil, true, true)
	}
	// The 7th within 10 s loses its toast; one second after connecting the
	// reload is held back too.
	s.notify(alice, jobFailed("storm"))
	wantPush(t, c.next(), nil, false, false)
	if n := s.hub.Stats().StormActivations; n != 1 {
		t.Fatalf("storm activations %d, want 1", n)
	}
	// Once the hold has passed, the trailing refresh brings the widget up to
	// date.
	s.clock.Advance(time.Second)
	wantPush(t, c.next(), 7, true, false)

	// The refresh counts as a reload: the next second is held again. After
	// it, still in the storm, a reload goes out without a toast; the next
	// ones are held, then forced through at 15 s.
	s.clock.Advance(time.Second)
	s.notify(alice, jobFailed("storm"))
	wantPush(t, c.next(), nil, true, false)
	for i := 1; i <= 15; i++ {
		s.notify(alice, jobFailed("storm"))
		wantPush(t, c.next(), nil, false, false)
	}
	s.notify(alice, jobFailed("storm"))
	wantPush(t, c.next(), 24, true, false)
	// The forced reload cancelled the trailing refresh: after any wait the
	// next frame is the next change.
	s.clock.Advance(30 * time.Second)
	if n := s.clock.Pending(); n != 0 {
		t.Fatalf("%d timers pending", n)
	}
	s.publish(alice, app.ChangeRead)
	wantPush(t, c.next(), 24, false, false)

	// 60 s after it began the storm is over and toasts are back (the last
	// 10 s held fewer than 7 creations, 180 s fewer than 31).
	s.clock.Advance(31 * time.Second)
	s.notify(alice, jobFailed("calm"))
	wantPush(t, c.next(), 25, true, true)
}

func TestStormEachSocketHasItsOwnBackoff(t *testing.T) {
	s := newServer(t)
	alice := s.user("alice")
	secret := s.token(alice, app.ScopeClient)
	early := s.dial(alice, bearerAuth(secret))
	s.clock.Advance(2 * time.Second)
	late := s.dial(alice, bearerAuth(secret)) // connected just now: its reloads are held

	for range 6 {
		s.notify(alice, jobFailed("ok"))
		early.next()
		late.next()
	}
	s.notify(alice, jobFailed("storm"))
	wantPush(t, early.next(), 7, true, false)
	wantPush(t, late.next(), 7, false, false)
	s.clock.Advance(time.Second)
	wantPush(t, late.next(), 7, true, false)
}

func TestStormDisabled(t *testing.T) {
	s := newServer(t, func(c *app.Config) { c.Storm.Enabled = false })
	alice := s.user("alice")
	c := s.dial(alice, bearerAuth(s.token(alice, app.ScopeClient)))
	for i := 1; i <= 10; i++ {
		s.notify(alice, jobFailed("ok"))
		wantPush(t, c.next(), nil, true, true)
	}
	if n := s.hub.Stats().StormActivations; n != 0 {
		t.Fatalf("storm activations %d with storms disabled", n)
	}
}
