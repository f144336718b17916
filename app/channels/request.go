package channels

import (
	"strconv"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// decode reads the request's JSON object into v (web.DecodeJSON; optional
// accepts an empty body), answers a bad body and reports whether to go on.
func decode(c *gin.Context, v any, optional bool) bool {
	var opts []web.BodyOption
	if optional {
		opts = append(opts, web.Optional())
	}
	if err := web.DecodeJSON(c, v, opts...); err != nil {
		web.WriteError(c, err)
		return false
	}
	return true
}

// bodyID checks a user id given in a request body.
func bodyID(field, id string) (string, error) {
	id, err := app.ParseID(id)
	if err != nil {
		return "", app.Errorf(app.EINVALID, "Field %s must be a user id (a UUID).", field)
	}
	return id, nil
}

// pageQuery reads ?cursor&limit of a history page: cursor is the
// next_cursor of the previous page, limit 1..MaxPageSize.
func pageQuery(c *gin.Context) (before int64, limit int, err error) {
	if _, err := web.Query(c); err != nil {
		return 0, 0, err
	}
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
