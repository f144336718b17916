package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/web"
)

// The authorisation matrix: every registered route × every kind of
// credential a stranger or a careless client may present, with the status
// each must get and, for everyone but the owner, no byte of the owner's
// data in the answer. Routes come from the engine (gin's Routes), so a new
// route without an entry in matrix fails TestAuthMatrix until someone
// decides who may use it.

// class is a kind of credential.
type class int

const (
	anonymous    class = iota
	otherCookie        // another user's browser session
	otherToken         // another user's token, of a scope the route accepts when one can have it
	revokedToken       // the owner's token, revoked
	wrongScope         // the owner's token of a scope the route refuses
	loggedOut          // the owner's session cookie after logout
	ownerCookie        // the owner's session
	ownerToken         // the owner's token of the route's scope
	classes
)

var classNames = [classes]string{"anonymous", "other user's session", "other user's token", "revoked token",
	"wrong scope", "logged-out session", "owner's session", "owner's token"}

// access is how a route decides who may pass.
type access int

const (
	public     access = iota // anyone: the credential changes nothing
	apiRoute                 // a session, or a token of one of scopes (none: only admin tokens)
	polling                  // a bearer token of client scope, never a session
	page                     // a browser session; tokens are refused like no credential
	socket                   // a WebSocket handshake: a session with Origin, or a client token
	tokenRoute               // a token of one of scopes, never a session (the publish dialects)
)

// request is what one case sends; form bodies are url-encoded.
type request struct {
	path, body string
	form       bool
}

// entry is a route's row of the matrix.
type entry struct {
	access access
	scopes []app.Scope
	// req builds the owner's request, creating what it acts on afresh.
	req func(s *scene) request
	// owner is the owner's status; other is another user's (their session,
	// or their token when they can hold one of an accepted scope).
	owner, other int
	// anon overrides the status without a valid credential (a page
	// redirects, other UI requests get 401).
	anon int
	// shows: the owner's answer carries the marker, which proves the
	// leak check looks where the data is.
	shows bool
}

func get(path string) func(*scene) request {
	return func(*scene) request { return request{path: path} }
}

func send(path, body string) func(*scene) request {
	return func(*scene) request { return request{path: path, body: body} }
}

func form(path, body string) func(*scene) request {
	return func(*scene) request { return request{path: path, body: body, form: true} }
}

var (
	client  = []app.Scope{app.ScopeClient}
	publish = []app.Scope{app.ScopePublish}
)

