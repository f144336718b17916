package poll

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/google/uuid"
)

func TestGetNotification(t *testing.T) {
	h := newHarness(t, nil)
	u, tok := h.user("alice")
	bob, _ := h.user("bob")
	n := h.insert(u, notif{at: t0, service: "backup"})[0]
	theirs := h.insert(bob, notif{at: t0})[0]

	t.Run("Own", func(t *testing.T) {
		for _, id := range []string{n.ID, strings.ToUpper(n.ID)} {
			r := h.get(base+"/"+id, tok)
			var got map[string]any
			if err := json.Unmarshal(r.body, &got); err != nil || r.status != http.StatusOK {
				t.Fatalf("GET %s = %d %s", id, r.status, r.body)
			}
			if got["id"] != n.ID || got["service_id"] != "backup" || got["status"] != "pending" || got["created_at"] != "2026-03-01T12:00:00.000Z" || len(got) != 13 {
				t.Fatalf("GET %s = %v", id, got)
			}
		}
	})
	t.Run("ETag", func(t *testing.T) {
		tag := h.get(base+"/"+n.ID, tok).header.Get("ETag")
		if r := h.get(base+"/"+n.ID, tok, "If-None-Match: "+tag); r.status != http.StatusNotModified || len(r.body) != 0 {
			t.Fatalf("revalidation = %d %q", r.status, r.body)
		}
		if _, err := h.store.MarkRead(t.Context(), u.ID, n.ID); err != nil {
			t.Fatal(err)
		}
		if r := h.get(base+"/"+n.ID, tok, "If-None-Match: "+tag); r.status != http.StatusOK {
			t.Fatalf("after marking read = %d, want 200", r.status)
		}
	})
	t.Run("OtherUsers", func(t *testing.T) {
		wantError(t, h.get(base+"/"+theirs.ID, tok), http.StatusForbidden, app.CodeNotificationDenied)
	})
	t.Run("Missing", func(t *testing.T) {
		wantError(t, h.get(base+"/"+uuid.Must(uuid.NewV7()).String(), tok), http.StatusNotFound, app.CodeNotificationNotFound)
	})
	t.Run("Malformed", func(t *testing.T) {
		for _, id := range []string{"abc", "123", strings.ReplaceAll(n.ID, "-", ""), "urn:uuid:" + n.ID, "{" + n.ID + "}",
			n.ID[:35] + "g", n.ID + "0", "%E2%98%83", "acknowledge"} {
			wantError(t, h.get(base+"/"+id, tok), http.StatusBadRequest, app.CodeInvalidParameter, "id")
		}
	})
	t.Run("QueryParameters", func(t *testing.T) {
		wantError(t, h.get(base+"/"+n.ID+"?fields=title", tok), http.StatusBadRequest, app.CodeInvalidParameter, "fields")
		wantError(t, h.post(base+"/"+n.ID+"/acknowledge?force=1", tok, ""), http.StatusBadRequest, app.CodeInvalidParameter, "force")
		wantError(t, h.post(base+"/acknowledge?all=1", tok, `{"ids":["`+n.ID+`"]}`), http.StatusBadRequest, app.CodeInvalidParameter, "all")
		wantError(t, h.get(base+"/"+n.ID+"?a=%zz", tok), http.StatusBadRequest, app.CodeInvalidParameter, "malformed")
		if got, _ := h.store.FindNotification(t.Context(), n.ID); got.Status != app.StatusPending {
			t.Fatal("a refused request acknowledged the notification")
		}
	})
}

