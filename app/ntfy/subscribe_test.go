package ntfy_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/server/servertest"
)

// subscriber is the harness with alice's client token, the credential
// that reads.
type subscriber struct {
	*harness
	client string
	ids    []string // what seed published, oldest first
}

// newSubscriber publishes, as alice, the messages of ntfy's documented
// examples to three topics, and one native event without a topic.
func newSubscriber(t *testing.T) *subscriber { return newSubscriberWith(t, nil) }

// newSubscriberWith is newSubscriber with the configuration changed by
// config (nil: none).
func newSubscriberWith(t *testing.T, config func(*app.Config)) *subscriber {
	var opts []servertest.Option
	if config != nil {
		opts = append(opts, servertest.WithConfig(config))
	}
	h := newHarness(t, opts...)
	s := &subscriber{harness: h, client: h.a.Token(h.alice, app.ScopeClient)}
	for _, r := range []req{
		{method: "POST", path: "/mytopic1", body: "for topic 1"},
		{method: "POST", path: "/mytopic2", body: "for topic 2"},
		{method: "POST", path: "/phil_alerts", body: "Remote access to phils-laptop detected. Act right away.",
			headers: []string{"Title: Unauthorized access detected", "Priority: 5", "Tags: warning,skull"}},
		{method: "POST", path: "/disk-alerts", body: "Disk full", headers: []string{"Priority: high", "Tags: warning"}},
	} {
		a, _ := h.published(r)
		s.ids = append(s.ids, a.ID)
		time.Sleep(2 * time.Millisecond) // distinct creation times, for since=<time>
	}
	if _, err := h.a.Dispatcher.Notify(context.Background(), h.alice, &app.Event{Type: "job_failed", Title: "Nightly job failed", Level: app.LevelError}); err != nil {
		t.Fatal(err)
	}
	return s
}

// poll sends GET path as the subscriber and returns the messages of a 200
// JSON answer.
func (s *subscriber) poll(path string, headers ...string) []answer {
	s.t.Helper()
	rp := s.get(path, headers...)
	if rp.status != http.StatusOK {
		s.t.Fatalf("GET %s: %d %s", path, rp.status, rp.body)
	}
	if ct := rp.header.Get("Content-Type"); ct != "application/x-ndjson; charset=utf-8" {
		s.t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	var out []answer
	sc := bufio.NewScanner(bytes.NewReader(rp.body))
	for sc.Scan() {
		var a answer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			s.t.Fatalf("GET %s: line %q: %v", path, sc.Text(), err)
		}
		out = append(out, a)
	}
	return out
}

func (s *subscriber) get(path string, headers ...string) reply {
	s.t.Helper()
	if !slices.ContainsFunc(headers, func(h string) bool { return strings.HasPrefix(h, "Authorization:") }) {
		headers = append(headers, "Authorization: Bearer "+s.client)
	}
	return s.do(req{method: "GET", path: path, headers: headers, noAuth: true})
}

func messages(as []answer) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Topic + ":" + a.Message
	}
	return out
}

func wantMessages(t *testing.T, path string, got []answer, want ...string) {
	t.Helper()
	if g := messages(got); !slices.Equal(g, want) {
		t.Errorf("GET %s:\n got %q\nwant %q", path, g, want)
	}
}

// TestPollTopics: a topic is the caller's notifications published to it;
// several topics are one comma-separated path segment; inbox is every
// notification, under its own topic when that was asked for too.
func TestPollTopics(t *testing.T) {
	s := newSubscriber(t)
	for _, c := range []struct {
		path string
		want []string
	}{
		{"/mytopic1/json?poll=1", []string{"mytopic1:for topic 1"}},
		{"/mytopic1,mytopic2/json?poll=1", []string{"mytopic1:for topic 1", "mytopic2:for topic 2"}},
		{"/nothing-here/json?poll=1", nil},
		{"/inbox/json?poll=1", []string{"inbox:for topic 1", "inbox:for topic 2",
			"inbox:Remote access to phils-laptop detected. Act right away.", "inbox:Disk full", "inbox:Nightly job failed"}},
		{"/disk-alerts,inbox/json?poll=1", []string{"inbox:for topic 1", "inbox:for topic 2",
			"inbox:Remote access to phils-laptop detected. Act right away.", "disk-alerts:Disk full", "inbox:Nightly job failed"}},
		{"/mytopic1/json?poll=yes", []string{"mytopic1:for topic 1"}},
	} {
		wantMessages(t, c.path, s.poll(c.path), c.want...)
	}
}