// matrix has one entry per route, keyed "METHOD path" as registered.
var matrix = map[string]entry{
	// Public: health, login, the API description, static assets.
	"GET /healthz":          {access: public, req: get("/healthz"), owner: 200},
	"GET /readyz":           {access: public, req: get("/readyz"), owner: 200},
	"GET /api/openapi.json": {access: public, req: get("/api/openapi.json"), owner: 200},
	"POST /login":           {access: public, req: send("/login", `{"username":"","password":""}`), owner: 401}, // a JSON body gets the JSON answer
	"POST /logout":          {access: public, req: send("/logout", ""), owner: 303},
	"GET /static/:hash/*name": {access: public, req: func(s *scene) request {
		return request{path: s.asset()}
	}, owner: 200},
	"HEAD /static/:hash/*name": {access: public, req: func(s *scene) request {
		return request{path: s.asset()}
	}, owner: 200},
	"GET /favicon.ico": {access: public, req: get("/favicon.ico"), owner: 302},
	"PUT /api/v1/me/password": {access: apiRoute, req: func(s *scene) request {
		return request{path: "/api/v1/me/password", body: s.passwordChange(false)}
	}, owner: 200, other: 200}, // a session or an admin token; each changes their own
	"GET /metrics": {access: apiRoute, scopes: []app.Scope{app.ScopeAdmin}, req: get("/metrics"), owner: 200, other: 403},

	// Publishing in ntfy's dialect: publish tokens, never a session; a
	// user publishes to their own inbox.
	"POST /:topic":        {access: tokenRoute, scopes: publish, req: send("/backups", "hello"), owner: 200, other: 200},
	"PUT /:topic":         {access: tokenRoute, scopes: publish, req: send("/backups", "hello"), owner: 200, other: 200},
	"GET /:topic/publish": {access: tokenRoute, scopes: publish, req: get("/backups/publish?message=hello"), owner: 200, other: 200},
	"GET /:topic/send":    {access: tokenRoute, scopes: publish, req: get("/backups/send?message=hello"), owner: 200, other: 200},
	"GET /:topic/trigger": {access: tokenRoute, scopes: publish, req: get("/backups/trigger"), owner: 200, other: 200},
	"POST /":              {access: tokenRoute, scopes: publish, req: send("/", `{"topic":"backups","message":"hello"}`), owner: 200, other: 200},
	"DELETE /:topic/:sequence": {access: tokenRoute, scopes: publish, req: func(s *scene) request {
		return request{path: "/backups/" + s.scheduled()}
	}, owner: 200, other: 404},
	"PUT /": {access: tokenRoute, scopes: publish, req: send("/", `{"topic":"backups","message":"hello"}`), owner: 200, other: 200},

	// Subscribing in ntfy's dialect (polled here): client tokens, never a
	// session; a user reads their own inbox.
	"GET /:topic/json": {access: tokenRoute, scopes: client, req: func(s *scene) request {
		s.notification()
		return request{path: "/inbox/json?poll=1"}
	}, owner: 200, other: 200, shows: true},
	"GET /:topic/sse": {access: tokenRoute, scopes: client, req: func(s *scene) request {
		s.notification()
		return request{path: "/inbox/sse?poll=1"}
	}, owner: 200, other: 200, shows: true},
	"GET /:topic/raw": {access: tokenRoute, scopes: client, req: func(s *scene) request {
		s.notification()
		return request{path: "/inbox/raw?poll=1"}
	}, owner: 200, other: 200, shows: true},
	"GET /:topic/auth": {access: tokenRoute, scopes: client, req: get("/backups/auth"), owner: 200, other: 200},
	// The held-open forms are the same routes (tests in app/ntfy); a plain
	// GET of /<topic>/ws is not a WebSocket handshake: 400 once
	// authenticated.
	"GET /:topic/ws": {access: tokenRoute, scopes: client, req: get("/backups/ws"), owner: 400, other: 400},
	"GET /v1/health": {access: public, req: get("/v1/health"), owner: 200},

	// Gotify's publish: an application (publish) token, never a session.
	"POST /message": {access: tokenRoute, scopes: publish, req: send("/message", `{"message":"hello"}`), owner: 200, other: 200},

	// Gotify's client API: client tokens (or a username and password),
	// never a session; a user sees and deletes only their own. A plain GET
	// of /stream is not a WebSocket handshake: 400 once authenticated.
	"GET /version":               {access: public, req: get("/version"), owner: 200},
	"GET /health":                {access: public, req: get("/health"), owner: 200},
	"GET /application/:id/image": {access: public, req: func(s *scene) request { return request{path: s.gotifyApplication("/application/", "/image")} }, owner: 200},
	"GET /current/user":          {access: tokenRoute, scopes: client, req: get("/current/user"), owner: 200, other: 200},
	"POST /client":               {access: tokenRoute, scopes: client, req: send("/client", `{"name":"phone"}`), owner: 200, other: 200},
	"GET /client":                {access: tokenRoute, scopes: client, req: get("/client"), owner: 200, other: 200},
	"DELETE /client/:id":         {access: tokenRoute, scopes: client, req: func(s *scene) request { return request{path: s.gotifyClient()} }, owner: 200, other: 404},
	"GET /application":           {access: tokenRoute, scopes: client, req: get("/application"), owner: 200, other: 200},
	"GET /message": {access: tokenRoute, scopes: client, req: func(s *scene) request {
		s.notification()
		return request{path: "/message"}
	}, owner: 200, other: 200, shows: true},
	"DELETE /message":     {access: tokenRoute, scopes: client, req: get("/message"), owner: 200, other: 200},
	"DELETE /message/:id": {access: tokenRoute, scopes: client, req: func(s *scene) request { return request{path: s.gotifyMessage("/message/")} }, owner: 200, other: 404},
	"GET /application/:id/message": {access: tokenRoute, scopes: client, req: func(s *scene) request {
		return request{path: s.gotifyApplication("/application/", "/message")}
	}, owner: 200, other: 404, shows: true},
	"DELETE /application/:id/message": {access: tokenRoute, scopes: client, req: func(s *scene) request {
		return request{path: s.gotifyApplication("/application/", "/message")}
	}, owner: 200, other: 404},
	"GET /stream": {access: tokenRoute, scopes: client, req: get("/stream"), owner: 400, other: 400},

	// Alert and event hooks: publish tokens, never a session; a user
	// publishes to their own inbox. Each alert is new (its fingerprint).
	"POST /api/v1/hooks/alertmanager": {access: tokenRoute, scopes: publish, req: func(s *scene) request {
		return request{path: "/api/v1/hooks/alertmanager", body: s.alerts()}
	}, owner: 202, other: 202},
	"POST /api/v1/hooks/grafana": {access: tokenRoute, scopes: publish, req: func(s *scene) request {
		return request{path: "/api/v1/hooks/grafana", body: s.alerts()}
	}, owner: 202, other: 202},
	"PUT /api/v1/hooks/grafana": {access: tokenRoute, scopes: publish, req: func(s *scene) request {
		return request{path: "/api/v1/hooks/grafana", body: s.alerts()}
	}, owner: 202, other: 202},
	// Without X-GitHub-Event, and without a mapping: refused once the
	// token is accepted.
	"POST /api/v1/hooks/github": {access: tokenRoute, scopes: publish, req: send("/api/v1/hooks/github", `{"zen":"hi"}`), owner: 400, other: 400},
	"POST /api/v1/hooks/custom": {access: tokenRoute, scopes: publish, req: send("/api/v1/hooks/custom", `{"x":1}`), owner: 400, other: 400},
	// A token's mapping: its owner's (another user's token is not found).
	"GET /api/tokens/:id/mapping": {access: apiRoute, req: func(s *scene) request {
		return request{path: "/api/tokens/" + s.mappedToken() + "/mapping"}
	}, owner: 200, other: 404},
	"PUT /api/tokens/:id/mapping": {access: apiRoute, req: func(s *scene) request {
		return request{path: "/api/tokens/" + s.token() + "/mapping", body: `{"title":"{{.x}}","sample":{"x":"hello"}}`}
	}, owner: 200, other: 404},
	"DELETE /api/tokens/:id/mapping": {access: apiRoute, req: func(s *scene) request {
		return request{path: "/api/tokens/" + s.mappedToken() + "/mapping"}
	}, owner: 200, other: 404},
	"GET /ui/tokens/:id/mapping": {access: page, req: func(s *scene) request {
		return request{path: "/ui/tokens/" + s.mappedToken() + "/mapping"}
	}, owner: 200, other: 404},
	"PUT /ui/tokens/:id/mapping": {access: page, req: func(s *scene) request {
		return request{path: "/ui/tokens/" + s.token() + "/mapping", body: "title=%7B%7B.x%7D%7D&sample=%7B%22x%22%3A%22hello%22%7D", form: true}
	}, owner: 200, other: 404},
	"DELETE /ui/tokens/:id/mapping": {access: page, req: func(s *scene) request {
		return request{path: "/ui/tokens/" + s.mappedToken() + "/mapping"}
	}, owner: 200, other: 404},

	// Routing topics to several users: administrators only.
	"GET /api/v1/routes":        {access: apiRoute, req: get("/api/v1/routes"), owner: 200, other: 403},
	"GET /api/v1/routes/:topic": {access: apiRoute, req: func(s *scene) request { return request{path: "/api/v1/routes/" + s.route()} }, owner: 200, other: 403},
	"PUT /api/v1/routes/:topic": {access: apiRoute, req: func(s *scene) request {
		return request{path: fmt.Sprintf("/api/v1/routes/put-%d", s.seq()), body: `{"users":["owner"]}`}
	}, owner: 200, other: 403},
	"DELETE /api/v1/routes/:topic": {access: apiRoute, req: func(s *scene) request { return request{path: "/api/v1/routes/" + s.route()} }, owner: 200, other: 403},
	"GET /admin/routing":           {access: page, req: get("/admin/routing"), owner: 200, other: 403},
	"POST /ui/routing": {access: page, req: func(s *scene) request {
		return request{path: "/ui/routing", body: fmt.Sprintf("topic=new-%d&users=owner", s.seq()), form: true}
	}, owner: 200, other: 403},
	"PUT /ui/routing": {access: page, req: func(s *scene) request {
		return request{path: "/ui/routing", body: "topic=" + s.route() + "&users=owner", form: true}
	}, owner: 200, other: 403},
	"DELETE /ui/routing/:topic": {access: page, req: func(s *scene) request { return request{path: "/ui/routing/" + s.route()} }, owner: 200, other: 403},

	// Publishing and the caller.
	"POST /api/v1/events": {access: apiRoute, scopes: publish, req: send("/api/v1/events", `{"type":"job_failed","title":"hello"}`), owner: 202, other: 202},
	// Scheduled delivery: the publisher's own pending events.
	"GET /api/v1/events/scheduled": {access: apiRoute, scopes: publish, req: func(s *scene) request {
		s.scheduled()
		return request{path: "/api/v1/events/scheduled"}
	}, owner: 200, other: 200, shows: true},
	"DELETE /api/v1/events/scheduled/:id": {access: apiRoute, scopes: publish, req: func(s *scene) request {
		return request{path: "/api/v1/events/scheduled/" + s.scheduled()}
	}, owner: 200, other: 404},
	"GET /api/v1/me": {access: apiRoute, scopes: []app.Scope{app.ScopeClient, app.ScopePublish}, req: get("/api/v1/me"), owner: 200, other: 200},

	// The in-app notifications API.
	"GET /api/notifications": {access: apiRoute, scopes: client, req: func(s *scene) request {
		s.notification()
		return request{path: "/api/notifications"}
	}, owner: 200, other: 200, shows: true},
	"DELETE /api/notifications":          {access: apiRoute, scopes: client, req: send("/api/notifications", ""), owner: 200, other: 200},
	"POST /api/notifications/read-all":   {access: apiRoute, scopes: client, req: send("/api/notifications/read-all", ""), owner: 200, other: 200},
	"PATCH /api/notifications/read-all":  {access: apiRoute, scopes: client, req: send("/api/notifications/read-all", ""), owner: 200, other: 200},
	"GET /api/notifications/preferences": {access: apiRoute, scopes: client, req: get("/api/notifications/preferences"), owner: 200, other: 200},
	"PUT /api/notifications/preferences": {access: apiRoute, scopes: client, req: send("/api/notifications/preferences", `{"job_failed":true}`), owner: 200, other: 200},
	"GET /api/notifications/digests":     {access: apiRoute, scopes: client, req: get("/api/notifications/digests"), owner: 200, other: 200},
	"PUT /api/notifications/digests": {access: apiRoute, scopes: client, owner: 200, other: 200,
		req: send("/api/notifications/digests", `{"digests":[{"type":"job_completed","every_minutes":30}]}`)},
	"GET /api/notifications/escalations": {access: apiRoute, scopes: client, req: get("/api/notifications/escalations"), owner: 200, other: 200},
	"POST /api/notifications/escalations": {access: apiRoute, scopes: client, owner: 201, other: 201,
		req: send("/api/notifications/escalations", escalationBody)},
	"GET /api/notifications/escalations/:id": {access: apiRoute, scopes: client, owner: 200, other: 404,
		req: func(s *scene) request { return request{path: escalationRulePath(s)} }},
	"PUT /api/notifications/escalations/:id": {access: apiRoute, scopes: client, owner: 200, other: 404,
		req: func(s *scene) request { return request{path: escalationRulePath(s), body: escalationBody} }},
	"DELETE /api/notifications/escalations/:id": {access: apiRoute, scopes: client, owner: 204, other: 404,
		req: func(s *scene) request { return request{path: escalationRulePath(s)} }},
	"GET /api/notifications/:id/escalation": {access: apiRoute, scopes: client, owner: 200, other: 404,
		req: func(s *scene) request { return request{path: "/api/notifications/" + s.notification() + "/escalation"} }},
	"GET /api/notifications/quiet-hours": {access: apiRoute, scopes: client, req: get("/api/notifications/quiet-hours"), owner: 200, other: 200},
	"PUT /api/notifications/quiet-hours": {access: apiRoute, scopes: client, owner: 200, other: 200,
		req: send("/api/notifications/quiet-hours", `{"timezone":"UTC","windows":[{"days":["mon"],"start":"22:00","end":"07:00"}]}`)},
	"GET /api/notifications/mutes":        {access: apiRoute, scopes: client, req: func(s *scene) request { s.mute(); return request{path: "/api/notifications/mutes"} }, owner: 200, other: 200, shows: true},
	"POST /api/notifications/mutes":       {access: apiRoute, scopes: client, req: send("/api/notifications/mutes", `{"app_label":"config","model_name":"device","object_id":"7"}`), owner: 201, other: 201},
	"DELETE /api/notifications/mutes/:id": {access: apiRoute, scopes: client, req: func(s *scene) request { return request{path: "/api/notifications/mutes/" + s.mute()} }, owner: 200, other: 404},
	"PATCH /api/notifications/:id/read":   {access: apiRoute, scopes: client, req: func(s *scene) request { return request{path: "/api/notifications/" + s.notification() + "/read"} }, owner: 200, other: 404},
	"DELETE /api/notifications/:id":       {access: apiRoute, scopes: client, req: func(s *scene) request { return request{path: "/api/notifications/" + s.notification()} }, owner: 200, other: 404},
	"GET /api/tokens":                     {access: apiRoute, req: func(s *scene) request { s.token(); return request{path: "/api/tokens"} }, owner: 200, other: 200, shows: true},
	"POST /api/tokens":                    {access: apiRoute, req: send("/api/tokens", `{"name":"ci","scope":"publish"}`), owner: 201, other: 201},
	"DELETE /api/tokens/:id":              {access: apiRoute, req: func(s *scene) request { return request{path: "/api/tokens/" + s.token()} }, owner: 200, other: 404},
	"GET /api/users":                      {access: apiRoute, req: get("/api/users"), owner: 200, other: 403},
	"GET /api/email":                      {access: apiRoute, req: get("/api/email"), owner: 200, other: 200},
	"PUT /api/email/address":              {access: apiRoute, req: send("/api/email/address", `{"email":"owner@example.org"}`), owner: 200, other: 200},
	"POST /api/email/test":                {access: apiRoute, req: send("/api/email/test", ""), owner: 409, other: 409}, // e-mail is off in the scene
	"GET /api/email/outbox":               {access: apiRoute, req: get("/api/email/outbox"), owner: 200, other: 403},
	"PUT /api/users/:id/email": {access: apiRoute, req: func(s *scene) request {
		return request{path: "/api/users/" + s.victim().ID + "/email", body: `{"email":"victim@example.org"}`}
	}, owner: 200, other: 403},
	"GET /api/push/public-key":    {access: apiRoute, req: get("/api/push/public-key"), owner: 200, other: 200},
	"GET /api/push/subscriptions": {access: apiRoute, req: func(s *scene) request { s.device(); return request{path: "/api/push/subscriptions"} }, owner: 200, other: 200, shows: true},
	"POST /api/push/subscriptions": {access: apiRoute, req: func(s *scene) request {
		return request{path: "/api/push/subscriptions", body: s.subscription("a new device")}
	}, owner: 201, other: 201},
	"DELETE /api/push/subscriptions/:id": {access: apiRoute, req: func(s *scene) request { return request{path: "/api/push/subscriptions/" + s.device()} }, owner: 204, other: 404},
	"POST /api/push/subscriptions/:id/test": {access: apiRoute, req: func(s *scene) request {
		return request{path: "/api/push/subscriptions/" + s.device() + "/test"}
	}, owner: 202, other: 404},
	"GET /push/icons/:file":     {access: public, req: get("/push/icons/error.png"), owner: 200},
	"GET /manifest.webmanifest": {access: public, req: get("/manifest.webmanifest"), owner: 200},
	"GET /sw.js":                {access: public, req: get("/sw.js"), owner: 200},
	"GET /offline":              {access: public, req: get("/offline"), owner: 200},
	"GET /email/unsubscribe":    {access: public, req: get("/email/unsubscribe?token=forged.link"), owner: 400},
	"POST /email/unsubscribe":   {access: public, req: form("/email/unsubscribe?token=forged.link", "List-Unsubscribe=One-Click"), owner: 400},
	"POST /api/users": {access: apiRoute, req: func(s *scene) request {
		return request{path: "/api/users", body: fmt.Sprintf(`{"username":"new-%d","password":%q}`, s.seq(), apptest.Password)}
	}, owner: 201, other: 403},
	"PUT /api/users/:id/password": {access: apiRoute, req: func(s *scene) request {
		return request{path: "/api/users/" + s.victim().ID + "/password", body: fmt.Sprintf(`{"password":%q}`, apptest.Password)}
	}, owner: 200, other: 403},
	"DELETE /api/users/:id":            {access: apiRoute, req: func(s *scene) request { return request{path: "/api/users/" + s.victim().ID} }, owner: 200, other: 403},
	"GET /api/v1/client/notifications": {access: polling, req: func(s *scene) request { s.notification(); return request{path: "/api/v1/client/notifications"} }, owner: 200, other: 200, shows: true},
	"POST /api/v1/client/notifications/acknowledge": {access: polling, req: func(s *scene) request {
		return request{path: "/api/v1/client/notifications/acknowledge", body: `{"ids":["` + s.notification() + `"]}`}
	}, owner: 200, other: 200},
	"GET /api/v1/client/notifications/:id": {access: polling, req: func(s *scene) request { return request{path: "/api/v1/client/notifications/" + s.notification()} }, owner: 200, other: 403, shows: true},
	"POST /api/v1/client/notifications/:id/acknowledge": {access: polling, req: func(s *scene) request {
		return request{path: "/api/v1/client/notifications/" + s.notification() + "/acknowledge"}
	}, owner: 200, other: 403, shows: true},

	// Webhooks.
	"GET /api/webhooks":     {access: apiRoute, req: func(s *scene) request { s.webhook(); return request{path: "/api/webhooks"} }, owner: 200, other: 200, shows: true},
	"POST /api/webhooks":    {access: apiRoute, req: send("/api/webhooks", `{"name":"new","kind":"generic","url":"`+hookURL+`","events":["job.failed"]}`), owner: 201, other: 201},
	"GET /api/webhooks/:id": {access: apiRoute, req: func(s *scene) request { return request{path: "/api/webhooks/" + s.webhook()} }, owner: 200, other: 404, shows: true},
	"PATCH /api/webhooks/:id": {access: apiRoute, req: func(s *scene) request {
		return request{path: "/api/webhooks/" + s.webhook(), body: `{"enabled":false}`}
	}, owner: 200, other: 404, shows: true},
	"DELETE /api/webhooks/:id":             {access: apiRoute, req: func(s *scene) request { return request{path: "/api/webhooks/" + s.webhook()} }, owner: 200, other: 404},
	"POST /api/webhooks/:id/test":          {access: apiRoute, req: func(s *scene) request { return request{path: "/api/webhooks/" + s.webhook() + "/test"} }, owner: 200, other: 404},
	"POST /api/webhooks/:id/rotate-secret": {access: apiRoute, req: func(s *scene) request { return request{path: "/api/webhooks/" + s.webhook() + "/rotate-secret"} }, owner: 200, other: 404},
	"GET /api/webhooks/:id/deliveries":     {access: apiRoute, req: func(s *scene) request { return request{path: "/api/webhooks/" + s.webhook() + "/deliveries"} }, owner: 200, other: 404},

	// Heartbeats: the ping URLs are public (the key is the credential);
	// the API and the page show and change only the caller's own checks.
	"GET /ping/:key":          {access: public, req: pingPath(""), owner: 200},
	"POST /ping/:key":         {access: public, req: pingPath(""), owner: 200},
	"HEAD /ping/:key":         {access: public, req: pingPath(""), owner: 200},
	"GET /ping/:key/:signal":  {access: public, req: pingPath("/start"), owner: 200},
	"POST /ping/:key/:signal": {access: public, req: pingPath("/fail"), owner: 200},
	"HEAD /ping/:key/:signal": {access: public, req: pingPath("/0"), owner: 200},
	"GET /api/heartbeats": {access: apiRoute, req: func(s *scene) request {
		s.heartbeat()
		return request{path: "/api/heartbeats"}
	}, owner: 200, other: 200, shows: true},
	"POST /api/heartbeats":    {access: apiRoute, req: send("/api/heartbeats", `{"name":"new","period_seconds":3600}`), owner: 201, other: 201},
	"GET /api/heartbeats/:id": {access: apiRoute, req: func(s *scene) request { return request{path: "/api/heartbeats/" + s.heartbeatID()} }, owner: 200, other: 404, shows: true},
	"PATCH /api/heartbeats/:id": {access: apiRoute, req: func(s *scene) request {
		return request{path: "/api/heartbeats/" + s.heartbeatID(), body: `{"grace_seconds":60}`}
	}, owner: 200, other: 404, shows: true},
	"DELETE /api/heartbeats/:id": {access: apiRoute, req: func(s *scene) request { return request{path: "/api/heartbeats/" + s.heartbeatID()} }, owner: 200, other: 404},
	"POST /api/heartbeats/:id/pause": {access: apiRoute, req: func(s *scene) request {
		return request{path: "/api/heartbeats/" + s.heartbeatID() + "/pause"}
	}, owner: 200, other: 404, shows: true},

	// Channels over REST.
	"POST /api/channels": {access: apiRoute, scopes: client, req: func(s *scene) request {
		return request{path: "/api/channels", body: fmt.Sprintf(`{"name":"new-%d"}`, s.seq())}
	}, owner: 201, other: 201},
	"GET /api/channels":     {access: apiRoute, scopes: client, req: func(s *scene) request { s.room(); return request{path: "/api/channels"} }, owner: 200, other: 200},
	"GET /api/channels/:id": {access: apiRoute, scopes: client, req: func(s *scene) request { return request{path: "/api/channels/" + s.room().id} }, owner: 200, other: 200},
	"PATCH /api/channels/:id": {access: apiRoute, scopes: client, req: func(s *scene) request {
		return request{path: "/api/channels/" + s.room().id, body: `{"description":"changed"}`}
	}, owner: 200, other: 403},
	"DELETE /api/channels/:id": {access: apiRoute, scopes: client, req: func(s *scene) request { return request{path: "/api/channels/" + s.room().id} }, owner: 200, other: 403},
	"POST /api/channels/:id/join": {access: apiRoute, scopes: client, req: func(s *scene) request {
		return request{path: "/api/channels/" + s.room().id + "/join"}
	}, owner: 409, other: 200}, // the owner is a member already
	"POST /api/channels/:id/leave": {access: apiRoute, scopes: client, req: func(s *scene) request {
		return request{path: "/api/channels/" + s.room().id + "/leave"}
	}, owner: 409, other: 404},
	"GET /api/channels/:id/members": {access: apiRoute, scopes: client, req: func(s *scene) request {
		return request{path: "/api/channels/" + s.room().id + "/members"}
	}, owner: 200, other: 200},
	"PUT /api/channels/:id/members/:user_id/role": {access: apiRoute, scopes: client, req: func(s *scene) request {
		r := s.room()
		return request{path: "/api/channels/" + r.id + "/members/" + r.member + "/role", body: `{"role":"moderator"}`}
	}, owner: 200, other: 403},
	"POST /api/channels/:id/kick": {access: apiRoute, scopes: client, req: func(s *scene) request {
		r := s.room()
		return request{path: "/api/channels/" + r.id + "/kick", body: `{"user_id":"` + r.member + `"}`}
	}, owner: 200, other: 403},
	"POST /api/channels/:id/bans": {access: apiRoute, scopes: client, req: func(s *scene) request {
		r := s.room()
		return request{path: "/api/channels/" + r.id + "/bans", body: `{"user_id":"` + r.member + `","motive":"spam"}`}
	}, owner: 201, other: 403},
	"DELETE /api/channels/:id/bans/:user_id": {access: apiRoute, scopes: client, req: func(s *scene) request {
		r := s.room()
		return request{path: "/api/channels/" + r.id + "/bans/" + s.bannedFrom(r.id)}
	}, owner: 200, other: 403},
	"GET /api/channels/:id/messages": {access: apiRoute, scopes: client, req: func(s *scene) request {
		return request{path: "/api/channels/" + s.room().id + "/messages"}
	}, owner: 200, other: 403, shows: true},
	"POST /api/channels/:id/messages": {access: apiRoute, scopes: client, req: func(s *scene) request {
		return request{path: "/api/channels/" + s.room().id + "/messages", body: `{"content":"hi"}`}
	}, owner: 201, other: 403},
	"PATCH /api/channels/:id/messages/:message_id": {access: apiRoute, scopes: client, req: func(s *scene) request {
		r := s.room()
		return request{path: "/api/channels/" + r.id + "/messages/" + r.message, body: `{"content":"edited"}`}
	}, owner: 200, other: 403},
	"DELETE /api/channels/:id/messages/:message_id": {access: apiRoute, scopes: client, req: func(s *scene) request {
		r := s.room()
		return request{path: "/api/channels/" + r.id + "/messages/" + r.message}
	}, owner: 200, other: 403},

	// The real-time endpoints.
	"GET /ws/notification/": {access: socket, req: get("/ws/notification/"), owner: 101, other: 101},
	"GET /ws/channels/":     {access: socket, req: get("/ws/channels/"), owner: 101, other: 101},

	// The web UI: pages.
	"GET /login":               {access: page, req: get("/login"), owner: 303, other: 303, anon: 200},
	"GET /":                    {access: page, req: get("/"), owner: 303, other: 303},
	"GET /notifications":       {access: page, req: func(s *scene) request { s.notification(); return request{path: "/notifications"} }, owner: 200, other: 200, shows: true},
	"GET /channels":            {access: page, req: get("/channels"), owner: 200, other: 200},
	"GET /channels/:id":        {access: page, req: func(s *scene) request { return request{path: "/channels/" + s.room().id} }, owner: 200, other: 200},
	"GET /preferences":         {access: page, req: get("/preferences"), owner: 200, other: 200},
	"GET /n/:id":               {access: page, req: func(s *scene) request { return request{path: "/n/" + s.notification()} }, owner: 303, other: 404},
	"PUT /ui/email/address":    {access: page, req: form("/ui/email/address", "email=owner%40example.org"), owner: 200, other: 200},
	"POST /ui/email/test":      {access: page, req: form("/ui/email/test", ""), owner: 200, other: 200},
	"GET /mutes":               {access: page, req: func(s *scene) request { s.mute(); return request{path: "/mutes"} }, owner: 200, other: 200, shows: true},
	"GET /heartbeats":          {access: page, req: func(s *scene) request { s.heartbeat(); return request{path: "/heartbeats"} }, owner: 200, other: 200, shows: true},
	"GET /scheduled":           {access: page, req: func(s *scene) request { s.scheduled(); return request{path: "/scheduled"} }, owner: 200, other: 200, shows: true},
	"GET /ui/scheduled":        {access: page, req: func(s *scene) request { s.scheduled(); return request{path: "/ui/scheduled"} }, owner: 200, other: 200, shows: true},
	"DELETE /ui/scheduled/:id": {access: page, req: func(s *scene) request { return request{path: "/ui/scheduled/" + s.scheduled()} }, owner: 200, other: 404},
	"GET /webhooks":            {access: page, req: func(s *scene) request { s.webhook(); return request{path: "/webhooks"} }, owner: 200, other: 200, shows: true},
	"GET /tokens":              {access: page, req: func(s *scene) request { s.token(); return request{path: "/tokens"} }, owner: 200, other: 200, shows: true},
	"GET /admin/users":         {access: page, req: get("/admin/users"), owner: 200, other: 403},

	// The web UI: htmx partials and actions.
	"GET /ui/notifications":              {access: page, req: func(s *scene) request { s.notification(); return request{path: "/ui/notifications"} }, owner: 200, other: 200, shows: true},
	"POST /ui/notifications/read-all":    {access: page, req: form("/ui/notifications/read-all", ""), owner: 200, other: 200},
	"POST /ui/notifications/delete-read": {access: page, req: form("/ui/notifications/delete-read", ""), owner: 200, other: 200},
	"DELETE /ui/notifications/:id":       {access: page, req: func(s *scene) request { return request{path: "/ui/notifications/" + s.notification()} }, owner: 200, other: 404},
	"GET /ui/badge":                      {access: page, req: get("/ui/badge"), owner: 200, other: 200},
	"GET /ui/channels":                   {access: page, req: get("/ui/channels"), owner: 200, other: 200},
	"POST /ui/channels": {access: page, req: func(s *scene) request {
		return request{path: "/ui/channels", body: fmt.Sprintf("name=ui-%d", s.seq()), form: true}
	}, owner: 200, other: 200},
	"PATCH /ui/channels/:id": {access: page, req: func(s *scene) request {
		return request{path: "/ui/channels/" + s.room().id, body: "name=renamed&description=changed", form: true}
	}, owner: 200, other: 403},
	"DELETE /ui/channels/:id":     {access: page, req: func(s *scene) request { return request{path: "/ui/channels/" + s.room().id} }, owner: 200, other: 403},
	"POST /ui/channels/:id/join":  {access: page, req: func(s *scene) request { return request{path: "/ui/channels/" + s.room().id + "/join", form: true} }, owner: 409, other: 200},
	"POST /ui/channels/:id/leave": {access: page, req: func(s *scene) request { return request{path: "/ui/channels/" + s.room().id + "/leave", form: true} }, owner: 409, other: 404},
	"GET /ui/channels/:id/messages": {access: page, req: func(s *scene) request {
		return request{path: "/ui/channels/" + s.room().id + "/messages"}
	}, owner: 200, other: 403, shows: true},
	"POST /ui/channels/:id/messages": {access: page, req: func(s *scene) request {
		return request{path: "/ui/channels/" + s.room().id + "/messages", body: "content=hi", form: true}
	}, owner: 204, other: 403},
	"PATCH /ui/channels/:id/messages/:mid": {access: page, req: func(s *scene) request {
		r := s.room()
		return request{path: "/ui/channels/" + r.id + "/messages/" + r.message, body: "content=edited", form: true}
	}, owner: 204, other: 403},
	"DELETE /ui/channels/:id/messages/:mid": {access: page, req: func(s *scene) request {
		r := s.room()
		return request{path: "/ui/channels/" + r.id + "/messages/" + r.message}
	}, owner: 204, other: 403},
	"GET /ui/channels/:id/members": {access: page, req: func(s *scene) request {
		return request{path: "/ui/channels/" + s.room().id + "/members"}
	}, owner: 200, other: 200},
	"PUT /ui/channels/:id/members/:uid/role": {access: page, req: func(s *scene) request {
		r := s.room()
		return request{path: "/ui/channels/" + r.id + "/members/" + r.member + "/role", body: "role=moderator", form: true}
	}, owner: 200, other: 403},
	"POST /ui/channels/:id/kick": {access: page, req: func(s *scene) request {
		r := s.room()
		return request{path: "/ui/channels/" + r.id + "/kick", body: "user_id=" + r.member, form: true}
	}, owner: 200, other: 403},
	"POST /ui/channels/:id/bans": {access: page, req: func(s *scene) request {
		r := s.room()
		return request{path: "/ui/channels/" + r.id + "/bans", body: "motive=spam&user_id=" + r.member, form: true}
	}, owner: 200, other: 403},
	"POST /ui/channels/:id/unban": {access: page, req: func(s *scene) request {
		r := s.room()
		return request{path: "/ui/channels/" + r.id + "/unban", body: "user_id=" + s.bannedFrom(r.id), form: true}
	}, owner: 200, other: 403},
	"PUT /ui/preferences/:key": {access: page, req: form("/ui/preferences/job_failed", "enabled=true"), owner: 200, other: 200},
	"DELETE /ui/preferences":   {access: page, req: form("/ui/preferences", ""), owner: 200, other: 200},
	"GET /account":             {access: page, req: get("/account"), owner: 200, other: 200},
	"PUT /ui/account/password": {access: page, req: func(s *scene) request {
		return request{path: "/ui/account/password", body: s.passwordChange(true), form: true}
	}, owner: 200, other: 200}, // each changes their own
	"POST /ui/notifications/:id/mute": {access: page, req: func(s *scene) request {
		return request{path: "/ui/notifications/" + s.objectNotification() + "/mute", body: "for=1h", form: true}
	}, owner: 200, other: 404},
	"PUT /ui/digests": {access: page, req: form("/ui/digests", "mode-job_completed=30"), owner: 200, other: 200},
	"GET /ui/notifications/:id/escalation": {access: page, req: func(s *scene) request {
		return request{path: "/ui/notifications/" + s.notification() + "/escalation"}
	}, owner: 200, other: 404},
	"POST /ui/escalations": {access: page, req: form("/ui/escalations", "min_level=error&delay-0=30&action-0=repeat"), owner: 200, other: 200},
	"DELETE /ui/escalations/:id": {access: page, req: func(s *scene) request { return request{path: "/ui/escalations/" + s.escalationRule(), form: true} },
		owner: 200, other: 404},
	"PUT /ui/quiet-hours":  {access: page, req: form("/ui/quiet-hours", "timezone=UTC&day-0=fri&start-0=22:00&end-0=07:00"), owner: 200, other: 200},
	"POST /ui/mutes":       {access: page, req: form("/ui/mutes", "app_label=config&model_name=device&object_id=9&for=forever"), owner: 200, other: 200},
	"DELETE /ui/mutes/:id": {access: page, req: func(s *scene) request { return request{path: "/ui/mutes/" + s.mute()} }, owner: 200, other: 404},
	"GET /ui/heartbeats":   {access: page, req: func(s *scene) request { s.heartbeat(); return request{path: "/ui/heartbeats"} }, owner: 200, other: 200, shows: true},
	"POST /ui/heartbeats":  {access: page, req: form("/ui/heartbeats", "name=ui&period=3600&grace=60&type=job_failed&level=error"), owner: 200, other: 200},
	"POST /ui/heartbeats/:id/pause": {access: page, req: func(s *scene) request {
		return request{path: "/ui/heartbeats/" + s.heartbeatID() + "/pause", form: true}
	}, owner: 200, other: 404, shows: true},
	"DELETE /ui/heartbeats/:id":  {access: page, req: func(s *scene) request { return request{path: "/ui/heartbeats/" + s.heartbeatID()} }, owner: 200, other: 404},
	"GET /ui/heartbeats/:id/log": {access: page, req: func(s *scene) request { return request{path: "/ui/heartbeats/" + s.heartbeatID() + "/log"} }, owner: 200, other: 404},
	"POST /ui/webhooks":          {access: page, req: form("/ui/webhooks", "kind=generic&url="+hookURL+"&events=job.failed"), owner: 200, other: 200},
	"PUT /ui/webhooks/:id": {access: page, req: func(s *scene) request {
		return request{path: "/ui/webhooks/" + s.webhook(), body: "kind=generic&name=renamed&url=" + hookURL + "&events=job.failed", form: true}
	}, owner: 200, other: 404},
	"PUT /ui/webhooks/:id/enabled": {access: page, req: func(s *scene) request {
		return request{path: "/ui/webhooks/" + s.webhook() + "/enabled", body: "enabled=1", form: true}
	}, owner: 200, other: 404},
	"DELETE /ui/webhooks/:id":    {access: page, req: func(s *scene) request { return request{path: "/ui/webhooks/" + s.webhook()} }, owner: 200, other: 404},
	"POST /ui/webhooks/:id/test": {access: page, req: func(s *scene) request { return request{path: "/ui/webhooks/" + s.webhook() + "/test", form: true} }, owner: 200, other: 404},
	"POST /ui/webhooks/:id/rotate-secret": {access: page, req: func(s *scene) request {
		return request{path: "/ui/webhooks/" + s.webhook() + "/rotate-secret", form: true}
	}, owner: 200, other: 404},
	"GET /ui/webhooks/:id/deliveries": {access: page, req: func(s *scene) request { return request{path: "/ui/webhooks/" + s.webhook() + "/deliveries"} }, owner: 200, other: 404},
	"POST /ui/tokens":                 {access: page, req: form("/ui/tokens", "name=ci&scope=publish"), owner: 200, other: 200},
	"DELETE /ui/tokens/:id":           {access: page, req: func(s *scene) request { return request{path: "/ui/tokens/" + s.token()} }, owner: 200, other: 404},
	"POST /ui/users": {access: page, req: func(s *scene) request {
		return request{path: "/ui/users", body: fmt.Sprintf("username=ui-new-%d&password=%s", s.seq(), strings.ReplaceAll(apptest.Password, " ", "+")), form: true}
	}, owner: 200, other: 403},
	"PUT /ui/users/:id/password": {access: page, req: func(s *scene) request {
		return request{path: "/ui/users/" + s.victim().ID + "/password", body: "password=" + strings.ReplaceAll(apptest.Password, " ", "+"), form: true}
	}, owner: 200, other: 403},
	"DELETE /ui/users/:id": {access: page, req: func(s *scene) request { return request{path: "/ui/users/" + s.victim().ID} }, owner: 200, other: 403},
}

