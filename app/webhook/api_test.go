package webhook

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// apiFixture is the webhook API behind the real authentication middleware,
// with session cookies for alice and bob and a client token for alice.
type apiFixture struct {
	*fixture
	engine                               *gin.Engine
	aliceSession, bobSession, aliceToken string
}

func newAPIFixture(t *testing.T, opts ...fixtureOption) *apiFixture {
	t.Helper()
	gin.SetMode(gin.TestMode)
	f := &apiFixture{fixture: newFixture(t, opts...)}
	as := apptest.Auth(f.db)
	f.engine = gin.New()
	// As the server installs them in front of every route.
	f.engine.Use(web.WithLogger(apptest.Logger()), web.CrossOriginGuard(f.deps.BaseURL))
	f.hooks.API.Register(f.engine, web.Authenticate(as))
	login := func(u *app.User) string { return "session:" + apptest.Login(t, as, u) }
	f.aliceSession, f.bobSession = login(f.alice), login(f.bob)
	f.aliceToken = apptest.Token(t, as, f.alice, app.ScopeClient)
	return f
}

func (f *apiFixture) do(method, path, token, body string) *httptest.ResponseRecorder {
	f.t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if cookie, ok := strings.CutPrefix(token, "session:"); ok {
		r.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: cookie})
	} else if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	f.engine.ServeHTTP(rec, r)
	return rec
}

// create posts body as alice and returns the decoded 201 answer.
func (f *apiFixture) create(body string) map[string]any {
	f.t.Helper()
	rec := f.do("POST", "/api/webhooks", f.aliceSession, body)
	if rec.Code != http.StatusCreated {
		f.t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var v map[string]any
	decodeJSON(f.t, rec.Body.Bytes(), &v)
	return v
}

func wantAPIError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	var env struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if rec.Code != status || json.Unmarshal(rec.Body.Bytes(), &env) != nil || env.Error.Code != code || env.Error.Message == "" {
		t.Fatalf("got %d %s, want %d with code %s", rec.Code, rec.Body, status, code)
	}
}

func TestAPI_CreateListGet(t *testing.T) {
	f := newAPIFixture(t)
	v := f.create(`{"kind":"generic","url":"http://127.0.0.1:9/in/abcdefgh","events":["job.failed","quota.warning"],"name":"ci"}`)
	secret, _ := v["secret"].(string)
	if !strings.HasPrefix(secret, "whsec_") || v["url"] != "http://127.0.0.1:9/in/abcdefgh" || v["enabled"] != true ||
		v["kind"] != "generic" || v["signed"] != true || v["auth"] != "none" {
		t.Fatalf("create answered %v", v)
	}
	id := v["id"].(string)
	for _, path := range []string{"/api/webhooks", "/api/webhooks/" + id} {
		rec := f.do("GET", path, f.aliceSession, "")
		body := rec.Body.String()
		if rec.Code != 200 || strings.Contains(body, strings.TrimPrefix(secret, "whsec_")) || strings.Contains(body, "abcdefgh") ||
			!strings.Contains(body, `"url":"http://127.0.0.1:9/in/abcd****"`) {
			t.Fatalf("GET %s: %d %s", path, rec.Code, body)
		}
	}
	ntfy := f.create(`{"kind":"ntfy","url":"http://ntfy.lan/alerts","events":["job.failed"],"auth_username":"me","auth_password":"pw-123"}`)
	if ntfy["auth"] != "basic" || ntfy["auth_username"] != "me" || ntfy["secret"] != nil || strings.Contains(f.do("GET", "/api/webhooks", f.aliceSession, "").Body.String(), "pw-123") {
		t.Fatalf("ntfy webhook answered %v", ntfy)
	}
}

