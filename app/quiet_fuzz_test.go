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

// FuzzQuietHours decodes a quiet-hours body the way PUT
// /api/notifications/quiet-hours does (strict JSON into app.QuietHours)
// and resolves it. A refusal is an EINVALID *app.Error with a message (a
// 400); an accepted setting survives a JSON round trip, and inside a
// window Holds says until a time after the instant asked about, and no
// error is ever held.
func FuzzQuietHours(f *testing.F) {
	for _, s := range []string{
		`{"timezone":"Europe/Paris","windows":[{"days":["fri"],"start":"22:00","end":"07:00"}]}`,
		`{"timezone":"","breakthrough":"warning","windows":[{"days":["mon","sun"],"start":"00:00","end":"23:59"}]}`,
		`{"timezone":"Mars/Olympus"}`, `{"windows":[{"days":[],"start":"22:00","end":"07:00"}]}`,
		`{"windows":[{"days":["fri"],"start":"24:00","end":"07:00"}]}`, `{"breakthrough":"critical"}`,
		`{"windows":[{"days":["fri","fri"],"start":"22:00","end":"22:00"}]}`, `{"timezone":"Local","windows":null}`,
	} {
		f.Add([]byte(s), int64(1796425200))
	}
	f.Fuzz(func(t *testing.T, body []byte, unix int64) {
		var q app.QuietHours
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if dec.Decode(&q) != nil {
			return // web.DecodeJSON answers these
		}
		if err := q.Resolve(time.UTC); err != nil {
			var ae *app.Error
			if !errors.As(err, &ae) || ae.Kind != app.EINVALID || ae.Message == "" {
				t.Fatalf("Resolve(%s) = %#v, want an EINVALID *app.Error with a message", body, err)
			}
			return
		}
		wire, err := json.Marshal(q)
		if err != nil {
			t.Fatal(err)
		}
		var back app.QuietHours
		if err := json.Unmarshal(wire, &back); err != nil || back.Resolve(time.UTC) != nil {
			t.Fatalf("accepted %s is refused after a round trip: %v", wire, err)
		}
		if !reflect.DeepEqual(back.Windows, q.Windows) || back.Timezone != q.Timezone || back.Breakthrough != q.Breakthrough {
			t.Fatalf("round trip changed %s into %+v", wire, back)
		}
		at := time.Unix(unix%(1<<34), 0)
		if until, held := q.Holds(app.LevelInfo, at); held && (!until.After(at) || until.Sub(at) > 50*time.Hour) {
			t.Fatalf("%s at %s: held until %s", wire, at, until)
		}
		if _, held := q.Holds(app.LevelError, at); held {
			t.Fatalf("%s holds an error at %s", wire, at)
		}
	})
}

// FuzzTypeDigests decodes a body of PUT /api/notifications/digests and
// validates it. A refusal is an EINVALID *app.Error with a message; an
// accepted list round-trips, and each collected type is due after the
// instant asked about, within a day and a DST hour.
func FuzzTypeDigests(f *testing.F) {
	for _, s := range []string{
		`{"digests":[{"type":"job_completed","every_minutes":30},{"type":"message","daily_at":"08:00"}]}`,
		`{"digests":[{"type":"job_completed","every_minutes":720}]}`, `{"digests":[{"type":"nope","every_minutes":30}]}`,
		`{"digests":[{"type":"job_completed","every_minutes":30,"daily_at":"08:00"}]}`, `{"digests":[{"type":"job_completed"}]}`,
		`{"digests":[{"type":"message","daily_at":"24:00"}]}`, `{"digests":[]}`, `{"digests":null}`,
	} {
		f.Add([]byte(s), int64(1796425200))
	}
	types, err := app.NewTypes(nil)
	if err != nil {
		f.Fatal(err)
	}
	paris, err := app.LoadZone("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, unix int64) {
		var in struct {
			Digests []app.TypeDigest `json:"digests"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if dec.Decode(&in) != nil {
			return
		}
		if err := types.ValidateTypeDigests(in.Digests); err != nil {
			var ae *app.Error
			if !errors.As(err, &ae) || ae.Kind != app.EINVALID || ae.Message == "" {
				t.Fatalf("ValidateTypeDigests(%s) = %#v", body, err)
			}
			return
		}
		wire, _ := json.Marshal(in.Digests)
		var back []app.TypeDigest
		if err := json.Unmarshal(wire, &back); err != nil || types.ValidateTypeDigests(back) != nil || len(back) != len(in.Digests) {
			t.Fatalf("accepted %s is refused after a round trip: %v", wire, err)
		}
		q := &app.QuietHours{Digests: in.Digests}
		if err := q.Resolve(paris); err != nil {
			t.Fatal(err)
		}
		at := time.Unix(unix%(1<<34), 0)
		for _, d := range in.Digests {
			if due, ok := q.Collects(d.Type, at); !ok || !due.After(at) || due.Sub(at) > 25*time.Hour {
				t.Fatalf("%+v at %s: due %s", d, at, due)
			}
		}
	})
}
