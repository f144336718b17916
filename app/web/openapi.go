package web

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// OpenAPIPath is where the OpenAPI 3 document of the HTTP API is served.
const OpenAPIPath = "/api/openapi.json"

// Doc describes one capability's routes for the OpenAPI document: its
// operations and the component schemas they refer to with Ref. Each
// capability returns its Doc next to the function that registers its
// routes; a test checks that the two agree.
type Doc struct {
	Operations []Operation
	Schemas    map[string]Schema
}

// Operation describes one route. Build its schemas with Str, Int, Bool,
// UUID, Time, Enum, Array, Object, FreeObject, Nullable and Ref.
type Operation struct {
	Method, Path string // Path in gin syntax: /api/notifications/:id
	Tag          string // the capability, e.g. "notifications", "polling"
	Summary      string
	Auth         []string // accepted credentials (AnyLogin, TokenOnly); none: anyone
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

// Credentials accepted by routes (Operation.Auth).
var (
	AnyLogin  = []string{"session", "token"}
	TokenOnly = []string{"token"}
)

// Error statuses shared by many routes.
var (
	AuthErrors = []int{http.StatusUnauthorized, http.StatusForbidden}
	BodyErrors = []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusRequestEntityTooLarge}
	IDErrors   = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound}
)

// OKResult is the schema of the OK answer.
var OKResult = Object("ok!", Bool("Always true."))

// Str is a string.
func Str(desc string) Schema { return Schema{"type": "string", "description": desc} }

// Int is an integer.
func Int(desc string) Schema { return Schema{"type": "integer", "description": desc} }

// Bool is a boolean.
func Bool(desc string) Schema { return Schema{"type": "boolean", "description": desc} }

// UUID is an id.
func UUID(desc string) Schema {
	return Schema{"type": "string", "format": "uuid", "description": desc}
}

// Time is an RFC 3339 time.
func Time(desc string) Schema {
	return Schema{"type": "string", "format": "date-time", "description": desc}
}

// Array is a list of items.
func Array(items Schema) Schema { return Schema{"type": "array", "items": items} }

// Ref refers to a component schema of some Doc.
func Ref(name string) Schema { return Schema{"$ref": "#/components/schemas/" + name} }

// Enum is a string that is one of values.
func Enum(values ...string) Schema {
	return Schema{"type": "string", "enum": values}
}

// Nullable marks s as also accepting null.
func Nullable(s Schema) Schema {
	out := Schema{"nullable": true}
	maps.Copy(out, s)
	return out
}

// Object builds an object schema from name, schema pairs; a name ending in
// "!" is required.
func Object(pairs ...any) Schema {
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

// FreeObject is a JSON object with any members.
func FreeObject(desc string) Schema {
	return Schema{"type": "object", "additionalProperties": true, "description": desc}
}

// errorSchema is the envelope every error status refers to.
var errorSchema = Object("error!", Object("code!", Str("Machine-readable, e.g. NOTIFICATION_NOT_FOUND."),
	"message!", Str("A sentence for a person.")))

var pathParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// openAPIPath turns a gin path into an OpenAPI one (:id → {id}).
func openAPIPath(p string) string { return pathParam.ReplaceAllString(p, "{$1}") }

// Merge joins the docs of several capabilities into one.
func Merge(docs ...Doc) Doc {
	out := Doc{Schemas: map[string]Schema{"Error": errorSchema}}
	for _, d := range docs {
		out.Operations = append(out.Operations, d.Operations...)
		maps.Copy(out.Schemas, d.Schemas)
	}
	return out
}

// Document returns the OpenAPI 3 document of d.
func (d Doc) Document(version string) map[string]any {
	paths := map[string]map[string]any{}
	for _, op := range d.Operations {
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
			"schemas": d.Schemas,
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
		"operationId": OperationID(op),
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
	sec := []any{}
	for _, a := range op.Auth {
		sec = append(sec, map[string]any{a: []string{}})
	}
	d["security"] = sec
	ok := map[string]any{"description": http.StatusText(op.Status)}
	if op.Result != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": op.Result}}
	}
	responses := map[string]any{fmt.Sprint(op.Status): ok}
	for _, code := range op.Errors {
		responses[fmt.Sprint(code)] = map[string]any{
			"description": http.StatusText(code),
			"content":     map[string]any{"application/json": map[string]any{"schema": Ref("Error")}},
		}
	}
	d["responses"] = responses
	return d
}

// OperationID is a stable id from the method and path.
func OperationID(op Operation) string {
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

// OpenAPIHandler serves the document of the operations of doc() that
// routes (the engine's Routes) reports as registered; both are read once,
// at the first request, after every capability registered its own.
func OpenAPIHandler(doc func() Doc, version string, routes func() gin.RoutesInfo) gin.HandlerFunc {
	var once sync.Once
	var body []byte
	return func(c *gin.Context) {
		once.Do(func() {
			d := doc()
			registered := routes()
			served := Doc{Schemas: d.Schemas}
			for _, op := range d.Operations {
				if slices.ContainsFunc(registered, func(r gin.RouteInfo) bool { return r.Method == op.Method && r.Path == op.Path }) {
					served.Operations = append(served.Operations, op)
				}
			}
			body, _ = json.Marshal(served.Document(version))
		})
		c.Data(http.StatusOK, "application/json; charset=utf-8", body)
	}
}
