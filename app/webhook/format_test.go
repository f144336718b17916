package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/belfry/belfry/app"
)

// fullEvent has every field a format renders.
var fullEvent = app.Event{Type: "job_failed", Level: app.LevelError, Title: "Backup <nas> failed",
	Body: "Disk **full** & retrying", Data: json.RawMessage(`{"job":42}`), TargetURL: "/jobs/42",
	ServiceID: "restic", Project: "homelab"}

// deliverOne publishes ev to a fresh webhook of kind and returns what the
// receiver got.
func deliverOne(t *testing.T, f *fixture, kind app.WebhookKind, ev app.Event, edit func(*app.Webhook)) (received, *app.Webhook) {
	t.Helper()
	rcv := newReceiver(t, f.clock)
	w := f.hook(f.alice, kind, rcv.URL+"/hook")
	if edit != nil {
		edit(w)
		if err := f.store.UpdateWebhook(t.Context(), w); err != nil {
			t.Fatal(err)
		}
	}
	f.publish(f.alice, ev)
	f.drain()
	reqs := rcv.requests()
	if len(reqs) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(reqs))
	}
	if log := f.log(w); len(log) != 1 || log[0].Status != app.DeliveryDelivered || log[0].ResponseCode != 204 {
		t.Fatalf("delivery log = %+v", log[0])
	}
	return reqs[0], w
}

func TestFormat_Discord(t *testing.T) {
	f := newFixture(t)
	got, _ := deliverOne(t, f, app.WebhookDiscord, fullEvent, nil)
	var p struct {
		Username string `json:"username"`
		Embeds   []struct {
			Title, Description, URL, Timestamp string
			Color                              int
			Footer                             struct{ Text string }
			Fields                             []struct {
				Name, Value string
				Inline      bool
			}
		}
		AllowedMentions struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
	}
	decodeJSON(t, got.Body, &p)
	if got.Header.Get("Content-Type") != "application/json" || len(p.Embeds) != 1 {
		t.Fatalf("not one JSON embed: %s", got.Body)
	}
	e := p.Embeds[0]
	if e.Title != fullEvent.Title || e.Description != fullEvent.Body || e.Color != 0xE74C3C ||
		e.URL != "https://belfry.example/jobs/42" || e.Timestamp != epoch.Format(time.RFC3339) ||
		e.Footer.Text != "Belfry · job_failed" || len(e.Fields) != 2 || e.Fields[0].Value != "restic" || e.Fields[1].Value != "homelab" {
		t.Fatalf("embed = %+v", e)
	}
	if p.AllowedMentions.Parse == nil || len(p.AllowedMentions.Parse) != 0 {
		t.Fatalf("mentions are not disabled: %s", got.Body)
	}
	t.Run("Limits", func(t *testing.T) {
		// Titles are limited to 256 bytes at publish, so a longer one
		// only reaches the formatter directly.
		m, err := discordMessage(snapshot{Title: strings.Repeat("é", 300), Body: strings.Repeat("b", 5000), Level: app.LevelWarning}, "")
		if err != nil {
			t.Fatal(err)
		}
		p.Embeds = nil
		decodeJSON(t, m.body, &p)
		e := p.Embeds[0]
		if utf8.RuneCountInString(e.Title) != 256 || utf8.RuneCountInString(e.Description) != 4096 ||
			!strings.HasSuffix(e.Description, "…") || e.Color != 0xF1C40F || e.URL != "" {
			t.Fatalf("title %d runes, description %d runes, colour %x, url %q",
				utf8.RuneCountInString(e.Title), utf8.RuneCountInString(e.Description), e.Color, e.URL)
		}
	})
}

