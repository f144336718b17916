package bus_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/channels"
)

// roundTrip encodes v and decodes it again, and fails unless it is equal.
func roundTrip[T any](t *testing.T, v T) {
	t.Helper()
	data, err := bus.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := bus.Decode[T](data)
	if err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	if !reflect.DeepEqual(got, v) {
		t.Fatalf("round trip of %s:\n got %#v\nwant %#v", data, got, v)
	}
}

// TestCodecRoundTrip sends every kind of message the topics carry through
// the wire form.
func TestCodecRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 4, 22, 0, 0, 123456789, time.UTC)
	read := at.Add(time.Minute)
	n := &app.Notification{ID: "n1", UserID: "u1", Type: "job_failed", Level: app.LevelError, Title: "Backup failed",
		Body: "**disk** full", Data: json.RawMessage(`{"job":"nightly"}`), TargetURL: "/jobs/1", EmailSubject: "Backup",
		ServiceID: "ci", Project: "infra", Object: &app.ObjectRef{AppLabel: "ci", ModelName: "job", ObjectID: "1"}, ReadAt: &read, Status: "pending",
		AcknowledgedAt: &read, CreatedAt: at, Format: app.FormatText}
	for _, c := range []app.Change{
		{Kind: app.ChangeCreated, UserID: "u1", ID: "n1", Notification: n, Toast: true},
		{Kind: app.ChangeRead, UserID: "u1", ID: "n1"},
		{Kind: app.ChangeAcknowledged, UserID: "u1", ID: "n1"},
		{Kind: app.ChangeDeleted, UserID: "u1", ID: "n1"},
		{Kind: app.ChangeReadAll, UserID: "u1"},
		{Kind: app.ChangeDeletedRead, UserID: "u1"},
	} {
		roundTrip(t, c)
	}
	for _, d := range []channels.Delivery{
		{Stream: "channel:c1", Frame: []byte(`{"type":"channel_message","seq":7}`)},
		{Stream: "channel:c1", User: "u2", Reason: "kicked"},
		{Stream: "channel:c1", Reason: "channel_deleted"},
	} {
		roundTrip(t, d)
	}
	for _, r := range []auth.Revocation{{UserID: "u1", TokenID: "t1"}, {TokenID: "t1"}, {UserID: "u1"}, {TokenID: "session:abc"}} {
		roundTrip(t, r)
	}
	roundTrip(t, "u1") // the quiet-hours topic carries user ids
}

// TestDecodeRefuses checks that what another program might put on the
// subjects is refused, not half-read.
func TestDecodeRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"not JSON":      `{`,
		"unknown field": `{"Kind":1,"UserID":"u","Extra":true}`,
		"trailing data": `{"Kind":1} {}`,
		"wrong type":    `{"Kind":"created"}`,
		"oversized":     `"` + string(make([]byte, 1<<20)) + `"`,
	} {
		if _, err := bus.Decode[app.Change]([]byte(in)); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// FuzzDecode feeds arbitrary NATS payloads to the decoders: they never
// panic, and what they accept encodes and decodes to the same value.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{`{"Kind":1,"UserID":"u","ID":"n","Notification":{"id":"n","created_at":"2026-12-04T22:00:00Z","data":{}},"Toast":true}`,
		`{"stream":"global","frame":"e30="}`, `{"user_id":"u","token_id":"t"}`, `"u1"`, `{"Kind":5}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzOne[app.Change](t, data)
		fuzzOne[channels.Delivery](t, data)
		fuzzOne[auth.Revocation](t, data)
		fuzzOne[string](t, data)
	})
}

func fuzzOne[T any](t *testing.T, data []byte) {
	v, err := bus.Decode[T](data)
	if err != nil {
		return
	}
	again, err := bus.Encode(v)
	if err != nil {
		t.Fatalf("re-encode %#v: %v", v, err)
	}
	w, err := bus.Decode[T](again)
	if err != nil {
		t.Fatalf("decode of re-encoded %s: %v", again, err)
	}
	if !reflect.DeepEqual(normalise(v), normalise(w)) {
		t.Fatalf("%s decodes to %#v, its re-encoding to %#v", data, v, w)
	}
}

// normalise compares values by their JSON (RawMessage keeps input spacing).
func normalise(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
