package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// header is the paragraph above the table: what was run where, and how busy
// the machine was.
func header(o options, loadBefore, loadAfter string) string {
	commit, _ := exec.Command("git", "describe", "--always", "--dirty").Output()
	host, _ := os.Hostname()
	return fmt.Sprintf("Belfry %s, %s, on %s (%d cores, %s); load average %s before, %s after. "+
		"Durability %s, storm prevention off, one user's sockets unless -users, medians of %d run(s), figure by figure; "+
		"server and clients on one host over loopback, clients in the generator's process.",
		strings.TrimSpace(string(commit)), time.Now().Format("2006-01-02 15:04"), host, runtime.NumCPU(), runtime.Version(),
		loadBefore, loadAfter, o.system.Durability, o.runs) + peerNote(o)
}

// peerNote says how the peers were configured, when they were measured.
func peerNote(o options) string {
	s := ""
	if o.ntfy != "" {
		s += " ntfy tuned: its \"tuned for scale\" cache (writes batched in memory for up to 1 s, WAL, synchronous=normal), not durable."
	}
	if o.gotify != "" {
		s += " Gotify WAL: SQLite in WAL mode, synchronous at SQLite's default."
	}
	if s != "" {
		s += " \"Out of publish order\": a frame arrived after one whose publish began only once its own had been accepted; " +
			"\"out of step\": overlapping publishes reached a user's sockets in different orders."
	}
	return s
}

// loadAverage is the 1, 5 and 15 minute load average (Linux), or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " / ")
}
