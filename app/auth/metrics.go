package auth

import "github.com/belfry/belfry/app/metrics"

// Stats counts the logins refused and the password hashes under way.
type Stats struct {
	RefusedAddress  uint64 // logins refused 429: too many attempts from one address
	RefusedUsername uint64 // logins refused 429: too many failures for one username
	RefusedBusy     uint64 // hashes refused 503: no hashing slot came free in time
	HashesRunning   int64  // argon2id hashes being computed now
	HashesWaiting   int64  // … waiting for a slot
	Addresses       int    // client addresses with a live login bucket
	Usernames       int    // usernames with a live login bucket
}

// Stats returns the current counters.
func (s *Service) Stats() Stats {
	return Stats{
		RefusedAddress:  s.throttle.byAddress.Load(),
		RefusedUsername: s.throttle.byUsername.Load(),
		RefusedBusy:     s.hashes.refused.Load(),
		HashesRunning:   s.hashes.running.Load(),
		HashesWaiting:   s.hashes.waiting.Load(),
		Addresses:       s.throttle.addresses.Len(),
		Usernames:       s.throttle.usernames.Len(),
	}
}

// Observe registers the login metrics on m.
func (s *Service) Observe(m *metrics.Registry) {
	const refused = "belfry_login_refused_total"
	const help = "Logins refused before the password was checked, by reason: address and username (429), busy (503)."
	m.CounterFunc(refused, help, func() float64 { return float64(s.Stats().RefusedAddress) }, "reason", "address")
	m.CounterFunc(refused, help, func() float64 { return float64(s.Stats().RefusedUsername) }, "reason", "username")
	m.CounterFunc(refused, help, func() float64 { return float64(s.Stats().RefusedBusy) }, "reason", "busy")
	m.GaugeFunc("belfry_password_hashes_running", "Password hashes (argon2id, 19 MiB each) being computed.",
		func() float64 { return float64(s.Stats().HashesRunning) })
	m.GaugeFunc("belfry_password_hashes_waiting", "Password hashes waiting for a slot (auth.hash_concurrency).",
		func() float64 { return float64(s.Stats().HashesWaiting) })
}
