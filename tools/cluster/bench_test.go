package cluster

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/belfry/belfry/app/bus/bustest"
	"github.com/belfry/belfry/db/pgtest"
)

// BenchmarkCluster measures one replica on a SQLite file (durability
// "full") and one, two and three replicas on one PostgreSQL database that
// syncs every commit (pgtest.DurableURL) with NATS between them: publish
// (POST /api/v1/events at concurrency 8 and 64, round robin over the
// replicas) and fan-out (200 sockets of one user spread over the replicas,
// every publish delivered to each). It reports msg/s, and for fan-out
// frames/s and the frames missing (0 unless a socket was dropped). Run it
// with a fixed count, the same for every setup:
//
//	go test -run '^$' -bench Cluster -benchtime 2000x ./tools/cluster
func BenchmarkCluster(b *testing.B) {
	setups := []struct {
		name     string
		replicas int
		postgres bool
	}{{"sqlite-1", 1, false}, {"postgres-1", 1, true}, {"postgres-2", 2, true}, {"postgres-3", 3, true}}
	for _, s := range setups {
		b.Run(s.name, func(b *testing.B) {
			var dbURL, natsURL string
			if s.postgres {
				dbURL, natsURL = pgtest.DurableURL(b), bustest.Start(b).URL
			}
			c := startCluster(b, s.replicas, dbURL, natsURL)
			for _, conc := range []int{8, 64} {
				b.Run(fmt.Sprintf("publish-c%d", conc), func(b *testing.B) {
					elapsed := c.publishMany(b, b.N, conc)
					b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msg/s")
				})
			}
			b.Run("fanout-200", func(b *testing.B) { c.fanOut(b, 200, b.N, 8) })
		})
	}
}

// publishMany publishes n notifications to alice from conc goroutines,
// each request to the next replica in turn, and returns how long it took.
func (c *cluster) publishMany(b *testing.B, n, conc int) time.Duration {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	defer client.CloseIdleConnections()
	var next atomic.Int64
	var failures atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				r := c.replicas[int(i)%len(c.replicas)]
				if err := c.post(client, r.URL, fmt.Sprintf("bench %d", i)); err != nil && failures.Add(1) == 1 {
					b.Error(err)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if f := failures.Load(); f > 0 {
		b.Fatalf("%d of %d publishes failed", f, n)
	}
	return elapsed
}

// post publishes one notification to alice through base.
func (c *cluster) post(client *http.Client, base, title string) error {
	body := map[string]any{"type": "job_completed", "title": title, "body": "Benchmark message with **bold** text."}
	status, err := requestWith(context.Background(), client, http.MethodPost, base+"/api/v1/events", c.publish, body, nil)
	if err == nil && status != http.StatusAccepted {
		err = fmt.Errorf("publish through %s: status %d, want 202", base, status)
	}
	return err
}

// fanOut opens sockets of alice spread over the replicas, publishes n
// notifications at concurrency conc and waits until every socket has a
// frame of each, or none has come for 5 s.
func (c *cluster) fanOut(b *testing.B, sockets, n, conc int) {
	b.Helper()
	var got atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var readers sync.WaitGroup
	for i := range sockets {
		conn := c.dial(b, c.replicas[i%len(c.replicas)].URL, "/ws/notification/")
		readers.Go(func() {
			defer conn.CloseNow()
			for {
				_, data, err := conn.Read(ctx)
				if err != nil {
					return
				}
				if bytes.Contains(data, []byte("bench ")) { // a title of publishMany
					got.Add(1)
				}
			}
		})
	}
	want := int64(sockets) * int64(n)
	start := time.Now()
	c.publishMany(b, n, conc)
	b.StartTimer()
	last, lastChange := got.Load(), time.Now()
	for last < want && time.Since(lastChange) < 5*time.Second {
		time.Sleep(10 * time.Millisecond)
		if now := got.Load(); now != last {
			last, lastChange = now, time.Now()
		}
	}
	elapsed := time.Since(start)
	if last == want {
		elapsed = lastChange.Sub(start)
	}
	b.StopTimer()
	cancel()
	readers.Wait()
	b.ReportMetric(float64(last)/elapsed.Seconds(), "frames/s")
	b.ReportMetric(float64(want-last), "missing")
	if last != want {
		b.Logf("%d of %d frames missing", want-last, want)
	}
}
