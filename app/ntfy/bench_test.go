package ntfy_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server/servertest"
)

// BenchmarkPublish compares publishing through ntfy's protocol with the
// native POST /api/v1/events, in one run over real HTTP on loopback, at
// concurrency 8 with full durability: the same message (title, body, a
// warning level) as a native event and as an ntfy PUT with headers. It
// reports notifications/s.
func BenchmarkPublish(b *testing.B) {
	b.Run("api=native", func(b *testing.B) {
		benchmarkPublish(b, func(url, token string) *http.Request {
			r, _ := http.NewRequest(http.MethodPost, url+"/api/v1/events", bytes.NewReader([]byte(
				`{"type":"message","level":"warning","title":"Backup finished","body":"3.2 GB in 41 s","service_id":"backup","format":"text"}`)))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer "+token)
			return r
		})
	})
	b.Run("api=ntfy", func(b *testing.B) {
		benchmarkPublish(b, func(url, token string) *http.Request {
			r, _ := http.NewRequest(http.MethodPut, url+"/backup", bytes.NewReader([]byte("3.2 GB in 41 s")))
			r.Header.Set("Title", "Backup finished")
			r.Header.Set("Priority", "high")
			r.Header.Set("Tags", "floppy_disk")
			r.Header.Set("Authorization", "Bearer "+token)
			return r
		})
	})
}

func benchmarkPublish(b *testing.B, request func(url, token string) *http.Request) {
	s := servertest.New(b)
	token := s.TokenFor("alice", false, app.ScopePublish)
	s.BenchPublish(b, 8, func(int64) *http.Request { return request(s.URL, token) })
}
