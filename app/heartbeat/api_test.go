package heartbeat_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server/servertest"
)

// TestBadInput: every refusal is a 4xx in the error envelope, and nothing
// is created or changed.
func TestBadInput(t *testing.T) {
	f := newFixture(t)
	hb := f.create(`{"name":"ok","period_seconds":3600}`)
	long := strings.Repeat("n", app.MaxHeartbeatName+1)
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
	}{
		{"no name", "POST", "/api/heartbeats", `{"period_seconds":3600}`, 400},
		{"blank name", "POST", "/api/heartbeats", `{"name":"  "}`, 400},
		{"long name", "POST", "/api/heartbeats", `{"name":"` + long + `"}`, 400},
		{"both period and schedule", "POST", "/api/heartbeats", `{"name":"x","period_seconds":60,"schedule":"* * * * *"}`, 400},
		{"short period", "POST", "/api/heartbeats", `{"name":"x","period_seconds":59}`, 400},
		{"zero period", "POST", "/api/heartbeats", `{"name":"x","period_seconds":0}`, 400},
		{"huge period", "POST", "/api/heartbeats", `{"name":"x","period_seconds":99999999999}`, 400},
		{"negative grace", "POST", "/api/heartbeats", `{"name":"x","grace_seconds":-1}`, 400},
		{"bad cron", "POST", "/api/heartbeats", `{"name":"x","schedule":"every day"}`, 400},
		{"six-field cron", "POST", "/api/heartbeats", `{"name":"x","schedule":"0 0 3 * * *"}`, 400},
		{"cron with its own zone", "POST", "/api/heartbeats", `{"name":"x","schedule":"CRON_TZ=UTC 0 3 * * *"}`, 400},
		{"bad time zone", "POST", "/api/heartbeats", `{"name":"x","schedule":"0 3 * * *","timezone":"Mars/Olympus"}`, 400},
		{"unknown type", "POST", "/api/heartbeats", `{"name":"x","type":"nope"}`, 400},
		{"bad level", "POST", "/api/heartbeats", `{"name":"x","level":"fatal"}`, 400},
		{"unknown field", "POST", "/api/heartbeats", `{"name":"x","every":60}`, 400},
		{"wrong type of field", "POST", "/api/heartbeats", `{"name":7}`, 400},
		{"rotate on create", "POST", "/api/heartbeats", `{"name":"x","rotate_key":true}`, 400},
		{"not JSON", "POST", "/api/heartbeats", `name=x`, 400},
		{"too large", "POST", "/api/heartbeats", `{"name":"` + strings.Repeat("x", 5000) + `"}`, 413},
		{"bad id", "GET", "/api/heartbeats/not-an-id", "", 400},
		{"unknown id", "GET", "/api/heartbeats/0191d4a0-7c4e-7b3c-9d7e-2f5a1b6c8d9e", "", 404},
		{"patch both", "PATCH", "/api/heartbeats/" + hb.ID, `{"period_seconds":60,"schedule":"* * * * *"}`, 400},
		{"patch bad grace", "PATCH", "/api/heartbeats/" + hb.ID, `{"grace_seconds":99999999999}`, 400},
		{"patch empty name", "PATCH", "/api/heartbeats/" + hb.ID, `{"name":""}`, 400},
		{"patch unknown id", "PATCH", "/api/heartbeats/0191d4a0-7c4e-7b3c-9d7e-2f5a1b6c8d9e", `{"name":"y"}`, 404},
		{"pause unknown id", "POST", "/api/heartbeats/0191d4a0-7c4e-7b3c-9d7e-2f5a1b6c8d9e/pause", "", 404},
		{"delete unknown id", "DELETE", "/api/heartbeats/0191d4a0-7c4e-7b3c-9d7e-2f5a1b6c8d9e", "", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := f.api(f.cookie, tc.method, tc.path, tc.body)
			if code != tc.status {
				t.Fatalf("status %d, want %d: %s", code, tc.status, body)
			}
			errorCode(t, body)
		})
	}
	if hs, _ := f.app.Heartbeats.List(t.Context(), f.alice.ID); len(hs) != 1 {
		t.Fatalf("%d checks after the refusals, want 1", len(hs))
	}
	if v, _ := f.get(hb.ID); v.Name != "ok" || v.PeriodSeconds != 3600 {
		t.Fatalf("a refused change changed the check: %+v", v)
	}
}

// TestBadPings: an unknown or malformed key is 404, a bad signal or run id
// 400, always in the error envelope.
func TestBadPings(t *testing.T) {
	f := newFixture(t)
	hb := f.create(`{"name":"ok","period_seconds":3600}`)
	for _, tc := range []struct {
		name, path string
		status     int
	}{
		{"unknown key", "/ping/AAAAAAAAAAAAAAAAAAAAAA", 404},
		{"short key", "/ping/abc", 404},
		{"key with bad characters", "/ping/AAAAAAAAAAAAAAAAAAAA%2B%2B", 404},
		{"unknown key with a signal", "/ping/AAAAAAAAAAAAAAAAAAAAAA/fail", 404},
		{"exit status too high", strings.TrimPrefix(hb.PingURL, f.app.URL) + "/256", 400},
		{"negative exit status", strings.TrimPrefix(hb.PingURL, f.app.URL) + "/-1", 400},
		{"padded exit status", strings.TrimPrefix(hb.PingURL, f.app.URL) + "/007", 400},
		{"unknown signal", strings.TrimPrefix(hb.PingURL, f.app.URL) + "/finish", 400},
		{"bad run id", strings.TrimPrefix(hb.PingURL, f.app.URL) + "?rid=42", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := f.ping("GET", f.app.URL+tc.path, "")
			if code != tc.status {
				t.Fatalf("status %d, want %d: %s", code, tc.status, body)
			}
			errorCode(t, body)
		})
	}
	if v, log := f.get(hb.ID); v.State != "new" || len(log) != 0 {
		t.Fatalf("a refused ping changed the check: %+v %+v", v, log)
	}
}

