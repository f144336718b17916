package heartbeat_test

import (
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// alerts returns alice's heartbeat notifications, newest first.
func (f *fixture) alerts() []*app.Notification {
	var out []*app.Notification
	for _, n := range f.notifications() {
		if n.ServiceID == "heartbeat" {
			out = append(out, n)
		}
	}
	return out
}

// waitAlerts moves the clock until check id is late and alice has n
// heartbeat notifications (the alert is sent before the state is saved).
func (f *fixture) waitAlerts(id string, n int) []*app.Notification {
	f.t.Helper()
	var got []*app.Notification
	f.advanceUntil("the heartbeat notifications", func() bool {
		got = f.alerts()
		return len(got) >= n && f.state(id) == "late"
	})
	if len(got) != n {
		f.t.Fatalf("%d heartbeat notifications, want %d", len(got), n)
	}
	return got
}

func TestLateThenBack(t *testing.T) {
	f := newFixture(t)
	hb := f.create(`{"name":"Nightly backup","period_seconds":3600,"grace_seconds":300}`)
	if hb.State != "new" || hb.Deadline != nil || hb.Type != "job_failed" || hb.Level != app.LevelError {
		t.Fatalf("a new check: %+v", hb)
	}
	// A new check is never late: nothing is awaited before the first ping.
	f.clock.Advance(48 * time.Hour)
	f.settle()
	if f.state(hb.ID) != "new" || len(f.alerts()) != 0 {
		t.Fatal("a new check went late")
	}
	f.pingOK(hb.PingURL)
	v, _ := f.get(hb.ID)
	want := f.clock.Now().Add(time.Hour + 5*time.Minute)
	if v.State != "up" || v.Deadline == nil || !v.Deadline.Equal(want.Truncate(time.Millisecond)) {
		t.Fatalf("after a ping: state %s deadline %v, want up by %v", v.State, v.Deadline, want)
	}
	// Past the period, within the grace: still up.
	f.clock.Advance(time.Hour + 4*time.Minute + 59*time.Second)
	f.settle()
	if f.state(hb.ID) != "up" {
		t.Fatal("late within the grace time")
	}
	got := f.waitAlerts(hb.ID, 1)
	late := got[0]
	if late.Type != "job_failed" || late.Level != app.LevelError || late.Title != "Nightly backup is late" || late.IsRead() {
		t.Fatalf("the late alert: %+v", late)
	}
	if !strings.Contains(late.Body, "No success ping by") || late.TargetURL != "/heartbeats" {
		t.Fatalf("the late alert's body: %q", late.Body)
	}
	v, log := f.get(hb.ID)
	if v.State != "late" || v.Deadline != nil || v.AlertID != late.ID || log[0].Kind != "late" {
		t.Fatalf("after the deadline: %+v, log %+v", v, log)
	}
	// Late stays late, alerted once.
	f.clock.Advance(24 * time.Hour)
	f.settle()
	if n := len(f.alerts()); n != 1 {
		t.Fatalf("%d alerts after a day late, want 1", n)
	}
	// The next success: back, and the alert is read.
	f.pingOK(hb.PingURL)
	got = f.alerts()
	if len(got) != 2 || got[0].Title != "Nightly backup is back up" || got[0].Level != app.LevelInfo {
		t.Fatalf("no back notification: %+v", got)
	}
	if !got[1].IsRead() {
		t.Fatal("the alert is still unread after the check came back")
	}
	if v, _ := f.get(hb.ID); v.State != "up" || v.AlertID != "" {
		t.Fatalf("after the comeback: %+v", v)
	}
}

func TestFailExitStatusStartAndLog(t *testing.T) {
	f := newFixture(t)
	hb := f.create(`{"name":"Sync","period_seconds":600,"grace_seconds":60,"level":"warning","type":"quota_warning"}`)
	f.pingOK(hb.PingURL + "/fail")
	got := f.alerts()
	if len(got) != 1 || got[0].Title != "Sync failed" || got[0].Level != app.LevelWarning || got[0].Type != "quota_warning" {
		t.Fatalf("a failure, at once: %+v", got)
	}
	if f.state(hb.ID) != "down" {
		t.Fatal("not down after /fail")
	}
	// Down stays down, without a second alert.
	f.pingOK(hb.PingURL + "/2")
	if n := len(f.alerts()); n != 1 {
		t.Fatalf("%d alerts after a second failure", n)
	}
	// Exit status 0 is a success: back, and the alert is read.
	f.pingOK(hb.PingURL + "/0")
	got = f.alerts()
	if len(got) != 2 || !got[1].IsRead() || f.state(hb.ID) != "up" {
		t.Fatalf("exit status 0 did not bring it back: %+v", got)
	}
	// An exit status from 1 to 255 is a failure, told in the alert.
	if code, body := f.ping("POST", hb.PingURL+"/3", "rsync: connection refused"); code != 200 || body != "OK" {
		t.Fatalf("exit 3: %d %s", code, body)
	}
	got = f.alerts()
	if len(got) != 3 || !strings.Contains(got[0].Body, "exit status 3") || !strings.Contains(got[0].Body, "rsync: connection refused") {
		t.Fatalf("the exit status alert: %+v", got[0])
	}
	f.pingOK(hb.PingURL)
	// /log keeps a line and changes nothing.
	before, _ := f.get(hb.ID)
	f.clock.Advance(time.Second)
	f.pingOK(hb.PingURL + "/log")
	after, log := f.get(hb.ID)
	if after.State != "up" || !after.LastPing.Equal(*before.LastPing) || log[0].Kind != "log" {
		t.Fatalf("/log changed the check: %+v, log %+v", after, log[0])
	}
	// A run that starts and does not finish within the grace is late,
	// even though its period has not ended.
	f.pingOK(hb.PingURL + "/start")
	if v, _ := f.get(hb.ID); v.StartedAt == nil || !v.Deadline.Equal(v.StartedAt.Add(time.Minute)) {
		t.Fatalf("a start: %+v", v)
	}
	f.clock.Advance(59 * time.Second)
	got = f.waitAlerts(hb.ID, 5)
	if got[0].Title != "Sync is late" || !strings.Contains(got[0].Body, "did not finish within the grace time") {
		t.Fatalf("the unfinished run: %+v", got[0])
	}
	// A start that finishes in time does nothing.
	f.pingOK(hb.PingURL)
	f.pingOK(hb.PingURL + "/start")
	f.clock.Advance(30 * time.Second)
	f.pingOK(hb.PingURL)
	f.clock.Advance(2 * time.Minute)
	f.settle()
	if n := len(f.alerts()); n != 6 || f.state(hb.ID) != "up" {
		t.Fatalf("%d alerts after a run finished in time (want 6: the back after the late run)", n)
	}
}

func TestPauseAndResume(t *testing.T) {
	f := newFixture(t)
	hb := f.create(`{"name":"Weekly","period_seconds":60,"grace_seconds":0}`)
	f.pingOK(hb.PingURL + "/fail")
	// Pausing a failing check marks its alert read.
	if code, body := f.api(f.cookie, "POST", "/api/heartbeats/"+hb.ID+"/pause", ""); code != 200 || !strings.Contains(body, `"state":"paused"`) {
		t.Fatalf("pause: %d %s", code, body)
	}
	if got := f.alerts(); len(got) != 1 || !got[0].IsRead() {
		t.Fatalf("the alert after a pause: %+v", got)
	}
	f.clock.Advance(time.Hour)
	f.settle()
	if len(f.alerts()) != 1 || f.state(hb.ID) != "paused" {
		t.Fatal("a paused check raised an alert")
	}
	// A ping resumes it, without a back notification (it was paused).
	f.pingOK(hb.PingURL)
	if f.state(hb.ID) != "up" || len(f.alerts()) != 1 {
		t.Fatal("a ping did not resume the paused check quietly")
	}
	f.clock.Advance(59 * time.Second)
	f.waitAlerts(hb.ID, 2)
}

func TestPingBodyMethodsAndRunID(t *testing.T) {
	f := newFixture(t)
	hb := f.create(`{"name":"Logs","period_seconds":3600}`)
	long := strings.Repeat("x", app.MaxHeartbeatBody+5000)
	if code, body := f.ping("POST", hb.PingURL+"?rid=0191d4a0-7c4e-7b3c-9d7e-2f5a1b6c8d9e", long); code != 200 || body != "OK" {
		t.Fatalf("POST: %d %s", code, body)
	}
	if code, _ := f.ping("HEAD", hb.PingURL+"/start", ""); code != 200 {
		t.Fatalf("HEAD: %d", code)
	}
	_, log := f.get(hb.ID)
	if len(log) != 2 || log[0].Kind != "start" || log[0].Method != "HEAD" {
		t.Fatalf("log %+v", log)
	}
	p := log[1]
	if p.Kind != "success" || p.Method != "POST" || len(p.Body) != app.MaxHeartbeatBody || p.RunID != "0191d4a0-7c4e-7b3c-9d7e-2f5a1b6c8d9e" || p.Remote == "" {
		t.Fatalf("the POST's log entry: kind %s method %s body %d bytes rid %q remote %q", p.Kind, p.Method, len(p.Body), p.RunID, p.Remote)
	}
	// The log keeps the last HeartbeatLogSize entries.
	for range app.HeartbeatLogSize + 5 {
		f.pingOK(hb.PingURL + "/log")
	}
	if _, all, err := f.app.Heartbeats.Get(t.Context(), f.alice.ID, hb.ID, 1000); err != nil || len(all) != app.HeartbeatLogSize {
		t.Fatalf("the log keeps %d entries, want %d", len(all), app.HeartbeatLogSize)
	}
}