// want is the status of a credential class on e's route; -1 when the
// class does not exist for it (no token scope is refused).
func (e entry) want(c class, method string) int {
	if e.access == public {
		return e.owner
	}
	switch c {
	case ownerCookie:
		if e.access == polling || e.access == tokenRoute {
			return http.StatusUnauthorized
		}
		return e.owner
	case ownerToken:
		if e.access == page {
			return e.unauth(method)
		}
		return e.owner
	case otherCookie:
		if e.access == polling || e.access == tokenRoute {
			return http.StatusUnauthorized
		}
		return e.other
	case otherToken:
		switch {
		case e.access == page:
			return e.unauth(method)
		case e.access == apiRoute && e.otherScope() == "":
			return http.StatusForbidden // only admin tokens pass, and they cannot have one
		}
		return e.other
	case wrongScope:
		switch {
		case e.access == page:
			return e.unauth(method)
		case e.wrongScope() == "":
			return -1
		}
		return http.StatusForbidden
	}
	// anonymous, a revoked token, a logged-out session.
	return e.unauth(method)
}

// unauth is the status without a usable credential.
func (e entry) unauth(method string) int {
	switch {
	case e.anon != 0:
		return e.anon
	case e.access == page && method == http.MethodGet:
		return http.StatusSeeOther // to the login page
	}
	return http.StatusUnauthorized
}

