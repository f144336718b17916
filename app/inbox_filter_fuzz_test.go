package app_test

import (
	"errors"
	"net/url"
	"testing"
	"unicode/utf8"

	"github.com/belfry/belfry/app"
)

// FuzzInboxQuery reads an inbox query string the way GET
// /api/notifications and the web UI do: the filters (ParseInboxFilter)
// and the cursor (ParseCursor). A refusal is an EINVALID *app.Error with a
// message (a 400); what is accepted stays within the filter's bounds, and
// an accepted cursor round-trips through its text.
func FuzzInboxQuery(f *testing.F) {
	for _, s := range []string{
		"q=disk+full&level=error&read=unread", "type=job_failed&service_id=svc-1&project=p",
		"before=2026-03-30", "before=2026-03-30T08:00:00%2B02:00", "before=2026-02-30", "read=maybe", "level=fatal",
		"cursor=1767225600000_01900000-0000-7000-8000-000000000001", "cursor=-1_x", "q=%FF", "type=nope",
	} {
		f.Add(s)
	}
	types, err := app.NewTypes(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		values, err := url.ParseQuery(raw)
		if err != nil {
			return // web.Query answers these
		}
		wantInvalid := func(what string, err error) {
			var ae *app.Error
			if !errors.As(err, &ae) || ae.Kind != app.EINVALID || ae.Message == "" {
				t.Fatalf("%s(%q) = %#v, want an EINVALID *app.Error with a message", what, raw, err)
			}
		}
		filter, err := app.ParseInboxFilter(values.Get, types)
		if err != nil {
			wantInvalid("ParseInboxFilter", err)
		} else {
			if len(filter.Search) > app.MaxSearchLen || !utf8.ValidString(filter.Search) || (filter.Level != "" && !filter.Level.Valid()) || (filter.ReadOnly && filter.UnreadOnly) {
				t.Fatalf("ParseInboxFilter(%q) accepted %+v", raw, filter)
			}
			if _, ok := types.Lookup(filter.Type); filter.Type != "" && !ok {
				t.Fatalf("ParseInboxFilter(%q) accepted the unknown type %q", raw, filter.Type)
			}
		}
		c, err := app.ParseCursor("cursor", values.Get("cursor"))
		if err != nil {
			wantInvalid("ParseCursor", err)
			return
		}
		again, err := app.ParseCursor("cursor", c.String())
		if err != nil || !again.CreatedAt.Equal(c.CreatedAt) || again.ID != c.ID {
			t.Fatalf("cursor %q → %q → %+v, %v", values.Get("cursor"), c.String(), again, err)
		}
	})
}
