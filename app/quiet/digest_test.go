package quiet_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
)

// TestTypeDigests_CollectAndDeliver: job_failed collected every 30
// minutes is stored and counted at once but pushed, e-mailed and sent to
// the quiet-following webhook only as one digest per period, errors
// included; a period with nothing gives none; the digest due while
// Belfry was off goes out at start.
func TestTypeDigests_CollectAndDeliver(t *testing.T) {
	f := newFixture(t)
	at := func(h, m int) time.Time { return time.Date(2026, 12, 5, h, m, 0, 0, paris) } // Saturday, after the window
	f.clock.Set(at(10, 5))
	f.expect(f.do("PUT", "/api/notifications/digests", `{"digests":[{"type":"job_failed","every_minutes":30}]}`), http.StatusOK)
	f.publish("info", "Backup started late")
	f.publish("info", "Backup slow")
	f.publish("error", "Backup failed")
	apptest.WaitFor(t, "the exempt webhook's three", func() bool { return len(f.exempt.titles()) >= 3 })
	settle()
	if p, e, w := pushTitles(f.push), emailSubjects(f.smtp), f.follows.titles(); len(p)+len(e)+len(w) != 0 {
		t.Fatalf("sent one by one: pushes %q, e-mails %q, webhook %q", p, e, w)
	}
	if l := f.inbox(); len(l.Notifications) != 3 || l.UnreadCount != 3 {
		t.Fatalf("stored %d, badge %d", len(l.Notifications), l.UnreadCount)
	}
	f.clock.Set(at(10, 30))
	got := f.waitDigests(1)
	if !strings.HasPrefix(got[0], "Digest of job_failed: 3 notifications, 1 error\n") || strings.Count(got[0], "/n/") != 3 {
		t.Fatalf("digest %q", got[0])
	}
	apptest.WaitFor(t, "the digest's push", func() bool { return len(pushTitles(f.push)) == 1 })
	f.smtp.WaitMessages(t, 1)

	f.clock.Set(at(11, 5)) // 10:30 to 11:00 had nothing
	settle()
	f.waitDigests(1)
	f.publish("warning", "Disk 91% full")
	f.stop()
	f.clock.Set(at(12, 10))
	f.start()
	got = f.waitDigests(2)
	if !strings.Contains(strings.Join(got, "\n"), "Digest of job_failed: 1 notification, 1 warning\n") {
		t.Fatalf("digests %q", got)
	}
	f.stop()
	f.start()
	settle()
	f.waitDigests(2)
}

// TestTypeDigests_API: the caller's digests round-trip, quiet hours keep
// them, and every bad input is a 400 in the error envelope.
func TestTypeDigests_API(t *testing.T) {
	f := newFixture(t)
	var body struct{ Digests []app.TypeDigest }
	if err := json.Unmarshal(f.expect(f.do("GET", "/api/notifications/digests", ""), http.StatusOK).Body.Bytes(), &body); err != nil ||
		body.Digests == nil || len(body.Digests) != 0 {
		t.Fatalf("defaults %+v %v", body, err)
	}
	f.expect(f.do("PUT", "/api/notifications/digests", `{"digests":[{"type":"job_completed","every_minutes":60},{"type":"message","daily_at":"18:30"}]}`), http.StatusOK)
	f.expect(f.do("PUT", "/api/notifications/quiet-hours", nightWindow), http.StatusOK)
	if err := json.Unmarshal(f.do("GET", "/api/notifications/digests", "").Body.Bytes(), &body); err != nil || len(body.Digests) != 2 ||
		body.Digests[1].DailyAt != "18:30" || body.Digests[0].EveryMinutes != 60 {
		t.Fatalf("after saving quiet hours: %+v", body)
	}
	for name, b := range map[string]string{
		"UnknownType":  `{"digests":[{"type":"nope","every_minutes":30}]}`,
		"Both":         `{"digests":[{"type":"job_completed","every_minutes":30,"daily_at":"08:00"}]}`,
		"Neither":      `{"digests":[{"type":"job_completed"}]}`,
		"BadMinutes":   `{"digests":[{"type":"job_completed","every_minutes":2}]}`,
		"BadHHMM":      `{"digests":[{"type":"job_completed","daily_at":"25:00"}]}`,
		"Twice":        `{"digests":[{"type":"message","every_minutes":30},{"type":"message","every_minutes":60}]}`,
		"UnknownField": `{"digests":[{"type":"message","hourly":true}]}`,
		"NotJSON":      `{"digests":`,
	} {
		t.Run(name, func(t *testing.T) {
			w := f.do("PUT", "/api/notifications/digests", b)
			var env struct {
				Error struct{ Code, Message string }
			}
			if w.Code != http.StatusBadRequest || json.Unmarshal(w.Body.Bytes(), &env) != nil || env.Error.Message == "" {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
		})
	}
	f.expect(f.do("PUT", "/api/notifications/digests", `{"digests":[]}`), http.StatusOK)
	if err := json.Unmarshal(f.do("GET", "/api/notifications/digests", "").Body.Bytes(), &body); err != nil || len(body.Digests) != 0 {
		t.Fatalf("cleared: %+v", body)
	}
}