func TestAPI_Validation(t *testing.T) {
	f := newAPIFixture(t, withConfig(func(c *app.WebhooksConfig) { c.AllowPrivate = false }))
	for name, body := range map[string]string{
		"BadKind":        `{"kind":"teams","url":"https://1.1.1.1/","events":["job.failed"]}`,
		"NoKind":         `{"url":"https://1.1.1.1/","events":["job.failed"]}`,
		"BadURL":         `{"kind":"slack","url":"::not a url","events":["job.failed"]}`,
		"NoURL":          `{"kind":"slack","events":["job.failed"]}`,
		"FTP":            `{"kind":"slack","url":"ftp://1.1.1.1/x","events":["job.failed"]}`,
		"JavaScript":     `{"kind":"slack","url":"javascript:alert(1)","events":["job.failed"]}`,
		"NoHost":         `{"kind":"slack","url":"https:///path","events":["job.failed"]}`,
		"Credentials":    `{"kind":"ntfy","url":"https://u:p@1.1.1.1/t","events":["job.failed"]}`,
		"UnknownEvent":   `{"kind":"slack","url":"https://1.1.1.1/","events":["job.exploded"]}`,
		"TypeNotEvent":   `{"kind":"slack","url":"https://1.1.1.1/","events":["job_failed"]}`,
		"NoEvents":       `{"kind":"slack","url":"https://1.1.1.1/","events":[]}`,
		"DupEvents":      `{"kind":"slack","url":"https://1.1.1.1/","events":["job.failed","job.failed"]}`,
		"Loopback":       `{"kind":"ntfy","url":"http://127.0.0.1:8080/t","events":["job.failed"]}`,
		"Localhost":      `{"kind":"ntfy","url":"http://localhost/t","events":["job.failed"]}`,
		"LAN":            `{"kind":"ntfy","url":"http://192.168.1.20/t","events":["job.failed"]}`,
		"IPv6Loopback":   `{"kind":"ntfy","url":"http://[::1]/t","events":["job.failed"]}`,
		"Metadata":       `{"kind":"generic","url":"http://169.254.169.254/latest","events":["job.failed"]}`,
		"AuthOnSlack":    `{"kind":"slack","url":"https://1.1.1.1/","events":["job.failed"],"auth_token":"x"}`,
		"BothAuth":       `{"kind":"ntfy","url":"https://1.1.1.1/t","events":["job.failed"],"auth_token":"x","auth_username":"u"}`,
		"PasswordNoUser": `{"kind":"ntfy","url":"https://1.1.1.1/t","events":["job.failed"],"auth_password":"x"}`,
		"LongName":       `{"kind":"slack","url":"https://1.1.1.1/","events":["job.failed"],"name":"` + strings.Repeat("n", 101) + `"}`,
		"UnknownField":   `{"kind":"slack","url":"https://1.1.1.1/","events":["job.failed"],"secret":"mine"}`,
		"WrongType":      `{"kind":"slack","url":"https://1.1.1.1/","events":"job.failed"}`,
		"NotJSON":        `{"kind":`,
		"Empty":          ``,
		"Array":          `[]`,
		"Trailing":       `{"kind":"slack","url":"https://1.1.1.1/","events":["job.failed"]} {}`,
	} {
		t.Run(name, func(t *testing.T) {
			wantAPIError(t, f.do("POST", "/api/webhooks", f.aliceSession, body), 400, app.CodeInvalidParameter)
		})
	}
	t.Run("TooLarge", func(t *testing.T) {
		body := `{"kind":"slack","url":"https://1.1.1.1/","events":["job.failed"],"name":"` + strings.Repeat("n", 20000) + `"}`
		wantAPIError(t, f.do("POST", "/api/webhooks", f.aliceSession, body), 413, app.CodeTooLarge)
	})
	t.Run("PublicOK", func(t *testing.T) {
		f.create(`{"kind":"slack","url":"https://1.1.1.1/services/x","events":["job.failed"]}`)
	})
	if rec := f.do("GET", "/api/webhooks", f.aliceSession, ""); strings.Count(rec.Body.String(), `"id"`) != 1 {
		t.Fatalf("a refused webhook was stored: %s", rec.Body)
	}
}

