package ntfy

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/google/uuid"
)

// Why a subscription ended early.
type endReason int

const (
	endRevoked  endReason = iota + 1 // its token was revoked, its user deleted
	endShutdown                      // the server is shutting down
	endSlow                          // its client fell too far behind
)

// sink is where a subscription's frames go: a held-open HTTP response or
// a WebSocket. Neither method blocks.
type sink interface {
	// send queues frame; false means the client is too far behind and the
	// subscription ends.
	send(frame []byte) bool
	// end ends the stream; ending twice is harmless.
	end(why endReason)
}

const (
	// shownMax bounds the messages a subscription remembers having shown,
	// for the topic of their message_clear and message_delete events and
	// for read all and delete read.
	shownMax = 256
	// heldMax bounds the changes a subscription holds while its backlog is
	// written; past it, it ends as too slow (the client resumes with since=).
	heldMax = 4096
)

// sub is one held-open subscription: who reads which topics with which
// filters in which format, and what it has shown. Changes that arrive
// while its backlog is being written are held, then applied after it
// (those already in the backlog skipped), so a client resuming with since=
// gets no gap and no duplicate.
type sub struct {
	q               subscription
	userID, tokenID string
	param           string // the topics as requested: the topic of open and keepalive events
	topics          []string
	f               filters
	format          string // json, sse, raw or ws
	now             func() time.Time
	out             sink
	dropped         *atomic.Uint64 // counts the subscriptions ended as too slow

	mu      sync.Mutex
	started bool
	ended   bool
	held    []app.Change
	after   *app.Cursor // the last notification the backlog read
	shown   map[string]*seen
	order   []string // ids of shown, oldest first
}

// seen is what a subscription remembers of a message it showed.
type seen struct {
	topic string
	read  bool
}

// opened is the frame of the open event, which comes before the backlog.
// The endpoint writes it and the backlog itself, not through its sink: a
// backlog may be larger than a sink's bound.
func (s *sub) opened() []byte {
	return encode(s.event("open", s.param, ""), s.format)
}

// backlog is the frame of one message of the backlog, which was read or
// not.
func (s *sub) backlog(a answer, read bool) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remember(a.ID, a.Topic, read)
	return encode(a, s.format)
}

// start ends the backlog, which read up to after (nil: nothing), and
// applies the changes held meanwhile.
func (s *sub) start(after *app.Cursor) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.after, s.started = after, true
	held := s.held
	s.held = nil
	for _, c := range held {
		s.apply(c)
	}
}

// change takes one change of the user's notifications.
func (s *sub) change(c app.Change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.ended:
	case !s.started && len(s.held) >= heldMax:
		s.endLocked(endSlow)
	case !s.started:
		s.held = append(s.held, c)
	default:
		s.apply(c)
	}
}

// apply turns c into events: a message for a new notification of the
// topics that passes the filters; message_clear for one read or
// acknowledged, message_delete for one deleted (ntfy 2.16). A notification
// this subscription did not show (before it opened, or of another topic)
// is cleared or deleted under each of its topics: the ntfy app ignores a
// sequence id it does not know.
func (s *sub) apply(c app.Change) {
	if s.ended {
		return
	}
	switch c.Kind {
	case app.ChangeCreated:
		n := c.Notification
		if n == nil || (s.after != nil && !after(n, *s.after)) {
			return
		}
		topic, ok := topicOf(n, s.topics)
		if !ok {
			return
		}
		if a := view(n, topic); s.f.match(a) {
			s.remember(n.ID, topic, n.IsRead())
			s.emit(a)
		}
	case app.ChangeRead, app.ChangeAcknowledged:
		if m := s.shown[c.ID]; m == nil || !m.read {
			s.about("message_clear", c.ID)
		}
		if m := s.shown[c.ID]; m != nil {
			m.read = true
		}
	case app.ChangeDeleted:
		if c.ID != "" { // "" is retention's pruning: old notifications, long dismissed
			s.about("message_delete", c.ID)
			s.forget(c.ID)
		}
	case app.ChangeReadAll:
		for _, id := range s.order {
			if m := s.shown[id]; !m.read {
				m.read = true
				s.emit(s.event("message_clear", m.topic, id))
			}
		}
	case app.ChangeDeletedRead:
		for _, id := range append([]string(nil), s.order...) {
			if m := s.shown[id]; m.read {
				s.emit(s.event("message_delete", m.topic, id))
				s.forget(id)
			}
		}
	}
}

// about sends event (message_clear, message_delete) for the notification
// id: under the topic it was shown under, else under each topic.
func (s *sub) about(event, id string) {
	if m := s.shown[id]; m != nil {
		s.emit(s.event(event, m.topic, id))
		return
	}
	for _, t := range s.topics {
		s.emit(s.event(event, t, id))
	}
}

// keepalive sends ntfy's keepalive event.
func (s *sub) keepalive() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		s.emit(s.event("keepalive", s.param, ""))
	}
}

// stop ends the subscription.
func (s *sub) stop(why endReason) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endLocked(why)
}

func (s *sub) endLocked(why endReason) {
	if !s.ended {
		s.ended = true
		if why == endSlow {
			s.dropped.Add(1)
		}
		s.out.end(why)
	}
}

// emit queues a as a frame; a client too far behind ends.
func (s *sub) emit(a answer) bool {
	if s.ended {
		return false
	}
	if !s.out.send(encode(a, s.format)) {
		s.endLocked(endSlow)
		return false
	}
	return true
}

// event is an event other than message: open, keepalive, message_clear or
// message_delete (about the notification seq). Its id is a UUIDv7 of now,
// so a client that resumes with it as since= starts at its time.
func (s *sub) event(kind, topic, seq string) answer {
	now := s.now()
	id, err := uuid.NewV7()
	if err != nil { // the system's randomness failed: a random id still names the event
		id = uuid.New()
	}
	return answer{ID: id.String(), Time: now.Unix(), Event: kind, Topic: topic, SequenceID: seq}
}

// remember records that the subscription showed id under topic.
func (s *sub) remember(id, topic string, read bool) {
	if s.shown == nil {
		s.shown = map[string]*seen{}
	}
	if _, ok := s.shown[id]; ok {
		return
	}
	if len(s.order) >= shownMax {
		delete(s.shown, s.order[0])
		s.order = s.order[1:]
	}
	s.shown[id] = &seen{topic: topic, read: read}
	s.order = append(s.order, id)
}

func (s *sub) forget(id string) {
	if _, ok := s.shown[id]; !ok {
		return
	}
	delete(s.shown, id)
	for i, o := range s.order {
		if o == id {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
}

// after reports whether n comes after the cursor c in creation order.
func after(n *app.Notification, c app.Cursor) bool {
	return n.CreatedAt.After(c.CreatedAt) || (n.CreatedAt.Equal(c.CreatedAt) && n.ID > c.ID)
}
