package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/belfry/belfry/app/web"
)

// FuzzPublish posts bodies to POST /api/v1/events of the whole application
// as an administrator's publish token. The answer is 202 or a 4xx in the
// envelope, never a 5xx; it is 202 exactly when the event decodes and
// validates (or names no recipient who exists), and what a 202 stored is
// what was sent, normalised.
func FuzzPublish(f *testing.F) {
	for _, s := range []string{
		`{"type":"job_failed","title":"Backup failed","body":"disk full","level":"error","data":{"job":7},"target_url":"/jobs/7"}`,
		`{"type":"weekly_report","title":"Rapport hebdomadaire","body":"142 mails reçus, 38 archivés cette semaine","data":{"period":"2026-W13"}}`,
		`{"type":"quota_warning","title":"90%","users":["alice","bob"]}`,
		`{"type":"job_completed","title":"all","users":["*"],"service_id":"ci","project":"belfry"}`,
		`{"type":"job_failed","title":"x","users":["nobody"]}`,
		`{"type":"job_failed","title":"x","object":{"app_label":"config","model_name":"device","object_id":"42"}}`,
		`{"type":"rule_executed","title":"ran"}`,
		`{"type":"job_failed","title":"x","colour":"red"}`, `{"type":"job_failed","title":5}`, `{"type":"job_failed","title":"x"} {}`,
		`{"type":`, ``, `[1,2]`, `{"type":"job_failed","title":"x","data":[1]}`,
		`{"type":"job_failed","title":"later","delay":"30m"}`, `{"type":"job_failed","title":"later","delay":90}`,
		`{"type":"job_failed","title":"later","deliver_at":"2999-01-01T00:00:00Z"}`, `{"type":"job_failed","title":"x","delay":"1h","deliver_at":"x"}`,
	} {
		f.Add([]byte(s))
	}
	a := servertest.New(f)
	publisher := a.User("publisher", true)
	a.User("alice", false)
	a.User("bob", false)
	token := a.Token(publisher, app.ScopePublish)
	types, err := app.NewTypes(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/api/v1/events", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, req)

		ev, valid, later := domainEvent(body, types)
		if later {
			// Scheduled: 202 naming the scheduled event, or a refusal
			// of the time or the event.
			var res struct {
				Scheduled *struct{ ID string } `json:"scheduled"`
			}
			if rec.Code == http.StatusAccepted && (json.Unmarshal(rec.Body.Bytes(), &res) != nil || res.Scheduled == nil || res.Scheduled.ID == "") {
				t.Fatalf("POST %q: 202 without the scheduled event: %s", body, rec.Body)
			}
			if rec.Code != http.StatusAccepted && (rec.Code < 400 || rec.Code >= 500) {
				t.Fatalf("POST %q: %d %s", body, rec.Code, rec.Body)
			}
			return
		}
		if rec.Code != http.StatusAccepted {
			var env web.Envelope
			if rec.Code < 400 || rec.Code >= 500 || json.Unmarshal(rec.Body.Bytes(), &env) != nil || env.Error.Message == "" ||
				!slices.Contains([]string{app.CodeInvalidParameter, app.CodeTooLarge, app.CodeNotFound}, env.Error.Code) {
				t.Fatalf("POST %q: %d %s", body, rec.Code, rec.Body)
			}
			if valid && env.Error.Code != app.CodeNotFound {
				t.Fatalf("POST %q: a valid event was refused: %d %s", body, rec.Code, rec.Body)
			}
			return
		}
		if !valid {
			t.Fatalf("POST %q: 202 for an event the domain refuses", body)
		}
		var res struct {
			Notifications []app.NotificationRef `json:"notifications"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatalf("202 body %s: %v", rec.Body, err)
		}
		for _, ref := range res.Notifications {
			n, err := a.Notifications.FindNotification(context.Background(), ref.ID)
			if err != nil {
				t.Fatalf("202 named %s, which is not stored: %v", ref.ID, err)
			}
			if n.Title != ev.Title || n.Body != ev.Body || n.Level != ev.Level || n.TargetURL != ev.TargetURL ||
				n.ServiceID != ev.ServiceID || n.Project != ev.Project || n.EmailSubject != ev.EmailSubject || n.Type != ev.Type {
				t.Fatalf("stored %+v for the event %+v", n, ev)
			}
			var got, want any
			if json.Unmarshal(n.Data, &got) != nil || json.Unmarshal(ev.Data, &want) != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("stored data %s for %s", n.Data, ev.Data)
			}
		}
	})
}

// domainEvent decodes body as DecodeJSON does and reports whether the
// domain accepts the event, and whether it asks for a later delivery.
func domainEvent(body []byte, types *app.Types) (app.Event, bool, bool) {
	var req struct {
		app.Event
		DeliverAt *string         `json:"deliver_at"`
		Delay     json.RawMessage `json:"delay"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if len(body) > web.MaxBody || dec.Decode(&req) != nil {
		return req.Event, false, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return req.Event, false, false // trailing data
	}
	later := req.DeliverAt != nil || (len(bytes.TrimSpace(req.Delay)) > 0 && string(bytes.TrimSpace(req.Delay)) != "null")
	ev := req.Event
	ev.Normalize()
	return ev, ev.Validate(types) == nil, later
}
