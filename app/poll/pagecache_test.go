package poll

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

func TestPageCacheOverHTTP(t *testing.T) {
	h := newHarness(t, nil)
	u, tok := h.user("alice")
	bob, bobTok := h.user("bob")
	ns := h.insert(u, series(5, t0, nil)...)
	h.insert(bob, notif{at: t0})

	first := h.get(base+"?limit=2", tok)
	again := h.get(base+"?limit=2", tok)
	if string(again.body) != string(first.body) || again.header.Get("ETag") != first.header.Get("ETag") {
		t.Fatal("the cached answer differs from the first")
	}
	if hits := h.poll.Stats().CacheHits; hits != 1 {
		t.Fatalf("CacheHits = %d, want 1", hits)
	}
	// Users and queries have pages of their own.
	if got := h.list(bobTok, "limit=2").ids(); len(got) != 1 {
		t.Fatalf("bob sees %v", got)
	}
	if got := h.list(tok, "limit=3").ids(); len(got) != 3 {
		t.Fatalf("limit=3 gives %v", got)
	}

	t.Run("AnyPublishedChangeRetiresTheUsersPages", func(t *testing.T) {
		if _, err := h.store.MarkRead(t.Context(), u.ID, ns[4].ID); err != nil {
			t.Fatal(err)
		}
		h.bus.Publish(t.Context(), app.Change{Kind: app.ChangeRead, UserID: u.ID})
		lb := h.list(tok, "limit=2")
		if lb.Notifications[0]["is_read"] != true {
			t.Fatalf("after a published read: %v", lb.Notifications[0])
		}
	})

	t.Run("UnpublishedWritesShowAfterTheTTL", func(t *testing.T) {
		h.list(tok, "limit=2")
		if err := h.store.DeleteNotification(t.Context(), u.ID, ns[4].ID); err != nil {
			t.Fatal(err)
		}
		if got := h.list(tok, "limit=2").ids(); got[0] != ns[4].ID {
			t.Fatalf("within the TTL the cached page is served, got %v", got)
		}
		h.clock.Advance(pageCacheTTL)
		if got := h.list(tok, "limit=2").ids(); !slices.Equal(got, []string{ns[3].ID, ns[2].ID}) {
			t.Fatalf("after the TTL = %v", got)
		}
	})

	t.Run("OnlyFirstAndLastPagesAreKept", func(t *testing.T) {
		h.bus.Publish(t.Context(), app.Change{Kind: app.ChangeRead, UserID: u.ID})
		c := *h.list(tok, "limit=1").Pagination.NextCursor
		middle := h.list(tok, "limit=1&cursor="+c)
		last := h.list(tok, "limit=10&cursor="+c)
		if !middle.Pagination.HasMore || last.Pagination.HasMore {
			t.Fatal("test setup: want a middle and a last page")
		}
		pages, _ := h.poll.pages.size()
		if pages != 3 { // bob's first page, alice's first and last
			t.Fatalf("%d pages cached, want 3", pages)
		}
	})

	t.Run("LongPollsBypassIt", func(t *testing.T) {
		tail := *h.list(tok, "sort=oldest&limit=10").Pagination.NextCursor
		query := "sort=oldest&wait=1&cursor=" + tail
		before := h.poll.Stats().CacheHits
		h.list(tok, query)
		h.list(tok, query)
		if h.poll.Stats().CacheHits != before {
			t.Fatal("a long poll was answered from the cache")
		}
	})
}

func TestPageCacheGenerations(t *testing.T) {
	pc := newPageCache(1000)
	now := time.Unix(0, 0)
	page := func(s string) encoded { return encoded{body: []byte(s), tag: `"` + s + `"`} }

	gen := pc.generation("u")
	pc.invalidate("u") // a change lands while the queries run
	pc.put("u", gen, "k", page("stale"), now)
	if _, ok := pc.get("u", "k", now); ok {
		t.Fatal("a page of a retired generation was stored")
	}
	gen = pc.generation("u")
	pc.put("u", gen, "k", page("fresh"), now)
	if e, ok := pc.get("u", "k", now); !ok || string(e.body) != "fresh" {
		t.Fatalf("get = %q, %v", e.body, ok)
	}
	if _, ok := pc.get("u", "k", now.Add(pageCacheTTL)); ok {
		t.Fatal("an expired page was served")
	}
	pc.invalidate("v") // another user's change
	if _, ok := pc.get("u", "k", now); !ok {
		t.Fatal("another user's change retired the page")
	}
	pc.invalidate("u")
	if _, ok := pc.get("u", "k", now); ok {
		t.Fatal("the user's change did not retire the page")
	}
	if pages, bytes := pc.size(); pages != 0 || bytes != 0 {
		t.Fatalf("size = %d pages, %d bytes after retiring everything", pages, bytes)
	}
}

func TestPageCacheBudget(t *testing.T) {
	pc := newPageCache(1000)
	now := time.Unix(0, 0)
	body := encoded{body: []byte(strings.Repeat("x", 200))}
	for _, u := range []string{"a", "b", "c", "d"} {
		pc.put(u, 0, "k", body, now)
	}
	pc.put("e", 0, "k", body, now)
	pc.put("e", 0, "k2", body, now)
	pages, bytes := pc.size()
	if bytes > 1000 || pages < 4 {
		t.Fatalf("%d pages, %d bytes; want at most 1000 bytes", pages, bytes)
	}
	if _, ok := pc.get("e", "k2", now); !ok {
		t.Fatal("the page just stored was evicted")
	}
	// One user alone over budget keeps the page just stored.
	for i := range 10 {
		pc.put("f", 0, string(rune('a'+i)), body, now)
	}
	if _, bytes := pc.size(); bytes > 1000 {
		t.Fatalf("%d bytes", bytes)
	}
	if _, ok := pc.get("f", "j", now); !ok {
		t.Fatal("the page just stored was evicted")
	}
	// Bodies over a quarter of the budget are not kept at all.
	pc.put("g", 0, "big", encoded{body: make([]byte, 300)}, now)
	if _, ok := pc.get("g", "big", now); ok {
		t.Fatal("an oversized page was kept")
	}
}
