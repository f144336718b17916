package ntfy

import (
	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/metrics"
	"github.com/belfry/belfry/app/ws"
)

// newSub is the live subscription of q, whose open and keepalive events
// name param (the topics as requested), its frames going to out.
func (s *Service) newSub(q subscription, param string, out sink) *sub {
	sb := &sub{q: q, userID: q.user.ID, param: param, topics: q.topics, f: q.f, format: q.format, now: s.d.Clock.Now, out: out,
		dropped: &s.live.dropped}
	if q.token != nil {
		sb.tokenID = q.token.ID
	}
	return sb
}

// Handle takes one change from the bus (bus.Subscribe(s.Handle)) on the
// publisher's goroutine and never blocks: the user's held-open
// subscriptions queue their events.
func (s *Service) Handle(c app.Change) {
	if s.live != nil {
		s.live.Handle(c)
	}
}

// Revoke ends the subscriptions that lost their credentials within the
// call: every one of userID when tokenID is empty (the user was deleted),
// else those opened with the token tokenID. It suits auth.Service.OnRevoke.
// One opened with a password ends when its user is deleted.
func (s *Service) Revoke(userID, tokenID string) {
	if s.live != nil {
		s.live.revoke(userID, tokenID)
	}
}

// Resync ends every held-open subscription after the change bus may have
// missed messages: a /ws one is closed with 1012 (service restart), an
// HTTP stream (/json, /sse, /raw) ends after what it has queued. Clients
// reconnect with since= and read what they missed from the database, as
// ntfy's own clients do when a stream ends.
func (s *Service) Resync() {
	if s.live == nil {
		return
	}
	for _, sb := range s.live.subs("") {
		sb.stop(endShutdown)
	}
	s.sockets.CloseAll(ws.CloseShutdown, "change bus reconnected")
}

// Close ends every held-open subscription (a /ws one with 1012, service
// restart) so the HTTP server can shut down; new ones are refused.
func (s *Service) Close() error {
	if s.live == nil {
		return nil
	}
	s.live.close()
	return s.sockets.Close()
}

// Observe registers the subscriptions' metrics.
func (s *Service) Observe(m *metrics.Registry) {
	if s.live == nil {
		return
	}
	m.GaugeFunc("belfry_ntfy_subscriptions", "Held-open ntfy subscriptions (/<topic>/json, /sse, /raw and /ws).",
		func() float64 { return float64(s.live.open()) })
	m.CounterFunc("belfry_ntfy_subscriptions_dropped_total", "ntfy subscriptions ended because their client fell too far behind.",
		func() float64 { return float64(s.live.dropped.Load()) })
	s.sockets.Observe(m, "ntfy")
}
