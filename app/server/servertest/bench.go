package servertest

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchPublish is the driver of the publish benchmarks of every transport
// (the native API and each dialect), so their figures are comparable: over
// real HTTP on loopback, one warm-up request, then b.N requests made by
// workers concurrent clients, each request one notification that must be
// answered 2xx. request builds the i-th request (i counts every request of
// the process, for bodies that must differ). It reports notifications/s
// and, from the database writer, commits/publish and publishes/commit
// (every commit is one fsync in full durability, so a commits/publish well
// below 1 shows group commit at work).
func (a *App) BenchPublish(b *testing.B, workers int, request func(i int64) *http.Request) {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}}
	publish := func() error {
		req := request(benchSeq.Add(1))
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("%s %s: status %d: %s", req.Method, req.URL.Path, resp.StatusCode, msg)
		}
		return nil
	}
	if err := publish(); err != nil { // warm the connection and caches
		b.Fatal(err)
	}
	before := a.DB.WriterStats()
	var (
		next   atomic.Int64
		failed atomic.Value
		wg     sync.WaitGroup
	)
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
	after := a.DB.WriterStats()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "notifications/s")
	if requests, commits := after.Requests-before.Requests, after.Commits-before.Commits; requests > 0 && commits > 0 {
		b.ReportMetric(float64(commits)/float64(requests), "commits/publish")
		b.ReportMetric(float64(requests)/float64(commits), "publishes/commit")
	}
}

// benchSeq numbers the requests of BenchPublish.
var benchSeq atomic.Int64
