package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/tools/faultfs"
)

// publishers is how many clients publish at once during a trial.
const publishers = 16

// trialResult is one power-loss trial's figures.
type trialResult struct {
	acked     int   // publishes answered 2xx
	failed    int   // publishes answered otherwise (mostly after the cut)
	lost      int   // acknowledged notifications missing after the restart
	discarded int64 // unsynced bytes the cut threw away
	syncs     uint64
	db        dbState // the recovered file
}

func (r trialResult) String() string {
	return fmt.Sprintf("%d acknowledged, %d lost, %d failed publishes, %d fsyncs, %d unsynced bytes discarded; "+
		"recovered file: integrity_check %s, %d notifications, %d webhook deliveries (%d orphaned, %d missing)",
		r.acked, r.lost, r.failed, r.syncs, r.discarded,
		r.db.Integrity, r.db.Notifications, r.db.Deliveries, r.db.Orphans, r.db.Undelivered)
}

// TestPowerLoss runs Belfry with its database on a faultfs mount, publishes
// from 16 clients, cuts the power in the middle (every unsynced write is
// discarded, then the server is killed), restarts it and counts the
// acknowledged notifications that are missing. Durability full must lose
// none in any trial; durability normal is the negative control: it must
// lose some in at least one trial, or the test could not see a loss. Every
// trial must also leave a database that passes integrity_check and whose
// webhook outbox matches its notifications.
func TestPowerLoss(t *testing.T) {
	requireRoot(t, "the power-loss test")
	if err := faultfs.Available(); err != nil {
		t.Skipf("the power-loss test: %v", err)
	}
	trials := envInt(t, "BELFRY_FAULTS_TRIALS", 3)
	publishFor := 2 * time.Second

	t.Run("full", func(t *testing.T) {
		for i := range trials {
			r := powerLossTrial(t, "full", publishFor)
			t.Logf("full, trial %d: %v", i+1, r)
			if r.lost != 0 {
				t.Errorf("durability full, trial %d: %d of %d acknowledged notifications lost", i+1, r.lost, r.acked)
			}
		}
	})
	t.Run("normal", func(t *testing.T) {
		losing, lost, acked := 0, 0, 0
		for i := range trials {
			r := powerLossTrial(t, "normal", publishFor)
			t.Logf("normal, trial %d: %v", i+1, r)
			acked += r.acked
			lost += r.lost
			if r.lost > 0 {
				losing++
			}
		}
		t.Logf("normal: %d of %d trials lost acknowledged notifications (%d of %d)", losing, trials, lost, acked)
		if losing == 0 {
			t.Errorf("negative control: durability normal lost nothing in %d trials, so the test cannot tell a loss from none", trials)
		}
	})
}

// powerLossTrial is one trial on a fresh database.
func powerLossTrial(t *testing.T, durability string, publishFor time.Duration) trialResult {
	t.Helper()
	dir := t.TempDir()
	backing, mnt := filepath.Join(dir, "backing"), filepath.Join(dir, "mnt")
	for _, d := range []string{backing, mnt} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fsys, err := faultfs.Mount(backing, mnt, faultfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mounted := true
	t.Cleanup(func() {
		if mounted {
			if err := fsys.Unmount(); err != nil {
				t.Error(err)
			}
		}
	})
	dbPath := filepath.Join(mnt, "belfry.db")
	in := newInstance(t, dbPath, durability)
	srv := in.serve()
	tok := in.createTokens()
	in.createWebhook(t, tok.admin, newReceiver(t))

	var loss faultfs.Loss
	acked, failed := publishUntilCut(t, in, tok.publish, publishFor, func() {
		loss = fsys.PowerCut()
		srv.kill()
	})
	res := trialResult{acked: len(acked), failed: failed, syncs: fsys.Stats().Syncs, discarded: loss.Bytes}
	if len(acked) == 0 {
		t.Fatalf("no publish succeeded before the cut\n%s", srv.output())
	}
	mounted = false
	if err := fsys.Unmount(); err != nil {
		t.Fatal(err)
	}

	// The recovered file, read with SQL from the backing directory (the
	// "disk"; this process serves the mount and must not mmap its files, see
	// package faultfs) before Belfry runs on it again.
	st := readDatabase(t, filepath.Join(backing, "belfry.db"))
	res.db = st
	for id := range acked {
		if !st.IDs[id] {
			res.lost++
		}
	}
	if st.Integrity != "ok" {
		t.Errorf("integrity_check after the cut: %s", st.Integrity)
	}
	if st.Orphans != 0 {
		t.Errorf("%d webhook deliveries refer to a notification that does not exist", st.Orphans)
	}
	if st.Undelivered != 0 {
		t.Errorf("%d of %d job_failed notifications have no webhook delivery", st.Undelivered, st.Notifications)
	}
	if st.Deliveries != st.Notifications {
		t.Errorf("%d webhook deliveries for %d job_failed notifications and one webhook", st.Deliveries, st.Notifications)
	}

	// Belfry restarted on it serves every notification the file holds.
	if fsys, err = faultfs.Mount(backing, mnt, faultfs.Options{}); err != nil {
		t.Fatal(err)
	}
	mounted = true
	srv = in.serve()
	seen := in.notificationIDs(t, tok.admin)
	srv.stop()
	if len(seen) != len(st.IDs) {
		t.Errorf("after the restart the polling API lists %d notifications, the recovered file holds %d", len(seen), len(st.IDs))
	}
	for id := range st.IDs {
		if !seen[id] {
			t.Errorf("notification %s is in the recovered file but not served after the restart", id)
			break
		}
	}
	return res
}

// publishUntilCut publishes from 16 clients for d, then calls cut while
// they are still publishing, stops them and returns the ids of every
// notification whose publish was answered 2xx (with its webhook delivery
// queued), and how many publishes failed.
func publishUntilCut(t *testing.T, in *instance, token string, d time.Duration, cut func()) (map[string]bool, int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu      sync.Mutex
		acked   = map[string]bool{}
		failed  int
		noHooks int
		wg      sync.WaitGroup
	)
	for p := range publishers {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				status, id, body := in.publish(ctx, token, fmt.Sprintf("publisher %d event %d", p, i))
				mu.Lock()
				switch {
				case status == 202 && id != "":
					acked[id] = true
					if !publishedWithWebhook(body) {
						noHooks++
					}
				default:
					failed++
				}
				mu.Unlock()
				if status == 0 && ctx.Err() == nil {
					// The server is gone (after the cut): do not spin on refused connections.
					time.Sleep(10 * time.Millisecond)
				}
			}
		})
	}
	time.Sleep(d)
	cut()
	cancel()
	wg.Wait()
	if noHooks > 0 {
		t.Errorf("%d acknowledged publishes queued no webhook delivery", noHooks)
	}
	return acked, failed
}

// publishedWithWebhook reports whether a 202 body says one delivery was queued.
func publishedWithWebhook(body []byte) bool {
	var p published
	return json.Unmarshal(body, &p) == nil && p.Webhooks == 1
}

// envInt reads a positive integer from the environment, or def.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}
