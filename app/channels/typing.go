package channels

import (
	"sync"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock"
	"github.com/belfry/belfry/app/ws"
)

// Typing indicators are not stored and carry no seq: they only matter
// while they are fresh.
const (
	// TypingExpiry is how long a typing indicator lasts after the user's
	// last typing frame; then the server publishes is_typing false itself,
	// so a client that vanished mid-sentence leaves no stale indicator.
	TypingExpiry = 5 * time.Second
	// TypingRefresh rate-limits the indicator: while a user keeps typing,
	// is_typing true is published again at most this often (for the
	// subscribers who came in meanwhile), however often the client sends it.
	TypingRefresh = 3 * time.Second
)

// handleTyping serves {"type":"typing","channel_id":…,"is_typing":…}: the
// socket must be subscribed to the channel, which it can only be while its
// user is a member.
func (s *Service) handleTyping(c *ws.Conn, sock *socket, f clientFrame) {
	channelID, err := app.ParseID(f.ChannelID)
	if err != nil {
		c.Send(errorFrame("", app.Errorf(app.EINVALID, "Typing frames need the channel_id of a channel.")))
		return
	}
	stream := ChannelStream(channelID)
	if f.IsTyping == nil {
		c.Send(errorFrame(stream, app.Errorf(app.EINVALID, "Typing frames need is_typing: true or false.")))
		return
	}
	if !s.reg.Subscribed(c, stream) {
		c.Send(errorFrame(stream, app.Errorf(app.EFORBIDDEN, "Subscribe to %s before sending typing indicators.", stream)))
		return
	}
	s.typing.set(channelID, sock.user, *f.IsTyping)
}

// sendTyping publishes a user_typing event.
func (s *Service) sendTyping(channelID, userID, username string, typing bool, at time.Time) {
	stream := ChannelStream(channelID)
	data := typingData{ChannelID: channelID, UserID: userID, Username: username, IsTyping: typing}
	s.deliver(Delivery{Stream: stream, Frame: eventFrame(EventUserTyping, stream, 0, at, mustJSON(data))})
}

// typists is who is typing where. Timers end indicators that were not
// refreshed; a generation number recognises a timer that fired after being
// superseded.
type typists struct {
	clock clock.Clock
	send  func(channelID, userID, username string, typing bool, at time.Time)

	mu     sync.Mutex
	active map[typingKey]*typingState
	closed bool
}

type typingKey struct{ channelID, userID string }

type typingState struct {
	username string
	sentAt   time.Time // when is_typing true was last published
	timer    clock.Timer
	gen      uint64
}

func newTypists(clock clock.Clock, send func(string, string, string, bool, time.Time)) *typists {
	return &typists{clock: clock, send: send, active: map[typingKey]*typingState{}}
}

// set records a typing frame of u in the channel.
func (t *typists) set(channelID string, u *app.User, typing bool) {
	k := typingKey{channelID, u.ID}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	now := t.clock.Now()
	st := t.active[k]
	if !typing {
		if st != nil {
			t.endLocked(k, st, now)
		}
		return
	}
	if st == nil {
		st = &typingState{username: u.Username}
		t.active[k] = st
	}
	if st.sentAt.IsZero() || now.Sub(st.sentAt) >= TypingRefresh {
		st.sentAt = now
		t.send(channelID, u.ID, u.Username, true, now)
	}
	if st.timer != nil {
		st.timer.Stop()
	}
	st.gen++
	gen := st.gen
	st.timer = t.clock.AfterFunc(TypingExpiry, func() { t.expire(k, gen) })
}

// expire ends an indicator whose timer gen fired.
func (t *typists) expire(k typingKey, gen uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if st := t.active[k]; st != nil && st.gen == gen && !t.closed {
		t.endLocked(k, st, t.clock.Now())
	}
}

// clear ends userID's indicator in the channel, if any: they posted, left
// or were removed.
func (t *typists) clear(channelID, userID string) {
	k := typingKey{channelID, userID}
	t.mu.Lock()
	defer t.mu.Unlock()
	if st := t.active[k]; st != nil && !t.closed {
		t.endLocked(k, st, t.clock.Now())
	}
}

// clearChannel forgets the indicators of a deleted channel without
// publishing anything.
func (t *typists) clearChannel(channelID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, st := range t.active {
		if k.channelID == channelID {
			st.timer.Stop()
			delete(t.active, k)
		}
	}
}

func (t *typists) endLocked(k typingKey, st *typingState, now time.Time) {
	st.timer.Stop()
	delete(t.active, k)
	t.send(k.channelID, k.userID, st.username, false, now)
}

// close stops every timer; later frames are ignored.
func (t *typists) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	for k, st := range t.active {
		st.timer.Stop()
		delete(t.active, k)
	}
}
