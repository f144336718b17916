package ntfy_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
)

// TestStreamLive: a held-open subscription of ntfy's documented JSON
// stream: the open event naming the topics as requested, no backlog
// without since=, then each new message of the topics (a native event
// under inbox), nothing of other topics.
func TestStreamLive(t *testing.T) {
	s := newSubscriber(t)
	st := s.open("/mytopic1,inbox/json")
	if ct := st.header.Get("Content-Type"); ct != "application/x-ndjson; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	open := st.event()
	if open.Event != "open" || open.Topic != "mytopic1,inbox" || open.ID == "" || open.Time == 0 || open.Message != "" {
		t.Fatalf("open event %+v", open)
	}
	a, _ := s.published(req{method: "POST", path: "/mytopic1", body: "Backup done", headers: []string{"Title: nas", "Priority: 4", "Tags: floppy_disk"}})
	got := st.message()
	if got.ID != a.ID || got.Topic != "mytopic1" || got.Message != "Backup done" || got.Title != "nas" || got.Priority != 4 ||
		!slices.Equal(got.Tags, []string{"floppy_disk"}) || got.SequenceID != a.ID {
		t.Errorf("message %+v; published %+v", got, a)
	}
	only1 := s.open("/mytopic1/json")
	only1.event()
	s.published(req{method: "POST", path: "/mytopic2", body: "for topic 2"})
	if got := st.message(); got.Topic != "inbox" || got.Message != "for topic 2" {
		t.Errorf("another topic, under inbox: %+v", got)
	}
	if _, err := s.a.Dispatcher.Notify(context.Background(), s.alice, &app.Event{Type: "job_failed", Title: "Backup failed", Level: app.LevelError}); err != nil {
		t.Fatal(err)
	}
	if got := st.message(); got.Topic != "inbox" || got.Message != "Backup failed" || got.Priority != 5 {
		t.Errorf("native event: %+v", got)
	}
	st.quiet()
	only1.quiet()
}

// TestStreamSince: since= gives the backlog first, then live messages;
// a client that resumes with the id of the last message it read while
// messages keep arriving gets each exactly once, in order.
func TestStreamSince(t *testing.T) {
	s := newSubscriber(t)
	st := s.open("/inbox/json?since=" + s.ids[2])
	if st.event().Event != "open" {
		t.Fatal("no open event first")
	}
	if got := []string{st.message().Message, st.message().Message}; !slices.Equal(got, []string{"Disk full", "Nightly job failed"}) {
		t.Errorf("backlog %q", got)
	}
	st.cancel()

	// Publish 60 messages while a client resumes after the first of them.
	const n = 60
	first, _ := s.published(req{method: "POST", path: "/resume", body: "m0"})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i < n; i++ {
			s.published(req{method: "POST", path: "/resume", body: fmt.Sprint("m", i)})
		}
	}()
	time.Sleep(5 * time.Millisecond)
	st = s.open("/resume/json?since=" + first.ID)
	if st.event().Event != "open" {
		t.Fatal("no open event first")
	}
	for i := 1; i < n; i++ {
		if got := st.message().Message; got != fmt.Sprint("m", i) {
			t.Fatalf("message %d: got %q (a gap or a duplicate)", i, got)
		}
	}
	wg.Wait()
	st.quiet()

	for _, c := range []struct{ since, want string }{{"all", "for topic 1"}, {"latest", "m59"}, {"1h", "for topic 1"}} {
		st := s.open("/inbox/json?since=" + c.since)
		st.event()
		if got := st.message().Message; got != c.want {
			t.Errorf("since=%s: first message %q, want %q", c.since, got, c.want)
		}
	}
	s.refused(req{method: "GET", path: "/inbox/json?since=yesterday", noAuth: true, headers: []string{"Authorization: Bearer " + s.client}}, 400, 40000, "since must be")
}

