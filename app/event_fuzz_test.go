package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/belfry/belfry/app"
)

// FuzzEvent decodes a publish body the way the JSON API does (strict JSON
// into app.Event), normalises and validates it. A refused event is an
// EINVALID *app.Error, which the HTTP layer answers 400; an accepted one
// keeps every limit, links only to http(s) or to a path of this site, and
// survives a JSON round trip unchanged.
func FuzzEvent(f *testing.F) {
	for _, s := range []string{
		`{"type":"job_failed","title":"Backup failed","body":"disk full","level":"error"}`,
		`{"type":"weekly_report","title":"Rapport hebdomadaire","body":"142 mails reçus, 38 archivés cette semaine","data":{"period":"2026-W13"}}`,
		`{"type":"job_completed","title":"t","target_url":"https://ci.example/1","service_id":"ci","project":"belfry","users":["*"]}`,
		`{"type":"quota_warning","title":"t","target_url":"/notifications","email_subject":"s","object":{"app_label":"config","model_name":"device","object_id":"42"}}`,
		`{"type":"job_failed","title":"t","target_url":"//evil.example/x"}`,
		`{"type":"job_failed","title":"t","target_url":"/\\evil.example"}`,
		`{"type":"job_failed","title":"t","target_url":"javascript:alert(1)"}`,
		`{"type":"job_failed","title":"  ","data":[]}`,
		`{"type":"job_failed","title":"t","data":null,"level":"fatal"}`,
		`{"type":"nope","title":"t","unknown":1}`,
		`{"type":"job_failed","title":"\ud800","users":["alice","bob"]}`,
		`[]`, `null`, `"x"`, `{"type":1}`,
	} {
		f.Add([]byte(s))
	}
	types, err := app.NewTypes(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var ev app.Event
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if dec.Decode(&ev) != nil {
			return // web.DecodeJSON answers these (FuzzPublish covers it)
		}
		ev.Normalize()
		if err := ev.Validate(types); err != nil {
			var ae *app.Error
			if !errors.As(err, &ae) || ae.Kind != app.EINVALID || ae.Message == "" {
				t.Fatalf("Validate(%s) = %#v, want an EINVALID *app.Error with a message", body, err)
			}
			return
		}
		checkAccepted(t, &ev)
		again := ev
		again.Normalize()
		if !reflect.DeepEqual(again, ev) {
			t.Fatalf("Normalize is not idempotent: %+v then %+v", ev, again)
		}
		wire, err := json.Marshal(ev)
		if err != nil {
			t.Fatalf("marshal accepted event %+v: %v", ev, err)
		}
		var back app.Event
		if err := json.Unmarshal(wire, &back); err != nil {
			t.Fatalf("unmarshal %s: %v", wire, err)
		}
		back.Normalize()
		if err := back.Validate(types); err != nil {
			t.Fatalf("accepted event %s is refused after a round trip: %v", wire, err)
		}
		if !reflect.DeepEqual(decodeAny(t, back.Data), decodeAny(t, ev.Data)) {
			t.Fatalf("data %s came back as %s", ev.Data, back.Data)
		}
		back.Data, ev.Data = nil, nil
		if !reflect.DeepEqual(back, ev) {
			t.Fatalf("round trip changed the event:\n%+v\n%+v", ev, back)
		}
	})
}

