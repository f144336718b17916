package api_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestPublishOnAFullDisk caps the database file at its current size, as a
// full disk does (SQLite then fails writes with SQLITE_FULL): a publish
// that needs a new page is answered 507 STORAGE_FULL in the envelope, never
// 500, and reads keep working.
func TestPublishOnAFullDisk(t *testing.T) {
	h := newHarness(t)
	if h.DB.Path() == "" {
		t.Skip("fills the SQLite file; a PostgreSQL run has none (PostgreSQL's disk_full is mapped in db/error.go)")
	}
	err := h.DB.Write(context.Background(), func(tx *sql.Tx) error {
		var pages int
		if err := tx.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
			return err
		}
		_, err := tx.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"type":"job_failed","title":"big","body":%q}`, strings.Repeat("x", 16<<10-1))
	// Free pages inside the file take a few publishes; the file cannot grow.
	for i := 0; ; i++ {
		rec := h.do("POST", "/api/v1/events", body, bearer(h.alicePublish))
		if rec.Code == http.StatusAccepted && i < 100 {
			continue
		}
		msg := wantError(t, rec, http.StatusInsufficientStorage, "STORAGE_FULL")
		if !strings.Contains(msg, "disk") {
			t.Errorf("message %q does not name the disk", msg)
		}
		break
	}
	wantStatus(t, h.do("GET", "/api/notifications", "", bearer(h.aliceClient)), http.StatusOK)
}
