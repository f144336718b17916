package gotify

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ingest"
)

// FuzzParseRequest feeds the request parser and the mapping to ingest
// every shape of body, content type and query, seeded with the documented
// requests of Gotify, Proxmox VE, Uptime Kuma, Home Assistant and Apprise.
// A request is either refused with EINVALID or becomes a message within
// the native API's limits whose event encodes.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []struct{ contentType, query, body string }{
		{"application/json", "", `{"title":"vzdump backup status","message":"` + "```\\nok\\n```" + `","priority":1,"extras":{"client::display":{"contentType":"text/markdown"}}}`},
		{"application/json", "token=x", `{"message":"[Router] [Down] timeout","priority":8,"title":"Uptime-Kuma"}`},
		{"application/json", "", `{"message":"Garage open","title":"Home Assistant","priority":"5"}`},
		{"application/json", "", `{"priority":5,"title":"","message":"Test Message Body"}`},
		{"application/json", "", `{"message":"m","extras":{"client::notification":{"click":{"url":"https://gotify.net"}},"belfry::type":"job_failed"}}`},
		{"multipart/form-data; boundary=XyZ", "token=x", "--XyZ\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nmy message\r\n--XyZ--\r\n"},
		{"application/x-www-form-urlencoded", "token=x&priority=5", "title=my+title&message=my+message"},
		{"", "message=from+the+query&type=backup_done", ""},
		{"application/x-www-form-urlencoded", "", `{"message":"curl -d"}`},
		{"text/plain", "", "hello"},
	} {
		f.Add(s.contentType, s.query, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, contentType, rawQuery string, body []byte) {
		query, _ := url.ParseQuery(rawQuery)
		r, err := parseRequest(contentType, query, body)
		if err != nil {
			if app.ErrorKind(err) != app.EINVALID || app.ErrorMessage(err) == "" {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		if r.Message == "" || len(r.Message) > app.MaxBodyLen || len(r.Title) > app.MaxTitleLen ||
			!utf8.ValidString(r.Message) || !utf8.ValidString(r.Title) {
			t.Fatalf("accepted %+v", r)
		}
		m, err := r.message("application", 1)
		if err != nil {
			if app.ErrorKind(err) != app.EINVALID {
				t.Fatalf("mapping refused with %v", err)
			}
			return
		}
		ev, err := ingest.Event(m)
		if err != nil {
			t.Fatalf("event of %+v: %v", m, err)
		}
		if !json.Valid(ev.Data) || !ev.Level.Valid() {
			t.Fatalf("event %+v", ev)
		}
		if ev.TargetURL != "" && !strings.HasPrefix(ev.TargetURL, "http://") && !strings.HasPrefix(ev.TargetURL, "https://") {
			t.Fatalf("target URL %q", ev.TargetURL)
		}
	})
}
