package gotify

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// FuzzClientInput feeds the client API's decoders what a client may send:
// the paging query of GET /message, the body of POST /client, and the
// stored data a message JSON is made from. Paging is refused with EINVALID
// or within Gotify's bounds; a client name is refused with EINVALID or not
// blank; every message JSON encodes.
func FuzzClientInput(f *testing.F) {
	for _, s := range []struct{ query, contentType, body, data string }{
		{"limit=100&since=0", "application/json", `{"name":"Pixel 8"}`, `{"source":"gotify","priority":5,"extras":{"client::display":{"contentType":"text/plain"}}}`},
		{"limit=1", "application/x-www-form-urlencoded", "name=Tablet", `{}`},
		{"since=42", "", "", `{"source":"ntfy","priority":4}`},
		{"limit=0", "text/plain", "x", `not json`},
		{"limit=201&since=-1", "application/json", `{"name":`, `{"source":"gotify","priority":"5","extras":[]}`},
	} {
		f.Add(s.query, s.contentType, []byte(s.body), []byte(s.data))
	}
	gin.SetMode(gin.ReleaseMode)
	f.Fuzz(func(t *testing.T, query, contentType string, body, data []byte) {
		req := httptest.NewRequest(http.MethodPost, "/client", strings.NewReader(string(body)))
		req.URL.RawQuery = query
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = req
		limit, since, err := paging(c)
		if err != nil && app.ErrorKind(err) != app.EINVALID || err == nil && (limit < 1 || limit > maxLimit || since < 0) {
			t.Fatalf("paging %q: %d %d %v", query, limit, since, err)
		}
		name, err := clientName(c)
		if err != nil && app.ErrorKind(err) != app.EINVALID || err == nil && strings.TrimSpace(name) == "" {
			t.Fatalf("client name: %q %v", name, err)
		}
		n := &app.NumberedNotification{Notification: &app.Notification{Title: "t", Body: string(body), Data: data}, Number: 1, TopicNumber: 1}
		if _, err := json.Marshal(messageOf(n)); err != nil {
			t.Fatalf("message JSON of data %q: %v", data, err)
		}
	})
}
