package api_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/belfry/belfry/app/server/servertest"
)

func TestInternalErrorIsLogged(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	h := newHarness(t, servertest.WithLogger(log))
	h.DB.Close() // every query now fails: a fault at the edge
	rec := h.do("GET", "/api/notifications", "", bearer(h.aliceClient))
	msg := wantError(t, rec, http.StatusInternalServerError, "INTERNAL")
	if msg != "Internal error." {
		t.Fatalf("message %q", msg)
	}
	if !strings.Contains(logs.String(), "path=/api/notifications") {
		t.Fatalf("internal error not logged with its request: %q", logs.String())
	}
}
