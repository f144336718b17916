package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// specDefaults is the spec's example response, in its order, with
// Belfry's built-in message type (app.MessageType) and the quiet-hours
// digest (app.QuietDigestType, issue 17) and the escalation (app.EscalationType) after the six of the spec.
const specDefaults = `{"weekly_report":true,"job_completed":true,"job_failed":true,"rule_executed":false,` +
	`"quota_warning":true,"integrity_alert":true,"message":true,"quiet_digest":true,"escalation":true,"weekly_report_toast":false,"job_completed_toast":true,` +
	`"job_failed_toast":true,"rule_executed_toast":false,"quota_warning_toast":false,"integrity_alert_toast":false,"message_toast":true,"quiet_digest_toast":true,"escalation_toast":true,` +
	// The e-mail channel (issue 16): errors, integrity alerts and the weekly report on.
	`"weekly_report_email":true,"job_completed_email":false,"job_failed_email":true,"rule_executed_email":false,` +
	`"quota_warning_email":false,"integrity_alert_email":true,"message_email":false,"quiet_digest_email":true,"escalation_email":true,` +
	// The push channel (issue 14): failures, alerts and messages on.
	`"weekly_report_push":false,"job_completed_push":false,"job_failed_push":true,"rule_executed_push":false,` +
	`"quota_warning_push":true,"integrity_alert_push":true,"message_push":true,"quiet_digest_push":true,"escalation_push":true}`

func TestPreferences(t *testing.T) {
	h := newHarness(t)
	const path = "/api/notifications/preferences"
	t.Run("Defaults", func(t *testing.T) {
		rec := h.do("GET", path, "", bearer(h.aliceClient))
		wantStatus(t, rec, http.StatusOK)
		if rec.Body.String() != specDefaults {
			t.Fatalf("body %s\nwant %s", rec.Body, specDefaults)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("Content-Type %q", ct)
		}
	})
	t.Run("Update", func(t *testing.T) {
		wantJSON(t, h.do("PUT", path, `{"weekly_report":false,"job_completed_toast":false}`, cookie(h.aliceCookie)), 200, `{"ok":true}`)
		wantJSON(t, h.do("PUT", path, `{"rule_executed":true}`, bearer(h.aliceClient)), 200, `{"ok":true}`)
		want := strings.NewReplacer(`"weekly_report":true`, `"weekly_report":false`,
			`"job_completed_toast":true`, `"job_completed_toast":false`,
			`"rule_executed":false`, `"rule_executed":true`).Replace(specDefaults)
		if rec := h.do("GET", path, "", bearer(h.aliceClient)); rec.Body.String() != want {
			t.Fatalf("body %s\nwant %s", rec.Body, want)
		}
		if rec := h.do("GET", path, "", bearer(h.bobClient)); rec.Body.String() != specDefaults {
			t.Fatalf("alice's change leaked to bob: %s", rec.Body)
		}
	})
	t.Run("EmptyObject", func(t *testing.T) {
		wantJSON(t, h.do("PUT", path, `{}`, bearer(h.bobClient)), 200, `{"ok":true}`)
	})
	t.Run("Invalid", func(t *testing.T) {
		for _, body := range []string{
			`{"nope":true}`, `{"weekly_report_toast_toast":true}`, `{"job_failed_toast_email":true}`, `{"nope_email":true}`, `{"nope_push":true}`, `{"job_failed_push_toast":true}`, `{"job_failed":true,"nope_toast":false}`,
			`{"job_failed":"yes"}`, `{"job_failed":1}`, `{"job_failed":null}`, `{"job_failed":{}}`,
			`[]`, `null`, `"x"`, `{"job_failed":tru}`, ``, `{"job_failed":false}{}`,
		} {
			wantError(t, h.do("PUT", path, body, bearer(h.bobClient)), 400, "INVALID_PARAMETER")
		}
		if rec := h.do("GET", path, "", bearer(h.bobClient)); rec.Body.String() != specDefaults {
			t.Fatalf("a rejected request changed something: %s", rec.Body)
		}
	})
}

// TestPreferenceInAppOff is the publish path end to end: with the in-app
// preference off nothing is stored, with it on again the row appears.
func TestPreferenceInAppOff(t *testing.T) {
	h := newHarness(t)
	wantStatus(t, h.do("PUT", "/api/notifications/preferences", `{"job_failed":false}`, bearer(h.aliceClient)), 200)
	wantJSON(t, h.do("POST", "/api/v1/events", `{"type":"job_failed","title":"x"}`, bearer(h.alicePublish)),
		http.StatusAccepted, `{"notifications":[],"webhooks":0}`)
	if p := h.list(t, "", bearer(h.aliceClient)); len(p.Notifications) != 0 || p.UnreadCount != 0 {
		t.Fatalf("stored although in-app is off: %+v", p)
	}
	wantStatus(t, h.do("PUT", "/api/notifications/preferences", `{"job_failed":true}`, bearer(h.aliceClient)), 200)
	h.publish(bearer(h.alicePublish), `{"type":"job_failed","title":"y"}`)
	if p := h.list(t, "", bearer(h.aliceClient)); len(p.Notifications) != 1 || p.Notifications[0]["title"] != "y" {
		t.Fatalf("after turning in-app on: %+v", p)
	}
}
