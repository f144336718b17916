package api_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/api"
)

func TestHealth(t *testing.T) {
	h := newHarness(t)
	wantJSON(t, h.do("GET", "/healthz", ""), http.StatusOK, `{"status":"ok"}`)
	wantJSON(t, h.do("GET", "/readyz", ""), http.StatusOK, `{"status":"ok","version":"test"}`)
}

func TestReadyFails(t *testing.T) {
	h := newHarness(t, func(d *api.Deps) {
		d.Ready = func(context.Context) error { return errors.New("disk on fire") }
	})
	msg := wantError(t, h.do("GET", "/readyz", ""), http.StatusServiceUnavailable, "UNAVAILABLE")
	if msg == "disk on fire" {
		t.Fatal("readiness failure details leaked")
	}
	wantJSON(t, h.do("GET", "/healthz", ""), http.StatusOK, `{"status":"ok"}`)
}

func TestReadyNamesAFullDisk(t *testing.T) {
	full := app.Errorf(app.EFULL, "The disk holding the database is full.")
	h := newHarness(t, func(d *api.Deps) {
		d.Ready = func(context.Context) error { return full }
	})
	msg := wantError(t, h.do("GET", "/readyz", ""), http.StatusServiceUnavailable, "STORAGE_FULL")
	if msg != full.Message {
		t.Fatalf("readyz says %q, want %q", msg, full.Message)
	}
}