func TestAcknowledge(t *testing.T) {
	h := newHarness(t, nil)
	u, tok := h.user("alice")
	bob, _ := h.user("bob")
	n := h.insert(u, notif{at: t0})[0]
	theirs := h.insert(bob, notif{at: t0})[0]

	r := h.post(base+"/"+n.ID+"/acknowledge", tok, "")
	var got map[string]any
	if err := json.Unmarshal(r.body, &got); err != nil || r.status != http.StatusOK {
		t.Fatalf("acknowledge = %d %s", r.status, r.body)
	}
	if got["id"] != n.ID || got["status"] != "acknowledged" || got["is_read"] != true || got["acknowledged_at"] == nil {
		t.Fatalf("acknowledged = %v", got)
	}
	stored, err := h.store.FindNotification(t.Context(), n.ID)
	if err != nil || stored.Status != app.StatusAcknowledged || stored.ReadAt == nil {
		t.Fatalf("stored = %+v, %v", stored, err)
	}
	acks := h.changes.of(app.ChangeAcknowledged)
	if len(acks) != 1 || acks[0].UserID != u.ID || acks[0].ID != n.ID {
		t.Fatalf("published %+v, want one ChangeAcknowledged of %s", acks, n.ID)
	}

	wantError(t, h.post(base+"/"+n.ID+"/acknowledge", tok, ""), http.StatusConflict, app.CodeNotificationResponded)
	wantError(t, h.post(base+"/"+theirs.ID+"/acknowledge", tok, ""), http.StatusForbidden, app.CodeNotificationDenied)
	wantError(t, h.post(base+"/"+uuid.Must(uuid.NewV7()).String()+"/acknowledge", tok, ""), http.StatusNotFound, app.CodeNotificationNotFound)
	wantError(t, h.post(base+"/not-a-uuid/acknowledge", tok, ""), http.StatusBadRequest, app.CodeInvalidParameter, "id")
	if b, _ := h.store.FindNotification(t.Context(), theirs.ID); b.Status != app.StatusPending {
		t.Fatal("bob's notification was acknowledged by alice")
	}
	if got := len(h.changes.of(app.ChangeAcknowledged)); got != 1 {
		t.Fatalf("refused acknowledgements published %d changes in all, want 1", got)
	}
}

