package heartbeat_test

import (
	"testing"
	"time"
)

// TestRestartKeepsTheState: a check's state and deadline survive a
// restart, and the restarted loop still raises the alert on time.
func TestRestartKeepsTheState(t *testing.T) {
	f := newFixture(t)
	hb := f.create(`{"name":"Backup","period_seconds":3600,"grace_seconds":60}`)
	f.pingOK(hb.PingURL)
	before, _ := f.get(hb.ID)
	f.restart()
	after, log := f.get(hb.ID)
	if after.State != "up" || !after.Deadline.Equal(*before.Deadline) || len(log) != 1 {
		t.Fatalf("after a restart: %+v (before %+v)", after, before)
	}
	f.waitArmed()
	f.clock.Advance(30 * time.Minute)
	f.settle()
	if len(f.alerts()) != 0 {
		t.Fatal("an alert before the deadline")
	}
	f.clock.Advance(30*time.Minute + 59*time.Second)
	f.waitAlerts(hb.ID, 1)
}

// TestDeadlineMissedWhileOff: a check that went late while Belfry was off
// is alerted once, at start, and not again at the next start.
func TestDeadlineMissedWhileOff(t *testing.T) {
	f := newFixture(t)
	hb := f.create(`{"name":"Backup","period_seconds":3600,"grace_seconds":60}`)
	f.pingOK(hb.PingURL)
	if err := f.app.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(5 * time.Hour) // unplugged
	f.start()
	f.cookie = f.app.Session(f.alice)
	// No clock move: the start itself evaluates the missed deadline.
	var n int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if n = len(f.alerts()); n > 0 && f.state(hb.ID) == "late" {
			break
		}
	}
	if n != 1 || f.state(hb.ID) != "late" {
		t.Fatalf("%d alerts at start, state %s; want one, late", n, f.state(hb.ID))
	}
	f.restart()
	f.settle()
	if n := len(f.alerts()); n != 1 {
		t.Fatalf("%d alerts after a second start, want 1", n)
	}
	// Back after the restart, the alert read.
	f.pingOK(f.url(hb))
	got := f.alerts()
	if len(got) != 2 || !got[1].IsRead() {
		t.Fatalf("back after the restart: %+v", got)
	}
}
