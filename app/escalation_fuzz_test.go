package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// FuzzEscalationRule decodes a rule the way POST and PUT
// /api/notifications/escalations do (strict JSON into the rule's fields)
// and validates it. A refusal is an EINVALID *app.Error with a message (a
// 400); an accepted rule survives a JSON round trip, matches a
// notification only at or above its level and of its type, never matches
// an escalation, and starts a ladder due its first delay after the
// notification.
func FuzzEscalationRule(f *testing.F) {
	for _, s := range []string{
		`{"type":"job_failed","min_level":"error","steps":[{"delay_minutes":30,"action":"repeat"},{"delay_minutes":15,"action":"email"}]}`,
		`{"min_level":"warning","steps":[{"delay_minutes":1,"action":"user","user":"bob"}]}`,
		`{"type":"message","steps":[{"delay_minutes":10080,"action":"webhook","webhook_id":"0190a0a0-0000-7000-8000-000000000000"}]}`,
		`{"steps":[{"delay_minutes":5,"action":"repeat"}]}`, `{"type":"escalation","steps":[]}`, `{"min_level":"critical"}`,
		`{"min_level":"error","steps":[{"delay_minutes":0,"action":"sms","user":"x","webhook_id":"y"}]}`,
	} {
		f.Add([]byte(s), "job_failed", "error")
	}
	types, err := app.NewTypes(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, typ, level string) {
		var in struct {
			Type     string               `json:"type"`
			MinLevel app.Level            `json:"min_level"`
			Steps    []app.EscalationStep `json:"steps"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if dec.Decode(&in) != nil {
			return // web.DecodeJSON answers these
		}
		r := &app.EscalationRule{Type: in.Type, MinLevel: in.MinLevel, Steps: in.Steps}
		if err := r.Validate(types); err != nil {
			var ae *app.Error
			if !errors.As(err, &ae) || ae.Kind != app.EINVALID || ae.Message == "" {
				t.Fatalf("Validate(%s) = %#v, want an EINVALID *app.Error with a message", body, err)
			}
			return
		}
		doc, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back app.EscalationRule
		if err := json.Unmarshal(doc, &back); err != nil || !reflect.DeepEqual(back.Steps, r.Steps) || back.Type != r.Type || back.MinLevel != r.MinLevel {
			t.Fatalf("round trip of %s: %+v, %v", doc, back, err)
		}
		created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		n := &app.Notification{ID: "n", UserID: "u", Type: typ, Level: app.Level(level), CreatedAt: created}
		e := app.StartEscalation([]*app.EscalationRule{r}, n, nil)
		rank := map[app.Level]int{app.LevelWarning: 1, app.LevelError: 2} // info, and a level no event has, rank 0
		want := typ != app.EscalationType && (r.Type == "" || r.Type == typ) && (r.MinLevel == "" || rank[n.Level] >= rank[r.MinLevel])
		if (e != nil) != want || r.Matches(n) != want {
			t.Fatalf("rule %s on a %s %q: ladder %+v, want a ladder %v", doc, level, typ, e, want)
		}
		if e != nil && (!e.DueAt.Equal(created.Add(r.Steps[0].Delay())) || e.State != app.EscalationActive || len(e.Steps) != len(r.Steps)) {
			t.Fatalf("ladder %+v of rule %s", e, doc)
		}
	})
}