func TestAcknowledgeMany(t *testing.T) {
	h := newHarness(t, nil)
	u, tok := h.user("alice")
	bob, _ := h.user("bob")
	ns := h.insert(u, series(4, t0, nil)...)
	theirs := h.insert(bob, notif{at: t0})[0]
	if _, err := h.store.Acknowledge(t.Context(), u.ID, ns[3].ID); err != nil {
		t.Fatal(err)
	}
	missing := uuid.Must(uuid.NewV7()).String()
	body := fmt.Sprintf(`{"ids":[%q,%q,%q,%q,%q,%q,%q,%q,%q]}`,
		ns[0].ID, ns[1].ID, ns[0].ID, strings.ToUpper(ns[1].ID), ns[3].ID, theirs.ID, missing, "nope", "nope")

	r := h.post(base+"/acknowledge", tok, body)
	if r.status != http.StatusOK {
		t.Fatalf("bulk = %d %s", r.status, r.body)
	}
	want := fmt.Sprintf(`{"results":[{"id":%q,"outcome":"acknowledged"},{"id":%q,"outcome":"acknowledged"},{"id":%q,"outcome":"already_responded"},{"id":%q,"outcome":"denied"},{"id":%q,"outcome":"not_found"},{"id":"nope","outcome":"invalid"}],"acknowledged":2}`,
		ns[0].ID, ns[1].ID, ns[3].ID, theirs.ID, missing)
	if string(r.body) != want {
		t.Fatalf("bulk =\n%s\nwant\n%s", r.body, want)
	}
	for _, n := range ns[:2] {
		if got, _ := h.store.FindNotification(t.Context(), n.ID); got.Status != app.StatusAcknowledged {
			t.Fatalf("%s not acknowledged", n.ID)
		}
	}
	if got, _ := h.store.FindNotification(t.Context(), ns[2].ID); got.Status != app.StatusPending {
		t.Fatal("an unnamed notification was acknowledged")
	}
	if got, _ := h.store.FindNotification(t.Context(), theirs.ID); got.Status != app.StatusPending {
		t.Fatal("bob's notification was acknowledged")
	}
	acked := map[string]bool{}
	for _, c := range h.changes.of(app.ChangeAcknowledged) {
		if c.UserID != u.ID || acked[c.ID] {
			t.Fatalf("published %+v", c)
		}
		acked[c.ID] = true
	}
	if len(acked) != 2 || !acked[ns[0].ID] || !acked[ns[1].ID] {
		t.Fatalf("published acknowledgements of %v, want %s and %s", acked, ns[0].ID, ns[1].ID)
	}

	t.Run("AllInvalidStillAnswers", func(t *testing.T) {
		r := h.post(base+"/acknowledge", tok, `{"ids":["x","y"]}`)
		if r.status != http.StatusOK || string(r.body) != `{"results":[{"id":"x","outcome":"invalid"},{"id":"y","outcome":"invalid"}],"acknowledged":0}` {
			t.Fatalf("= %d %s", r.status, r.body)
		}
	})

	t.Run("HundredDistinct", func(t *testing.T) {
		var list []string
		for range 100 {
			list = append(list, uuid.Must(uuid.NewV7()).String())
		}
		list = append(list, list[0]) // a repeat does not count against the limit
		b, _ := json.Marshal(map[string]any{"ids": list})
		r := h.post(base+"/acknowledge", tok, string(b))
		var res ackManyResponse
		if err := json.Unmarshal(r.body, &res); err != nil || r.status != http.StatusOK || len(res.Results) != 100 {
			t.Fatalf("= %d %s", r.status, r.body)
		}
	})

	var tooMany []string
	for range 101 {
		tooMany = append(tooMany, uuid.Must(uuid.NewV7()).String())
	}
	tooManyBody, _ := json.Marshal(map[string]any{"ids": tooMany})
	bad := []struct {
		name, body string
		status     int
		code       string
		word       string
	}{
		{"Empty", "", http.StatusBadRequest, app.CodeInvalidParameter, "ids"},
		{"NotJSON", "ids=1", http.StatusBadRequest, app.CodeInvalidParameter, "ids"},
		{"Array", `["` + ns[2].ID + `"]`, http.StatusBadRequest, app.CodeInvalidParameter, "ids"},
		{"NoIDs", `{}`, http.StatusBadRequest, app.CodeInvalidParameter, "ids"},
		{"NullIDs", `{"ids":null}`, http.StatusBadRequest, app.CodeInvalidParameter, "ids"},
		{"EmptyIDs", `{"ids":[]}`, http.StatusBadRequest, app.CodeInvalidParameter, "ids"},
		{"IDsString", `{"ids":"` + ns[2].ID + `"}`, http.StatusBadRequest, app.CodeInvalidParameter, "ids"},
		{"IDsNumbers", `{"ids":[1,2]}`, http.StatusBadRequest, app.CodeInvalidParameter, "ids"},
		{"UnknownField", `{"ids":["` + ns[2].ID + `"],"all":true}`, http.StatusBadRequest, app.CodeInvalidParameter, "ids"},
		{"TrailingData", `{"ids":["` + ns[2].ID + `"]} {}`, http.StatusBadRequest, app.CodeInvalidParameter, "ids"},
		{"TooMany", string(tooManyBody), http.StatusBadRequest, app.CodeInvalidParameter, "100"},
		{"TooLarge", `{"ids":["` + strings.Repeat("x", 20<<10) + `"]}`, http.StatusRequestEntityTooLarge, app.CodeTooLarge, "KiB"},
	}
	for _, tc := range bad {
		t.Run("Bad/"+tc.name, func(t *testing.T) {
			wantError(t, h.post(base+"/acknowledge", tok, tc.body), tc.status, tc.code, tc.word)
		})
	}
	if got, _ := h.store.FindNotification(t.Context(), ns[2].ID); got.Status != app.StatusPending {
		t.Fatal("a refused request acknowledged something")
	}
}
