package metrics

import (
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func (r *Registry) newStoreMetrics() {
	r.batchSizes = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "belfry_db_commit_batch_size",
		Help:    "Writes carried by one group commit of the database writer.",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512},
	})
	r.commitTimes = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "belfry_db_commit_seconds",
		Help:    "Time of one group commit of the database writer, fsync included.",
		Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1},
	})
	r.reg.MustRegister(r.batchSizes, r.commitTimes)
}

// ObserveCommit records one group commit; it is db.Options.OnCommit.
func (r *Registry) ObserveCommit(batch int, took time.Duration) {
	r.batchSizes.Observe(float64(batch))
	r.commitTimes.Observe(took.Seconds())
}

// DatabaseFiles adds the size of the SQLite database at path:
// belfry_db_size_bytes (the file and its write-ahead log together) and
// belfry_db_wal_size_bytes (the log alone). A missing file counts as 0.
func (r *Registry) DatabaseFiles(path string) {
	size := func(p string) float64 {
		st, err := os.Stat(p)
		if err != nil {
			return 0
		}
		return float64(st.Size())
	}
	r.GaugeFunc("belfry_db_size_bytes", "Size of the database file and its write-ahead log.",
		func() float64 { return size(path) + size(path+"-wal") })
	r.GaugeFunc("belfry_db_wal_size_bytes", "Size of the database's write-ahead log.",
		func() float64 { return size(path + "-wal") })
}
