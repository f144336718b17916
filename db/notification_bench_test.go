package db

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/belfry/belfry/app"
)

// BenchmarkCreateNotification publishes single notifications from many
// goroutines at once, the way concurrent publish requests arrive, and shows
// what group commit buys: with durability full every commit is an fsync, so
// commits/request well below 1 is where the throughput comes from.
func BenchmarkCreateNotification(b *testing.B) {
	for _, durability := range []string{"full", "normal"} {
		b.Run(durability, func(b *testing.B) {
			d := openAt(b, filepath.Join(b.TempDir(), "bench.db"), durability)
			defer d.Close()
			users := make([]*app.User, 8)
			for i := range users {
				users[i] = mustUser(b, d, "user"+string(rune('a'+i)))
			}
			s := NewNotificationStore(d)
			ctx := context.Background()
			var next atomic.Uint64
			before := d.WriterStats()
			b.SetParallelism(16) // goroutines per GOMAXPROCS: publishers mostly wait on the disk
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				u := users[next.Add(1)%uint64(len(users))]
				for pb.Next() {
					n := newNotification(d, u.ID, "bench")
					if err := s.CreateNotifications(ctx, []*app.Notification{n}, nil); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			st := d.WriterStats()
			requests, commits := st.Requests-before.Requests, st.Commits-before.Commits
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notifications/s")
			if requests > 0 {
				b.ReportMetric(float64(commits)/float64(requests), "commits/request")
			}
		})
	}
}
