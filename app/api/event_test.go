package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

func TestPublish(t *testing.T) {
	h := newHarness(t)
	t.Run("OK", func(t *testing.T) {
		rec := h.do("POST", "/api/v1/events",
			`{"type":"job_failed","title":"Backup failed","body":"disk full","level":"error","data":{"job":7},"target_url":"/jobs/7"}`,
			bearer(h.alicePublish))
		wantStatus(t, rec, http.StatusAccepted)
		var res struct {
			Notifications []map[string]string `json:"notifications"`
			Webhooks      *int                `json:"webhooks"`
		}
		decode(t, rec, &res)
		if len(res.Notifications) != 1 || res.Notifications[0]["user_id"] != h.alice.ID || res.Webhooks == nil || *res.Webhooks != 0 {
			t.Fatalf("response %s", rec.Body)
		}
		n, err := h.Notifications.FindNotification(context.Background(), res.Notifications[0]["id"])
		if err != nil {
			t.Fatal(err)
		}
		if n.Title != "Backup failed" || n.Level != app.LevelError || string(n.Data) != `{"job":7}` || n.TargetURL != "/jobs/7" {
			t.Fatalf("stored %+v", n)
		}
		cs := h.changes.take()
		if len(cs) != 1 || cs[0].Kind != app.ChangeCreated || cs[0].UserID != h.alice.ID || !cs[0].Toast {
			t.Fatalf("changes %+v", cs)
		}
	})
	t.Run("TargetTrimmed", func(t *testing.T) {
		// Found by FuzzMessage: ntfy's Click header lost the trailing space.
		ids := h.publish(bearer(h.alicePublish), `{"type":"job_failed","title":"x","target_url":" /jobs/7 "}`)
		n, err := h.Notifications.FindNotification(context.Background(), ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if n.TargetURL != "/jobs/7" {
			t.Fatalf("stored target_url %q, want /jobs/7", n.TargetURL)
		}
	})
	t.Run("AdminNamesUsers", func(t *testing.T) {
		rec := h.do("POST", "/api/v1/events", `{"type":"quota_warning","title":"90%","users":["alice","bob"]}`, bearer(h.rootAdmin))
		wantStatus(t, rec, http.StatusAccepted)
		if n := strings.Count(rec.Body.String(), `"user_id"`); n != 2 {
			t.Fatalf("%d notifications, want 2: %s", n, rec.Body)
		}
	})
	t.Run("Targets", func(t *testing.T) {
		for _, target := range []string{"https://nas.local/jobs/1", "http://10.0.0.2:8080/x?y=1", "/jobs/7?tab=log#end"} {
			wantStatus(t, h.do("POST", "/api/v1/events", `{"type":"job_failed","title":"x","target_url":"`+target+`"}`,
				bearer(h.alicePublish)), http.StatusAccepted)
		}
	})
	t.Run("InAppOff", func(t *testing.T) {
		wantJSON(t, h.do("POST", "/api/v1/events", `{"type":"rule_executed","title":"ran"}`, bearer(h.alicePublish)),
			http.StatusAccepted, `{"notifications":[],"webhooks":0}`)
	})
	t.Run("Invalid", func(t *testing.T) {
		for name, c := range map[string]struct {
			body   string
			status int
			code   string
			inMsg  string
		}{
			"bad JSON":                 {`{"type":`, 400, "INVALID_PARAMETER", "JSON"},
			"syntax error":             {`{"type" "x"}`, 400, "INVALID_PARAMETER", "JSON"},
			"empty body":               {``, 400, "INVALID_PARAMETER", "empty"},
			"unknown field":            {`{"type":"job_failed","title":"x","colour":"red"}`, 400, "INVALID_PARAMETER", "colour"},
			"wrong type":               {`{"type":"job_failed","title":5}`, 400, "INVALID_PARAMETER", "title"},
			"wrong nested":             {`{"type":"job_failed","title":"x","object":{"app_label":1}}`, 400, "INVALID_PARAMETER", "app_label"},
			"array body":               {`[1,2]`, 400, "INVALID_PARAMETER", "object"},
			"trailing data":            {`{"type":"job_failed","title":"x"} {}`, 400, "INVALID_PARAMETER", "single"},
			"unknown type":             {`{"type":"nope","title":"x"}`, 400, "INVALID_PARAMETER", "nope"},
			"missing title":            {`{"type":"job_failed"}`, 400, "INVALID_PARAMETER", "title"},
			"bad level":                {`{"type":"job_failed","title":"x","level":"panic"}`, 400, "INVALID_PARAMETER", "level"},
			"data not object":          {`{"type":"job_failed","title":"x","data":[1]}`, 400, "INVALID_PARAMETER", "data"},
			"protocol-relative target": {`{"type":"job_failed","title":"x","target_url":"//evil.example/x"}`, 400, "INVALID_PARAMETER", "target_url"},
			"backslash target":         {`{"type":"job_failed","title":"x","target_url":"/\\evil.example/x"}`, 400, "INVALID_PARAMETER", "target_url"},
			"tab target":               {`{"type":"job_failed","title":"x","target_url":"/\t/evil.example"}`, 400, "INVALID_PARAMETER", "target_url"},
			"script target":            {`{"type":"job_failed","title":"x","target_url":"javascript:alert(1)"}`, 400, "INVALID_PARAMETER", "target_url"},
			"hostless target":          {`{"type":"job_failed","title":"x","target_url":"https:/evil.example"}`, 400, "INVALID_PARAMETER", "target_url"},
			// Found by FuzzMessage: url.Parse lets control characters pass in a fragment.
			"control in fragment": {`{"type":"job_failed","title":"x","target_url":"https://ci.example/#\u0013"}`, 400, "INVALID_PARAMETER", "target_url"},
			"opaque target":       {`{"type":"job_failed","title":"x","target_url":"https:evil.example"}`, 400, "INVALID_PARAMETER", "target_url"},
			"other users":         {`{"type":"job_failed","title":"x","users":["bob"]}`, 403, "FORBIDDEN", "admin"},
			"oversized":           {`{"type":"job_failed","title":"x","body":"` + strings.Repeat("a", 70<<10) + `"}`, 413, "PAYLOAD_TOO_LARGE", "KiB"},
		} {
			t.Run(name, func(t *testing.T) {
				msg := wantError(t, h.do("POST", "/api/v1/events", c.body, bearer(h.alicePublish)), c.status, c.code)
				if !strings.Contains(msg, c.inMsg) {
					t.Fatalf("message %q does not mention %q", msg, c.inMsg)
				}
			})
		}
	})
}

func TestMe(t *testing.T) {
	h := newHarness(t)
	want := `{"id":"` + h.alice.ID + `","username":"alice","is_admin":false,"temporary_password":false}`
	for _, cred := range []reqOpt{cookie(h.aliceCookie), bearer(h.aliceClient), bearer(h.alicePublish)} {
		wantJSON(t, h.do("GET", "/api/v1/me", "", cred), http.StatusOK, want)
	}
	wantJSON(t, h.do("GET", "/api/v1/me", "", bearer(h.rootAdmin)), http.StatusOK,
		`{"id":"`+h.root.ID+`","username":"root","is_admin":true,"temporary_password":false}`)
}
