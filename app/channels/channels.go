// Package channels is Belfry's chat channels (spec/channels-websocket-events.txt
// and docs/architecture.md): the actions — create, join, talk, moderate — with their
// role rules, the REST API under /api/channels, and the /ws/channels/
// endpoint that streams every channel's events.
//
// Every action that changes a channel is one transaction of the store that
// checks the actor's rights against the current state, makes the change and
// records the event with the channel's next sequence number. The event is
// published only once that transaction is durable, and a channel's events
// are published in sequence order (see sequencer). Clients that lose their
// socket resubscribe with the last number they saw and get what they missed.
package channels

import (
	"cmp"
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/clock"
	"github.com/belfry/belfry/app/ws"
)

// Path is the route of the channels WebSocket endpoint.
const Path = "/ws/channels/"

// opTimeout bounds each store call the socket side makes.
const opTimeout = 5 * time.Second

// Deps are the service's collaborators, filled in by the serve wiring.
type Deps struct {
	// BaseURL is server.base_url: a handshake's Origin must be its origin.
	BaseURL   string
	WebSocket app.WebSocketConfig
	// Limits bound the connections of every endpoint of the server
	// together (nil: limits of the service's own, from WebSocket).
	Limits *ws.Limits
	Store  app.ChannelStore
	Users  app.UserStore
	// Clock stamps typing indicators and schedules their expiry (nil: the
	// wall clock); tests use clocktest.Fake.
	Clock  clock.Clock
	Logger *slog.Logger // nil: slog.Default()
	// Deliveries carries what sockets do to every replica (nil: this
	// process only).
	Deliveries *bus.Topic[Delivery]
}

// Service runs the channel actions and the /ws/channels/ endpoint. Every
// action checks the actor's rights and publishes its events to the sockets
// subscribed to them. It is safe for concurrent use.
type Service struct {
	d      Deps
	store  app.ChannelStore
	clock  clock.Clock
	log    *slog.Logger
	reg    *ws.Registry
	seq    *sequencer
	recv   *receiver
	typing *typists
	out    *bus.Topic[Delivery]

	ctx    context.Context // canceled by Close
	cancel context.CancelFunc

	subscriptions atomic.Int64
	eventsSent    atomic.Uint64
}

// Stats are the service's counters, for metrics.
type Stats struct {
	Sockets       int    // live sockets
	Subscriptions int    // subscriptions of live sockets
	EventsSent    uint64 // event frames queued to sockets, replays included
	Dropped       uint64 // sockets closed because they did not read fast enough
}

// New returns a Service over d. It starts no goroutine.
func New(d Deps) *Service {
	d.Logger = cmp.Or(d.Logger, slog.Default())
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	s := &Service{d: d, store: d.Store, clock: d.Clock, log: d.Logger}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	// A number this replica's writes skipped was used by another replica
	// (docs/cluster.md) or by a write that failed: nothing waits for it
	// here, and the receivers fill what the bus did not bring.
	s.seq = newSequencer(s.lastSeq, func(channelID string, from, to int64) {
		s.log.Debug("channels: numbers of a channel's sequence not written here", "channel_id", channelID, "from", from, "to", to)
	})
	s.typing = newTypists(s.clock, s.sendTyping)
	o := ws.Configured(d.BaseURL, d.WebSocket, d.Limits, d.Logger)
	o.OnMessage, o.OnClose = s.handleMessage, s.handleClose
	s.reg = ws.New(o)
	s.out = cmp.Or(d.Deliveries, bus.Local[Delivery]())
	s.recv = newReceiver(s)
	s.out.Subscribe(s.receive)
	return s
}

// lastSeq is the sequencer's read of a channel's latest sequence number.
func (s *Service) lastSeq(ctx context.Context, channelID string) (int64, error) {
	ch, err := s.store.FindChannel(ctx, channelID)
	if err != nil {
		return 0, err
	}
	return ch.LastSeq, nil
}

// Close sends every socket a close frame (1012, service restart: clients
// reconnect once the server is back), waits briefly for them to end and
// stops the typing timers. Call it before the HTTP server's Shutdown, which
// does not wait for upgraded connections.
func (s *Service) Close() error {
	err := s.reg.Close()
	s.cancel()
	s.typing.close()
	return err
}

// Revoke ends the sockets that lost their credentials (ws.Registry.Revoke);
// it suits auth.Service.OnRevoke.
func (s *Service) Revoke(userID, tokenID string) { s.reg.Revoke(userID, tokenID) }

// Resync closes every socket with 1012 (service restart) after the change
// bus may have missed events: clients reconnect and resubscribe with the
// last sequence number they saw, and the database replays the rest.
func (s *Service) Resync() {
	s.recv.forget()
	s.reg.CloseAll(ws.CloseShutdown, "change bus reconnected; resubscribe")
}

// Stats returns the service's counters.
func (s *Service) Stats() Stats {
	rs := s.reg.Stats()
	return Stats{
		Sockets:       rs.Conns,
		Subscriptions: int(s.subscriptions.Load()),
		EventsSent:    s.eventsSent.Load(),
		Dropped:       rs.DroppedSlow,
	}
}
