package db

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// leaderLock is the PostgreSQL session advisory lock held by the replica
// that does the cluster's once-only background work (see Lead). It differs
// from writeLock, which every group commit takes for one transaction.
const leaderLock int64 = 6823175413

// LeaderPoll is how often a replica that does not lead tries to take the
// lead, and how often the leader checks that its session is alive.
const LeaderPoll = 2 * time.Second

// Leadership is this process's part in the cluster's background work:
// whether it leads now, and how often it took the lead. Safe for
// concurrent use.
type Leadership struct {
	leading atomic.Bool
	terms   atomic.Int64
}

// Leading reports whether this process does the once-only work now.
func (l *Leadership) Leading() bool { return l.leading.Load() }

// Terms counts the times this process took the lead.
func (l *Leadership) Terms() int64 { return l.terms.Load() }

// Lead runs fn whenever this process leads, until ctx ends. On SQLite the
// process is alone with its file (belfry serve holds its lock), so it
// leads at once and for good. On PostgreSQL one replica of those sharing
// the database leads at a time: the one whose own session holds a
// session-level advisory lock. Replicas that do not lead try again every
// LeaderPoll; when the leader stops, dies, or loses its session (checked
// every LeaderPoll), PostgreSQL releases the lock, fn's context ends on
// the old leader and another replica takes over within LeaderPoll. fn must
// return soon after its context ends.
func (d *DB) Lead(ctx context.Context, l *Leadership, fn func(ctx context.Context)) {
	if d.pg == nil {
		l.terms.Add(1)
		l.leading.Store(true)
		fn(ctx)
		l.leading.Store(false)
		return
	}
	for {
		if conn := d.takeLead(ctx); conn != nil {
			l.terms.Add(1)
			l.leading.Store(true)
			d.holdLead(ctx, conn, fn)
			l.leading.Store(false)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(LeaderPoll):
		}
	}
}

// takeLead opens a session of its own and returns it when it took the
// leader's lock; nil when another replica holds it or the server did not
// answer.
func (d *DB) takeLead(ctx context.Context) *pgx.Conn {
	cctx, cancel := context.WithTimeout(ctx, LeaderPoll)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, d.pg)
	if err != nil {
		return nil
	}
	var took bool
	if err := conn.QueryRow(cctx, "SELECT pg_try_advisory_lock($1)", leaderLock).Scan(&took); err != nil || !took {
		_ = conn.Close(context.Background())
		return nil
	}
	return conn
}

// holdLead runs fn while conn, which holds the leader's lock, stays alive;
// closing conn at the end releases the lock.
func (d *DB) holdLead(ctx context.Context, conn *pgx.Conn, fn func(ctx context.Context)) {
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(lctx)
	}()
	tick := time.NewTicker(LeaderPoll)
	defer tick.Stop()
	for lctx.Err() == nil {
		select {
		case <-lctx.Done():
		case <-done:
			stop()
		case <-tick.C:
			pctx, cancel := context.WithTimeout(lctx, LeaderPoll)
			if err := conn.Ping(pctx); err != nil {
				stop() // the session, and with it the lock, may be gone
			}
			cancel()
		}
	}
	<-done
	_ = conn.Close(context.Background())
}