// TestPollShape: the message JSON of ntfy's documented example, field by
// field; a message published without a title has none; a native event's
// priority follows its level.
func TestPollShape(t *testing.T) {
	s := newSubscriber(t)
	got := s.poll("/phil_alerts/json?poll=1")
	if len(got) != 1 {
		t.Fatalf("got %d messages", len(got))
	}
	a := got[0]
	if a.ID != s.ids[2] || a.Event != "message" || a.Topic != "phil_alerts" || a.Title != "Unauthorized access detected" ||
		a.Message != "Remote access to phils-laptop detected. Act right away." || a.Priority != 5 ||
		!slices.Equal(a.Tags, []string{"warning", "skull"}) || a.ContentType != "" {
		t.Errorf("message %+v", a)
	}
	if d := time.Since(time.Unix(a.Time, 0)); d < 0 || d > time.Minute {
		t.Errorf("time %d is not the creation time", a.Time)
	}
	plain := s.poll("/mytopic1/json?poll=1")[0]
	if plain.Title != "" || plain.Message != "for topic 1" || plain.Priority != 0 {
		t.Errorf("minimal message %+v", plain)
	}
	native := s.poll("/inbox/json?poll=1&since=latest")[0]
	if native.Message != "Nightly job failed" || native.Title != "" || native.Priority != 5 || native.ContentType != "text/markdown" {
		t.Errorf("native event %+v", native)
	}
	raw := s.get("/mytopic1/json?poll=1")
	var fields map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(raw.body), &fields); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"title", "priority", "tags", "click", "icon", "actions", "content_type"} {
		if _, ok := fields[k]; ok {
			t.Errorf("minimal message carries %q: %s", k, raw.body)
		}
	}
}

// TestPollSince: every form of since=, and a resume from the last id seen
// that neither repeats nor misses a message, also when that message was
// deleted meanwhile.
func TestPollSince(t *testing.T) {
	s := newSubscriber(t)
	all := []string{"inbox:for topic 1", "inbox:for topic 2", "inbox:Remote access to phils-laptop detected. Act right away.",
		"inbox:Disk full", "inbox:Nightly job failed"}
	for _, c := range []struct {
		since string
		want  []string
	}{
		{"", all},
		{"all", all},
		{"latest", all[4:]},
		{"10m", all},
		{"30s", all},
		{"1d", all},
		{"0", all},
		{fmt.Sprint(time.Now().Add(time.Hour).Unix()), nil},
		{s.ids[0], all[1:]},
		{s.ids[2], all[3:]},
		{strings.ToUpper(s.ids[2]), all[3:]},
	} {
		path := "/inbox/json?poll=1&since=" + c.since
		wantMessages(t, path, s.poll(path), c.want...)
	}

	// Resume: the last id seen was deleted in the web inbox since.
	if err := s.a.Inbox.Delete(context.Background(), s.alice.ID, s.ids[1]); err != nil {
		t.Fatal(err)
	}
	path := "/inbox/json?poll=1&since=" + s.ids[1]
	wantMessages(t, path, s.poll(path), all[2:]...)

	// Another user's id is no way in: bob's since= starts where that id's
	// time is and finds only his own.
	bob := s.a.User("bob", false)
	bobs := "Authorization: Bearer " + s.a.Token(bob, app.ScopeClient)
	if got := s.poll("/inbox/json?poll=1&since="+s.ids[0], bobs); len(got) != 0 {
		t.Errorf("bob polls alice's messages: %+v", got)
	}

	for _, bad := range []string{"yesterday", "10x", "-5", "abc123def456"} {
		s.refused(req{method: "GET", path: "/inbox/json?poll=1&since=" + bad, noAuth: true,
			headers: []string{"Authorization: Bearer " + s.client}}, 400, 40000, "since must be")
	}
}

// TestPollFilters: ntfy's filters, each alone and together.
func TestPollFilters(t *testing.T) {
	s := newSubscriber(t)
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"priority=5", []string{"inbox:Remote access to phils-laptop detected. Act right away.", "inbox:Nightly job failed"}},
		{"priority=high", []string{"inbox:Disk full"}},
		{"p=4,urgent", []string{"inbox:Remote access to phils-laptop detected. Act right away.", "inbox:Disk full", "inbox:Nightly job failed"}},
		{"priority=default", []string{"inbox:for topic 1", "inbox:for topic 2"}},
		{"tags=warning", []string{"inbox:Remote access to phils-laptop detected. Act right away.", "inbox:Disk full"}},
		{"tags=warning,skull", []string{"inbox:Remote access to phils-laptop detected. Act right away."}},
		{"title=Unauthorized+access+detected", []string{"inbox:Remote access to phils-laptop detected. Act right away."}},
		{"message=Disk+full", []string{"inbox:Disk full"}},
		{"id=" + s.ids[1], []string{"inbox:for topic 2"}},
		{"tags=warning&priority=high", []string{"inbox:Disk full"}},
		{"message=nope", nil},
	} {
		path := "/inbox/json?poll=1&" + c.query
		wantMessages(t, path, s.poll(path), c.want...)
	}
	s.refused(req{method: "GET", path: "/inbox/json?poll=1&priority=6", noAuth: true,
		headers: []string{"Authorization: Bearer " + s.client}}, 400, 40007, "priority filter")
}