// ownScope is the scope of the owner's token: the route's first, or admin.
func (e entry) ownScope() app.Scope {
	switch {
	case e.access == polling || e.access == socket || e.access == page:
		return app.ScopeClient
	case len(e.scopes) > 0:
		return e.scopes[0]
	}
	return app.ScopeAdmin
}

// otherScope is the scope of the other user's token: one the route accepts
// that a plain user can hold, "" when there is none.
func (e entry) otherScope() app.Scope {
	if e.access != apiRoute && e.access != tokenRoute {
		return app.ScopeClient
	}
	for _, sc := range e.scopes {
		if sc != app.ScopeAdmin {
			return sc
		}
	}
	return ""
}

// wrongScope is a scope the route refuses, "" when it refuses none.
func (e entry) wrongScope() app.Scope {
	if e.access != apiRoute && e.access != tokenRoute {
		return app.ScopePublish
	}
	for _, sc := range []app.Scope{app.ScopeClient, app.ScopePublish} {
		if !slices.Contains(e.scopes, sc) {
			return sc
		}
	}
	return ""
}

// credential is what a case presents.
type credential struct{ cookie, token string }

// credential mints a fresh credential of class c for e's route.
func (s *scene) credential(c class, e entry) credential {
	s.t.Helper()
	ctx := context.Background()
	switch c {
	case otherCookie:
		return credential{cookie: s.Session(s.other)}
	case otherToken:
		sc := e.otherScope()
		if sc == "" {
			sc = app.ScopeClient
		}
		return credential{token: s.Token(s.other, sc)}
	case revokedToken:
		secret, tok, err := s.Auth.CreateToken(ctx, s.owner.ID, "revoked", e.ownScope())
		if err != nil {
			s.t.Fatal(err)
		}
		if err := s.Auth.RevokeToken(ctx, s.owner.ID, tok.ID); err != nil {
			s.t.Fatal(err)
		}
		return credential{token: secret}
	case wrongScope:
		return credential{token: s.Token(s.owner, e.wrongScope())}
	case loggedOut:
		cookie := s.Session(s.owner)
		if err := s.Auth.Logout(ctx, cookie); err != nil {
			s.t.Fatal(err)
		}
		return credential{cookie: cookie}
	case ownerCookie:
		return credential{cookie: s.Session(s.owner)}
	case ownerToken:
		return credential{token: s.Token(s.owner, e.ownScope())}
	}
	return credential{}
}

