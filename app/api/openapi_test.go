package api

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

func TestOpenAPIOperationsWellFormed(t *testing.T) {
	seen, ids := map[string]bool{}, map[string]bool{}
	for _, op := range Operations() {
		key := op.Method + " " + op.Path
		if seen[key] {
			t.Errorf("%s is described twice", key)
		}
		seen[key] = true
		if id := operationID(op); ids[id] {
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
	b, err := json.Marshal(OpenAPIDocument(Operations(), "1"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	// Every $ref names a component schema.
	for _, m := range regexp.MustCompile(`"\$ref":"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(text, -1) {
		if _, ok := componentSchemas[m[1]]; !ok {
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