func TestFormat_Slack(t *testing.T) {
	f := newFixture(t)
	got, _ := deliverOne(t, f, app.WebhookSlack, fullEvent, nil)
	var p struct {
		Text   string
		Blocks []struct {
			Type     string
			Text     *struct{ Type, Text string }
			Elements []struct{ Type, Text string }
		}
	}
	decodeJSON(t, got.Body, &p)
	if p.Text != "Backup &lt;nas&gt; failed" || len(p.Blocks) != 3 {
		t.Fatalf("payload = %s", got.Body)
	}
	h, s, c := p.Blocks[0], p.Blocks[1], p.Blocks[2]
	if h.Type != "header" || h.Text.Type != "plain_text" || h.Text.Text != fullEvent.Title ||
		s.Type != "section" || s.Text.Type != "mrkdwn" || s.Text.Text != "Disk **full** &amp; retrying" ||
		c.Type != "context" || len(c.Elements) != 1 ||
		c.Elements[0].Text != ":rotating_light: error · job_failed · restic · homelab · <https://belfry.example/jobs/42|Open>" {
		t.Fatalf("blocks = %s", got.Body)
	}
	t.Run("Limits", func(t *testing.T) {
		f := newFixture(t)
		got, _ := deliverOne(t, f, app.WebhookSlack, app.Event{Title: strings.Repeat("t", 200)}, nil)
		p.Blocks = nil
		decodeJSON(t, got.Body, &p)
		if n := utf8.RuneCountInString(p.Blocks[0].Text.Text); n != 150 || len(p.Blocks) != 2 || p.Blocks[1].Type != "context" {
			t.Fatalf("header of %d runes, blocks %s", n, got.Body)
		}
	})
}

func TestFormat_Ntfy(t *testing.T) {
	t.Run("Basic", func(t *testing.T) {
		f := newFixture(t)
		got, _ := deliverOne(t, f, app.WebhookNtfy, fullEvent, func(w *app.Webhook) {
			w.AuthUsername, w.AuthPassword = "phone", "s3cret pass"
		})
		if string(got.Body) != fullEvent.Body || got.Header.Get("Title") != fullEvent.Title ||
			got.Header.Get("Priority") != "5" || got.Header.Get("Tags") != "rotating_light,job_failed" ||
			got.Header.Get("Click") != "https://belfry.example/jobs/42" || got.Header.Get("Markdown") != "yes" {
			t.Fatalf("ntfy request: headers %v body %q", got.Header, got.Body)
		}
		auth := strings.TrimPrefix(got.Header.Get("Authorization"), "Basic ")
		if raw, _ := base64.StdEncoding.DecodeString(auth); string(raw) != "phone:s3cret pass" {
			t.Fatalf("basic auth = %q", raw)
		}
	})
	t.Run("TokenAndUnicode", func(t *testing.T) {
		f := newFixture(t)
		ev := app.Event{Title: "Sauvegarde échouée ✗", Level: app.LevelInfo}
		got, _ := deliverOne(t, f, app.WebhookNtfy, ev, func(w *app.Webhook) { w.AuthToken = "tk_abc" })
		title, err := new(mime.WordDecoder).DecodeHeader(got.Header.Get("Title"))
		if err != nil || title != ev.Title || string(got.Body) != ev.Title || got.Header.Get("Priority") != "3" ||
			got.Header.Get("Authorization") != "Bearer tk_abc" || got.Header.Get("Click") != "" {
			t.Fatalf("title %q (%v), headers %v, body %q", title, err, got.Header, got.Body)
		}
	})
}

// verifySignature fails t unless checkSignature accepts the request.
func verifySignature(t *testing.T, secret string, h map[string][]string, body []byte, now time.Time) {
	t.Helper()
	if err := checkSignature(secret, h, body, now); err != nil {
		t.Fatal(err)
	}
}

