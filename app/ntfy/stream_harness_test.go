package ntfy_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// streamWait bounds each wait for a line of a held-open subscription.
const streamWait = 5 * time.Second

// stream is a held-open subscription read line by line over real HTTP.
type stream struct {
	t      *testing.T
	path   string
	header http.Header
	lines  chan string
	cancel context.CancelFunc
}

// open subscribes to path (held open) as the subscriber, unless headers
// carry another Authorization, and expects 200.
func (s *subscriber) open(path string, headers ...string) *stream {
	s.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	hr, err := http.NewRequestWithContext(ctx, "GET", s.a.URL+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	hr.Header.Set("Authorization", "Bearer "+s.client)
	for _, line := range headers {
		name, value, _ := strings.Cut(line, ":")
		hr.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		cancel()
		s.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		cancel()
		resp.Body.Close()
		s.t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	st := &stream{t: s.t, path: path, header: resp.Header, lines: make(chan string, 1024), cancel: cancel}
	go func() {
		defer close(st.lines)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			st.lines <- sc.Text()
		}
	}()
	s.t.Cleanup(cancel)
	return st
}

// line is the next line; it fails the test when none comes in time or the
// stream ended.
func (st *stream) line() string {
	st.t.Helper()
	select {
	case l, ok := <-st.lines:
		if !ok {
			st.t.Fatalf("GET %s: the stream ended", st.path)
		}
		return l
	case <-time.After(streamWait):
		st.t.Fatalf("GET %s: nothing within %s", st.path, streamWait)
	}
	return ""
}

// event is the next line of a JSON stream, decoded.
func (st *stream) event() answer {
	st.t.Helper()
	l := st.line()
	var a answer
	if err := json.Unmarshal([]byte(l), &a); err != nil {
		st.t.Fatalf("GET %s: line %q: %v", st.path, l, err)
	}
	return a
}

// message is the next event, which must be a message.
func (st *stream) message() answer {
	st.t.Helper()
	a := st.event()
	if a.Event != "message" {
		st.t.Fatalf("GET %s: got %+v, want a message", st.path, a)
	}
	return a
}

// ends waits for the server to end the stream; lines before the end are
// returned.
func (st *stream) ends() []string {
	st.t.Helper()
	var rest []string
	deadline := time.After(streamWait)
	for {
		select {
		case l, ok := <-st.lines:
			if !ok {
				return rest
			}
			rest = append(rest, l)
		case <-deadline:
			st.t.Fatalf("GET %s: still open after %s", st.path, streamWait)
		}
	}
}

// quiet checks that nothing arrives for a moment.
func (st *stream) quiet() {
	st.t.Helper()
	select {
	case l := <-st.lines:
		st.t.Fatalf("GET %s: unexpected %q", st.path, l)
	case <-time.After(200 * time.Millisecond):
	}
}
