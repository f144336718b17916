package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// otherMarker is in the other user's data; the owner, though an
// administrator, never sees it through any read route.
const otherMarker = "other-private-4e1b"

// FuzzRoute sends GET and HEAD requests to every such route of the whole
// application with fuzzed path parameters and query strings, as the owner
// (an administrator) with a session or an admin token. No answer is a 5xx;
// an error of the JSON API or a socket is the envelope; a redirect stays on
// this site (app.LocalPath); nothing shows the other
// user's data. Placeholders in a parameter stand for real ids: NID, MUTE,
// TOKEN, HOOK, CID, MID, UID, OWNER, and ONID, OHOOK, OTHER of the other
// user.
func FuzzRoute(f *testing.F) {
	s := newScene(f)
	ctx := context.Background()
	r := s.room()
	res, err := s.Dispatcher.Notify(ctx, s.other, &app.Event{Type: "job_failed", Title: otherMarker})
	if err != nil {
		f.Fatal(err)
	}
	otherHook := s.otherWebhook()
	ids := strings.NewReplacer("NID", s.notification(), "MUTE", s.mute(), "TOKEN", s.token(), "HOOK", s.webhook(),
		"CID", r.id, "MID", r.message, "UID", r.member, "OWNER", s.owner.ID,
		"ONID", res.Notifications[0].ID, "OHOOK", otherHook, "OTHER", s.other.ID)
	var routes gin.RoutesInfo
	for _, rt := range s.Routes() {
		if rt.Method == http.MethodGet || rt.Method == http.MethodHead {
			routes = append(routes, rt)
		}
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].Method+routes[i].Path < routes[j].Method+routes[j].Path })
	for i, rt := range routes {
		first, second := "NID", "MID"
		switch {
		case strings.Contains(rt.Path, "/channels/"):
			first = "CID"
		case strings.Contains(rt.Path, "/webhooks/"):
			first = "HOOK"
		case strings.Contains(rt.Path, "/static/"):
			first, second = "0", "htmx.min.js"
		}
		// The other user's ids, bad query values and a token on every
		// third route; the fuzzer carries them over to the rest.
		if i%3 == 0 {
			first = "O" + first
		}
		f.Add(uint16(i), first, second, []string{"", "limit=0&cursor=x&before=zz&page=-1", "status=%zz"}[i%3], i%3 == 1)
	}
	for _, q := range []string{"next=/%09/evil.example", "next=//evil.example", "next=/\\evil.example", "next=%2F%2Fevil.example", "error=1&next=/notifications"} {
		f.Add(uint16(indexOf(routes, "GET", "/login")), "", "", q, false)
	}
	cookie, token := s.Session(s.owner), s.Token(s.owner, app.ScopeAdmin)

	f.Fuzz(func(t *testing.T, route uint16, p1, p2, query string, bearer bool) {
		if strings.ContainsFunc(query, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '#' }) {
			return // no request line carries these in its query
		}
		rt := routes[int(route)%len(routes)]
		path := fillParams(rt.Path, ids.Replace(p1), ids.Replace(p2))
		req := httptest.NewRequest(rt.Method, "/", nil)
		req.URL.Path, req.URL.RawQuery = path, query
		if bearer {
			req.Header.Set("Authorization", "Bearer "+token)
		} else {
			req.Header.Set("Cookie", web.SessionCookie+"="+cookie)
		}
		rec := httptest.NewRecorder()
		s.Handler.ServeHTTP(rec, req)
		what := rt.Method + " " + path + "?" + query
		if rec.Code >= 500 {
			t.Fatalf("%s: %d %s", what, rec.Code, rec.Body)
		}
		if strings.Contains(rec.Body.String(), otherMarker) {
			t.Fatalf("%s shows the other user's data: %s", what, rec.Body)
		}
		if loc := rec.Header().Get("Location"); loc != "" && !app.LocalPath(loc) {
			t.Fatalf("%s redirects off the site: Location %q", what, loc)
		}
		// net/http drops the body of a HEAD answer itself.
		if rec.Code >= 400 && rt.Method == http.MethodGet && (strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/ws/")) {
			var env web.Envelope
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Error.Code == "" || env.Error.Message == "" {
				t.Fatalf("%s: %d without the error envelope: %s", what, rec.Code, rec.Body)
			}
		}
	})
}

// fillParams puts p1 in a route's first parameter and p2 in the others.
func fillParams(route, p1, p2 string) string {
	parts := strings.Split(route, "/")
	n := 0
	for i, part := range parts {
		if strings.HasPrefix(part, ":") || strings.HasPrefix(part, "*") {
			parts[i] = p2
			if n == 0 {
				parts[i] = p1
			}
			n++
		}
	}
	return strings.Join(parts, "/")
}

func indexOf(routes gin.RoutesInfo, method, path string) int {
	for i, rt := range routes {
		if rt.Method == method && rt.Path == path {
			return i
		}
	}
	return 0
}
