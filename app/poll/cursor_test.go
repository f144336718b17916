package poll

import (
	"encoding/base64"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/google/uuid"
)

func TestCursorCodec(t *testing.T) {
	cc := newCursorCodec([]byte("0123456789abcdef0123456789abcdef"))
	p := position{sort: app.SortOldest, createdAt: 1774857600123, id: uuid.Must(uuid.NewV7()), filter: filterHash("u", "pending", "", "")}
	text := cc.encode(p)
	if len(text) != 67 {
		t.Fatalf("cursor %q has %d characters, want 67", text, len(text))
	}
	got, ok := cc.decode(text)
	if !ok || got != p {
		t.Fatalf("decode = %+v, %v; want %+v", got, ok, p)
	}

	t.Run("EveryBitIsProtected", func(t *testing.T) {
		raw, _ := base64.RawURLEncoding.DecodeString(text)
		for i := range raw {
			for bit := range 8 {
				b := slices.Clone(raw)
				b[i] ^= 1 << bit
				if _, ok := cc.decode(base64.RawURLEncoding.EncodeToString(b)); ok {
					t.Fatalf("flipping bit %d of byte %d still decodes", bit, i)
				}
			}
		}
	})
	t.Run("Malformed", func(t *testing.T) {
		for _, s := range []string{"", "a", text[:66], text + "A", text + "=", "=" + text[1:], text[:10] + "+" + text[11:], text[:10] + "/" + text[11:]} {
			if _, ok := cc.decode(s); ok {
				t.Fatalf("%q decodes", s)
			}
		}
	})
	t.Run("OtherKey", func(t *testing.T) {
		other := newCursorCodec([]byte("another key of thirty-two bytes!"))
		if _, ok := other.decode(text); ok {
			t.Fatal("a cursor of one key decodes with another")
		}
	})
	t.Run("FilterHashSeparatesFields", func(t *testing.T) {
		if filterHash("u", "", "ab", "c") == filterHash("u", "", "a", "bc") {
			t.Fatal("service_id and project run together")
		}
		if filterHash("u", "pending", "", "") == filterHash("v", "pending", "", "") {
			t.Fatal("users share a filter hash")
		}
	})
}

func TestCursorOverHTTP(t *testing.T) {
	h := newHarness(t, nil)
	u, tok := h.user("alice")
	_, bobTok := h.user("bob")
	h.insert(u, series(10, t0, func(i int, s *notif) { s.service = "backup"; s.project = "home" })...)
	page := func(query string) string {
		c := h.list(tok, query).Pagination.NextCursor
		if c == nil {
			t.Fatalf("?%s gave no next_cursor", query)
		}
		return *c
	}

	t.Run("TamperedIsRefused", func(t *testing.T) {
		c := page("limit=2")
		raw, _ := base64.RawURLEncoding.DecodeString(c)
		for i := range raw {
			b := slices.Clone(raw)
			b[i]++
			forged := base64.RawURLEncoding.EncodeToString(b)
			wantError(t, h.get(base+"?limit=2&cursor="+forged, tok), http.StatusBadRequest, app.CodeInvalidParameter, "cursor")
		}
	})

	t.Run("OtherQueryIsRefused", func(t *testing.T) {
		cases := []struct{ issued, reused, word string }{
			{"limit=2&status=pending", "status=acknowledged", "status"},
			{"limit=2&status=pending", "", "status"},
			{"limit=2", "status=pending", "status"},
			{"limit=2&service_id=backup", "service_id=mail", "service_id"},
			{"limit=2&service_id=backup", "project=backup", "service_id"},
			{"limit=2&project=home", "project=work", "project"},
			{"limit=2", "sort=oldest", "sort=newest"},
			{"limit=2&sort=oldest", "", "sort=oldest"},
		}
		for _, tc := range cases {
			c := page(tc.issued)
			wantError(t, h.get(base+"?cursor="+c+"&"+tc.reused, tok), http.StatusBadRequest, app.CodeInvalidParameter, "cursor", tc.word)
		}
	})

	t.Run("OtherUserIsRefused", func(t *testing.T) {
		wantError(t, h.get(base+"?limit=2&cursor="+page("limit=2"), bobTok), http.StatusBadRequest, app.CodeInvalidParameter, "cursor")
	})

	t.Run("LimitMayChange", func(t *testing.T) {
		c := page("limit=2&service_id=backup")
		if got := h.list(tok, "limit=5&service_id=backup&cursor="+c); len(got.Notifications) != 5 {
			t.Fatalf("next page with limit 5 has %d rows", len(got.Notifications))
		}
	})

	t.Run("SurvivesRestart", func(t *testing.T) {
		c := page("limit=3")
		restarted := New(Deps{Notifications: h.store, CursorKey: h.poll.d.CursorKey})
		q, err := restarted.parseListQuery(map[string][]string{"limit": {"3"}, "cursor": {c}}, u.ID)
		if err != nil || q.after == nil {
			t.Fatalf("a new server with the stored key refuses the cursor: %v", err)
		}
		rotated := New(Deps{Notifications: h.store, CursorKey: []byte("a different server key, 32 bytes")})
		if _, err := rotated.parseListQuery(map[string][]string{"cursor": {c}}, u.ID); app.ErrorKind(err) != app.EINVALID {
			t.Fatalf("a server with another key accepts the cursor: %v", err)
		}
	})
}

// TestPageWalkUnderConcurrentInserts walks every page in both orders while
// notifications keep arriving: every row that existed when the walk began
// appears exactly once, and no row appears twice.
func TestPageWalkUnderConcurrentInserts(t *testing.T) {
	for _, sort := range []string{app.SortNewest, app.SortOldest} {
		t.Run(sort, func(t *testing.T) {
			h := newHarness(t, nil)
			u, tok := h.user("alice")
			// Several rows share a millisecond so the id breaks ties.
			existing := h.insert(u, series(150, t0, func(i int, s *notif) { s.at = t0.Add(time.Duration(i/3) * time.Millisecond) })...)

			stop := make(chan struct{})
			var wg sync.WaitGroup
			// At most 300 arrivals, so an oldest-first walk that chases them
			// still ends within its 200 pages of 7.
			wg.Go(func() {
				for i := range 300 {
					select {
					case <-stop:
						return
					default:
					}
					h.insert(u, notif{at: time.Now().Add(time.Duration(i) * time.Millisecond)})
				}
			})

			seen := map[string]int{}
			var order []string
			query := "limit=7&sort=" + sort
			for pages := 0; ; pages++ {
				if pages > 200 {
					t.Fatal("the walk does not end")
				}
				lb := h.list(tok, query)
				for _, id := range lb.ids() {
					seen[id]++
					order = append(order, id)
				}
				if !lb.Pagination.HasMore {
					break
				}
				query = "limit=7&sort=" + sort + "&cursor=" + *lb.Pagination.NextCursor
			}
			close(stop)
			wg.Wait()

			for id, n := range seen {
				if n != 1 {
					t.Fatalf("%s seen %d times", id, n)
				}
			}
			for _, n := range existing {
				if seen[n.ID] != 1 {
					t.Fatalf("existing %s skipped", n.ID)
				}
			}
			want := ids(existing)
			if sort == app.SortNewest {
				want = reversed(want)
			}
			isExisting := map[string]bool{}
			for _, id := range want {
				isExisting[id] = true
			}
			order = slices.DeleteFunc(order, func(id string) bool { return !isExisting[id] })
			if !slices.Equal(order, want) {
				t.Fatal("the walk is out of keyset order")
			}
		})
	}
}