// TestPollFormats: the SSE and raw forms of ntfy's documented examples.
func TestPollFormats(t *testing.T) {
	s := newSubscriber(t)
	sse := s.get("/disk-alerts/sse?poll=1")
	if sse.status != 200 || sse.header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("sse: %d %v", sse.status, sse.header)
	}
	body := string(sse.body)
	if !strings.HasPrefix(body, "data: {") || !strings.HasSuffix(body, "}\n\n") || !strings.Contains(body, `"message":"Disk full"`) {
		t.Errorf("sse body %q", body)
	}
	raw := s.get("/mytopic1,disk-alerts/raw?poll=1")
	if raw.status != 200 || raw.header.Get("Content-Type") != "text/plain; charset=utf-8" || string(raw.body) != "for topic 1\nDisk full\n" {
		t.Errorf("raw: %d %v %q", raw.status, raw.header, raw.body)
	}
}

// TestSubscribeAuth: the credentials ntfy clients send, the topic auth
// check and health the ntfy app calls, and what is refused.
func TestSubscribeAuth(t *testing.T) {
	s := newSubscriber(t)
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	for _, h := range []string{
		"Authorization: " + basic("", s.client),
		"Authorization: " + basic("alice", apptest.Password),
	} {
		if got := s.poll("/mytopic1/json?poll=1", h); len(got) != 1 {
			t.Errorf("%s: got %d messages", h[:22], len(got))
		}
	}
	auth := base64.RawURLEncoding.EncodeToString([]byte("Bearer " + s.client))
	if got := s.poll("/mytopic1/json?poll=1&auth="+auth, "Authorization: Bearer wrong"); len(got) != 1 {
		t.Errorf("?auth=: got %d messages", len(got))
	}

	rp := s.get("/mytopic1/auth")
	if rp.status != 200 || strings.TrimSpace(string(rp.body)) != `{"success":true}` {
		t.Errorf("auth check: %d %s", rp.status, rp.body)
	}
	rp = s.do(req{method: "GET", path: "/v1/health", noAuth: true})
	if rp.status != 200 || strings.TrimSpace(string(rp.body)) != `{"healthy":true}` {
		t.Errorf("health: %d %s", rp.status, rp.body)
	}

	publishToken := "Authorization: Bearer " + s.token
	for _, path := range []string{"/mytopic1/json?poll=1", "/mytopic1/auth", "/mytopic1/sse?poll=1"} {
		s.refused(req{method: "GET", path: path, noAuth: true}, 401, 40101, "unauthorized")
		s.refused(req{method: "GET", path: path, noAuth: true, headers: []string{publishToken}}, 403, 40301, "may not subscribe")
		s.refused(req{method: "GET", path: path, noAuth: true, headers: []string{"Authorization: " + basic("alice", "wrong password")}}, 401, 40101)
	}
	s.refused(req{method: "GET", path: "/bad.topic/json?poll=1", noAuth: true, headers: []string{"Authorization: Bearer " + s.client}}, 400, 40009)
	s.refused(req{method: "GET", path: "/mytopic1,api/auth", noAuth: true, headers: []string{"Authorization: Bearer " + s.client}}, 400, 40010)
}

// TestPollIsolation: another user's poll of the same topics sees nothing
// of alice's, and a topic routed to both reaches each with their own copy.
func TestPollIsolation(t *testing.T) {
	s := newSubscriber(t)
	bob := s.a.User("bob", false)
	bobs := "Authorization: Bearer " + s.a.Token(bob, app.ScopeClient)
	for _, path := range []string{"/inbox/json?poll=1", "/mytopic1,mytopic2,phil_alerts/json?poll=1&since=all"} {
		if got := s.poll(path, bobs); len(got) != 0 {
			t.Errorf("bob polls %s: %+v", path, got)
		}
	}
	if err := s.a.TopicRoutes.PutRoute(context.Background(), &app.Route{Topic: "family", Users: []string{"alice", "bob"}}); err != nil {
		t.Fatal(err)
	}
	s.published(req{method: "POST", path: "/family", body: "Dinner at eight"})
	mine, his := s.poll("/family/json?poll=1"), s.poll("/family/json?poll=1", bobs)
	if len(mine) != 1 || len(his) != 1 || mine[0].ID == his[0].ID || his[0].Message != "Dinner at eight" {
		t.Errorf("routed topic: alice %+v, bob %+v", mine, his)
	}
}
