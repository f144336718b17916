package web_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

func TestWriteError(t *testing.T) {
	gin.SetMode(gin.TestMode)
	for _, c := range []struct {
		err           error
		status        int
		code, message string
		retryAfter    string
	}{
		{app.Errorf(app.EINVALID, "Bad."), 400, "INVALID_PARAMETER", "Bad.", ""},
		{app.Errorf(app.EUNAUTHENTICATED, "Who?"), 401, "UNAUTHENTICATED", "Who?", ""},
		{app.Errorf(app.EFORBIDDEN, "No."), 403, "FORBIDDEN", "No.", ""},
		{app.CodedErrorf(app.ENOTFOUND, app.CodeNotificationNotFound, "Gone."), 404, "NOTIFICATION_NOT_FOUND", "Gone.", ""},
		{app.Errorf(app.ECONFLICT, "Taken."), 409, "CONFLICT", "Taken.", ""},
		{app.Errorf(app.ETOOLARGE, "Big."), 413, "PAYLOAD_TOO_LARGE", "Big.", ""},
		{app.Errorf(app.ERATELIMIT, "Slow down."), 429, "RATE_LIMIT_EXCEEDED", "Slow down.", ""},
		{fmt.Errorf("wrapped: %w", app.Errorf(app.ENOTFOUND, "Deep.")), 404, "NOT_FOUND", "Deep.", ""},
		{errors.New("secret database detail"), 500, "INTERNAL", "Internal error.", ""},
		{&app.Error{Kind: app.ERATELIMIT, Message: "Wait.", RetryAfter: 2500 * time.Millisecond}, 429, "RATE_LIMIT_EXCEEDED", "Wait.", "3"},
		{&app.Error{Kind: app.EUNAVAILABLE, Message: "Busy.", RetryAfter: time.Millisecond}, 503, "UNAVAILABLE", "Busy.", "1"},
		{fmt.Errorf("wrapped: %w", &app.Error{Kind: app.ERATELIMIT, Message: "Deep.", RetryAfter: time.Minute}), 429, "RATE_LIMIT_EXCEEDED", "Deep.", "60"},
		{app.Errorf(app.EFULL, "Disk full."), 507, "STORAGE_FULL", "Disk full.", ""},
		{app.Errorf(app.ETIMEOUT, "Too slow."), 408, "REQUEST_TIMEOUT", "Too slow.", ""},
	} {
		rec := httptest.NewRecorder()
		c2, _ := gin.CreateTestContext(rec)
		c2.Request = httptest.NewRequest("GET", "/x", nil)
		web.WriteError(c2, c.err)
		if !c2.IsAborted() {
			t.Errorf("%v: chain not aborted", c.err)
		}
		wantJSON(t, rec, c.status, fmt.Sprintf(`{"error":{"code":%q,"message":%q}}`, c.code, c.message))
		if got := rec.Header().Get("Retry-After"); got != c.retryAfter {
			t.Errorf("%v: Retry-After %q, want %q", c.err, got, c.retryAfter)
		}
	}
}

func TestWriteUnready(t *testing.T) {
	gin.SetMode(gin.TestMode)
	for _, c := range []struct {
		err           error
		code, message string
	}{
		{app.Errorf(app.EFULL, "The disk holding the database is full."), "STORAGE_FULL", "The disk holding the database is full."},
		{errors.New("sql: database is closed"), "UNAVAILABLE", "The database is not ready."},
		{app.Errorf(app.EINTERNAL, "secret detail"), "UNAVAILABLE", "The database is not ready."},
	} {
		rec := httptest.NewRecorder()
		c2, _ := gin.CreateTestContext(rec)
		c2.Request = httptest.NewRequest("GET", "/readyz", nil)
		web.WriteUnready(c2, c.err)
		wantJSON(t, rec, 503, fmt.Sprintf(`{"error":{"code":%q,"message":%q}}`, c.code, c.message))
	}
}

func wantJSON(t *testing.T, rec *httptest.ResponseRecorder, status int, want string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	var got, exp any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatal(err)
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(exp)
	if string(g) != string(w) {
		t.Fatalf("body %s, want %s", g, w)
	}
}
