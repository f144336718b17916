// Package cluster holds no production code: its tests run three real
// `belfry serve` processes on one PostgreSQL database (db/pgtest) and one
// NATS server (embedded), behind a round-robin reverse proxy, and check
// the cluster end to end (docs/cluster.md); its benchmarks measure publish
// and fan-out for 1, 2 and 3 replicas against SQLite (docs/benchmarks.md).
package cluster
