package bus

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/nats-io/nats.go"
)

// pendingLimit bounds the messages (and bytes) a topic's subscription holds
// before its receiving goroutine takes them; beyond it NATS drops them and
// reports a slow consumer (counted as an error, and a gap).
const (
	pendingMessages = 1 << 16
	pendingBytes    = 64 << 20
)

// Network is this replica's connection to NATS, which carries the topics
// opened on it between the replicas of one cluster. Its zero value is not
// usable; Connect returns one.
type Network struct {
	nc     *nats.Conn
	closed chan struct{} // closed once the connection is
	prefix string
	log    *slog.Logger

	published, received, failed, gaps atomic.Uint64

	mu     sync.Mutex
	onGap  []func()
	topics []*nats.Subscription
}

// subscription is one topic's subject and NATS subscription.
type subscription struct {
	subject string
	sub     *nats.Subscription
}

// Connect starts the connection to the NATS of cfg (cfg.NATSURL must be
// set) for the replica called name. It returns at once even when NATS is
// unreachable: the connection keeps trying in the background, Ready
// reports it, and what is published meanwhile waits in the reconnect
// buffer (cfg.ReconnectBuffer bytes). Errors: a malformed URL.
func Connect(cfg app.ClusterConfig, name string, log *slog.Logger) (*Network, error) {
	n := &Network{prefix: cfg.Subject, log: cmp.Or(log, slog.Default()), closed: make(chan struct{})}
	nc, err := nats.Connect(cfg.NATSURL,
		nats.Name(name),
		nats.RetryOnFailedConnect(true),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.ReconnectBufSize(cfg.ReconnectBuffer),
		nats.ClosedHandler(func(*nats.Conn) { close(n.closed) }),
		nats.ConnectHandler(func(*nats.Conn) { n.log.Info("cluster: connected to NATS", "url", cfg.NATSURL) }),
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			if nc.IsDraining() || nc.IsClosed() {
				return // Close: this replica is stopping
			}
			n.log.Warn("cluster: disconnected from NATS; changes of other replicas are missed until it is back", "err", err)
		}),
		nats.ReconnectHandler(func(*nats.Conn) {
			n.log.Info("cluster: reconnected to NATS; live clients are told to resynchronise")
			n.gap()
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			n.failed.Add(1)
			n.log.Error("cluster: NATS error", "err", err)
			if errors.Is(err, nats.ErrSlowConsumer) {
				n.gap()
			}
		}),
	)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "cluster.nats_url: %v", err)
	}
	n.nc = nc
	return n, nil
}

// subscribe receives the subject of topic name, handing each message to
// handle on one goroutine, in arrival order.
func (n *Network) subscribe(name string, handle func([]byte) error) *subscription {
	s := &subscription{subject: n.prefix + "." + name}
	sub, err := n.nc.Subscribe(s.subject, func(m *nats.Msg) {
		n.received.Add(1)
		if err := handle(m.Data); err != nil {
			n.failed.Add(1)
			n.log.Error("cluster: message refused", "subject", m.Subject, "err", err)
		}
	})
	if err != nil { // only on a closed connection or a bad subject, which validation refuses
		panic(fmt.Sprintf("bus: subscribe %s: %v", s.subject, err))
	}
	_ = sub.SetPendingLimits(pendingMessages, pendingBytes)
	s.sub = sub
	n.mu.Lock()
	n.topics = append(n.topics, sub)
	n.mu.Unlock()
	return s
}

// publish sends v on s's subject.
func (n *Network) publish(s *subscription, v any) {
	data, err := Encode(v)
	if err == nil {
		err = n.nc.Publish(s.subject, data)
	}
	if err != nil {
		n.failed.Add(1)
		n.log.Error("cluster: change not published; replicas miss it", "subject", s.subject, "err", err)
		return
	}
	n.published.Add(1)
}

// OnGap registers fn to run when this replica may have missed messages of
// other replicas: after a reconnection to NATS, or when NATS dropped
// messages this replica did not take fast enough. Live clients then
// resynchronise from the database. fn must not block. A nil Network (the
// in-process bus) never has gaps.
func (n *Network) OnGap(fns ...func()) {
	if n == nil {
		return
	}
	n.mu.Lock()
	n.onGap = append(n.onGap, fns...)
	n.mu.Unlock()
}

func (n *Network) gap() {
	n.gaps.Add(1)
	n.mu.Lock()
	fns := n.onGap
	n.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// Ready is nil while connected to NATS (and for a nil Network).
func (n *Network) Ready() error {
	if n == nil || n.nc.IsConnected() {
		return nil
	}
	return app.Errorf(app.EUNAVAILABLE, "The change bus is not connected to NATS (%s).", n.nc.Status())
}

// Flush waits until NATS has every message published so far, or timeout.
func (n *Network) Flush(timeout time.Duration) error {
	if n == nil {
		return nil
	}
	return n.nc.FlushTimeout(timeout)
}

// closeWait bounds how long Close waits for the buffered messages to go out.
const closeWait = 5 * time.Second

// Close sends what is buffered, lets the topics take what NATS already
// delivered and closes the connection, waiting at most closeWait. Closing a
// nil Network or twice is harmless.
func (n *Network) Close() error {
	if n == nil || n.nc.IsClosed() {
		return nil
	}
	if err := n.nc.Drain(); err != nil {
		n.nc.Close()
		return nil // closed meanwhile
	}
	select {
	case <-n.closed:
	case <-time.After(closeWait):
		n.nc.Close()
	}
	return nil
}

// Stats are the network's counters, for metrics.
type Stats struct {
	Connected bool
	Published uint64 // messages handed to NATS
	Received  uint64 // messages NATS delivered to this replica
	Errors    uint64 // messages not published, refused on receipt, NATS errors
	Gaps      uint64 // reconnections and drops after which clients resynchronised
}

// Stats returns the counters.
func (n *Network) Stats() Stats {
	return Stats{Connected: n.nc.IsConnected(), Published: n.published.Load(), Received: n.received.Load(),
		Errors: n.failed.Load(), Gaps: n.gaps.Load()}
}
