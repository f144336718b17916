package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fullBody makes every publish of the disk tests store a few KiB, so the
// disk fills after a few hundred.
var fullBody = strings.Repeat("The disk test fills the disk. ", 130)

// TestDiskFull puts the database on a 16 MiB tmpfs, fills the disk with a
// ballast file and keeps publishing. Publishes must then fail with 507
// STORAGE_FULL in the error envelope, never 500; reads keep working;
// /readyz answers 503 and names the full disk; the server stays up and
// idle. Once the ballast is deleted the server must notice by itself
// (/readyz 200 without any write), the next publish must succeed, and
// every notification whose publish was answered 2xx must still be there.
func TestDiskFull(t *testing.T) {
	requireRoot(t, "the disk-full test")
	disk := smallDisk(t, 16<<20)
	dbPath := filepath.Join(disk, "belfry.db")
	in := newInstance(t, dbPath, "full")
	srv := in.serve()
	tok := in.createTokens()
	hooks := newReceiver(t)
	in.createWebhook(t, tok.admin, hooks)
	var seq statusLog
	acked := map[string]bool{}
	for i := range 20 {
		st, id, body := in.publishBody(context.Background(), tok.publish, fmt.Sprint("before ", i), fullBody)
		if st != http.StatusAccepted {
			t.Fatalf("publish before the disk filled: %d %s", st, body)
		}
		acked[id] = true
		seq.add("publish", st)
	}

	// The receiver holds its deliveries while the disk fills: those queued
	// meanwhile are still due when it is full, and the webhook worker must
	// not retry its failing claims in a loop.
	hooks.hold()
	// The WAL is emptied first: the space the disk lacks must not come back
	// when Belfry truncates its own WAL while full (the WAL-growth test is
	// that case), or the disk would rightly count as usable again.
	wal := truncateWAL(t, dbPath)
	ballastFile := ballast(t, disk, 256<<10)
	t.Logf("WAL of %d bytes emptied, disk filled to %d bytes free", wal, freeBytes(t, disk))
	for id := range publishUntilFull(t, in, tok.publish, &seq) {
		acked[id] = true
	}
	hooks.release()
	checkWhileFull(t, in, srv, tok, acked, &seq)

	if err := os.Remove(ballastFile); err != nil {
		t.Fatal(err)
	}
	waitReady(t, in, &seq)
	st, id, body := in.publishBody(context.Background(), tok.publish, "after", fullBody)
	seq.add("publish", st)
	if st != http.StatusAccepted {
		t.Fatalf("first publish after space came back: %d %s", st, body)
	}
	acked[id] = true
	checkAllThere(t, in, tok, acked)
	srv.stop()
	if s := readDatabase(t, dbPath); s.Integrity != "ok" || s.Orphans != 0 || s.Undelivered != 0 {
		t.Errorf("after the full disk: integrity %q, %d orphan and %d missing deliveries", s.Integrity, s.Orphans, s.Undelivered)
	}
	t.Logf("sequence: %s", seq.String())
}

// publishUntilFull publishes from four clients until each has been refused
// 20 times in a row, and returns the ids answered 2xx. Every refusal must
// be 507 STORAGE_FULL with a message that names the full disk.
func publishUntilFull(t *testing.T, in *instance, token string, seq *statusLog) map[string]bool {
	t.Helper()
	var (
		mu    sync.Mutex
		acked = map[string]bool{}
		wg    sync.WaitGroup
	)
	for p := range 4 {
		wg.Go(func() {
			refused := 0
			for i := 0; refused < 20 && i < 5000; i++ {
				st, id, body := in.publishBody(context.Background(), token, fmt.Sprintf("fill %d %d", p, i), fullBody)
				seq.add("publish", st)
				if st == http.StatusAccepted {
					mu.Lock()
					acked[id] = true
					mu.Unlock()
					refused = 0
					continue
				}
				refused++
				checkStorageFull(t, "publish", st, http.StatusInsufficientStorage, body)
			}
			if refused < 20 {
				t.Errorf("publisher %d: the disk never filled", p)
			}
		})
	}
	wg.Wait()
	return acked
}

