package db

import (
	"context"
	"testing"
	"time"

	"github.com/belfry/belfry/db/pgtest"
)

// postgresOnly skips a test of what only PostgreSQL does (replicas
// sharing a server) in the SQLite run; it runs in the PostgreSQL run of
// this package, which make test always makes.
func postgresOnly(t testing.TB) {
	t.Helper()
	if !onPostgres() {
		t.Skip("a test of replicas sharing a PostgreSQL server: it runs in the PostgreSQL run of this package")
	}
}

// replicaDBs opens two handles on one fresh PostgreSQL database, as two
// replicas do.
func replicaDBs(t *testing.T) (a, b *DB) {
	t.Helper()
	opts := testOptions("", "full")
	opts.Driver, opts.URL = "postgres", pgtest.URL(t)
	a = migrated(t, opts)
	b = migrated(t, opts)
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// leading runs Lead on d until the test ends and reports, on its channel,
// each start (true) and end (false) of a term.
func leading(t *testing.T, d *DB, l *Leadership) (terms chan bool, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	terms = make(chan bool, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Lead(ctx, l, func(ctx context.Context) {
			terms <- true
			<-ctx.Done()
			terms <- false
		})
	}()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return terms, stop
}

func TestLeadOneAtATime(t *testing.T) {
	if !onPostgres() {
		d, _ := mustOpen(t)
		var l Leadership
		terms, stop := leading(t, d, &l)
		if !<-terms || !l.Leading() {
			t.Fatal("a SQLite process does not lead")
		}
		stop()
		if <-terms || l.Leading() {
			t.Fatal("the term did not end with the context")
		}
		return
	}
	a, b := replicaDBs(t)
	var la, lb Leadership
	termsA, stopA := leading(t, a, &la)
	if !<-termsA {
		t.Fatal("the first replica did not lead")
	}
	termsB, _ := leading(t, b, &lb)
	// Two rounds of B's tries: it must not lead while A does.
	time.Sleep(2*LeaderPoll + LeaderPoll/2)
	if lb.Leading() || len(termsB) != 0 {
		t.Fatal("both replicas lead")
	}
	stopA()
	if <-termsA {
		t.Fatal("A's term did not end")
	}
	select {
	case got := <-termsB:
		if !got || !lb.Leading() || la.Leading() {
			t.Fatalf("after A stopped: B leads %v, A leads %v", lb.Leading(), la.Leading())
		}
	case <-time.After(10 * LeaderPoll):
		t.Fatal("B did not take the lead after A stopped")
	}
}

// TestLeadEndsWithTheSession checks that a leader whose session is killed
// by the server stops, and that another replica takes over.
func TestLeadEndsWithTheSession(t *testing.T) {
	postgresOnly(t)
	a, b := replicaDBs(t)
	var la, lb Leadership
	termsA, _ := leading(t, a, &la)
	if !<-termsA {
		t.Fatal("A did not lead")
	}
	termsB, _ := leading(t, b, &lb)
	if _, err := b.write.Exec(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = ? AND objsubid = 1 AND granted`,
		leaderLock&0xffffffff); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		terms chan bool
		start bool
	}{{termsA, false}, {termsB, true}} {
		select {
		case got := <-want.terms:
			if got != want.start {
				t.Fatalf("term change %v, want %v", got, want.start)
			}
		case <-time.After(10 * LeaderPoll):
			t.Fatal("no change of leader after the leader's session was killed")
		}
	}
	if a.Ping(context.Background()) != nil {
		t.Fatal("the old leader's database handle broke with its leader session")
	}
}

func TestLockAcrossReplicas(t *testing.T) {
	postgresOnly(t)
	a, b := replicaDBs(t)
	ctx := context.Background()
	unlockA, err := a.Lock(ctx, "heartbeat:1")
	if err != nil {
		t.Fatal(err)
	}
	// Another key is free meanwhile.
	unlockOther, err := b.Lock(ctx, "heartbeat:2")
	if err != nil {
		t.Fatal(err)
	}
	unlockOther()
	got := make(chan func(), 1)
	go func() {
		unlock, err := b.Lock(ctx, "heartbeat:1")
		if err != nil {
			t.Error(err)
			unlock = func() {}
		}
		got <- unlock
	}()
	select {
	case <-got:
		t.Fatal("B took the lock A holds")
	case <-time.After(300 * time.Millisecond):
	}
	unlockA()
	unlockA() // a second unlock does nothing
	select {
	case unlockB := <-got:
		unlockB()
	case <-time.After(10 * time.Second):
		t.Fatal("B did not get the lock A released")
	}
	// A context that ends while waiting gives up.
	unlockA, err = a.Lock(ctx, "heartbeat:1")
	if err != nil {
		t.Fatal(err)
	}
	defer unlockA()
	wctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := b.Lock(wctx, "heartbeat:1"); err == nil {
		t.Fatal("Lock returned while another replica held the key and the context ended")
	}
}