// checkAccepted asserts what every accepted event promises its readers.
func checkAccepted(t *testing.T, ev *app.Event) {
	t.Helper()
	if ev.Title == "" || ev.Title != strings.TrimSpace(ev.Title) {
		t.Fatalf("accepted title %q is empty or not trimmed", ev.Title)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"title", ev.Title, app.MaxTitleLen}, {"body", ev.Body, app.MaxBodyLen}, {"target_url", ev.TargetURL, app.MaxURLLen},
		{"email_subject", ev.EmailSubject, app.MaxEmailSubject}, {"service_id", ev.ServiceID, app.MaxFieldLen}, {"project", ev.Project, app.MaxFieldLen}} {
		if len(f.v) > f.max || !utf8.ValidString(f.v) {
			t.Fatalf("accepted %s %q is over %d bytes or not UTF-8", f.name, f.v, f.max)
		}
	}
	if !ev.Level.Valid() || ev.EmailSubject == "" {
		t.Fatalf("accepted level %q, email subject %q", ev.Level, ev.EmailSubject)
	}
	if d := bytes.TrimSpace(ev.Data); len(d) == 0 || d[0] != '{' || !json.Valid(d) || len(ev.Data) > app.MaxDataLen {
		t.Fatalf("accepted data %s is not a JSON object within the limit", ev.Data)
	}
	if !safeTarget(ev.TargetURL) {
		t.Fatalf("accepted target_url %q is neither an absolute http(s) URL nor a path of this site", ev.TargetURL)
	}
	if len(ev.Users) > app.MaxRecipients {
		t.Fatalf("accepted %d recipients", len(ev.Users))
	}
}

// safeTarget reports whether a browser following target (as an href of one
// of Belfry's pages) lands on an http(s) URL with a host, or stays on this
// site: a path that no browser reads as "//host".
func safeTarget(target string) bool {
	if target == "" {
		return true
	}
	if strings.HasPrefix(target, "/") {
		// Browsers treat a backslash as a slash and drop tabs and newlines.
		norm := strings.NewReplacer("\\", "/", "\t", "", "\n", "", "\r", "").Replace(target)
		return !strings.HasPrefix(norm, "//")
	}
	u, err := url.Parse(target)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// decodeAny is the value of a JSON text: json.Marshal writes "&" as
// "\u0026" and drops white space, which changes the text, not the value.
func decodeAny(t *testing.T, raw []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

// FuzzParseID checks the one rule for ids that clients send: an accepted
// id is the canonical lower-case 36-character form, parses to itself and
// names the same UUID in either case; a refused one is EINVALID with a
// message that quotes at most a bounded piece of the input.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{
		"0190c2a4-7d2e-7c1a-9f3b-2f1e4d5c6b7a", "0190C2A4-7D2E-7C1A-9F3B-2F1E4D5C6B7A",
		"{0190c2a4-7d2e-7c1a-9f3b-2f1e4d5c6b7a}", "urn:uuid:0190c2a4-7d2e-7c1a-9f3b-2f1e4d5c6b7a",
		"0190c2a47d2e7c1a9f3b2f1e4d5c6b7a", "0190c2a4-7d2e-7c1a-9f3b-2f1e4d5c6b7", "", "../../etc/passwd",
		"0190c2a4-7d2e-7c1a-9f3b-2f1e4d5c6b7\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := app.ParseID(s)
		if err != nil {
			var ae *app.Error
			if !errors.As(err, &ae) || ae.Kind != app.EINVALID {
				t.Fatalf("ParseID(%q) = %v, want EINVALID", s, err)
			}
			if len(ae.Message) > 64*4+32 {
				t.Fatalf("ParseID(%q): message of %d bytes quotes too much", s, len(ae.Message))
			}
			return
		}
		if len(id) != 36 || id != strings.ToLower(s) || strings.ToLower(id) != id {
			t.Fatalf("ParseID(%q) = %q, want the lower-case input", s, id)
		}
		for i, c := range id {
			hyphen := i == 8 || i == 13 || i == 18 || i == 23
			if hyphen != (c == '-') || !hyphen && !strings.ContainsRune("0123456789abcdef", c) {
				t.Fatalf("ParseID(%q) = %q is not in canonical form", s, id)
			}
		}
		if again, err := app.ParseID(id); err != nil || again != id {
			t.Fatalf("ParseID(%q) = %q, %v; want it unchanged", id, again, err)
		}
		if up, err := app.ParseID(strings.ToUpper(s)); err != nil || up != id {
			t.Fatalf("ParseID(%q) = %q, %v; want %q", strings.ToUpper(s), up, err, id)
		}
	})
}
