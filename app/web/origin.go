package web

import (
	"net/http"
	"net/url"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// CrossOriginGuard refuses unsafe (non GET/HEAD/OPTIONS) cross-origin
// requests from browsers with 403 FORBIDDEN, using Go's
// http.CrossOriginProtection with baseURL's origin trusted. Requests with an
// "Authorization: Bearer" header are exempt: browsers never attach one to a
// cross-site request on their own, so they carry no ambient credentials.
func CrossOriginGuard(baseURL string) gin.HandlerFunc {
	p := http.NewCrossOriginProtection()
	if u, err := url.Parse(baseURL); err == nil && u.Scheme != "" && u.Host != "" {
		// A malformed base URL only loses the extra trusted origin;
		// same-origin requests still pass.
		_ = p.AddTrustedOrigin(u.Scheme + "://" + u.Host)
	}
	return func(c *gin.Context) {
		if _, ok := Bearer(c.GetHeader("Authorization")); ok {
			c.Next()
			return
		}
		if err := p.Check(c.Request); err != nil {
			WriteError(c, app.Errorf(app.EFORBIDDEN, "Cross-origin request refused."))
			return
		}
		c.Next()
	}
}
