package channels

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/api"
	"github.com/gin-gonic/gin"
)

// maxBodyBytes bounds a request body: the longest message is 4,000
// characters of up to 4 bytes, escaped.
const maxBodyBytes = 64 << 10

// decodeBody reads the JSON object of a request strictly: no unknown
// fields, no trailing data. optional accepts an empty body (v stays as it
// is). Errors are EINVALID or ETOOLARGE with a message for the person who
// wrote the request.
func decodeBody(c *gin.Context, v any, optional bool) error {
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if errors.Is(err, io.EOF) && optional {
		return nil
	}
	if err == nil {
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("trailing data")
		}
	}
	return bodyError(err)
}

// bodyError explains a decoding error.
func bodyError(err error) error {
	var (
		tooLarge *http.MaxBytesError
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooLarge):
		return app.Errorf(app.ETOOLARGE, "Request body is larger than %d KiB.", maxBodyBytes>>10)
	case errors.Is(err, io.EOF):
		return app.Errorf(app.EINVALID, "Request body is empty; send a JSON object.")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return app.Errorf(app.EINVALID, "Request body is not valid JSON.")
	case errors.As(err, &typ) && typ.Field != "":
		return app.Errorf(app.EINVALID, "Field %s has the wrong type (%s).", typ.Field, typ.Value)
	case errors.As(err, &typ):
		return app.Errorf(app.EINVALID, "Request body must be a JSON object.")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return app.Errorf(app.EINVALID, "Unknown field %s.", name)
	}
	return app.Errorf(app.EINVALID, "Request body must hold a single JSON object.")
}

// decode is decodeBody for handlers: it answers a bad body and reports
// whether to go on.
func decode(c *gin.Context, v any, optional bool) bool {
	if err := decodeBody(c, v, optional); err != nil {
		api.WriteError(c, err)
		return false
	}
	return true
}

// pathID returns the URL parameter name when it is a UUID, lower-cased;
// otherwise it answers 400 and returns false.
func pathID(c *gin.Context, name string) (string, bool) {
	id := c.Param(name)
	if !isUUID(id) {
		api.WriteError(c, app.Errorf(app.EINVALID, "Parameter %s must be a UUID, not %q.", name, id))
		return "", false
	}
	return strings.ToLower(id), true
}

// bodyID checks a user id given in a request body.
func bodyID(field, id string) (string, error) {
	if !isUUID(id) {
		return "", app.Errorf(app.EINVALID, "Field %s must be a user id (a UUID).", field)
	}
	return strings.ToLower(id), nil
}

// pageQuery reads ?cursor&limit of a history page: cursor is the
// next_cursor of the previous page, limit 1..MaxPageSize.
func pageQuery(c *gin.Context) (before int64, limit int, err error) {
	limit = DefaultPageSize
	if raw, ok := c.GetQuery("limit"); ok {
		n, perr := strconv.Atoi(raw)
		if perr != nil || n < 1 || n > MaxPageSize {
			return 0, 0, app.Errorf(app.EINVALID, "Parameter limit must be a whole number from 1 to %d, not %q.", MaxPageSize, raw)
		}
		limit = n
	}
	if raw, ok := c.GetQuery("cursor"); ok {
		n, perr := strconv.ParseInt(raw, 10, 64)
		if perr != nil || n < 1 {
			return 0, 0, app.Errorf(app.EINVALID, "Parameter cursor must be a next_cursor value from a previous page, not %q.", raw)
		}
		before = n
	}
	return before, limit, nil
}