// TestRotateKey: the old URL stops working at once, the new one works.
func TestRotateKey(t *testing.T) {
	f := newFixture(t)
	hb := f.create(`{"name":"ok","period_seconds":3600}`)
	code, body := f.api(f.cookie, "PATCH", "/api/heartbeats/"+hb.ID, `{"rotate_key":true,"name":"renamed","schedule":"0 3 * * *"}`)
	if code != 200 || strings.Contains(body, hb.PingURL) || !strings.Contains(body, `"schedule":"0 3 * * *"`) || strings.Contains(body, "period_seconds") {
		t.Fatalf("rotate: %d %s", code, body)
	}
	if code, _ := f.ping("GET", hb.PingURL, ""); code != 404 {
		t.Fatalf("the old key answers %d", code)
	}
	v, _ := f.get(hb.ID)
	f.pingOK(v.PingURL)
	if code, _ := f.api(f.cookie, "DELETE", "/api/heartbeats/"+hb.ID, ""); code != 200 {
		t.Fatal("delete")
	}
	if code, _ := f.ping("GET", v.PingURL, ""); code != 404 {
		t.Fatalf("a deleted check's key answers %d", code)
	}
}

// TestIsolation: a user sees and changes only their own checks; an admin
// has only their own too, and another user's check is not found.
func TestIsolation(t *testing.T) {
	f := newFixture(t)
	hb := f.create(`{"name":"alice's backup","period_seconds":3600}`)
	bob := f.app.Session(f.app.User("bob", false))
	root := f.app.Token(f.app.User("root", true), app.ScopeAdmin)
	for _, who := range []struct {
		name string
		do   func(method, path, body string) (int, string)
	}{
		{"bob", func(m, p, b string) (int, string) { return f.api(bob, m, p, b) }},
		{"an admin", func(m, p, b string) (int, string) {
			w := f.app.Do(m, p, b, servertest.Bearer(root))
			return w.Code, w.Body.String()
		}},
	} {
		if code, body := who.do("GET", "/api/heartbeats", ""); code != 200 || strings.Contains(body, hb.ID) || !strings.Contains(body, `"heartbeats":[]`) {
			t.Errorf("%s lists %d %s", who.name, code, body)
		}
		for _, r := range [][3]string{{"GET", "", ""}, {"PATCH", "", `{"name":"mine"}`}, {"POST", "/pause", ""}, {"DELETE", "", ""}} {
			if code, body := who.do(r[0], "/api/heartbeats/"+hb.ID+r[1], r[2]); code != http.StatusNotFound || strings.Contains(body, "alice") {
				t.Errorf("%s %s %s: %d %s", who.name, r[0], r[1], code, body)
			}
		}
	}
	if v, _ := f.get(hb.ID); v.Name != "alice's backup" || v.State != "new" {
		t.Fatalf("another user changed alice's check: %+v", v)
	}
	// Tokens below admin do not manage checks.
	client := f.app.Token(f.alice, app.ScopeClient)
	if w := f.app.Do("GET", "/api/heartbeats", "", servertest.Bearer(client)); w.Code != http.StatusForbidden {
		t.Fatalf("a client token: %d", w.Code)
	}
}

// TestPingIsNotAnNtfyTopic: /ping is Belfry's, so ntfy's dialect refuses
// it as a topic instead of publishing.
func TestPingIsNotAnNtfyTopic(t *testing.T) {
	f := newFixture(t)
	token := f.app.Token(f.alice, app.ScopePublish)
	for _, r := range [][2]string{{"POST", "/ping"}, {"PUT", "/ping"}} {
		w := f.app.Do(r[0], r[1], "hello", servertest.Bearer(token), servertest.Header("Content-Type", "text/plain"))
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "not allowed") {
			t.Errorf("%s %s: %d %s", r[0], r[1], w.Code, w.Body)
		}
	}
	// ntfy's GET publish form lands on the ping routes, which win: an
	// unknown key.
	if w := f.app.Do("GET", "/ping/publish?message=hi", "", servertest.Bearer(token)); w.Code != http.StatusNotFound {
		t.Errorf("GET /ping/publish: %d %s", w.Code, w.Body)
	}
	w := f.app.Do("POST", "/", `{"topic":"ping","message":"hi"}`, servertest.Bearer(token))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "not allowed") {
		t.Errorf("JSON publish to ping: %d %s", w.Code, w.Body)
	}
	if n := len(f.notifications()); n != 0 {
		t.Fatalf("%d notifications published to the ping topic", n)
	}
}
