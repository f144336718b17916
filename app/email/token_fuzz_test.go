package email

import (
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// FuzzUnsubscribeToken: any token a stranger makes up is refused with a
// 400 (EINVALID) unless it is exactly one the server signed, and what a
// signed token says comes back unchanged.
func FuzzUnsubscribeToken(f *testing.F) {
	s := New(Deps{Key: []byte("fuzz key")})
	now := time.Unix(1_800_000_000, 0)
	good := s.unsubscribeToken("01a23ccd-3cc4-724c-b114-c286296934ca", "job_failed", now.Add(time.Hour))
	for _, seed := range []string{good, "", ".", "a.b", good + "x", good[:len(good)-1], "x" + good} {
		f.Add(seed, "job_failed")
	}
	f.Fuzz(func(t *testing.T, tok, typ string) {
		// What the server signs comes back as it was (type names never
		// hold the separator).
		if !strings.Contains(typ, "|") {
			signed := s.unsubscribeToken("u", typ, now.Add(time.Minute))
			if u, ty, err := s.parseToken(signed, now); err != nil || u != "u" || ty != typ {
				t.Fatalf("round trip of %q: %q %q %v", typ, u, ty, err)
			}
		}
		user, gotType, err := s.parseToken(tok, now)
		if err != nil {
			if app.ErrorKind(err) != app.EINVALID {
				t.Fatalf("refusal of %q is %v, want EINVALID", tok, err)
			}
			return
		}
		if tok != good {
			t.Fatalf("a token the server never signed was accepted: %q → %q %q", tok, user, gotType)
		}
	})
}