func TestAPI_Auth(t *testing.T) {
	f := newAPIFixture(t)
	wantAPIError(t, f.do("GET", "/api/webhooks", "", ""), 401, app.CodeUnauthenticated)
	wantAPIError(t, f.do("GET", "/api/webhooks", "nope", ""), 401, app.CodeInvalidToken)
	// A client token must not be able to send future events elsewhere.
	wantAPIError(t, f.do("POST", "/api/webhooks", f.aliceToken, `{"kind":"slack","url":"https://1.1.1.1/","events":["job.failed"]}`), 403, app.CodeForbidden)
	// A cross-site form cannot ride alice's session cookie.
	r := httptest.NewRequest("POST", "/api/webhooks", strings.NewReader(`{"kind":"slack","url":"https://1.1.1.1/","events":["job.failed"]}`))
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	r.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: strings.TrimPrefix(f.aliceSession, "session:")})
	rec := httptest.NewRecorder()
	f.engine.ServeHTTP(rec, r)
	wantAPIError(t, rec, 403, app.CodeForbidden)
	if v := f.create(`{"kind":"slack","url":"https://hooks.slack.com/services/x","events":["job.failed"]}`); v["name"] != "hooks.slack.com" {
		t.Fatalf("unnamed webhook called %v", v["name"])
	}
}

// TestAPI_CrossUser: every route answers 404 for another user's webhook.
func TestAPI_CrossUser(t *testing.T) {
	f := newAPIFixture(t)
	id := f.create(`{"kind":"generic","url":"http://127.0.0.1:9/","events":["job.failed"]}`)["id"].(string)
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/api/webhooks/" + id, ""},
		{"PATCH", "/api/webhooks/" + id, `{"name":"mine now"}`},
		{"DELETE", "/api/webhooks/" + id, ""},
		{"POST", "/api/webhooks/" + id + "/test", ""},
		{"POST", "/api/webhooks/" + id + "/rotate-secret", ""},
		{"GET", "/api/webhooks/" + id + "/deliveries", ""},
		{"GET", "/api/webhooks/0190f6c3-0000-7000-8000-000000000000", ""},
	} {
		wantAPIError(t, f.do(r.method, r.path, f.bobSession, r.body), 404, app.CodeNotFound)
	}
	if rec := f.do("GET", "/api/webhooks", f.bobSession, ""); rec.Body.String() != `{"webhooks":[]}` {
		t.Fatalf("bob lists %s", rec.Body)
	}
	if rec := f.do("GET", "/api/webhooks/"+id, f.aliceSession, ""); rec.Code != 200 || strings.Contains(rec.Body.String(), "mine now") {
		t.Fatalf("alice's webhook after bob's attempts: %d %s", rec.Code, rec.Body)
	}
	wantAPIError(t, f.do("GET", "/api/webhooks/not-a-uuid", f.aliceSession, ""), 400, app.CodeInvalidParameter)
}

