package db

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// A full disk. SQLite fails a write that finds no space with SQLITE_FULL,
// and the writer answers every write of that group commit with
// errStorageFull. But a full disk can also wedge the database: a WAL that
// grew because a long reader held back the checkpoints can only start over
// once its pages are copied back into the database file, which then has to
// grow — by at most the WAL's size — and cannot on a full disk, even after
// the reader has gone. So the writer keeps room for that copy: it refuses a
// group commit, with the same error, while the free space minus the WAL's
// size is under fullReserve.
const (
	// fullReserve is the room below which writes are refused.
	fullReserve = 1 << 20
	// fullHeadroom is the room at which a disk that filled up counts as
	// usable again, above fullReserve so that /readyz does not flap with
	// every write at the edge.
	fullHeadroom = 2 << 20
	// fullRetry is how often, while the disk is full, the writer looks
	// whether space is back: on a timer when no write comes, before the next
	// batch when writes keep coming. A full disk must cost almost nothing
	// while it lasts, never a busy loop.
	fullRetry = time.Second
)

// fullState remembers that the disk holding the database filled up. Only
// full is read outside the writer's goroutine.
type fullState struct {
	full atomic.Bool
	// next is when the writer looks again; ckptRoom is the room when a
	// checkpoint last failed for lack of space (-1: it did not), so that the
	// writer does not redo that work before the room changes.
	next     time.Time
	ckptRoom int64
}

// room returns the free space on the database's disk minus the size of its
// WAL, or false where the free space cannot be read.
func (w *writer) room() (int64, bool) {
	if w.path == "" { // PostgreSQL: its server watches its own disk
		return 0, false
	}
	free, ok := freeSpace(filepath.Dir(w.path))
	if !ok {
		return 0, false
	}
	if fi, err := os.Stat(w.path + "-wal"); err == nil {
		free -= fi.Size()
	}
	return free, true
}

// admit reports whether a group commit may run: not while the room is
// under fullReserve. It costs a statfs and a stat per group commit.
func (w *writer) admit() bool {
	room, ok := w.room()
	return !ok || room >= fullReserve
}

// observeSpace records the outcome of one group commit: full says it
// failed for lack of space (or was refused for lack of room), committed
// that it stored at least one write.
func (w *writer) observeSpace(full, committed bool) {
	switch {
	case full && !w.fullness.full.Load():
		w.fullness.full.Store(true)
		w.fullness.next = time.Now().Add(fullRetry)
		w.fullness.ckptRoom = -1
	case committed && w.fullness.full.Load():
		// Where the free space cannot be read, a write that fits is all
		// there is to go by.
		if _, known := w.room(); !known {
			w.fullness.full.Store(false)
		}
	}
}

// retry returns a channel that fires when the next look is due, or nil
// (never) while the disk is not full.
func (s *fullState) retry() <-chan time.Time {
	if !s.full.Load() {
		return nil
	}
	return time.After(time.Until(s.next))
}

// recoverSpace is one look, run by the writer's goroutine with no
// transaction open, while the disk is full and at most once per fullRetry.
// Automatic checkpoints only follow successful commits, so it checkpoints
// itself, without waiting for readers; once everything is copied back it
// truncates the WAL, which gives the WAL's space back to the disk. The
// disk counts as usable again once the room is fullHeadroom: /readyz turns
// ready, and the next write tells for sure.
func (w *writer) recoverSpace() {
	s := &w.fullness
	if !s.full.Load() || time.Now().Before(s.next) {
		return
	}
	s.next = time.Now().Add(fullRetry)
	room, known := w.room()
	// Copying the WAL back may need the database file to grow; after it
	// failed for lack of space, try again only once there is more room.
	if s.ckptRoom < 0 || (known && room > s.ckptRoom) {
		var busy, logged, copied int
		err := w.conn.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logged, &copied)
		switch {
		case isFull(err):
			s.ckptRoom = room
		case err == nil && logged > 0 && logged == copied:
			s.ckptRoom = -1
			// Everything is in the database: emptying the WAL loses nothing.
			// TRUNCATE waits (busy_timeout) for readers still on the WAL;
			// those are short queries by now.
			_, _ = w.conn.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
			room, known = w.room()
		default:
			s.ckptRoom = -1
		}
	}
	if known && room >= fullHeadroom {
		s.full.Store(false)
	}
}

// storageFull returns errStorageFull while the disk is full, else nil.
func (w *writer) storageFull() error {
	if w.fullness.full.Load() {
		return errStorageFull
	}
	return nil
}
