package poll

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// encoded is a JSON answer with its strong ETag, a hash of the exact body.
type encoded struct {
	body []byte
	tag  string
}

func encode(v any) (encoded, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return encoded{}, fmt.Errorf("encode response: %w", err)
	}
	sum := sha256.Sum256(body)
	return encoded{body: body, tag: `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`}, nil
}

// writeCacheable answers 200 with v as JSON and its ETag; see writeEncoded.
func (s *Server) writeCacheable(c *gin.Context, v any) {
	e, err := encode(v)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	s.writeEncoded(c, e)
}

// writeEncoded answers 200 with e, or 304 with no body when the request's
// If-None-Match already names e's ETag. A poller that sends back the ETag
// of its last answer thus pays for neither the encoding nor the transfer.
func (s *Server) writeEncoded(c *gin.Context, e encoded) {
	h := c.Writer.Header()
	h.Set("ETag", e.tag)
	// Answers depend on the token, so shared caches must keep them apart,
	// and clients must revalidate rather than reuse them blindly.
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Vary", "Authorization")
	if etagMatches(c.GetHeader("If-None-Match"), e.tag) {
		s.notModified.Add(1)
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", e.body)
}

// etagMatches applies If-None-Match's weak comparison (RFC 9110 §13.1.2):
// "*" matches anything, and W/ prefixes are ignored.
func etagMatches(header, tag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}
