package gotify

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestHealth: GET /health is green while the server is ready, and 500
// with the database red, as Gotify answers, when it is not.
func TestHealth(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	for name, tc := range map[string]struct {
		ready  error
		status int
		body   string
	}{
		"ready":     {nil, http.StatusOK, `{"health":"green","database":"green"}`},
		"not ready": {errors.New("database is closed"), http.StatusInternalServerError, `{"health":"orange","database":"red"}`},
	} {
		g := New(Deps{Ready: func(context.Context) error { return tc.ready }})
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest(http.MethodGet, "/health", nil)
		g.handleHealth(c)
		if rec.Code != tc.status || rec.Body.String() != tc.body {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
}