func TestAPI_UpdateDelete(t *testing.T) {
	f := newAPIFixture(t, withConfig(func(c *app.WebhooksConfig) { c.AllowPrivate = false }))
	id := f.create(`{"kind":"ntfy","url":"https://1.1.1.1/topic","events":["job.failed"],"auth_token":"tk_1"}`)["id"].(string)
	path := "/api/webhooks/" + id
	rec := f.do("PATCH", path, f.aliceSession, `{"name":"phone","events":["job.completed"],"enabled":false,"auth_token":"","auth_username":"u","auth_password":"p"}`)
	var v map[string]any
	decodeJSON(t, rec.Body.Bytes(), &v)
	if rec.Code != 200 || v["name"] != "phone" || v["enabled"] != false || v["auth"] != "basic" || v["url"] != "https://1.1.1.1/topi****" {
		t.Fatalf("patch: %d %s", rec.Code, rec.Body)
	}
	for name, body := range map[string]string{
		"Kind":         `{"kind":"slack"}`,
		"PrivateURL":   `{"url":"http://10.0.0.1/x"}`,
		"NoEvents":     `{"events":[]}`,
		"UnknownField": `{"colour":"red"}`,
	} {
		t.Run(name, func(t *testing.T) {
			wantAPIError(t, f.do("PATCH", path, f.aliceSession, body), 400, app.CodeInvalidParameter)
		})
	}
	if rec := f.do("PATCH", path, f.aliceSession, `{"kind":"ntfy","enabled":true}`); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"enabled":true`) {
		t.Fatalf("re-enable: %d %s", rec.Code, rec.Body)
	}
	wantAPIError(t, f.do("POST", path+"/rotate-secret", f.aliceSession, ""), 400, app.CodeInvalidParameter)
	if rec := f.do("DELETE", path, f.aliceSession, ""); rec.Code != 200 || rec.Body.String() != `{"ok":true}` {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	wantAPIError(t, f.do("GET", path, f.aliceSession, ""), 404, app.CodeNotFound)
}

// TestAPI_TestRotateDeliveries: a test send reaches the receiver signed with
// the current secret, a rotation changes the secret at once, and both sends
// appear in the delivery log.
func TestAPI_TestRotateDeliveries(t *testing.T) {
	f := newAPIFixture(t)
	rcv := newReceiver(t, f.clock)
	v := f.create(`{"kind":"generic","url":"` + rcv.URL + `","events":["job.failed"]}`)
	id, secret := v["id"].(string), v["secret"].(string)
	path := "/api/webhooks/" + id

	rec := f.do("POST", path+"/test", f.aliceSession, "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"status":"delivered"`) || !strings.Contains(rec.Body.String(), `"event":"webhook.test"`) {
		t.Fatalf("test: %d %s", rec.Code, rec.Body)
	}
	first := rcv.requests()[0]
	verifySignature(t, secret, first.Header, first.Body, f.clock.Now())

	rec = f.do("POST", path+"/rotate-secret", f.aliceSession, "")
	var rot struct{ ID, Secret string }
	decodeJSON(t, rec.Body.Bytes(), &rot)
	if rec.Code != 200 || rot.ID != id || rot.Secret == secret || !strings.HasPrefix(rot.Secret, "whsec_") {
		t.Fatalf("rotate: %d %s", rec.Code, rec.Body)
	}
	rcv.answer(http.StatusInternalServerError, nil)
	rec = f.do("POST", path+"/test", f.aliceSession, "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"status":"failed"`) || !strings.Contains(rec.Body.String(), `"response_code":500`) {
		t.Fatalf("failing test: %d %s", rec.Code, rec.Body)
	}
	second := rcv.requests()[1]
	verifySignature(t, rot.Secret, second.Header, second.Body, f.clock.Now())
	if checkSignature(secret, second.Header, second.Body, f.clock.Now()) == nil {
		t.Fatal("the old secret still verifies after rotation")
	}

	rec = f.do("GET", path+"/deliveries?limit=1", f.aliceSession, "")
	var page struct {
		Deliveries []map[string]any `json:"deliveries"`
		NextCursor string           `json:"next_cursor"`
	}
	decodeJSON(t, rec.Body.Bytes(), &page)
	if rec.Code != 200 || len(page.Deliveries) != 1 || page.Deliveries[0]["status"] != "failed" || page.NextCursor == "" {
		t.Fatalf("deliveries page 1: %d %s", rec.Code, rec.Body)
	}
	rec = f.do("GET", path+"/deliveries?limit=5&cursor="+page.NextCursor, f.aliceSession, "")
	page.NextCursor = ""
	decodeJSON(t, rec.Body.Bytes(), &page)
	if len(page.Deliveries) != 1 || page.Deliveries[0]["status"] != "delivered" || page.NextCursor != "" {
		t.Fatalf("deliveries page 2: %s", rec.Body)
	}
	if rec := f.do("GET", path+"/deliveries?status=delivered", f.aliceSession, ""); strings.Count(rec.Body.String(), `"id"`) != 1 {
		t.Fatalf("status filter: %s", rec.Body)
	}
	for _, q := range []string{"status=lost", "limit=0", "limit=500", "limit=x", "cursor=nope", "status=%zz", "status=failed;limit=1"} {
		wantAPIError(t, f.do("GET", path+"/deliveries?"+q, f.aliceSession, ""), 400, app.CodeInvalidParameter)
	}
}
