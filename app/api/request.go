package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// maxBodyBytes bounds every JSON request body.
const maxBodyBytes = 64 << 10

// decodeJSON reads the request body into v strictly: one JSON value of at
// most maxBodyBytes, no unknown fields, no trailing data. Every failure is an
// *app.Error naming what is wrong (EINVALID, or ETOOLARGE).
func decodeJSON(c *gin.Context, v any) error {
	body := http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return jsonError(err)
		}
		return app.Errorf(app.EINVALID, "Request body must hold a single JSON value.")
	}
	return nil
}

// jsonError turns a decoding error into a message for the person who wrote
// the request.
func jsonError(err error) error {
	var (
		tooLarge *http.MaxBytesError
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooLarge):
		return app.Errorf(app.ETOOLARGE, "Request body is larger than %d KiB.", maxBodyBytes>>10)
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

// pathID returns the URL parameter name if it is a UUID in canonical form;
// otherwise it writes 400 INVALID_PARAMETER and returns false.
func pathID(c *gin.Context, name string) (string, bool) {
	id := c.Param(name)
	if len(id) != 36 || uuid.Validate(id) != nil {
		WriteError(c, app.Errorf(app.EINVALID, "Parameter %s must be a UUID.", name))
		return "", false
	}
	return strings.ToLower(id), true
}

// wantsJSON reports whether the client asked for a JSON answer rather than
// a page (login and logout serve both).
func wantsJSON(c *gin.Context) bool {
	return strings.Contains(c.GetHeader("Accept"), "application/json")
}

// okBody is the {"ok":true} answer of the spec.
var okBody = gin.H{"ok": true}
