package poll

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"
)

// waitFor polls cond until it holds, failing after a generous bound.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// longPoll starts GET base?query in the background; the answer arrives on
// the returned channel.
func (h *harness) longPoll(ctx context.Context, tok, query string) <-chan response {
	out := make(chan response, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.srv.URL+base+"?"+query, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := h.srv.Client().Do(req)
		if err != nil {
			out <- response{status: -1, body: []byte(err.Error())}
			return
		}
		defer res.Body.Close()
		var b json.RawMessage
		_ = json.NewDecoder(res.Body).Decode(&b)
		out <- response{status: res.StatusCode, header: res.Header, body: b}
	}()
	return out
}

func decodeList(t *testing.T, r response) listBody {
	t.Helper()
	var lb listBody
	if r.status != http.StatusOK {
		t.Fatalf("long poll = %d %s", r.status, r.body)
	}
	if err := json.Unmarshal(r.body, &lb); err != nil {
		t.Fatal(err)
	}
	return lb
}

func TestLongPoll(t *testing.T) {
	h := newHarness(t, nil)
	u, tok := h.user("alice")
	bob, _ := h.user("bob")
	h.insert(u, series(2, t0, nil)...)
	tail := *h.list(tok, "sort=oldest").Pagination.NextCursor

	t.Run("WakesOnPublish", func(t *testing.T) {
		started := time.Now()
		done := h.longPoll(context.Background(), tok, "sort=oldest&wait=60&cursor="+tail)
		waitFor(t, "the poll to wait", func() bool { return h.poll.Stats().Waiting == 1 })
		n := h.insert(u, notif{at: t0.Add(time.Hour)})
		lb := decodeList(t, <-done)
		if got := lb.ids(); !slices.Equal(got, ids(n)) {
			t.Fatalf("long poll returned %v, want %v", got, ids(n))
		}
		if lb.Pagination.NextCursor == nil || *lb.Pagination.NextCursor == tail {
			t.Fatal("the cursor did not move past the new row")
		}
		if elapsed := time.Since(started); elapsed > 30*time.Second {
			t.Fatalf("took %v: it waited out the timeout instead of waking", elapsed)
		}
		tail = *lb.Pagination.NextCursor
	})

	t.Run("IgnoresOtherUsersAndFilters", func(t *testing.T) {
		filtered := *h.list(tok, "sort=oldest&service_id=backup").Pagination.NextCursor
		done := h.longPoll(context.Background(), tok, "sort=oldest&service_id=backup&wait=60&cursor="+filtered)
		waitFor(t, "the poll to wait", func() bool { return h.poll.Stats().Waiting == 1 })
		woken := h.poll.Stats().Woken
		h.insert(bob, notif{service: "backup"})
		h.insert(u, notif{service: "mail"}) // wakes the poll, which finds nothing and waits again
		waitFor(t, "the poll to wait again", func() bool {
			st := h.poll.Stats()
			return st.Woken == woken+1 && st.Waiting == 1
		})
		select {
		case r := <-done:
			t.Fatalf("returned early: %s", r.body)
		default:
		}
		want := h.insert(u, notif{service: "backup"})
		if got := decodeList(t, <-done).ids(); !slices.Equal(got, ids(want)) {
			t.Fatalf("returned %v, want %v", got, ids(want))
		}
	})

	t.Run("TimesOutEmpty", func(t *testing.T) {
		tail := *h.list(tok, "sort=oldest&limit=100").Pagination.NextCursor
		lb := decodeList(t, <-h.longPoll(context.Background(), tok, "sort=oldest&wait=1&cursor="+tail))
		if len(lb.Notifications) != 0 || lb.Pagination.NextCursor == nil || *lb.Pagination.NextCursor != tail {
			t.Fatalf("timed-out poll = %v %+v, want empty with the same cursor", lb.ids(), lb.Pagination)
		}
	})

	t.Run("ReturnsAtOnceWhenRowsExist", func(t *testing.T) {
		first := *h.list(tok, "sort=oldest&limit=1").Pagination.NextCursor
		lb := decodeList(t, <-h.longPoll(context.Background(), tok, "sort=oldest&wait=60&limit=1&cursor="+first))
		if len(lb.Notifications) != 1 || !lb.Pagination.HasMore {
			t.Fatalf("= %v %+v", lb.ids(), lb.Pagination)
		}
	})

	t.Run("ClientGoesAway", func(t *testing.T) {
		tail := *h.list(tok, "sort=oldest&limit=100").Pagination.NextCursor
		ctx, cancel := context.WithCancel(context.Background())
		done := h.longPoll(ctx, tok, "sort=oldest&wait=60&cursor="+tail)
		waitFor(t, "the poll to wait", func() bool { return h.poll.Stats().Waiting == 1 })
		cancel()
		<-done
		waitFor(t, "the server to stop waiting", func() bool {
			return h.poll.Stats().Waiting == 0 && !h.poll.waiters.watched(u.ID)
		})
	})

	t.Run("CloseEndsWaits", func(t *testing.T) {
		tail := *h.list(tok, "sort=oldest&limit=100").Pagination.NextCursor
		done := h.longPoll(context.Background(), tok, "sort=oldest&wait=60&cursor="+tail)
		waitFor(t, "the poll to wait", func() bool { return h.poll.Stats().Waiting == 1 })
		_ = h.poll.Close()
		if lb := decodeList(t, <-done); len(lb.Notifications) != 0 {
			t.Fatalf("= %v", lb.ids())
		}
		// After Close a long poll answers without waiting.
		if lb := decodeList(t, <-h.longPoll(context.Background(), tok, "sort=oldest&wait=60&cursor="+tail)); len(lb.Notifications) != 0 {
			t.Fatalf("= %v", lb.ids())
		}
	})
}

func TestWaitersWake(t *testing.T) {
	w := newWaiters()
	a1, releaseA1 := w.watch("a")
	a2, releaseA2 := w.watch("a")
	b, releaseB := w.watch("b")
	w.wake("a")
	for name, ch := range map[string]<-chan struct{}{"a1": a1, "a2": a2} {
		select {
		case <-ch:
		default:
			t.Fatalf("%s not woken", name)
		}
	}
	select {
	case <-b:
		t.Fatal("b woken by a's change")
	default:
	}
	w.wake("nobody") // no watcher: nothing happens
	releaseA1()
	releaseA2()
	// A watch after the wake gets a fresh channel.
	a3, releaseA3 := w.watch("a")
	select {
	case <-a3:
		t.Fatal("a new watch starts woken")
	default:
	}
	releaseA3()
	releaseB()
	if len(w.users) != 0 {
		t.Fatalf("%d users left after every release", len(w.users))
	}
}
