package db

import (
	"sync/atomic"
	"time"
)

const (
	// fullRetry is how often, while the disk is full, the writer looks
	// whether space is back: on a timer when no write comes, before the next
	// batch when writes keep coming. A full disk must cost almost nothing
	// while it lasts, never a busy loop.
	fullRetry = time.Second
	// fullHeadroom is the free space at which a disk that filled up counts
	// as usable again. Below it a small write may still fit while the next
	// notification does not: /readyz keeps saying the disk is full.
	fullHeadroom = 1 << 20
)

// fullState remembers that the disk holding the database filled up. Only
// full is read outside the writer's goroutine.
type fullState struct {
	full atomic.Bool
	// next is when the writer looks again; ckptFree is the free space when
	// a checkpoint last failed for lack of space (-1: it did not), so that
	// the writer does not redo that work before space changes.
	next     time.Time
	ckptFree int64
}

// observeSpace records the outcome of one group commit: full says it
// failed for lack of space, committed that it stored at least one write.
func (w *writer) observeSpace(full, committed bool) {
	switch {
	case full && !w.fullness.full.Load():
		w.fullness.full.Store(true)
		w.fullness.next = time.Now().Add(fullRetry)
		w.fullness.ckptFree = -1
	case committed && w.fullness.full.Load():
		// Where the free space cannot be read, a write that fits is all
		// there is to go by.
		if _, known := freeSpace(w.dir); !known {
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
//
// A WAL that grew until the disk filled, because a long reader held back
// the automatic checkpoints, can only start over once it has been copied
// back into the database, and automatic checkpoints only follow successful
// commits: so the writer checkpoints itself, without waiting for readers,
// and once everything is copied back it truncates the WAL, which gives its
// space back to the disk. Then the disk counts as usable again if
// fullHeadroom is free (the WAL's space, or space an operator freed):
// /readyz turns ready, and the next write tells for sure.
func (w *writer) recoverSpace() {
	s := &w.fullness
	if !s.full.Load() || time.Now().Before(s.next) {
		return
	}
	s.next = time.Now().Add(fullRetry)
	free, known := freeSpace(w.dir)
	// Copying the WAL back may need the database file to grow; after it
	// failed for lack of space, try again only once more space is free.
	if s.ckptFree < 0 || (known && free > s.ckptFree) {
		var busy, logged, copied int
		err := w.conn.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logged, &copied)
		switch {
		case isFull(err):
			s.ckptFree = free
		case err == nil && logged > 0 && logged == copied:
			s.ckptFree = -1
			// Everything is in the database: emptying the WAL loses nothing.
			// TRUNCATE waits (busy_timeout) for readers still on the WAL;
			// those are short queries by now.
			_, _ = w.conn.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
			free, known = freeSpace(w.dir)
		default:
			s.ckptFree = -1
		}
	}
	if known && free >= fullHeadroom {
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
