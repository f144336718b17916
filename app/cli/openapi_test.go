package cli

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/belfry/belfry/app/api"
)

// TestCLIOpenAPICoversRoutes keeps /api/openapi.json honest: every /api
// route the server registers is described, and a capability whose routes
// are registered has every described route registered. When a route is
// added, describe it in app/api/openapi_core.go or openapi_capabilities.go.
func TestCLIOpenAPICoversRoutes(t *testing.T) {
	s, ts := newTestServer(t)
	registered := map[string]bool{}
	for _, r := range s.Engine.Routes() {
		registered[r.Method+" "+r.Path] = true
	}
	described, wiredTags := map[string]bool{}, map[string]bool{}
	for _, op := range api.Operations() {
		key := op.Method + " " + op.Path
		described[key] = true
		if registered[key] {
			wiredTags[op.Tag] = true
		}
	}
	for key := range registered {
		if _, path, _ := strings.Cut(key, " "); strings.HasPrefix(path, "/api/") && !described[key] {
			t.Errorf("%s is registered but not described in the OpenAPI document (app/api/openapi_*.go)", key)
		}
	}
	var served []string
	for _, op := range api.Operations() {
		key := op.Method + " " + op.Path
		switch {
		case registered[key]:
			served = append(served, key)
		case wiredTags[op.Tag]:
			t.Errorf("%s is described (tag %s) but not registered", key, op.Tag)
		}
	}
	if len(wiredTags) < 6 {
		t.Fatalf("only tags %v are wired: the core API is missing", wiredTags)
	}

	// The served document has exactly the described routes that exist.
	resp, err := http.Get(ts.URL + api.OpenAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", api.OpenAPIPath, resp.StatusCode, err)
	}
	var got []string
	for path, methods := range doc.Paths {
		for method := range methods {
			ginPath := strings.NewReplacer("{", ":", "}", "").Replace(path)
			got = append(got, strings.ToUpper(method)+" "+ginPath)
		}
	}
	sort.Strings(got)
	sort.Strings(served)
	if strings.Join(got, "\n") != strings.Join(served, "\n") {
		t.Fatalf("served paths:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(served, "\n"))
	}
}
