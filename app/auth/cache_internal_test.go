package auth

import (
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

func TestTokenCache(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	u := &app.User{ID: "u1"}
	tok := func(id string) *app.Token { return &app.Token{ID: id, UserID: "u1"} }

	t.Run("Expiry", func(t *testing.T) {
		c := newTokenCache(time.Second, 10)
		c.put(c.generation(), "h1", u, tok("t1"), now)
		if _, _, ok := c.get("h1", now.Add(999*time.Millisecond)); !ok {
			t.Fatal("entry missing before its TTL")
		}
		if _, _, ok := c.get("h1", now.Add(time.Second)); ok {
			t.Fatal("entry served after its TTL")
		}
	})
	t.Run("Bounded", func(t *testing.T) {
		c := newTokenCache(time.Second, 2)
		c.put(c.generation(), "h1", u, tok("t1"), now)
		c.put(c.generation(), "h2", u, tok("t2"), now)
		c.put(c.generation(), "h3", u, tok("t3"), now.Add(2*time.Second)) // h1, h2 expired: evicted
		if len(c.entries) != 1 {
			t.Fatalf("%d entries, want 1", len(c.entries))
		}
		c.put(c.generation(), "h4", u, tok("t4"), now.Add(2*time.Second))
		c.put(c.generation(), "h5", u, tok("t5"), now.Add(2*time.Second)) // full of live entries: cleared
		if len(c.entries) > 2 {
			t.Fatalf("%d entries exceed the bound", len(c.entries))
		}
	})
	t.Run("RacingRevocation", func(t *testing.T) {
		c := newTokenCache(time.Second, 10)
		gen := c.generation() // a lookup starts
		c.dropToken("t1")     // a revocation lands meanwhile
		c.put(gen, "h1", u, tok("t1"), now)
		if _, _, ok := c.get("h1", now); ok {
			t.Fatal("a lookup that raced a revocation re-cached the token")
		}
	})
	t.Run("DropUser", func(t *testing.T) {
		c := newTokenCache(time.Second, 10)
		c.put(c.generation(), "h1", u, tok("t1"), now)
		c.put(c.generation(), "h2", &app.User{ID: "u2"}, tok("t2"), now)
		c.dropUser("u1")
		if _, _, ok := c.get("h1", now); ok {
			t.Fatal("dropped user's token still cached")
		}
		if _, _, ok := c.get("h2", now); !ok {
			t.Fatal("another user's token was dropped")
		}
	})
}
