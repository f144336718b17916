package api_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/api"
	"github.com/gin-gonic/gin"
)

func TestWriteError(t *testing.T) {
	gin.SetMode(gin.TestMode)
	for _, c := range []struct {
		err           error
		status        int
		code, message string
	}{
		{app.Errorf(app.EINVALID, "Bad."), 400, "INVALID_PARAMETER", "Bad."},
		{app.Errorf(app.EUNAUTHENTICATED, "Who?"), 401, "UNAUTHENTICATED", "Who?"},
		{app.Errorf(app.EFORBIDDEN, "No."), 403, "FORBIDDEN", "No."},
		{app.CodedErrorf(app.ENOTFOUND, app.CodeNotificationNotFound, "Gone."), 404, "NOTIFICATION_NOT_FOUND", "Gone."},
		{app.Errorf(app.ECONFLICT, "Taken."), 409, "CONFLICT", "Taken."},
		{app.Errorf(app.ETOOLARGE, "Big."), 413, "PAYLOAD_TOO_LARGE", "Big."},
		{app.Errorf(app.ERATELIMIT, "Slow down."), 429, "RATE_LIMIT_EXCEEDED", "Slow down."},
		{app.Errorf(app.EFULL, "Disk full."), 507, "STORAGE_FULL", "Disk full."},
		{fmt.Errorf("wrapped: %w", app.Errorf(app.ENOTFOUND, "Deep.")), 404, "NOT_FOUND", "Deep."},
		{errors.New("secret database detail"), 500, "INTERNAL", "Internal error."},
	} {
		rec := httptest.NewRecorder()
		c2, _ := gin.CreateTestContext(rec)
		c2.Request = httptest.NewRequest("GET", "/x", nil)
		api.WriteError(c2, c.err)
		if !c2.IsAborted() {
			t.Errorf("%v: chain not aborted", c.err)
		}
		wantJSON(t, rec, c.status, fmt.Sprintf(`{"error":{"code":%q,"message":%q}}`, c.code, c.message))
	}
}

func TestInternalErrorIsLogged(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	h := newHarness(t, func(d *api.Deps) { d.Logger = log })
	h.db.Close() // every query now fails: a fault at the edge
	rec := h.do("GET", "/api/notifications", "", bearer(h.aliceClient))
	msg := wantError(t, rec, http.StatusInternalServerError, "INTERNAL")
	if msg != "Internal error." {
		t.Fatalf("message %q", msg)
	}
	if !strings.Contains(logs.String(), "path=/api/notifications") {
		t.Fatalf("internal error not logged with its request: %q", logs.String())
	}
}
