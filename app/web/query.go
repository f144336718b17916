package web

import (
	"net/url"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// Query returns the request's query parameters. A query string that does
// not parse — a bad %-escape, a ";" separator — is EINVALID naming the
// problem, where the request's own parser would silently drop the pair and
// answer as if the parameter had not been given.
func Query(c *gin.Context) (url.Values, error) {
	v, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "The query string is malformed: %s. Escape %% as %%25 and separate parameters with &.", Clip(err.Error(), 96))
	}
	return v, nil
}