// TestStreamFilters: the filters apply to live messages as to polls.
func TestStreamFilters(t *testing.T) {
	s := newSubscriber(t)
	st := s.open("/alerts/json?priority=high,urgent&tags=warning")
	st.event()
	s.published(req{method: "POST", path: "/alerts", body: "low", headers: []string{"Priority: 2", "Tags: warning"}})
	s.published(req{method: "POST", path: "/alerts", body: "no tag", headers: []string{"Priority: 5"}})
	s.published(req{method: "POST", path: "/alerts", body: "this one", headers: []string{"Priority: 5", "Tags: warning,skull"}})
	if got := st.message().Message; got != "this one" {
		t.Errorf("filtered stream got %q", got)
	}
	st.quiet()
	s.refused(req{method: "GET", path: "/alerts/json?priority=loud", noAuth: true, headers: []string{"Authorization: Bearer " + s.client}}, 400, 40007)
}

// TestStreamFormats: the SSE stream names every event but message (so
// EventSource's onmessage gets messages), the raw stream is the message
// text alone and an empty line for any other event.
func TestStreamFormats(t *testing.T) {
	s := newSubscriber(t)
	sse := s.open("/mytopic1/sse")
	if ct := sse.header.Get("Content-Type"); ct != "text/event-stream; charset=utf-8" {
		t.Errorf("sse Content-Type %q", ct)
	}
	raw := s.open("/mytopic1/raw")
	if l := sse.line(); l != "event: open" {
		t.Errorf("sse open: %q", l)
	}
	if l := sse.line(); !strings.HasPrefix(l, `data: {"id":`) || !strings.Contains(l, `"event":"open"`) {
		t.Errorf("sse open data: %q", l)
	}
	sse.line() // the blank line ending the event
	if l := raw.line(); l != "" {
		t.Errorf("raw open: %q", l)
	}
	s.published(req{method: "POST", path: "/mytopic1", body: "two\nlines"})
	if l := sse.line(); !strings.HasPrefix(l, "data: {") || !strings.Contains(l, `"message":"two\nlines"`) {
		t.Errorf("sse message: %q", l)
	}
	if l := raw.line(); l != "two lines" {
		t.Errorf("raw message: %q", l)
	}
}

