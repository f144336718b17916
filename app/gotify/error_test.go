package gotify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

// TestErrors: every bad request gets a clear 4xx in Gotify's error shape,
// and nothing is published.
func TestErrors(t *testing.T) {
	h := newHarness(t)
	alice := h.User("alice", false)
	secret, _ := h.app(alice, "nas", app.ScopePublish)
	client, _ := h.app(alice, "phone", app.ScopeClient)
	revoked, revokedID := h.app(alice, "old", app.ScopePublish)
	if err := h.Auth.RevokeToken(context.Background(), alice.ID, revokedID); err != nil {
		t.Fatal(err)
	}
	q := "/message?token=" + secret
	const js = "application/json"
	long := func(n int) string { return strings.Repeat("x", n) }
	for _, c := range []struct {
		name, path, contentType, body string
		headers                       []string
		status                        int
		says                          string
	}{
		{"no token", "/message", js, `{"message":"m"}`, nil, 401, "X-Gotify-Key"},
		{"unknown token", "/message?token=AbCdEfGhIjKlMnO", js, `{"message":"m"}`, nil, 401, "token"},
		{"revoked token", "/message", js, `{"message":"m"}`, []string{"X-Gotify-Key", revoked}, 401, "revoked"},
		{"client token", "/message", js, `{"message":"m"}`, []string{"Authorization", "Bearer " + client}, 403, "client token"},
		{"basic auth", "/message", js, `{"message":"m"}`, []string{"Authorization", "Basic YWxpY2U6c2VjcmV0"}, 401, "X-Gotify-Key"},
		{"session cookie", "/message", js, `{"message":"m"}`, []string{"Cookie", "belfry_session=" + h.Session(alice)}, 401, "X-Gotify-Key"},

		{"not JSON", q, js, `{"message":`, nil, 400, "not valid JSON"},
		{"JSON syntax", q, js, `{"message" "m"}`, nil, 400, "at byte"},
		{"empty JSON", q, js, ``, nil, 400, "body is empty"},
		{"array", q, js, `[{"message":"m"}]`, nil, 400, "JSON object"},
		{"null", q, js, `null`, nil, 400, "not null"},
		{"two values", q, js, `{"message":"m"} {}`, nil, 400, "single JSON object"},
		{"no message", q, js, `{"title":"t"}`, nil, 400, "Field 'message' is required"},
		{"empty message", q, js, `{"message":""}`, nil, 400, "Field 'message' is required"},
		{"message not a string", q, js, `{"message":42}`, nil, 400, "Field 'message' must be a string"},
		{"title not a string", q, js, `{"message":"m","title":["t"]}`, nil, 400, "Field 'title' must be a string"},
		{"priority word", q, js, `{"message":"m","priority":"high"}`, nil, 400, "Field 'priority' must be an integer"},
		{"priority fraction", q, js, `{"message":"m","priority":2.5}`, nil, 400, "Field 'priority' must be an integer"},
		{"priority bool", q, js, `{"message":"m","priority":true}`, nil, 400, "Field 'priority' must be an integer"},
		{"priority object", q, js, `{"message":"m","priority":{}}`, nil, 400, "Field 'priority' must be an integer"},
		{"extras string", q, js, `{"message":"m","extras":"x"}`, nil, 400, "Field 'extras' must be an object"},
		{"extras array", q, js, `{"message":"m","extras":[]}`, nil, 400, "Field 'extras' must be an object"},
		{"extras too large", q, js, `{"message":"m","extras":{"a::b":"` + long(app.MaxDataLen) + `"}}`, nil, 400, "Field 'extras' is longer"},
		{"display not an object", q, js, `{"message":"m","extras":{"client::display":"text/markdown"}}`, nil, 400, "client::display must be an object"},
		{"contentType not a string", q, js, `{"message":"m","extras":{"client::display":{"contentType":1}}}`, nil, 400, "contentType must be a string"},
		{"click not an object", q, js, `{"message":"m","extras":{"client::notification":{"click":"https://x"}}}`, nil, 400, "client::notification.click must be an object"},
		{"click url not a string", q, js, `{"message":"m","extras":{"client::notification":{"click":{"url":7}}}}`, nil, 400, "click.url must be a string"},
		{"click url too long", q, js, `{"message":"m","extras":{"client::notification":{"click":{"url":"https://x/` + long(app.MaxURLLen) + `"}}}}`, nil, 400, "click.url is longer"},
		{"type not a string", q, js, `{"message":"m","extras":{"belfry::type":{"name":"x"}}}`, nil, 400, "belfry::type must be a string"},
		{"unknown type", q + "&type=nope", js, `{"message":"m"}`, nil, 400, `Unknown notification type "nope"`},
		{"unknown type extra", q, js, `{"message":"m","extras":{"belfry::type":"nope"}}`, nil, 400, `Unknown notification type "nope"`},
		{"two types", q + "&type=job_failed", js, `{"message":"m","extras":{"belfry::type":"job_completed"}}`, nil, 400, "type is given twice"},
		{"long title", q, js, `{"message":"m","title":"` + long(app.MaxTitleLen+1) + `"}`, nil, 400, "Field 'title' is longer than 256 bytes"},
		{"long message", q, js, `{"message":"` + long(app.MaxBodyLen+1) + `"}`, nil, 400, "Field 'message' is longer than 16384 bytes"},
		{"huge body", q, js, `{"message":"` + long(70<<10) + `"}`, nil, 413, "larger than 64 KiB"},

		{"form without message", q, "application/x-www-form-urlencoded", "title=t", nil, 400, "Field 'message' is required"},
		{"form priority", q, "application/x-www-form-urlencoded", "message=m&priority=urgent", nil, 400, "Field 'priority' must be an integer"},
		{"form escapes", q, "application/x-www-form-urlencoded", "message=%zz", nil, 400, "form body is not valid"},
		{"form not UTF-8", q, "application/x-www-form-urlencoded", "message=%ff%fe", nil, 400, "Field 'message' is not valid UTF-8"},
		{"multipart without boundary", q, "multipart/form-data", "--x\r\n", nil, 400, "boundary"},
		{"multipart broken", q, "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nm", nil, 400, "multipart body is not valid"},
		{"text body", q, "text/plain", "hello", nil, 400, `Content-Type "text/plain" is not supported`},
	} {
		st, raw := h.post(c.path, c.contentType, c.body, c.headers...)
		var e gotifyError
		if err := json.Unmarshal(raw, &e); err != nil || st != c.status || e.ErrorCode != c.status ||
			e.Error != http.StatusText(c.status) || !strings.Contains(e.ErrorDescription, c.says) {
			t.Errorf("%s: %d %s; want %d saying %q", c.name, st, raw, c.status, c.says)
		}
	}
	if n := len(h.inbox(alice)); n != 0 {
		t.Errorf("%d notifications were published", n)
	}
}