// answer is what a case got back.
type answer struct {
	status int
	text   string // headers and body, for the leak check
}

// do sends r with cred: in process through the real handler, or, for a
// socket, as a WebSocket handshake over loopback.
func (s *scene) do(method string, e entry, r request, cred credential) answer {
	s.t.Helper()
	h := http.Header{}
	if cred.cookie != "" {
		h.Set("Cookie", web.SessionCookie+"="+cred.cookie)
	}
	if cred.token != "" {
		h.Set("Authorization", "Bearer "+cred.token)
	}
	if e.access == socket {
		h.Set("Origin", s.URL) // a browser's handshake; tokens need none
		conn, status, err := apptest.DialStatus(s.URL+r.path, h)
		if err == nil {
			_ = conn.CloseNow()
			return answer{status: http.StatusSwitchingProtocols}
		}
		return answer{status: status, text: err.Error()}
	}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
		h.Set("Content-Type", "application/json")
		if r.form {
			h.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	req := httptest.NewRequest(method, r.path, body)
	req.Header = h
	rec := httptest.NewRecorder()
	s.Handler.ServeHTTP(rec, req)
	var text strings.Builder
	_ = rec.Header().Write(&text)
	text.WriteString(rec.Body.String())
	return answer{status: rec.Code, text: text.String()}
}

var assetPath = regexp.MustCompile(`/static/[0-9a-f]+/[^"]+`)

// asset returns the path of one of the UI's static files, as the login
// page links it.
func (s *scene) asset() string {
	s.t.Helper()
	rec := s.Do("GET", "/login", "")
	p := assetPath.FindString(rec.Body.String())
	if p == "" {
		s.t.Fatalf("the login page links no static asset: %s", rec.Body)
	}
	return p
}

func TestAuthMatrix(t *testing.T) {
	s := newScene(t)
	routes := s.Routes()
	sort.Slice(routes, func(i, j int) bool {
		return routes[i].Path+routes[i].Method < routes[j].Path+routes[j].Method
	})
	registered := map[string]bool{}
	cases := 0
	for _, rt := range routes {
		key := rt.Method + " " + rt.Path
		registered[key] = true
		e, ok := matrix[key]
		if !ok {
			t.Errorf("route %s has no entry in the auth matrix: add one to matrix (authmatrix_test.go) saying who may use it", key)
			continue
		}
		for c := range classes {
			want := e.want(c, rt.Method)
			if want < 0 {
				continue
			}
			cases++
			got := s.do(rt.Method, e, e.req(s), s.credential(c, e))
			if got.status != want {
				t.Errorf("%s with %s: status %d, want %d\n%s", key, classNames[c], got.status, want, clip(got.text))
			}
			owner := c == ownerCookie && e.access != polling && e.access != tokenRoute || c == ownerToken && e.access != page
			if !owner && strings.Contains(got.text, marker) {
				t.Errorf("%s with %s: the answer shows the owner's data:\n%s", key, classNames[c], clip(got.text))
			}
			if owner && e.shows && !strings.Contains(got.text, marker) {
				t.Errorf("%s with %s: the answer should show the owner's data (the leak check looks in the wrong place):\n%s", key, classNames[c], clip(got.text))
			}
		}
	}
	for key := range matrix {
		if !registered[key] {
			t.Errorf("the auth matrix has an entry for %s, which is not a route", key)
		}
	}
	t.Logf("auth matrix: %d routes × %d credential classes = %d cases", len(routes), classes, cases)
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}
