package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// MaxBody bounds every request body unless a route sets a smaller bound
// with Limit: 64 KiB holds the largest event (16 KiB body + 16 KiB data,
// escaped) and the longest channel message.
const MaxBody = 64 << 10

// BodyOption adjusts DecodeJSON.
type BodyOption func(*bodyRules)

type bodyRules struct {
	max      int64
	optional bool
}

// Limit bounds the body to n bytes instead of MaxBody, for routes whose
// bodies are small (a webhook, a list of ids).
func Limit(n int64) BodyOption { return func(r *bodyRules) { r.max = n } }

// Optional accepts an empty body, leaving v as it is.
func Optional() BodyOption { return func(r *bodyRules) { r.optional = true } }

// DecodeJSON reads the request body into v strictly: one JSON value of at
// most MaxBody bytes (or the Limit), no unknown fields, no trailing data.
// Every failure is an *app.Error naming what is wrong: EINVALID, or
// ETOOLARGE with the bound.
func DecodeJSON(c *gin.Context, v any, opts ...BodyOption) error {
	rules := bodyRules{max: MaxBody}
	for _, o := range opts {
		o(&rules)
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, rules.max))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) && rules.optional {
			return nil
		}
		return jsonError(err, rules.max)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return jsonError(err, rules.max)
		}
		return app.Errorf(app.EINVALID, "Request body must hold a single JSON value.")
	}
	return nil
}

// TooLarge is the error of a body over max bytes.
func TooLarge(max int64) error {
	return app.Errorf(app.ETOOLARGE, "Request body is larger than %d KiB.", max>>10)
}

// jsonError turns a decoding error into a message for the person who wrote
// the request.
func jsonError(err error, max int64) error {
	var (
		tooLarge *http.MaxBytesError
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooLarge):
		return TooLarge(max)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return app.Errorf(app.ETIMEOUT, "Request body arrived too slowly; the server stopped waiting for it.")
	case errors.Is(err, io.EOF):
		return app.Errorf(app.EINVALID, "Request body is empty; send a JSON object.")
	case errors.As(err, &syntax):
		return app.Errorf(app.EINVALID, "Request body is not valid JSON (at byte %d).", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return app.Errorf(app.EINVALID, "Request body is not valid JSON (it ends too early).")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return app.Errorf(app.EINVALID, "Request body must be %s, not %s.", jsonKind(typ.Type.Kind().String()), typ.Value)
		}
		return app.Errorf(app.EINVALID, "Field %s must be %s, not %s.", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return app.Errorf(app.EINVALID, "Unknown field %s.", name)
	}
	return app.Errorf(app.EINVALID, "Request body is not valid: %s.", strings.TrimPrefix(err.Error(), "json: "))
}

// jsonKind names a Go kind the way a JSON author thinks of it.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "a number"
	}
	return fmt.Sprintf("a %s", kind)
}

// PathID returns the URL parameter name as a canonical id (app.ParseID);
// when it is not a UUID it answers 400 INVALID_PARAMETER and returns false.
func PathID(c *gin.Context, name string) (string, bool) {
	raw := c.Param(name)
	id, err := app.ParseID(raw)
	if err != nil {
		WriteError(c, app.Errorf(app.EINVALID, "Parameter %s must be a UUID, not %q.", name, Clip(raw, 64)))
		return "", false
	}
	return id, true
}

// Clip shortens client text quoted in a message to at most n bytes of
// valid UTF-8, marking the cut with "…".
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// WantsJSON reports whether the client asked for a JSON answer rather than
// a page (routes that serve both, such as login).
func WantsJSON(c *gin.Context) bool {
	return strings.Contains(c.GetHeader("Accept"), "application/json")
}

// OK is the {"ok":true} answer of actions that return nothing else.
var OK = gin.H{"ok": true}
