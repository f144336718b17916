//go:build pprof

package main

import (
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux
	"os"
	"runtime"
)

// A binary built with -tags pprof (docs/benchmarks.md, "Profiling") serves
// net/http/pprof on the loopback address in PPROF_ADDR, apart from Belfry's
// own routes. The release build has no such listener: this file is not in
// it.
func init() {
	addr := os.Getenv("PPROF_ADDR")
	if addr == "" {
		return
	}
	if host, _, err := net.SplitHostPort(addr); err != nil || !net.ParseIP(host).IsLoopback() {
		panic("PPROF_ADDR must be a loopback host:port, not " + addr)
	}
	runtime.SetBlockProfileRate(10000) // one blocking event per 10 µs spent blocked
	runtime.SetMutexProfileFraction(10)
	go func() { _ = http.ListenAndServe(addr, nil) }()
}