// TestStreamClearAndDelete: reading, acknowledging and deleting in the web
// inbox reach the ntfy app as message_clear and message_delete events
// (ntfy 2.16) naming the notification in sequence_id, under the topic it
// was shown under; read all and delete read as well.
func TestStreamClearAndDelete(t *testing.T) {
	s := newSubscriber(t)
	ctx := context.Background()
	st := s.open("/mytopic1,mytopic2/json?since=all")
	st.event()
	shown := []string{st.message().ID, st.message().ID}
	want := func(event, topic, id string) {
		t.Helper()
		got := st.event()
		if got.Event != event || got.Topic != topic || got.SequenceID != id || got.ID == "" || got.ID == id || got.Message != "" {
			t.Errorf("got %+v, want %s of %s on %s", got, event, id, topic)
		}
	}
	if err := s.a.Inbox.MarkRead(ctx, s.alice.ID, shown[0]); err != nil {
		t.Fatal(err)
	}
	want("message_clear", "mytopic1", shown[0])
	if err := s.a.Inbox.Delete(ctx, s.alice.ID, shown[1]); err != nil {
		t.Fatal(err)
	}
	want("message_delete", "mytopic2", shown[1])
	// Deleted but never shown on this stream: under each of its topics.
	if err := s.a.Inbox.Delete(ctx, s.alice.ID, s.ids[3]); err != nil {
		t.Fatal(err)
	}
	want("message_delete", "mytopic1", s.ids[3])
	want("message_delete", "mytopic2", s.ids[3])

	a, _ := s.published(req{method: "POST", path: "/mytopic2", body: "new"})
	st.message()
	if _, err := s.a.Inbox.Acknowledge(ctx, s.alice.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	want("message_clear", "mytopic2", a.ID)
	b, _ := s.published(req{method: "POST", path: "/mytopic1", body: "newer"})
	st.message()
	if _, err := s.a.Inbox.MarkAllRead(ctx, s.alice.ID); err != nil {
		t.Fatal(err)
	}
	want("message_clear", "mytopic1", b.ID) // the only one shown and still unread
	if _, err := s.a.Inbox.DeleteRead(ctx, s.alice.ID); err != nil {
		t.Fatal(err)
	}
	for _, w := range [][2]string{{"mytopic1", shown[0]}, {"mytopic2", a.ID}, {"mytopic1", b.ID}} {
		want("message_delete", w[0], w[1])
	}
	st.quiet()
}

// TestStreamKeepalive: ntfy's keepalive event every
// websocket.stream_keepalive, on every format.
func TestStreamKeepalive(t *testing.T) {
	s := newSubscriberWith(t, func(c *app.Config) { c.WebSocket.StreamKeepalive = app.Duration{Duration: 100 * time.Millisecond} })
	st := s.open("/mytopic1,mytopic2/json")
	st.event()
	if k := st.event(); k.Event != "keepalive" || k.Topic != "mytopic1,mytopic2" || k.ID == "" {
		t.Errorf("keepalive %+v", k)
	}
	sse := s.open("/mytopic1/sse")
	sse.line()
	sse.line()
	sse.line()
	if l := sse.line(); l != "event: keepalive" {
		t.Errorf("sse keepalive %q", l)
	}
}

// TestStreamAuth: the credentials ntfy clients send open a stream; what
// is refused is refused before the stream opens, in ntfy's error JSON.
func TestStreamAuth(t *testing.T) {
	s := newSubscriber(t)
	basic := func(user, pass string) string {
		return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	auth := base64.RawURLEncoding.EncodeToString([]byte("Bearer " + s.client))
	for _, c := range []struct{ path, header string }{
		{"/mytopic1/json", basic("", s.client)},
		{"/mytopic1/json", basic("alice", apptest.Password)},
		{"/mytopic1/json?auth=" + auth, "Authorization: Bearer wrong"},
	} {
		st := s.open(c.path, c.header)
		if e := st.event(); e.Event != "open" {
			t.Errorf("%s %s: %+v", c.path, c.header, e)
		}
		st.cancel()
	}
	client := "Authorization: Bearer " + s.client
	for _, path := range []string{"/mytopic1/json", "/mytopic1/sse", "/mytopic1/raw"} {
		s.refused(req{method: "GET", path: path, noAuth: true}, 401, 40101, "unauthorized")
		s.refused(req{method: "GET", path: path, noAuth: true, headers: []string{"Authorization: Bearer " + s.token}}, 403, 40301, "may not subscribe")
		s.refused(req{method: "GET", path: path, noAuth: true, headers: []string{basic("alice", "wrong password")}}, 401, 40101)
	}
	s.refused(req{method: "GET", path: "/bad.topic/json", noAuth: true, headers: []string{client}}, 400, 40009)
	s.refused(req{method: "GET", path: "/mytopic1,api/json", noAuth: true, headers: []string{client}}, 400, 40010)
}

// TestStreamRevoked: revoking the token ends its streams, not the others;
// deleting the user ends the rest.
func TestStreamRevoked(t *testing.T) {
	s := newSubscriber(t)
	ctx := context.Background()
	other := s.a.Token(s.alice, app.ScopeClient)
	byToken := s.open("/mytopic1/json")
	byOther := s.open("/mytopic1/json", "Authorization: Bearer "+other)
	byPassword := s.open("/mytopic1/json", "Authorization: Basic "+base64.StdEncoding.EncodeToString([]byte("alice:"+apptest.Password)))
	for _, st := range []*stream{byToken, byOther, byPassword} {
		st.event()
	}
	_, tk, err := s.a.Auth.TokenUser(ctx, s.client)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.a.Auth.RevokeToken(ctx, "", tk.ID); err != nil {
		t.Fatal(err)
	}
	byToken.ends()
	s.published(req{method: "POST", path: "/mytopic1", body: "still here"})
	for _, st := range []*stream{byOther, byPassword} {
		if got := st.message().Message; got != "still here" {
			t.Errorf("got %q", got)
		}
	}
	if err := s.a.Auth.DeleteUser(ctx, s.alice.ID); err != nil {
		t.Fatal(err)
	}
	byOther.ends()
	byPassword.ends()
}

// TestStreamIsolation: bob's stream of the same topics sees nothing of
// alice's; a topic routed to both reaches each with their own copy.
func TestStreamIsolation(t *testing.T) {
	s := newSubscriber(t)
	bob := s.a.User("bob", false)
	bobs := "Authorization: Bearer " + s.a.Token(bob, app.ScopeClient)
	his := s.open("/mytopic1,family,inbox/json?since=all", bobs)
	his.event()
	if err := s.a.TopicRoutes.PutRoute(context.Background(), &app.Route{Topic: "family", Users: []string{"alice", "bob"}}); err != nil {
		t.Fatal(err)
	}
	mine := s.open("/family/json")
	mine.event()
	s.published(req{method: "POST", path: "/mytopic1", body: "alice only"})
	s.published(req{method: "POST", path: "/family", body: "Dinner at eight"})
	a, b := mine.message(), his.message()
	if a.Message != "Dinner at eight" || b.Message != "Dinner at eight" || a.ID == b.ID || b.Topic != "family" {
		t.Errorf("routed: alice %+v, bob %+v", a, b)
	}
	if err := s.a.Inbox.Delete(context.Background(), s.alice.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	his.quiet() // alice's deletion is not bob's business
}

// TestStreamShutdown: closing the server ends held-open streams at once.
func TestStreamShutdown(t *testing.T) {
	s := newSubscriber(t)
	st := s.open("/mytopic1/json")
	st.event()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.a.Close(context.Background())
	}()
	st.ends()
	select {
	case <-done:
	case <-time.After(streamWait):
		t.Fatal("Close waits for the stream")
	}
}

// TestStreamSlowClient: a client that stops reading is cut once what
// waits for it passes websocket.max_queued_bytes; publishing never waits
// for it and the drop is counted.
func TestStreamSlowClient(t *testing.T) {
	s := newSubscriberWith(t, func(c *app.Config) { c.WebSocket.MaxQueuedBytes = 64 << 10 })
	hr, _ := http.NewRequest("GET", s.a.URL+"/slow/json", nil)
	hr.Header.Set("Authorization", "Bearer "+s.client)
	resp, err := apptest.SmallReceiveBuffer().Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	ev := &app.Event{Type: "message", Title: "big", Body: strings.Repeat("x", app.MaxBodyLen), ServiceID: "slow"}
	start := time.Now()
	// The kernel's send buffer takes a few MB before the queue grows.
	dropped := func() float64 {
		return apptest.Sample(apptest.Scrape(t, s.a.Metrics.Handler()), "belfry_ntfy_subscriptions_dropped_total")
	}
	for i := 0; i < 1000 && (i%10 != 0 || dropped() == 0); i++ {
		if _, err := s.a.Dispatcher.Notify(context.Background(), s.alice, ev); err != nil {
			t.Fatal(err)
		}
	}
	if got := dropped(); got != 1 {
		t.Fatalf("dropped %v after %s", got, time.Since(start))
	}
	ended := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, resp.Body); ended <- err }()
	select {
	case <-ended: // the server ended the response: what was written, then the end
	case <-time.After(streamWait):
		t.Fatal("the dropped stream is still open")
	}
	st := s.open("/slow/json")
	st.event()
	s.published(req{method: "POST", path: "/slow", body: "others go on"})
	if got := st.message().Message; got != "others go on" {
		t.Errorf("got %q", got)
	}
}
