package webhook

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/belfry/belfry/app"
	"golang.org/x/net/http/httpguts"
)

// FuzzMessage renders publisher text — every event the API accepts — in
// the four webhook formats and checks what a receiver gets: a request
// whose headers are legal and arrive as sent (no header injection), a JSON
// body within the receiver's limits, Slack text with its control
// characters escaped, ntfy's title decoding to the event's, links only to
// http(s) URLs with a host and a generic signature that verifies.
func FuzzMessage(f *testing.F) {
	f.Add("Backup <nas> failed", "Disk **full** & retrying", "/jobs/42", "restic", "homelab", uint8(2))
	f.Add("Rapport hebdomadaire", "142 mails reçus, 38 archivés cette semaine", "https://ci.example/1?a=b|c>d", "", "", uint8(0))
	f.Add("Title\r\nX-Injected: 1", "body\r\n\r\nmore", "//evil.example", "svc\nX: y", "p", uint8(1))
	f.Add("=?utf-8?q?fake?= é", "", "http://[::1]:8080/a", "<!channel>", "@everyone", uint8(2))
	f.Add(strings.Repeat("é", 300), strings.Repeat("ü", 5000), "/"+strings.Repeat("a", 2000), strings.Repeat("s", 128), "", uint8(0))
	types, err := app.NewTypes(nil)
	if err != nil {
		f.Fatal(err)
	}
	created := time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, title, body, target, service, project string, level uint8) {
		ev := app.Event{Type: "job_failed", Title: title, Body: body, TargetURL: target, ServiceID: service, Project: project,
			Level: []app.Level{app.LevelInfo, app.LevelWarning, app.LevelError}[level%3]}
		ev.Normalize()
		if ev.Validate(types) != nil {
			return // the API refuses it: no webhook ever sees it
		}
		n := &app.Notification{ID: "0190c2a4-7d2e-7c1a-9f3b-2f1e4d5c6b7a", UserID: "0190c2a4-0000-7000-8000-000000000001",
			Type: ev.Type, Level: ev.Level, Title: ev.Title, Body: ev.Body, Data: ev.Data, TargetURL: ev.TargetURL,
			ServiceID: ev.ServiceID, Project: ev.Project, CreatedAt: created}
		payload, err := json.Marshal(snapshotOf(n))
		if err != nil {
			t.Fatal(err)
		}
		d := &app.WebhookDelivery{ID: "0190c2a4-7d2e-7c1a-9f3b-000000000d01", Event: "job.failed", Payload: payload}
		secret, err := NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		for _, kind := range []app.WebhookKind{app.WebhookDiscord, app.WebhookSlack, app.WebhookNtfy, app.WebhookGeneric} {
			w := &app.Webhook{Kind: kind, URL: "https://hooks.example/x", Secret: secret, AuthUsername: "u", AuthPassword: "p"}
			req, err := newRequest(t.Context(), w, d, created, "https://belfry.example")
			if err != nil {
				t.Fatalf("%s: render %+v: %v", kind, ev, err)
			}
			sent := roundTrip(t, req)
			switch kind {
			case app.WebhookDiscord:
				checkDiscord(t, ev, sent)
			case app.WebhookSlack:
				checkSlack(t, ev, sent)
			case app.WebhookNtfy:
				checkNtfy(t, ev, sent)
			case app.WebhookGeneric:
				checkGeneric(t, n, secret, d, sent)
			}
		}
	})
}

// sentRequest is a request as the receiver parsed it.
type sentRequest struct {
	header http.Header
	body   []byte
}

// roundTrip writes req as the client would and reads it back with the
// server's parser; every header value must be legal and arrive unchanged.
func roundTrip(t *testing.T, req *http.Request) sentRequest {
	t.Helper()
	body, err := req.GetBody()
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if _, err := want.ReadFrom(body); err != nil {
		t.Fatal(err)
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			if !httpguts.ValidHeaderFieldName(k) || !httpguts.ValidHeaderFieldValue(v) {
				t.Fatalf("header %s: %q is not a legal header value", k, v)
			}
		}
	}
	var wire bytes.Buffer
	if err := req.Write(&wire); err != nil {
		t.Fatalf("write request: %v", err)
	}
	got, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		t.Fatalf("read request back: %v", err)
	}
	var gotBody bytes.Buffer
	if _, err := gotBody.ReadFrom(got.Body); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotBody.Bytes(), want.Bytes()) {
		t.Fatalf("body arrived as %q, sent %q", gotBody.Bytes(), want.Bytes())
	}
	for k, vs := range req.Header {
		if !reflect.DeepEqual(got.Header.Values(k), vs) {
			t.Fatalf("header %s arrived as %q, sent %q", k, got.Header.Values(k), vs)
		}
	}
	return sentRequest{header: got.Header, body: gotBody.Bytes()}
}

// checkLink asserts that a rendered link is "" or an absolute http(s) URL
// with a host, and that it is the event's target resolved on the base URL.
func checkLink(t *testing.T, kind, link, target string) {
	t.Helper()
	if link == "" {
		return
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		t.Fatalf("%s link %q is not an absolute http(s) URL", kind, link)
	}
	if link != target && link != "https://belfry.example"+target {
		t.Fatalf("%s link %q is not the target %q", kind, link, target)
	}
}