// checkWhileFull checks the server while the disk is full: /readyz names
// the full disk, reads work, the process stays up and nearly idle.
func checkWhileFull(t *testing.T, in *instance, srv *server, tok tokens, acked map[string]bool, seq *statusLog) {
	t.Helper()
	st, body := httpGet(in.url("/readyz"), "")
	seq.add("readyz", st)
	checkStorageFull(t, "/readyz", st, http.StatusServiceUnavailable, body)
	checkAllThere(t, in, tok, acked)
	seq.add("list", http.StatusOK)
	// Nobody writes for 3 s: the server must neither spin nor keep retrying
	// writes that cannot succeed (background jobs may retry about once a second).
	failedBefore := failedWrites(t, in, tok)
	busy := cpuWhileIdle(t, srv, 3*time.Second)
	failed := failedWrites(t, in, tok) - failedBefore
	t.Logf("while full and idle for 3 s: %.1f%% of one core, %d failed writes", 100*busy, failed)
	if busy > 0.03 || failed > 6 {
		t.Errorf("while the disk is full and nobody writes the server uses %.1f%% of a core and tried %d writes in 3 s: it spins", 100*busy, failed)
	}
	st, body = httpGet(in.url("/readyz"), "")
	seq.add("readyz", st)
	checkStorageFull(t, "/readyz", st, http.StatusServiceUnavailable, body)
}

// failedWrites reads belfry_db_writes_failed_total from /metrics.
func failedWrites(t *testing.T, in *instance, tok tokens) int {
	t.Helper()
	st, body := httpGet(in.url("/metrics"), tok.admin)
	if st != http.StatusOK {
		t.Fatalf("/metrics: %d %s", st, body)
	}
	for line := range strings.Lines(string(body)) {
		if v, ok := strings.CutPrefix(line, "belfry_db_writes_failed_total "); ok {
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("/metrics: %q", line)
			}
			return int(n)
		}
	}
	t.Fatal("/metrics has no belfry_db_writes_failed_total")
	return 0
}

// checkStorageFull checks one answer of a server whose disk is full.
func checkStorageFull(t *testing.T, what string, status, want int, body []byte) {
	t.Helper()
	var e errorEnvelope
	if status != want || json.Unmarshal(body, &e) != nil || e.Error.Code != "STORAGE_FULL" ||
		!strings.Contains(e.Error.Message, "the disk holding the database is full") {
		t.Errorf("%s while the disk is full: %d %s; want %d STORAGE_FULL naming the full disk", what, status, body, want)
	}
}

// checkAllThere checks that every acknowledged notification can be read.
func checkAllThere(t *testing.T, in *instance, tok tokens, acked map[string]bool) {
	t.Helper()
	seen := in.notificationIDs(t, tok.admin)
	lost := 0
	for id := range acked {
		if !seen[id] {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged notifications are missing", lost, len(acked))
	}
}

// waitReady waits up to 10 s, without writing anything, for /readyz to
// answer 200 again.
func waitReady(t *testing.T, in *instance, seq *statusLog) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, body := httpGet(in.url("/readyz"), "")
		seq.add("readyz", st)
		if st == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d %s 10 s after space came back", st, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// statusLog records the statuses a test saw, in order, run-length encoded.
type statusLog struct {
	mu   sync.Mutex
	runs []statusRun
}

type statusRun struct {
	what   string
	status int
	n      int
}

func (l *statusLog) add(what string, status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.runs); n > 0 && l.runs[n-1].what == what && l.runs[n-1].status == status {
		l.runs[n-1].n++
		return
	}
	l.runs = append(l.runs, statusRun{what, status, 1})
}

func (l *statusLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	parts := make([]string, len(l.runs))
	for i, r := range l.runs {
		parts[i] = fmt.Sprintf("%s %d ×%d", r.what, r.status, r.n)
	}
	return strings.Join(parts, ", ")
}
