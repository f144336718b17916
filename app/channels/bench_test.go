package channels

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/db"
	"github.com/coder/websocket"
)

// BenchmarkFanout posts messages at a steady rate through the service (a
// durable write with full durability, then the fan-out) to channels whose
// subscribers are real WebSocket clients in this process, and reports
// deliveries per second and the post-to-receive latency (from the call to
// Post to the client's read, so it includes the commit). Each scenario runs
// once, whatever b.N; together they stay well under a minute.
func BenchmarkFanout(b *testing.B) {
	for _, sc := range []struct {
		channels, subscribers, rate int
	}{
		{1, 1000, 10},
		{1, 1000, 40},
		{100, 10, 100},
		{100, 10, 400},
	} {
		name := fmt.Sprintf("channels=%d/subscribers=%d/rate=%d", sc.channels, sc.subscribers, sc.rate)
		b.Run(name, func(b *testing.B) { benchFanout(b, sc.channels, sc.subscribers, sc.rate, 3*time.Second) })
	}
}

// benchFanout connects subscribers sockets to each of channels channels,
// posts rate messages per second for dur, round-robin over the channels,
// and waits for every delivery.
func benchFanout(b *testing.B, channels, subscribers, rate int, dur time.Duration) {
	s := newConfiguredServer(b, func(c *app.Config) {
		// Every socket comes from 127.0.0.1.
		c.WebSocket.MaxPerAddress = channels * subscribers
	}, func(o *db.Options) { o.Durability = "full" })
	ctx := context.Background()
	owner, reader := s.user("owner"), s.user("reader")
	ids := make([]string, channels)
	for i := range ids {
		ch, err := s.svc.CreateChannel(ctx, owner.User, fmt.Sprint("bench-", i), "")
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = ch.ID
		if _, err := s.svc.Join(ctx, reader.User, ch.ID); err != nil {
			b.Fatal(err)
		}
	}
	total := rate * int(dur/time.Second)
	sentAt := make([]atomic.Int64, total)
	want := int64(total * subscribers)
	var delivered atomic.Int64
	var lastRecv atomic.Int64
	var latMu sync.Mutex
	var latencies []time.Duration
	done := make(chan struct{})

	var readers sync.WaitGroup
	for i := range channels * subscribers {
		conn := benchDial(b, s, reader.token, ChannelStream(ids[i%channels]))
		readers.Add(1)
		go func() {
			defer readers.Done()
			local := make([]time.Duration, 0, total/channels+1)
			defer func() {
				latMu.Lock()
				latencies = append(latencies, local...)
				latMu.Unlock()
			}()
			for {
				_, msg, err := conn.Read(ctx)
				if err != nil {
					return
				}
				now := time.Now().UnixNano()
				n, ok := benchContent(msg)
				if !ok {
					continue
				}
				local = append(local, time.Duration(now-sentAt[n].Load()))
				lastRecv.Store(now)
				if delivered.Add(1) == want {
					close(done)
				}
			}
		}()
		b.Cleanup(func() { conn.CloseNow() })
	}

	// Posters: a steady ticker hands out message numbers to a pool, so a
	// slow commit delays only its own message, not the rate.
	jobs := make(chan int, total)
	var posters sync.WaitGroup
	for range 32 {
		posters.Add(1)
		go func() {
			defer posters.Done()
			for n := range jobs {
				sentAt[n].Store(time.Now().UnixNano())
				if _, err := s.svc.Post(ctx, owner.User, ids[n%channels], strconv.Itoa(n), ""); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	b.ResetTimer()
	start := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	for n := range total {
		<-tick.C
		jobs <- n
	}
	tick.Stop()
	close(jobs)
	posters.Wait()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		b.Fatalf("delivered %d of %d", delivered.Load(), want)
	}
	b.StopTimer()
	elapsed := time.Duration(lastRecv.Load() - start.UnixNano())
	for _, id := range ids {
		s.svc.unsubscribeAll(ChannelStream(id), reasonRequested)
	}
	s.svc.Close()
	readers.Wait()

	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(float64(len(latencies)-1)*p)]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(want)/elapsed.Seconds(), "delivered/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
	b.ReportMetric(float64(s.svc.Stats().Dropped), "dropped")
	b.ReportMetric(float64(total)/elapsed.Seconds(), "posts/s")
}

// benchContent extracts the message number from a channel_message frame
// without decoding all of it: the client's cost is not what is measured.
func benchContent(msg []byte) (int, bool) {
	const key = `"content":"`
	i := bytes.Index(msg, []byte(key))
	if i < 0 {
		return 0, false
	}
	rest := msg[i+len(key):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(string(rest[:end]))
	return n, err == nil
}

// benchDial connects one socket and subscribes it to stream.
func benchDial(b *testing.B, s *server, token, stream string) *websocket.Conn {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.base, "http")+Path,
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}})
	if err != nil {
		b.Fatal(err)
	}
	if err := conn.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribe","channel":"`+stream+`"}`)); err != nil {
		b.Fatal(err)
	}
	_, msg, err := conn.Read(ctx)
	if err != nil || !strings.Contains(string(msg), `"subscribed"`) {
		b.Fatalf("subscribe: %s %v", msg, err)
	}
	return conn
}
