package gotify_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server/servertest"
)

// BenchmarkPublish compares publishing through the Gotify dialect with the
// native API in the same run: the same server, message, token owner and
// concurrency (8), over real HTTP on loopback, in full durability. Both
// report notifications/s; the dialect adds parsing its body, the token's
// appid and the route look-up, and reads the message's number for its
// answer.
func BenchmarkPublish(b *testing.B) {
	s := servertest.New(b)
	owner := s.User("bench", false)
	secret, _, err := s.Auth.CreateToken(b.Context(), owner.ID, "backup", app.ScopePublish)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, path, body string }{
		{"native", "/api/v1/events", `{"type":"message","title":"Backup finished","body":"3.2 GB in 41 s","service_id":"backup","format":"text"}`},
		{"gotify", "/message", `{"title":"Backup finished","message":"3.2 GB in 41 s","priority":5}`},
	} {
		b.Run(c.name, func(b *testing.B) {
			s.BenchPublish(b, 8, func(int64) *http.Request {
				req, _ := http.NewRequest(http.MethodPost, s.URL+c.path, bytes.NewReader([]byte(c.body)))
				req.Header.Set("Authorization", "Bearer "+secret)
				req.Header.Set("Content-Type", "application/json")
				return req
			})
		})
	}
}
