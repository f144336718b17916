package server_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/belfry/belfry/app/server/servertest"
	"github.com/belfry/belfry/app/web"
)

func TestOpenAPIOperationsWellFormed(t *testing.T) {
	a := servertest.New(t)
	seen, ids := map[string]bool{}, map[string]bool{}
	for _, op := range a.Doc().Operations {
		key := op.Method + " " + op.Path
		if seen[key] {
			t.Errorf("%s is described twice", key)
		}
		seen[key] = true
		if id := web.OperationID(op); ids[id] {
			t.Errorf("%s: operationId %s is not unique", key, id)
		} else {
			ids[id] = true
		}
		if op.Tag == "" || op.Summary == "" || op.Status < 200 || op.Status > 299 {
			t.Errorf("%s lacks a tag, a summary or a 2xx status: %+v", key, op)
		}
		if !strings.HasPrefix(op.Path, "/") || strings.Contains(op.Path, "{") {
			t.Errorf("%s: paths are written in gin syntax (:id)", key)
		}
		for _, code := range op.Errors {
			if code < 400 {
				t.Errorf("%s: error status %d", key, code)
			}
		}
	}
}

func TestOpenAPIDocument(t *testing.T) {
	a := servertest.New(t)
	b, err := json.Marshal(a.Doc().Document("1"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	// Every $ref names a component schema.
	for _, m := range regexp.MustCompile(`"\$ref":"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(text, -1) {
		if _, ok := a.Doc().Schemas[m[1]]; !ok {
			t.Errorf("$ref to missing schema %s", m[1])
		}
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Parameters []struct{ Name, In string } `json:"parameters"`
			Responses  map[string]any              `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	op := doc.Paths["/api/channels/{id}/members/{user_id}/role"]["put"]
	if len(op.Parameters) != 2 || op.Parameters[0].Name != "id" || op.Parameters[1].Name != "user_id" || op.Parameters[0].In != "path" {
		t.Fatalf("path parameters of the role route: %+v", op.Parameters)
	}
	if _, ok := doc.Paths["/api/notifications/{id}"]["delete"].Responses["404"]; !ok {
		t.Fatal("error responses are missing")
	}
}

// TestOpenAPICoversRoutes keeps /api/openapi.json honest: every /api route
// the server registers is described, and a capability whose routes are
// registered has every described route registered. When a route is added,
// describe it in its capability's Doc (openapi.go beside its routes).
func TestOpenAPICoversRoutes(t *testing.T) {
	a := servertest.New(t)
	registered := map[string]bool{}
	for _, r := range a.Routes() {
		registered[r.Method+" "+r.Path] = true
	}
	described, wiredTags := map[string]bool{}, map[string]bool{}
	for _, op := range a.Doc().Operations {
		key := op.Method + " " + op.Path
		described[key] = true
		if registered[key] {
			wiredTags[op.Tag] = true
		}
	}
	for key := range registered {
		if _, path, _ := strings.Cut(key, " "); strings.HasPrefix(path, "/api/") && !described[key] {
			t.Errorf("%s is registered but not described in the OpenAPI document (its capability's openapi.go)", key)
		}
	}
	var served []string
	for _, op := range a.Doc().Operations {
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
	resp, err := http.Get(a.URL + web.OpenAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", web.OpenAPIPath, resp.StatusCode, err)
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