// checkSignature checks a Standard Webhooks signature the way a receiver
// would, without the package's Sign: it decodes the secret, recomputes the
// HMAC over "id.timestamp.body" and compares it with each "v1," entry.
func checkSignature(secret string, h map[string][]string, body []byte, now time.Time) error {
	get := func(k string) string {
		for key, v := range h {
			if strings.EqualFold(key, k) && len(v) == 1 {
				return v[0]
			}
		}
		return ""
	}
	id, ts, sigs := get("webhook-id"), get("webhook-timestamp"), get("webhook-signature")
	if id == "" || sigs == "" {
		return fmt.Errorf("webhook-id or webhook-signature missing: %v", h)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return fmt.Errorf("webhook-timestamp %q is not within 5 minutes of %v", ts, now)
	}
	if !strings.HasPrefix(secret, "whsec_") {
		return fmt.Errorf("secret %q lacks the whsec_ prefix", secret)
	}
	key, err := base64.StdEncoding.DecodeString(secret[len("whsec_"):])
	if err != nil || len(key) != 24 {
		return fmt.Errorf("secret key: %d bytes, %v", len(key), err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		version, b64, _ := strings.Cut(s, ",")
		got, err := base64.StdEncoding.DecodeString(b64)
		if version == "v1" && err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("no valid v1 signature in %q", sigs)
}

func TestFormat_Generic(t *testing.T) {
	f := newFixture(t)
	got, w := deliverOne(t, f, app.WebhookGeneric, fullEvent, nil)
	verifySignature(t, w.Secret, got.Header, got.Body, f.clock.Now())
	var p struct {
		ID, Event string
		Timestamp time.Time
		Data      map[string]any
	}
	decodeJSON(t, got.Body, &p)
	log := f.log(w)
	if p.ID != log[0].ID || got.Header.Get("webhook-id") != p.ID || p.Event != "job.failed" || !p.Timestamp.Equal(epoch) {
		t.Fatalf("envelope = %+v, delivery %s", p, log[0].ID)
	}
	d := p.Data
	if d["id"] != log[0].NotificationID || d["user_id"] != f.alice.ID || d["type"] != "job_failed" ||
		d["level"] != "error" || d["title"] != fullEvent.Title || d["body"] != fullEvent.Body ||
		d["target_url"] != "/jobs/42" || d["service_id"] != "restic" || d["project"] != "homelab" ||
		d["data"].(map[string]any)["job"] != float64(42) {
		t.Fatalf("data = %v", d)
	}
	if _, ok := d["is_read"]; ok {
		t.Fatalf("per-reader state leaked into the payload: %v", d)
	}
	if err := checkSignature(w.Secret, got.Header, append(got.Body, ' '), f.clock.Now()); err == nil {
		t.Fatal("the independent verifier accepted a tampered body")
	}
	if err := checkSignature("whsec_"+base64.StdEncoding.EncodeToString(make([]byte, 24)), got.Header, got.Body, f.clock.Now()); err == nil {
		t.Fatal("the independent verifier accepted another key")
	}
}

func TestSecretAndSign(t *testing.T) {
	a, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSecret()
	if a == b || !strings.HasPrefix(a, "whsec_") || len(a) != len("whsec_")+32 {
		t.Fatalf("secrets %q %q", a, b)
	}
	if _, err := Sign("whsec_!!!", "id", 1, nil); err == nil {
		t.Fatal("a secret that is not base64 signed")
	}
	h := map[string][]string{"webhook-id": {"msg_1"}, "webhook-timestamp": {"1700000000"}}
	sig, err := Sign(a, "msg_1", 1700000000, []byte(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	h["webhook-signature"] = []string{"v1,bm90LWl0 " + sig}
	verifySignature(t, a, h, []byte(`{"a":1}`), time.Unix(1700000000, 0))
}

func TestLinkAndTruncate(t *testing.T) {
	for _, tc := range []struct{ target, want string }{
		{"", ""}, {"/jobs/1", "https://b.example/jobs/1"}, {"https://x.example/a", "https://x.example/a"},
		{"//evil.example/x", ""}, {"javascript:alert(1)", ""},
	} {
		if got := link(tc.target, "https://b.example/"); got != tc.want {
			t.Errorf("link(%q) = %q, want %q", tc.target, got, tc.want)
		}
	}
	if got := truncateBytes("aéé", 4); got != "a…" {
		t.Errorf("truncateBytes split a rune: %q", got)
	}
	if got := truncate("abcdef", 4); got != "abc…" {
		t.Errorf("truncate = %q", got)
	}
}
