package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// OpenAPIPath is where the OpenAPI 3 document of the HTTP API is served.
const OpenAPIPath = "/api/openapi.json"

// Operation describes one route of the HTTP API for the OpenAPI document.
// Operations lists them all; a test checks that every /api route the server
// registers is described and that every described route of a wired
// capability (Tag) is registered. To describe a new route, add one
// Operation to the list of its capability, built with the schema helpers
// below (str, integer, boolean, object, array, ref).
type Operation struct {
	Method, Path string // Path in gin syntax: /api/notifications/:id
	Tag          string // the capability, e.g. "notifications", "polling"
	Summary      string
	Auth         []string // accepted credentials: "session", "token"; none: anyone
	Query        []Param
	Body         Schema // request body; nil: none
	Status       int    // success status
	Result       Schema // success body; nil: none
	Errors       []int  // error statuses, each answered with the error envelope
}

// Param is a query parameter.
type Param struct {
	Name, Description string
	Schema            Schema
}

// Schema is a JSON Schema object of the OpenAPI document.
type Schema map[string]any

func str(desc string) Schema     { return Schema{"type": "string", "description": desc} }
func integer(desc string) Schema { return Schema{"type": "integer", "description": desc} }
func boolean(desc string) Schema { return Schema{"type": "boolean", "description": desc} }
func uuidStr(desc string) Schema {
	return Schema{"type": "string", "format": "uuid", "description": desc}
}
func when(desc string) Schema {
	return Schema{"type": "string", "format": "date-time", "description": desc}
}
func array(items Schema) Schema { return Schema{"type": "array", "items": items} }
func ref(name string) Schema    { return Schema{"$ref": "#/components/schemas/" + name} }
func oneOf(values ...string) Schema {
	return Schema{"type": "string", "enum": values}
}

// nullable marks s as also accepting null.
func nullable(s Schema) Schema {
	out := Schema{"nullable": true}
	for k, v := range s {
		out[k] = v
	}
	return out
}

// object builds an object schema from name, schema pairs; a name ending in
// "!" is required.
func object(pairs ...any) Schema {
	props := Schema{}
	var required []string
	for i := 0; i+1 < len(pairs); i += 2 {
		name := pairs[i].(string)
		if n, ok := strings.CutSuffix(name, "!"); ok {
			name = n
			required = append(required, n)
		}
		props[name] = pairs[i+1]
	}
	s := Schema{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// freeObject is a JSON object with any members.
func freeObject(desc string) Schema {
	return Schema{"type": "object", "additionalProperties": true, "description": desc}
}

var pathParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// openAPIPath turns a gin path into an OpenAPI one (:id → {id}).
func openAPIPath(p string) string { return pathParam.ReplaceAllString(p, "{$1}") }

// OpenAPIDocument returns the OpenAPI 3 document of ops.
func OpenAPIDocument(ops []Operation, version string) map[string]any {
	paths := map[string]map[string]any{}
	for _, op := range ops {
		p := openAPIPath(op.Path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(op.Method)] = op.document()
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":   "Belfry",
			"version": version,
			"description": "A self-hosted notification hub. Errors are always {\"error\":{\"code\",\"message\"}}. " +
				"WebSocket endpoints (/ws/notification/, /ws/channels/) are described in the project's specs, not here.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": componentSchemas,
			"securitySchemes": map[string]any{
				"token":   map[string]any{"type": "http", "scheme": "bearer", "description": "A personal API token (belfry token create)."},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie},
			},
		},
	}
}

func (op Operation) document() map[string]any {
	d := map[string]any{
		"tags":        []string{op.Tag},
		"summary":     op.Summary,
		"operationId": operationID(op),
	}
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(op.Path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": Schema{"type": "string"}})
	}
	for _, q := range op.Query {
		params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Description, "schema": q.Schema})
	}
	if params != nil {
		d["parameters"] = params
	}
	if op.Body != nil {
		d["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": op.Body}}}
	}
	if len(op.Auth) > 0 {
		var sec []any
		for _, a := range op.Auth {
			sec = append(sec, map[string]any{a: []string{}})
		}
		d["security"] = sec
	} else {
		d["security"] = []any{}
	}
	ok := map[string]any{"description": http.StatusText(op.Status)}
	if op.Result != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": op.Result}}
	}
	responses := map[string]any{fmt.Sprint(op.Status): ok}
	for _, code := range op.Errors {
		responses[fmt.Sprint(code)] = map[string]any{
			"description": http.StatusText(code),
			"content":     map[string]any{"application/json": map[string]any{"schema": ref("Error")}},
		}
	}
	d["responses"] = responses
	return d
}

// operationID is a stable id from the method and path.
func operationID(op Operation) string {
	id := strings.ToLower(op.Method)
	for _, part := range strings.Split(strings.Trim(op.Path, "/"), "/") {
		part = strings.TrimPrefix(part, ":")
		part = strings.NewReplacer("-", "_", ".", "_").Replace(part)
		if part != "" {
			id += "_" + part
		}
	}
	return id
}

// OpenAPIHandler serves the document of the described routes that routes
// (the engine's Routes, read once at the first request, after every
// capability registered its own) reports as registered: a capability that
// is not wired is not advertised.
func OpenAPIHandler(routes func() gin.RoutesInfo) gin.HandlerFunc {
	var once sync.Once
	var body []byte
	return func(c *gin.Context) {
		once.Do(func() {
			var ops []Operation
			registered := routes()
			for _, op := range Operations() {
				if slices.ContainsFunc(registered, func(r gin.RouteInfo) bool { return r.Method == op.Method && r.Path == op.Path }) {
					ops = append(ops, op)
				}
			}
			body, _ = json.Marshal(OpenAPIDocument(ops, "1"))
		})
		c.Data(http.StatusOK, "application/json; charset=utf-8", body)
	}
}
