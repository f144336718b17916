package ws

import (
	"time"
)

// This file holds the Registry's two indexes and the operations that address
// connections through them.

// indexLocked adds c to the connection set and the user index; callers hold
// r.mu for writing.
func (r *Registry) indexLocked(c *Conn) {
	r.conns[c] = struct{}{}
	set := r.users[c.userID]
	if set == nil {
		set = map[*Conn]struct{}{}
		r.users[c.userID] = set
	}
	set[c] = struct{}{}
}

// unindexLocked removes c from every index; it is idempotent. Callers hold
// r.mu for writing.
func (r *Registry) unindexLocked(c *Conn) {
	delete(r.conns, c)
	leave(r.users, c.userID, c)
	for name := range c.subs {
		leave(r.subs, name, c)
	}
	c.subs = nil
}

// leave removes c from index[key], and the entry once it is empty.
func leave(index map[string]map[*Conn]struct{}, key string, c *Conn) {
	if set := index[key]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(index, key)
		}
	}
}

// HasUser reports whether userID has a live connection. It is a map lookup,
// cheap enough for a publisher's goroutine.
func (r *Registry) HasUser(userID string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.users[userID]) > 0
}

// UserConns returns a snapshot of userID's live connections.
func (r *Registry) UserConns(userID string) []*Conn {
	r.mu.RLock()
	defer r.mu.RUnlock()
	set := r.users[userID]
	if len(set) == 0 {
		return nil
	}
	conns := make([]*Conn, 0, len(set))
	for c := range set {
		conns = append(conns, c)
	}
	return conns
}

// SendToUser queues msg to every live connection of userID (see Conn.Send)
// and returns how many took it.
func (r *Registry) SendToUser(userID string, msg []byte) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return sendAll(r.users[userID], msg)
}

// SendToSubscription queues msg to every connection subscribed to name and
// returns how many took it.
func (r *Registry) SendToSubscription(name string, msg []byte) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return sendAll(r.subs[name], msg)
}

// sendAll sends under the caller's read lock: Conn.Send never blocks and
// never takes the Registry's lock.
func sendAll(set map[*Conn]struct{}, msg []byte) int {
	n := 0
	for c := range set {
		if c.Send(msg) {
			n++
		}
	}
	return n
}

// Subscribe adds c to the subscription name; the endpoint decides who may
// subscribe to what. It reports false when c has already ended or is being
// closed. Subscribing twice is harmless.
func (r *Registry) Subscribe(c *Conn, name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, live := r.conns[c]; !live || c.closing.Load() {
		return false
	}
	if c.subs == nil {
		c.subs = map[string]struct{}{}
	}
	c.subs[name] = struct{}{}
	set := r.subs[name]
	if set == nil {
		set = map[*Conn]struct{}{}
		r.subs[name] = set
	}
	set[c] = struct{}{}
	return true
}

// Unsubscribe removes c from the subscription name, if it was subscribed.
func (r *Registry) Unsubscribe(c *Conn, name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := c.subs[name]; !ok {
		return
	}
	delete(c.subs, name)
	leave(r.subs, name, c)
}

// Subscribed reports whether c is subscribed to name.
func (r *Registry) Subscribed(c *Conn, name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := c.subs[name]
	return ok
}

// SubscriptionConns returns a snapshot of the connections subscribed to name.
func (r *Registry) SubscriptionConns(name string) []*Conn {
	r.mu.RLock()
	defer r.mu.RUnlock()
	conns := make([]*Conn, 0, len(r.subs[name]))
	for c := range r.subs[name] {
		conns = append(conns, c)
	}
	return conns
}

// CloseUser closes every connection of userID with code and reason and
// returns how many there were. They leave the indexes at once, so nothing
// sent afterwards reaches them.
func (r *Registry) CloseUser(userID string, code int, reason string) int {
	r.mu.Lock()
	return r.closeLocked(r.users[userID], code, reason)
}

// CloseAll closes every connection with code and reason, behind its queued
// frames, and returns how many; new handshakes are still accepted.
func (r *Registry) CloseAll(code int, reason string) int {
	r.mu.Lock()
	return r.closeLocked(r.conns, code, reason)
}

// closeLocked unindexes the connections of set, releases r.mu (held for
// writing) and closes them with code and reason; it returns how many.
func (r *Registry) closeLocked(set map[*Conn]struct{}, code int, reason string) int {
	conns := make([]*Conn, 0, len(set))
	for c := range set {
		conns = append(conns, c)
	}
	for _, c := range conns {
		r.unindexLocked(c)
	}
	r.mu.Unlock()
	for _, c := range conns {
		c.Close(code, reason)
	}
	return len(conns)
}

// Close refuses new handshakes, sends every connection a close frame
// (CloseShutdown) behind its queued frames, waits up to CloseGrace for them
// to end and then cuts the rest. It is for graceful shutdown: call it before
// the HTTP server's Shutdown, which does not wait for upgraded connections.
// Closing twice is harmless.
func (r *Registry) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	conns := make([]*Conn, 0, len(r.conns))
	for c := range r.conns {
		conns = append(conns, c)
	}
	r.mu.Unlock()

	for _, c := range conns {
		c.Close(CloseShutdown, "server shutting down")
	}
	grace := time.NewTimer(r.opts.CloseGrace)
	defer grace.Stop()
wait:
	for _, c := range conns {
		select {
		case <-c.done:
		case <-grace.C:
			break wait
		}
	}
	for _, c := range conns {
		select {
		case <-c.done:
		default:
			c.drop(CloseShutdown, "server shutting down")
		}
	}
	return nil
}
