package gotify_test

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
			before := s.DB.WriterStats()
			benchmarkPublish(b, s.URL+c.path, secret, []byte(c.body), 8)
			after := s.DB.WriterStats()
			if n := after.Commits - before.Commits; n > 0 {
				b.ReportMetric(float64(after.Requests-before.Requests)/float64(n), "publishes/commit")
			}
		})
	}
}

func benchmarkPublish(b *testing.B, url, secret string, body []byte, workers int) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}}
	publish := func() error {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	if err := publish(); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range workers {
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
