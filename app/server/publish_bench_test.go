package server_test

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

// BenchmarkPublish measures the whole publish path over real HTTP on
// loopback: auth, validation, preferences, the group-commit insert and the
// bus, at concurrency 8 and 64 in both durability modes. It reports
// notifications/s and commits per request (every commit is one fsync in full
// durability, so a figure well below 1 shows group commit at work).
func BenchmarkPublish(b *testing.B) {
	for _, durability := range []string{"full", "normal"} {
		for _, workers := range []int{8, 64} {
			b.Run(fmt.Sprintf("durability=%s/concurrency=%d", durability, workers), func(b *testing.B) {
				benchmarkPublish(b, durability, workers)
			})
		}
	}
}

func benchmarkPublish(b *testing.B, durability string, workers int) {
	s := servertest.New(b, servertest.WithConfig(func(c *app.Config) { c.Database.Durability = durability }))
	secret := s.TokenFor("admin", true, app.ScopePublish)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}}
	body := []byte(`{"type":"job_completed","title":"Backup finished","body":"3.2 GB in 41 s","service_id":"backup","project":"home"}`)
	publish := func() error {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/events", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	if err := publish(); err != nil { // warm the connection and caches
		b.Fatal(err)
	}
	before := s.DB.WriterStats()
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
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
	after := s.DB.WriterStats()
	requests := after.Requests - before.Requests
	commits := after.Commits - before.Commits
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "notifications/s")
	if requests > 0 {
		b.ReportMetric(float64(commits)/float64(requests), "commits/publish")
		b.ReportMetric(float64(requests)/float64(commits), "publishes/commit")
	}
}
