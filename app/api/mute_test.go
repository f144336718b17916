package api_test

import (
	"net/http"
	"testing"
	"time"
)

func TestMutes(t *testing.T) {
	h := newHarness(t)
	const path = "/api/notifications/mutes"
	till := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	var forever, until map[string]any

	t.Run("Create", func(t *testing.T) {
		rec := h.do("POST", path, `{"app_label":"backup","model_name":"job","object_id":"7"}`, bearer(h.aliceClient))
		wantStatus(t, rec, http.StatusCreated)
		decode(t, rec, &forever)
		if forever["app_label"] != "backup" || forever["model_name"] != "job" || forever["object_id"] != "7" ||
			forever["valid_till"] != nil || forever["id"] == "" || forever["created_at"] == "" {
			t.Fatalf("mute %s", rec.Body)
		}
		rec = h.do("POST", path, `{"app_label":"backup","model_name":"job","object_id":"8","valid_till":"`+till+`"}`, cookie(h.aliceCookie))
		wantStatus(t, rec, http.StatusCreated)
		decode(t, rec, &until)
		if until["valid_till"] != till {
			t.Fatalf("valid_till %v, want %s", until["valid_till"], till)
		}
	})
	t.Run("List", func(t *testing.T) {
		var res struct{ Mutes []map[string]any }
		decode(t, h.do("GET", path, "", bearer(h.aliceClient)), &res)
		if len(res.Mutes) != 2 {
			t.Fatalf("%d mutes, want 2", len(res.Mutes))
		}
		wantJSON(t, h.do("GET", path, "", bearer(h.bobClient)), 200, `{"mutes":[]}`)
	})
	t.Run("MutedObjectIsSkipped", func(t *testing.T) {
		body := `{"type":"job_failed","title":"x","object":{"app_label":"backup","model_name":"job","object_id":"7"}}`
		wantJSON(t, h.do("POST", "/api/v1/events", body, bearer(h.alicePublish)), http.StatusAccepted, `{"notifications":[],"webhooks":0}`)
		other := `{"type":"job_failed","title":"x","object":{"app_label":"backup","model_name":"job","object_id":"9"}}`
		if ids := h.publish(bearer(h.alicePublish), other); len(ids) != 1 {
			t.Fatalf("an unmuted object was skipped")
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		past := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
		for name, body := range map[string]string{
			"missing object_id": `{"app_label":"a","model_name":"b"}`,
			"empty":             `{}`,
			"valid_till past":   `{"app_label":"a","model_name":"b","object_id":"c","valid_till":"` + past + `"}`,
			"valid_till format": `{"app_label":"a","model_name":"b","object_id":"c","valid_till":"tomorrow"}`,
			"valid_till date":   `{"app_label":"a","model_name":"b","object_id":"c","valid_till":"2099-01-01"}`,
			"valid_till number": `{"app_label":"a","model_name":"b","object_id":"c","valid_till":123}`,
			"wrong type":        `{"app_label":1,"model_name":"b","object_id":"c"}`,
			"unknown field":     `{"app_label":"a","model_name":"b","object_id":"c","user_id":"x"}`,
			"bad JSON":          `{"app_label":`,
		} {
			t.Run(name, func(t *testing.T) {
				wantError(t, h.do("POST", path, body, bearer(h.aliceClient)), 400, "INVALID_PARAMETER")
			})
		}
	})
	t.Run("Delete", func(t *testing.T) {
		id := forever["id"].(string)
		wantError(t, h.do("DELETE", path+"/"+id, "", bearer(h.bobClient)), 404, "NOT_FOUND")
		wantError(t, h.do("DELETE", path+"/xyz", "", bearer(h.aliceClient)), 400, "INVALID_PARAMETER")
		wantJSON(t, h.do("DELETE", path+"/"+id, "", bearer(h.aliceClient)), 200, `{"ok":true}`)
		wantError(t, h.do("DELETE", path+"/"+id, "", bearer(h.aliceClient)), 404, "NOT_FOUND")
		var res struct{ Mutes []map[string]any }
		decode(t, h.do("GET", path, "", bearer(h.aliceClient)), &res)
		if len(res.Mutes) != 1 || res.Mutes[0]["id"] != until["id"] {
			t.Fatalf("after delete: %+v", res.Mutes)
		}
	})
}
