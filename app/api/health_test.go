package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/belfry/belfry/app/server/servertest"
)

func TestHealth(t *testing.T) {
	h := newHarness(t, servertest.WithVersion("test"))
	wantJSON(t, h.do("GET", "/healthz", ""), http.StatusOK, `{"status":"ok"}`)
	wantJSON(t, h.do("GET", "/readyz", ""), http.StatusOK, `{"status":"ok","version":"test"}`)
}

func TestReadyFails(t *testing.T) {
	h := newHarness(t)
	h.DB.Close() // the database no longer answers: a fault at the edge
	msg := wantError(t, h.do("GET", "/readyz", ""), http.StatusServiceUnavailable, "UNAVAILABLE")
	if strings.Contains(msg, "closed") {
		t.Fatalf("readiness failure details leaked: %q", msg)
	}
	wantJSON(t, h.do("GET", "/healthz", ""), http.StatusOK, `{"status":"ok"}`)
}