// checkCut asserts that got is s, or s cut to max runes ending in "…".
func checkCut(t *testing.T, what, got, s string, max int) {
	t.Helper()
	if utf8.RuneCountInString(got) > max {
		t.Fatalf("%s has %d characters, over %d", what, utf8.RuneCountInString(got), max)
	}
	if got != s && !(strings.HasSuffix(got, "…") && strings.HasPrefix(s, strings.TrimSuffix(got, "…"))) {
		t.Fatalf("%s = %q is neither %q nor a cut of it", what, got, s)
	}
}

func decodeBody(t *testing.T, kind string, body []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s body %s: %v", kind, body, err)
	}
}

func checkDiscord(t *testing.T, ev app.Event, r sentRequest) {
	t.Helper()
	var p discordPayload
	decodeBody(t, "discord", r.body, &p)
	if len(p.Embeds) != 1 || p.AllowedMentions.Parse == nil || len(p.AllowedMentions.Parse) != 0 {
		t.Fatalf("discord payload %s", r.body)
	}
	e := p.Embeds[0]
	checkCut(t, "discord title", e.Title, ev.Title, discordTitleMax)
	checkCut(t, "discord description", e.Description, ev.Body, discordDescriptionMax)
	for _, fl := range e.Fields {
		if utf8.RuneCountInString(fl.Value) > discordFieldMax || fl.Value == "" {
			t.Fatalf("discord field %+v", fl)
		}
	}
	checkLink(t, "discord", e.URL, ev.TargetURL)
}

func checkSlack(t *testing.T, ev app.Event, r sentRequest) {
	t.Helper()
	var p slackPayload
	decodeBody(t, "slack", r.body, &p)
	if len(p.Blocks) < 2 || p.Blocks[0].Type != "header" || p.Blocks[0].Text == nil {
		t.Fatalf("slack payload %s", r.body)
	}
	checkCut(t, "slack header", p.Blocks[0].Text.Text, ev.Title, slackHeaderMax)
	mrkdwn := []string{p.Text}
	for _, b := range p.Blocks[1:] {
		if b.Text != nil {
			mrkdwn = append(mrkdwn, b.Text.Text)
		}
		for _, e := range b.Elements {
			mrkdwn = append(mrkdwn, e.Text)
		}
	}
	for i, s := range mrkdwn {
		if utf8.RuneCountInString(s) > slackSectionMax {
			t.Fatalf("slack text of %d characters", utf8.RuneCountInString(s))
		}
		if i == len(mrkdwn)-1 { // the context line may end in the one link
			if before, link, ok := strings.Cut(s, "<"); ok {
				u, ok := strings.CutSuffix(link, "|Open>")
				if !ok && !strings.HasSuffix(s, "…") {
					t.Fatalf("slack context %q: a < that is not the link", s)
				}
				if ok {
					checkLink(t, "slack", strings.NewReplacer("%7C", "|", "%3E", ">").Replace(u), ev.TargetURL)
				}
				s = before
			}
		}
		if strings.ContainsAny(s, "<>") {
			t.Fatalf("slack mrkdwn %q has an unescaped < or >", s)
		}
	}
}

func checkNtfy(t *testing.T, ev app.Event, r sentRequest) {
	t.Helper()
	var dec mime.WordDecoder
	title, err := dec.DecodeHeader(r.header.Get("Title"))
	if err != nil {
		t.Fatalf("ntfy title %q: %v", r.header.Get("Title"), err)
	}
	if want := strings.Join(strings.Fields(truncate(ev.Title, 250)), " "); title != want {
		t.Fatalf("ntfy title decodes to %q, want %q", title, want)
	}
	if len(r.body) > ntfyBodyMax || !utf8.Valid(r.body) || len(r.body) == 0 {
		t.Fatalf("ntfy body of %d bytes (valid UTF-8: %v)", len(r.body), utf8.Valid(r.body))
	}
	text := ev.Body
	if text == "" {
		text = ev.Title
	}
	if got := string(r.body); got != text && !strings.HasPrefix(text, strings.TrimSuffix(got, "…")) {
		t.Fatalf("ntfy body %q is not the text %q or a cut of it", got, text)
	}
	checkLink(t, "ntfy", r.header.Get("Click"), ev.TargetURL)
	if u, p, ok := (&http.Request{Header: r.header}).BasicAuth(); !ok || u != "u" || p != "p" {
		t.Fatalf("ntfy credentials arrived as %q %q %v", u, p, ok)
	}
}

func checkGeneric(t *testing.T, n *app.Notification, secret string, d *app.WebhookDelivery, r sentRequest) {
	t.Helper()
	var env struct {
		ID        string    `json:"id"`
		Event     string    `json:"event"`
		Timestamp time.Time `json:"timestamp"`
		Data      snapshot  `json:"data"`
	}
	decodeBody(t, "generic", r.body, &env)
	want := snapshotOf(n)
	env.Data.Data, want.Data = nil, nil
	if env.ID != d.ID || env.Event != d.Event || !reflect.DeepEqual(env.Data, want) {
		t.Fatalf("generic body %s does not carry the notification %+v", r.body, want)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(r.header.Get("webhook-id") + "." + r.header.Get("webhook-timestamp") + "."))
	mac.Write(r.body)
	if got, want := r.header.Get("webhook-signature"), "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)); got != want {
		t.Fatalf("webhook-signature %q, want %q", got, want)
	}
}
