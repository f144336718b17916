package ntfy_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
		}, http.StatusAccepted)
	})
	b.Run("api=ntfy", func(b *testing.B) {
		benchmarkPublish(b, func(url, token string) *http.Request {
			r, _ := http.NewRequest(http.MethodPut, url+"/backup", bytes.NewReader([]byte("3.2 GB in 41 s")))
			r.Header.Set("Title", "Backup finished")
			r.Header.Set("Priority", "high")
			r.Header.Set("Tags", "floppy_disk")
			r.Header.Set("Authorization", "Bearer "+token)
			return r
		}, http.StatusOK)
	})
}

func benchmarkPublish(b *testing.B, request func(url, token string) *http.Request, status int) {
	const workers = 8
	s := servertest.New(b)
	token := s.TokenFor("alice", false, app.ScopePublish)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}}
	publish := func() error {
		resp, err := client.Do(request(s.URL, token))
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != status {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	if err := publish(); err != nil { // warm the connection and caches
		b.Fatal(err)
	}
	var (
		next   atomic.Int64
		failed atomic.Value
		wg     sync.WaitGroup
	)
	b.ResetTimer()
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if err := publish(); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "notifications/s")
}
