package app

import "context"

// Locker serialises work on one key across every process sharing the
// database: the replicas of a PostgreSQL cluster (db.DB). A process alone
// with its database (SQLite) needs no more than its own locks, so there
// Lock only returns. Work that reads, decides and writes in several steps
// (a heartbeat's transition, a scheduled event's delivery against its
// cancel) holds the lock of its object meanwhile. Lock fails only when the
// database does not answer, or ctx ends first.
type Locker interface {
	Lock(ctx context.Context, key string) (unlock func(), err error)
}

// Alone is the Locker of a process alone with its database: Lock only
// returns.
type Alone struct{}

// Lock implements Locker.
func (Alone) Lock(context.Context, string) (func(), error) { return func() {}, nil }
